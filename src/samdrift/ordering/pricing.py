"""What an orderable item costs a municipality a month: billing's own price resolution
(``leasing.prices.PriceBook``: own → agreed → list), rounded as billing rounds a charge.

A product is charged per device, each rounded to the øre; a service per subscription,
``round(quantity × price)``. A bundle's monthly price is the sum of its parts priced that
way (``bundle_monthly``), so the figure shown is what the invoice will say for it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from samdrift.finance.money import round_to_ore
from samdrift.leasing.prices import ONE_DAY, PriceBook
from samdrift.ordering.choices import LineKind


def price_book(day: datetime.date) -> PriceBook:
    """List and agreed prices of ``day`` (two queries), no asset prices (new devices)."""
    return PriceBook(start=day, end=day + ONE_DAY, own_prices=False)


def item_price(
    book: PriceBook, *, municipality_id: int, kind: str, item_id: int, day: datetime.date
) -> tuple[Decimal | None, str]:
    """(unit price, layer) of a product (``kind="product"``) or service on ``day``."""
    return book.price_on(municipality_id=municipality_id, kind=kind, item_id=item_id, day=day)


def item_monthly(kind: str, unit_price: Decimal, quantity: int | Decimal) -> Decimal:
    """A month of ``quantity`` of an item as billing charges it: devices one by one,
    a service as one subscription of that quantity."""
    if kind == "product":
        return round_to_ore(unit_price) * quantity
    return round_to_ore(unit_price * quantity)


def bundle_monthly(
    book: PriceBook, *, municipality_id: int, parts: Iterable, day: datetime.date
) -> Decimal | None:
    """The monthly price of one bundle of ``parts`` (``BundlePart`` rows); ``None`` when a
    part has no price that day (the bundle cannot be ordered then)."""
    total = Decimal("0.00")
    for part in parts:
        kind, item_id = (
            ("product", part.product_id) if part.product_id else ("service", part.service_id)
        )
        price, _source = item_price(
            book, municipality_id=municipality_id, kind=kind, item_id=item_id, day=day
        )
        if price is None:
            return None
        total += item_monthly(kind, price, part.quantity)
    return total


def line_monthly_total(line) -> Decimal | None:
    """The monthly cost an order line adds, from its snapshot unit price (None: unpriced)."""
    if line.monthly_price is None:
        return None
    if line.kind == LineKind.SERVICE:
        return item_monthly("service", line.monthly_price, line.quantity)
    if line.kind == LineKind.BUNDLE:
        return line.monthly_price * line.quantity  # already a sum of rounded parts
    return item_monthly("product", line.monthly_price, line.quantity)
