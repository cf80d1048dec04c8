"""The per-asset prices billing reads for a period (rows written by ``completion``)."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from samdrift.core.dating import active_on, overlapping
from samdrift.leasing.models import AssetPrice


def asset_prices_overlapping(
    *, start: datetime.date, end: datetime.date | None, assets: QuerySet | None = None
) -> QuerySet[AssetPrice]:
    """Every per-asset price row overlapping ``[start, end)`` — one query for a whole
    billing period. Billing charges an asset these rows' ``amount`` for the days they
    cover instead of its product's list price."""
    queryset = AssetPrice.objects.filter(overlapping(start, end))
    if assets is not None:
        queryset = queryset.filter(asset__in=assets)
    return queryset.order_by("asset_id", "valid_from")


def asset_price_map(*, day: datetime.date) -> dict[int, AssetPrice]:
    """asset id → its own price row in force on ``day`` (one query)."""
    return {price.asset_id: price for price in AssetPrice.objects.filter(active_on(day))}
