"""A real OpenID Connect provider for the single sign-on tests (tests/sso/provider/, a
second Django process with django-oauth-toolkit), and Samdrift's live server configured
to use it. Nothing of the protocol is mocked: codes, tokens, signatures and keys are the
provider's own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "samdrift-test"
CLIENT_SECRET = "a-confidential-client-secret"

# The provider's people. Each test starts from these (groups are changed by some).
PEOPLE = {
    "kari": {
        "password": "kari-at-the-provider",
        "given_name": "Kari",
        "family_name": "Nordmann",
        "email": "kari@fjordvik.example",
        "groups": ["g-fjordvik-contacts", "g-all-staff"],
    },
    "ola": {"password": "ola-at-the-provider", "groups": ["g-all-staff"]},
    "per": {"password": "per-at-the-provider", "groups": ["g-fjordvik-readers"]},
    "anne": {"password": "anne-at-the-provider", "groups": ["g-fjordvik-contacts", "g-elvdal"]},
}


class Provider:
    def __init__(self, url: str, people_file: Path):
        self.url = url
        self.issuer = f"{url}/o"
        self.people_file = people_file

    def set_groups(self, username: str, groups: list[str]) -> None:
        people = json.loads(self.people_file.read_text())
        people[username]["groups"] = groups
        self.people_file.write_text(json.dumps(people))


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """As in tests/ui/browser: stopped before the test database is dropped."""
    return live_server


@pytest.fixture(scope="session")
def provider_process(live_server, tmp_path_factory):
    directory = tmp_path_factory.mktemp("provider")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    people_file = directory / "people.json"
    people_file.write_text(json.dumps(PEOPLE))
    config = directory / "config.json"
    config.write_text(
        json.dumps(
            {
                "database": str(directory / "provider.sqlite3"),
                "private_key": pem,
                "client": {
                    "id": CLIENT_ID,
                    "secret": CLIENT_SECRET,
                    "redirect_uri": f"{live_server.url}/sso/callback/",
                },
            }
        )
    )
    env = {
        **os.environ,
        "SSO_PROVIDER_CONFIG": str(config),
        "SSO_PROVIDER_PEOPLE": str(people_file),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.sso.provider.serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    port = process.stdout.readline().strip()
    if not port.isdigit():
        process.kill()
        pytest.fail("The test provider did not start (see its output above).")
    yield Provider(f"http://127.0.0.1:{port}", people_file)
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def provider(provider_process, settings):
    """The provider with its people as in PEOPLE, and Samdrift configured to use it."""
    provider_process.people_file.write_text(json.dumps(PEOPLE))
    issuer = provider_process.issuer
    settings.SAMDRIFT_SSO_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{issuer}/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{issuer}/token/"
    settings.OIDC_OP_USER_ENDPOINT = f"{issuer}/userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{issuer}/.well-known/jwks.json"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.SAMDRIFT_OIDC_ISSUER = issuer
    settings.SAMDRIFT_OIDC_PROVIDER_NAME = "Test IdP"
    return provider_process
