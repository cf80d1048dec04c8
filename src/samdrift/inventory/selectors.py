"""Read questions about who holds what, answered in one query each."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

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


def mark_in_force(assignments: Iterable[Assignment], *, day: datetime.date) -> list[Assignment]:
    """Give each assignment ``in_force`` (it holds the asset on ``day``) and ``planned``
    (it starts later), for pages that list history: the latest row is not necessarily
    the one in force, a move may be dated in the future."""
    marked = list(assignments)
    for assignment in marked:
        assignment.planned = assignment.valid_from > day
        assignment.in_force = not assignment.planned and (
            assignment.valid_to is None or assignment.valid_to > day
        )
    return marked


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
