"""Price resolution, written once: what billing charges for an item held on a day.

A day of an item is priced by the first of three layers:

1. the asset's own price (``AssetPrice``: bought-out assets),
2. the municipality's agreed price (``AgreedPrice`` of the agreement in force),
3. the list price (``PriceVersion``).

Equipment the municipality owns itself is not charged at all. Subscriptions are charged
per month for the monthly units, and a person's service stops when the person leaves.

``billing.rating`` rates a month with ``PriceBook``; every page that shows what something
costs a month (the overview, the municipality page, the asset page) asks
``priced_holdings``, which uses the same ``PriceBook``, the same "charged" rules and the
same rounding. For a month without changes a page's figure is therefore the sum of the
month's device and subscription charges (tests/billing/test_prices.py bills a month and
compares).
"""

from __future__ import annotations

import datetime
import functools
import itertools
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from samdrift.agreements.selectors import agreed_prices_between
from samdrift.catalogue.choices import ServiceUnit
from samdrift.catalogue.models import PriceVersion
from samdrift.core.dating import active_on, overlapping
from samdrift.finance.money import ZERO, round_to_ore
from samdrift.inventory.choices import AssetOrigin
from samdrift.inventory.models import Assignment, Subscription
from samdrift.leasing.buyouts.selectors import asset_prices_overlapping
from samdrift.organisations.selectors import active_persons_on

ONE_DAY = datetime.timedelta(days=1)

# Services charged per month from subscriptions; per page / per hour come from usage and
# one-off services once, in the month they start.
MONTHLY_UNITS = frozenset(
    {ServiceUnit.PER_USER, ServiceUnit.PER_DEVICE, ServiceUnit.PER_SITE, ServiceUnit.FIXED}
)

# Equipment billing never charges: the municipality owns it, the collaboration only runs it.
NOT_CHARGED_ORIGINS = frozenset({AssetOrigin.MUNICIPALITY_OWNED})

# The price layers, first match wins (``PriceBook``), by the name pages show.
OWN, AGREED, LIST = "own", "agreed", "list"
LAYERS = (OWN, AGREED, LIST)


def charged_assignments() -> Q:
    """Assignments whose asset billing charges for (a filter on ``Assignment``)."""
    return ~Q(asset__origin__in=NOT_CHARGED_ORIGINS)


def charged_subscriptions_on(day: datetime.date) -> Q:
    """Subscriptions billing charges per month on ``day`` (a filter on ``Subscription``):
    a monthly unit, and, for a person's subscription, the person active that day — the
    one-day form of the clipping ``Rater.subscription_facts`` does over a month."""
    return Q(service__unit__in=MONTHLY_UNITS) & (
        Q(person__isnull=True) | active_persons_on(day, prefix="person__")
    )


def whole_month_amount(*, unit_price: Decimal, quantity: Decimal = Decimal(1)) -> Decimal:
    """The charge for ``quantity`` of an item held a whole month at one price: rounded to
    the øre once, per device or subscription, as billing writes it."""
    return _whole_month_amount(unit_price, quantity)


# Remembered: the overview prices 7,700 kept holdings that share a few hundred prices and
# quantities (Decimals are immutable; the result depends on nothing else).
@functools.lru_cache(maxsize=4096)
def _whole_month_amount(unit_price: Decimal, quantity: Decimal) -> Decimal:
    return round_to_ore(quantity * unit_price)


Span = tuple[datetime.date, datetime.date | None, Decimal]


def _first_price(
    layers, lower: datetime.date, upper: datetime.date
) -> tuple[Decimal, int] | tuple[None, None]:
    """(price, index of its layer) of the first layer with a span covering
    ``[lower, upper)``."""
    for index, layer in enumerate(layers):
        for valid_from, valid_to, amount in layer:
            if valid_from <= lower and (valid_to is None or valid_to >= upper):
                return amount, index
    return None, None


