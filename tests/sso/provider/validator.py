import json
import os
from pathlib import Path

from oauth2_provider.oauth2_validators import OAuth2Validator


def people() -> dict:
    """Read on every token: a test changes a person's groups between two sign-ins."""
    return json.loads(Path(os.environ["SSO_PROVIDER_PEOPLE"]).read_text())


class GroupsValidator(OAuth2Validator):
    """Adds the claims an organisation's provider sends: names, e-mail and groups."""

    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "groups": "openid",
        "preferred_username": "profile",
    }

    def get_additional_claims(self, request):
        person = people()[request.user.username]
        return {
            "preferred_username": request.user.username,
            "given_name": person.get("given_name", ""),
            "family_name": person.get("family_name", ""),
            "email": person.get("email", ""),
            "groups": person.get("groups", []),
        }
