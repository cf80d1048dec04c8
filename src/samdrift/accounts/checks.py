"""Configuration warnings for sign-in, shown by `samdrift check` (Django's system checks):
only when single sign-on is configured, so a plain install stays clean."""

from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security)
def sign_in_configuration(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    messages: list[checks.CheckMessage] = []
    if settings.SAMDRIFT_SSO_ENABLED:
        if not settings.SAMDRIFT_OIDC_ISSUER:
            messages.append(
                checks.Warning(
                    "SAMDRIFT_OIDC_ISSUER is not set: the ID token's issuer is not checked.",
                    hint="Set it to the provider's issuer, e.g. "
                    "https://login.microsoftonline.com/<tenant>/v2.0.",
                    id="samdrift.accounts.W001",
                )
            )
        endpoints = {
            "SAMDRIFT_OIDC_AUTHORIZATION_ENDPOINT": settings.OIDC_OP_AUTHORIZATION_ENDPOINT,
            "SAMDRIFT_OIDC_TOKEN_ENDPOINT": settings.OIDC_OP_TOKEN_ENDPOINT,
            "SAMDRIFT_OIDC_JWKS_ENDPOINT": settings.OIDC_OP_JWKS_ENDPOINT,
            "SAMDRIFT_OIDC_USERINFO_ENDPOINT": settings.OIDC_OP_USER_ENDPOINT,
        }
        plain = [name for name, url in endpoints.items() if url and not url.startswith("https://")]
        if plain and settings.PRODUCTION:
            messages.append(
                checks.Warning(
                    f"{', '.join(plain)} not https: tokens and keys would travel in clear.",
                    id="samdrift.accounts.W002",
                )
            )
    if not settings.SAMDRIFT_PASSWORD_LOGIN and not settings.SAMDRIFT_BREAK_GLASS_USERS:
        messages.append(
            checks.Warning(
                "Password sign-in is off and SAMDRIFT_BREAK_GLASS_USERS is empty: nobody can "
                "sign in while the identity provider is down.",
                hint="Name at least one operator login there.",
                id="samdrift.accounts.W003",
            )
        )
    return messages
