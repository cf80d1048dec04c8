"""Single sign-on half configured, or passwords off with no provider: Samdrift refuses to
start and names what is missing (settings.py reads the environment once, at start)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _start(tmp_path, **variables) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SAMDRIFT_", "DATABASE_URL"))
    }
    env.update(SAMDRIFT_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="samdrift.settings")
    env.update(variables)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        (
            {"SAMDRIFT_OIDC_CLIENT_ID": "samdrift", "SAMDRIFT_OIDC_CLIENT_SECRET": "s"},
            "also needs SAMDRIFT_OIDC_AUTHORIZATION_ENDPOINT, SAMDRIFT_OIDC_TOKEN_ENDPOINT, "
            "SAMDRIFT_OIDC_JWKS_ENDPOINT.",
        ),
        (
            {"SAMDRIFT_PASSWORD_LOGIN": "off"},
            "SAMDRIFT_PASSWORD_LOGIN=off needs single sign-on",
        ),
    ],
)
def test_an_incomplete_sign_in_configuration_is_refused_at_start(tmp_path, variables, expected):
    started = _start(tmp_path, **variables)
    assert started.returncode != 0
    assert expected in started.stderr


def test_a_complete_configuration_starts(tmp_path):
    started = _start(
        tmp_path,
        SAMDRIFT_OIDC_CLIENT_ID="samdrift",
        SAMDRIFT_OIDC_CLIENT_SECRET="s",
        SAMDRIFT_OIDC_AUTHORIZATION_ENDPOINT="https://idp.example/authorize",
        SAMDRIFT_OIDC_TOKEN_ENDPOINT="https://idp.example/token",
        SAMDRIFT_OIDC_JWKS_ENDPOINT="https://idp.example/keys",
        SAMDRIFT_PASSWORD_LOGIN="off",
        SAMDRIFT_BREAK_GLASS_USERS="admin",
    )
    assert started.returncode == 0, started.stderr
