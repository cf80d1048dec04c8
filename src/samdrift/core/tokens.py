"""API tokens: issued once, stored hashed, expiring, named; and guarded against guessing.

``issue(user, name, days)`` makes a token and returns its key — the only time the key
exists outside the client. ``TokenAuthentication`` (settings.REST_FRAMEWORK) accepts
``Authorization: Token <key>`` (the header clients used before tokens were hashed) and
finds the token by the key's SHA-256.

A wrong, expired or revoked token is refused (401) before DRF's throttles run, so each
refusal is counted here per client address: after ``SAMDRIFT_API_TOKEN_FAILURES`` within
the lock-out time the address gets 429 with ``Retry-After`` for every token, right or
wrong, until it passes.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.authentication import get_authorization_header
from rest_framework.throttling import BaseThrottle

from samdrift.core.models import ApiToken

KEYWORD = "Token"
KEY_PREFIX = "sd_"
DEFAULT_DAYS = 90
MAX_DAYS = 730
# last_used is written at most this often per token: not one UPDATE per API request.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=10)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue(user, name: str, days: int = DEFAULT_DAYS) -> tuple[ApiToken, str]:
    """A new token of ``user`` valid for ``days``; returns it and its key (shown once)."""
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(_("A token is valid for 1 to %(max)d days.") % {"max": MAX_DAYS})
    key = KEY_PREFIX + secrets.token_hex(32)  # letters and digits: easy to copy and paste
    token = ApiToken.objects.create(
        user=user,
        name=name,
        digest=digest(key),
        prefix=key[: len(KEY_PREFIX) + 6],
        expires=timezone.now() + datetime.timedelta(days=days),
    )
    return token, key


def _failures_key(address: str) -> str:
    return f"token-failures:{address}"


class _Address(BaseThrottle):
    """DRF's reading of the client address (NUM_PROXIES aware)."""


def _address(request) -> str:
    return _Address().get_ident(request)


def _lockout_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token scheme (so the OpenAPI schema documents it as such), over hashed,
    expiring tokens."""

    model = ApiToken

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        cache = caches["throttle"]
        address = _address(request)
        failures = cache.get(_failures_key(address), 0)
        if failures >= settings.SAMDRIFT_API_TOKEN_FAILURES:
            raise exceptions.Throttled(
                wait=_lockout_seconds(),
                detail=_("Too many wrong API tokens from this address; try again later."),
            )
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header: use 'Authorization: Token <key>'.")
            )
        try:
            key = header[1].decode()
        except UnicodeError:
            key = ""
        token = (
            ApiToken.objects.select_related("user").filter(digest=digest(key)).first()
            if key
            else None
        )
        now = timezone.now()
        if token is None or token.expires <= now or not token.user.is_active:
            cache.set(_failures_key(address), failures + 1, _lockout_seconds())
            if token is not None and token.expires <= now:
                raise exceptions.AuthenticationFailed(
                    _("This token expired; make a new one on the API tokens page.")
                )
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.last_used is None or now - token.last_used > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        return token.user, token

    def authenticate_header(self, request):
        return KEYWORD
