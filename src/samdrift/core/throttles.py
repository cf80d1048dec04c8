"""API rate limits (settings.REST_FRAMEWORK), per token and per address.

- ``TokenRateThrottle``: each API token (or signed-in session) may make
  ``SAMDRIFT_API_RATE_PER_TOKEN`` requests (default 1200/minute).
- ``AddressRateThrottle``: each client address ``SAMDRIFT_API_RATE_PER_ADDRESS`` requests
  (default 2400/minute), signed in or not, so many tokens from one host share a ceiling.

Over the limit the API answers 429 with ``Retry-After`` (DRF's own response). Guessing
tokens is limited separately, in ``core.tokens``: a wrong token is refused before any
throttle runs, so each wrong one is counted per address there.

The counts live in the cache ``throttle``: in production a table in the database
(``samdrift_throttle_cache``), so every app process counts together; elsewhere in memory.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle


class _SettingsRateThrottle(SimpleRateThrottle):
    """A throttle whose rate is read from Django's settings when used (DRF reads its
    rates once at import, which tests and operators could not change)."""

    setting = ""

    def __init__(self):
        self.cache = caches["throttle"]
        super().__init__()

    def get_rate(self):
        return getattr(settings, self.setting)


class TokenRateThrottle(_SettingsRateThrottle):
    scope = "token"
    setting = "SAMDRIFT_API_RATE_PER_TOKEN"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None  # the address throttle counts anonymous requests
        token = getattr(request.auth, "pk", None)
        ident = f"t{token}" if token is not None else f"u{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AddressRateThrottle(_SettingsRateThrottle):
    scope = "address"
    setting = "SAMDRIFT_API_RATE_PER_ADDRESS"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
