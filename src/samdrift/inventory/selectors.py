"""Read questions about who holds what, answered in one query each."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from samdrift.core.dating import active_on
from samdrift.inventory.models import Asset, Assignment, Subscription
from samdrift.organisations.models import Municipality


def holder_on(*, asset: Asset | int, day: datetime.date) -> Assignment | None:
    """Who held ``asset`` on ``day``: the assignment in force then, or None."""
    return (
        Assignment.objects.filter(active_on(day), asset=asset)
        .select_related("municipality", "service_area", "person", "location")
        .first()
    )


def holdings_on(*, municipality: Municipality | int, day: datetime.date) -> QuerySet[Assignment]:
    """What ``municipality`` held on ``day``: its assignments in force, with asset and product."""
    return (
        Assignment.objects.filter(active_on(day), municipality=municipality)
        .select_related("asset__product__category", "service_area", "person", "location")
        .order_by("asset__asset_tag")
    )


def subscriptions_on(
    *, municipality: Municipality | int, day: datetime.date
) -> QuerySet[Subscription]:
    return Subscription.objects.filter(active_on(day), municipality=municipality).select_related(
        "service", "service_area", "person", "location"
    )