class PriceBook:
    """Prices of every item over ``[start, end)``, merged day by day from asset prices,
    agreed prices and list prices. Answers are cached: most inputs cover the whole month.

    ``asset_ids`` limits the asset prices read (None: all of them); ``own_prices=False``
    reads none, for callers that bring an asset's own price themselves (``price_on``).
    """

    def __init__(
        self,
        *,
        start: datetime.date,
        end: datetime.date,
        asset_ids=None,
        own_prices: bool = True,
    ):
        self.start, self.end = start, end
        self.list_prices: dict[tuple[str, int], list[Span]] = defaultdict(list)
        for product_id, service_id, amount, valid_from, valid_to in (
            PriceVersion.objects.filter(overlapping(start, end))
            .order_by("valid_from")
            .values_list("product_id", "service_id", "amount", "valid_from", "valid_to")
        ):
            key = ("product", product_id) if product_id else ("service", service_id)
            self.list_prices[key].append((valid_from, valid_to, amount))
        self.agreed: dict[tuple[int, str, int], list[Span]] = defaultdict(list)
        for span in agreed_prices_between(start=start, end=end):
            key = ("product", span.product_id) if span.product_id else ("service", span.service_id)
            self.agreed[(span.municipality_id, *key)].append(
                (span.valid_from, span.valid_to, span.amount)
            )
        self.asset_prices: dict[int, list[Span]] = defaultdict(list)
        if own_prices:
            for price in asset_prices_overlapping(
                start=start, end=end, assets=asset_ids
            ).values_list("asset_id", "valid_from", "valid_to", "amount"):
                self.asset_prices[price[0]].append(price[1:])
        self._cache: dict[tuple, tuple[list[tuple], list[tuple]]] = {}

    def fingerprint(self) -> tuple:
        """The list and agreed prices read, as one value: books with equal fingerprints
        price alike (their own prices aside)."""
        return tuple(
            tuple((key, tuple(spans)) for key, spans in sorted(layer.items()))
            for layer in (self.list_prices, self.agreed)
        )

    def _layers(self, municipality_id: int, kind: str, item_id: int, own) -> list:
        return [
            own or (),
            self.agreed.get((municipality_id, kind, item_id), ()),
            self.list_prices.get((kind, item_id), ()),
        ]

    def segments(
        self,
        *,
        municipality_id: int,
        kind: str,
        item_id: int,
        start: datetime.date,
        end: datetime.date,
        asset_id: int | None = None,
    ) -> tuple[list[tuple[datetime.date, datetime.date, Decimal]], list[tuple]]:
        """(priced pieces ``(from, to, price)`` covering ``[start, end)``, unpriced pieces)."""
        own = self.asset_prices.get(asset_id) if asset_id is not None else None
        key = (municipality_id, kind, item_id, start, end, asset_id if own else None)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        layers = self._layers(municipality_id, kind, item_id, own)
        bounds = {start, end}
        for layer in layers:
            for valid_from, valid_to, _amount in layer:
                if start < valid_from < end:
                    bounds.add(valid_from)
                if valid_to is not None and start < valid_to < end:
                    bounds.add(valid_to)
        points = sorted(bounds)
        priced: list[tuple[datetime.date, datetime.date, Decimal]] = []
        missing: list[tuple[datetime.date, datetime.date]] = []
        for lower, upper in itertools.pairwise(points):
            price, _layer = _first_price(layers, lower, upper)
            if price is None:
                if missing and missing[-1][1] == lower:
                    missing[-1] = (missing[-1][0], upper)
                else:
                    missing.append((lower, upper))
            elif priced and priced[-1][1] == lower and priced[-1][2] == price:
                priced[-1] = (priced[-1][0], upper, price)
            else:
                priced.append((lower, upper, price))
        result = (priced, missing)
        self._cache[key] = result
        return result

    def price_on(
        self,
        *,
        municipality_id: int,
        kind: str,
        item_id: int,
        day: datetime.date,
        own_price: Decimal | None = None,
    ) -> tuple[Decimal | None, str]:
        """(unit price, layer name) of an item on ``day``; ``(None, "")`` without a price.
        ``own_price`` is the asset's own price that day, when the caller read it."""
        own = [(day, None, own_price)] if own_price is not None else None
        price, index = _first_price(
            self._layers(municipality_id, kind, item_id, own), day, day + ONE_DAY
        )
        return (price, LAYERS[index]) if price is not None else (None, "")


