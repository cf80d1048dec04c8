"""Read questions about the catalogue."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from samdrift.catalogue.models import PriceVersion, Product, Service
from samdrift.core.dating import active_on


def price_on(
    *, day: datetime.date, product: Product | None = None, service: Service | None = None
) -> PriceVersion | None:
    """The price version of a product or service in force on ``day``."""
    item_filter = {"product": product} if product is not None else {"service": service}
    return PriceVersion.objects.filter(active_on(day), **item_filter).first()


def prices_in_force(*, day: datetime.date) -> QuerySet[PriceVersion]:
    """Every price version in force on ``day``, with its item."""
    return PriceVersion.objects.filter(active_on(day)).select_related("product", "service")
