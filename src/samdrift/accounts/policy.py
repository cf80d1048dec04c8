"""Which sign-in ways are open, read from the settings (the environment, settings.py)."""

from __future__ import annotations

from django.conf import settings


def sign_on_enabled() -> bool:
    """Single sign-on is on when a provider is configured (SAMDRIFT_OIDC_CLIENT_ID …)."""
    return bool(settings.SAMDRIFT_SSO_ENABLED)


def provider_name() -> str:
    return settings.SAMDRIFT_OIDC_PROVIDER_NAME


def password_login_allowed(username: str | None) -> bool:
    """Whether ``username`` may sign in with a password: everyone while password sign-in
    is on (SAMDRIFT_PASSWORD_LOGIN), else only the break-glass operators
    (SAMDRIFT_BREAK_GLASS_USERS), who can still get in when the provider is down."""
    if settings.SAMDRIFT_PASSWORD_LOGIN:
        return True
    return bool(username) and username in settings.SAMDRIFT_BREAK_GLASS_USERS