@dataclass(frozen=True)
class PricedHolding:
    """``count`` identical things one service area (or the municipality itself) holds on
    a day — devices of one product, or subscriptions of one service and quantity — with
    the unit price billing uses for them and whether it charges them at all."""

    municipality_id: int
    service_area_id: int | None
    kind: str  # "product" or "service"
    item_id: int
    quantity: Decimal  # of each: 1 for a device, the subscription's quantity
    count: int
    charged: bool
    unit_price: Decimal | None  # None when not charged, or no price in force
    price_source: str  # OWN, AGREED, LIST, or "" without a price

    @property
    def unpriced(self) -> bool:
        return self.charged and self.unit_price is None

    @property
    def amount(self) -> Decimal:
        """A whole month of them, each rounded as its charge is."""
        if not self.charged or self.unit_price is None:
            return ZERO
        return whole_month_amount(unit_price=self.unit_price, quantity=self.quantity) * self.count


def priced_holdings(
    *,
    day: datetime.date,
    assignments: QuerySet[Assignment],
    subscriptions: QuerySet[Subscription],
) -> list[PricedHolding]:
    """What the given assignments and subscriptions (already restricted by the caller)
    hold on ``day``, grouped, each group priced as billing prices it.

    Four queries whatever the size: devices grouped by holder, product, own price and
    whether charged; subscriptions grouped by holder, service and quantity; the list and
    agreed prices of that day. The own price is read in the grouping query (the asset's
    ``AssetPrice`` in force that day), so bought-out devices need no query per device.
    """
    return price_grouped(
        day=day,
        devices=devices_grouped(assignments, day),
        subscriptions=subscriptions_grouped(subscriptions, day),
    )


def day_book(day: datetime.date) -> PriceBook:
    """The list and agreed prices of ``day`` (two queries), for ``price_grouped``."""
    return PriceBook(start=day, end=day + ONE_DAY, own_prices=False)


def price_grouped(
    *, day: datetime.date, devices, subscriptions, book: PriceBook | None = None
) -> list[PricedHolding]:
    """Price grouped rows as ``priced_holdings`` does: ``devices`` rows as
    ``devices_grouped`` gives them, ``subscriptions`` as ``subscriptions_grouped`` — read
    directly or from the summary ``planning.holdings`` keeps. Two queries (the list and
    agreed prices of ``day``, unless ``book``, its ``day_book``, is given); prices are
    never kept, so a price published later counts."""
    rows = [("product", row["asset__product_id"], Decimal(1), row) for row in devices]
    rows += [("service", row["service_id"], row["quantity"], row) for row in subscriptions]
    if not rows:
        return []
    book = book or day_book(day)
    # The same item at the same own price in one municipality has one price that day:
    # its service areas and charged/uncharged rows ask once (7,700 rows, ~2,000 prices).
    prices: dict[tuple, tuple[Decimal | None, str]] = {}
    holdings = []
    for kind, item_id, quantity, row in rows:
        charged = row.get("charged", True)
        price, source = None, ""
        if charged:
            key = (row["municipality_id"], kind, item_id, row.get("own_price"))
            found = prices.get(key)
            if found is None:
                found = prices[key] = book.price_on(
                    municipality_id=key[0], kind=kind, item_id=item_id, day=day, own_price=key[3]
                )
            price, source = found
        holdings.append(
            PricedHolding(
                municipality_id=row["municipality_id"],
                service_area_id=row["service_area_id"],
                kind=kind,
                item_id=item_id,
                quantity=quantity,
                count=row["n"],
                charged=charged,
                unit_price=price,
                price_source=source,
            )
        )
    return holdings


def devices_grouped(assignments: QuerySet[Assignment], day: datetime.date):
    """Devices held on ``day`` per holder, product, own price and whether charged."""
    own_price = Subquery(
        asset_prices_overlapping(start=day, end=day + ONE_DAY)
        .filter(asset_id=OuterRef("asset_id"))
        .values("amount")[:1]
    )
    return (
        assignments.filter(active_on(day))
        .annotate(
            own_price=own_price,
            charged=Case(
                When(charged_assignments(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .values("municipality_id", "service_area_id", "asset__product_id", "own_price", "charged")
        .annotate(n=Count("pk"))
        .order_by()
    )


def subscriptions_grouped(subscriptions: QuerySet[Subscription], day: datetime.date):
    """Charged subscriptions on ``day`` per holder, service and quantity."""
    return (
        subscriptions.filter(active_on(day), charged_subscriptions_on(day))
        .values("municipality_id", "service_area_id", "service_id", "quantity")
        .annotate(n=Count("pk"))
        .order_by()
    )
