"""The two ways in: a password (for everyone, or only the break-glass operators) and the
provider's authorization code (OpenID Connect, mozilla-django-oidc)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from samdrift.accounts import policy, services


class PasswordBackend(ModelBackend):
    """Django's password check, refused for everyone but the break-glass operators while
    password sign-in is off. The login form says so before asking (and before django-axes
    counts a failure); this refusal also closes the admin's own sign-in form."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self.UserModel.USERNAME_FIELD)
        if not policy.password_login_allowed(username):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class SignOnBackend(OIDCAuthenticationBackend):
    """The relying party: exchanges the code, verifies the ID token (signature with the
    provider's JWKS, nonce, expiry — and here also audience and issuer, which the library
    leaves unchecked), reads the claims and hands them to ``services.sign_on``.

    Called only by ``views.SignOnCallbackView``: its keyword-only ``authenticate`` does not
    bind a username and password, so Django's ``authenticate()`` never tries it for a
    password sign-in."""

    def authenticate(self, request, *, nonce, code_verifier):  # type: ignore[override]
        return super().authenticate(request, nonce=nonce, code_verifier=code_verifier)

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        if kwargs.get("nonce") is not None:  # the ID token (a signed userinfo has none)
            audience = payload.get("aud")
            audiences = audience if isinstance(audience, list) else [audience]
            if self.OIDC_RP_CLIENT_ID not in audiences:
                raise SuspiciousOperation("The ID token was issued for another client.")
            issuer = settings.SAMDRIFT_OIDC_ISSUER
            if issuer and payload.get("iss") != issuer:
                raise SuspiciousOperation("The ID token comes from another issuer.")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, completed by the userinfo endpoint when configured:
        Entra ID puts ``groups`` and ``oid`` in the ID token only."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            info = super().get_userinfo(access_token, id_token, payload)
            if str(info.get("sub")) != str(payload.get("sub")):
                raise SuspiciousOperation("The userinfo is of another subject.")
            claims.update(info)
        return claims

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        return services.sign_on(claims=claims)  # SignOnRefused goes to the view

    def get_user(self, user_id):
        # The library's get_user forgets is_active: a login made inactive (by an operator
        # or a sign-on without a mapping) must lose its open sessions as well.
        user = super().get_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
