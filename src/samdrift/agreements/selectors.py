"""Read questions about agreements, answered in one query each."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from samdrift.agreements.models import AgreedPrice
from samdrift.core.dating import overlapping


@dataclass(frozen=True)
class AgreedPriceSpan:
    """An agreed price of one item for one municipality over ``[valid_from, valid_to)``."""

    municipality_id: int
    product_id: int | None
    service_id: int | None
    amount: Decimal
    valid_from: datetime.date
    valid_to: datetime.date | None
    agreement_id: int


def agreed_prices_between(*, start: datetime.date, end: datetime.date) -> list[AgreedPriceSpan]:
    """Every agreed price whose agreement is in force on some day of ``[start, end)``."""
    rows = (
        AgreedPrice.objects.filter(overlapping(start, end, prefix="agreement__"))
        .order_by("agreement__municipality_id", "agreement__valid_from", "pk")
        .values_list(
            "agreement__municipality_id",
            "product_id",
            "service_id",
            "amount",
            "agreement__valid_from",
            "agreement__valid_to",
            "agreement_id",
        )
    )
    return [AgreedPriceSpan(*row) for row in rows]
