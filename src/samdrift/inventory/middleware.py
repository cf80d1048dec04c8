"""Move assets to the holder in force today on the first request of each day."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from samdrift.inventory.holders import refresh_holders_daily


class HolderRefreshMiddleware:
    """Run ``refresh_holders_daily`` before serving a request (a no-op after the first
    request of the day in this process), so that a move dated today is in force for data
    and access even on an install without the daily ``samdrift refresh_holders`` timer.

    ``SAMDRIFT_REFRESH_HOLDERS_LAZILY = False`` turns it off (the test suite does: its
    data is made per test, not per day).

    Not for ``/health/``: a load balancer's check must answer at once and say whether the
    database answers — not do the day's refresh (seconds on a large install), nor fail
    with a page before the check runs when the database is down.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if getattr(settings, "SAMDRIFT_REFRESH_HOLDERS_LAZILY", True) and (
            request.path_info != reverse("health")
        ):
            refresh_holders_daily()
        return self.get_response(request)
