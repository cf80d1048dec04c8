"""Read questions about ordering, each starting from ``core.permissions.restrict`` and
answered in a fixed number of queries whatever the number of orders.

- ``orderable_catalogue``: what a municipality may order on a day, with its monthly price;
- ``approver_queue``: the submitted orders a user may approve now;
- ``operator_queue``: accepted orders with lines left to deliver;
- purchasing views: ``non_standard_share``, ``pending_quantities``, ``lead_times``,
  ``stock_against_open_orders``.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from samdrift.core.choices import Role
from samdrift.core.permissions import restrict
from samdrift.inventory.choices import AssetStatus
from samdrift.inventory.models import Asset
from samdrift.ordering.choices import LineKind, OrderState
from samdrift.ordering.models import (
    ApprovalRule,
    Bundle,
    BundlePart,
    CatalogueOffer,
    Delivery,
    Order,
    OrderLine,
    OrderTransition,
)
from samdrift.ordering.pricing import bundle_monthly, item_price, price_book
from samdrift.ordering.services.orders import open_to
from samdrift.ordering.states import DELIVERABLE_STATES, PENDING_STATES

# The catalogue -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogueEntry:
    """One orderable thing with its monthly price for the municipality on the day.

    ``kind`` is "product", "service" or "bundle"; ``monthly_price`` is the unit price of a
    product or service (agreed, else list: ``price_source``), or a bundle's month summed
    from its parts as billing rounds them; ``None`` when not priced that day.
    """

    kind: str
    item_id: int
    name: str
    monthly_price: Decimal | None
    price_source: str
    one_off_fee: Decimal | None
    lead_time_days: int
    parts: tuple = ()


def orderable_catalogue(*, municipality, day: datetime.date) -> list[CatalogueEntry]:
    """Everything ``municipality`` may order on ``day`` (active offers of active items and
    active bundles, not restricted to other members), priced for it. Five queries."""
    offers = (
        CatalogueOffer.objects.filter(open_to(municipality.pk), active=True)
        .filter(Q(product__active=True) | Q(service__active=True))
        .select_related("product", "service")
        .order_by("product__name", "service__name")
    )
    bundles = (
        Bundle.objects.filter(open_to(municipality.pk, field="bundle"), active=True)
        .prefetch_related(
            Prefetch("parts", queryset=BundlePart.objects.select_related("product", "service"))
        )
        .order_by("name")
    )
    book = price_book(day)
    entries = []
    for offer in offers:
        kind = "product" if offer.product_id else "service"
        item = offer.product if offer.product_id else offer.service
        price, source = item_price(
            book, municipality_id=municipality.pk, kind=kind, item_id=item.pk, day=day
        )
        entries.append(
            CatalogueEntry(
                kind, item.pk, item.name, price, source, offer.one_off_fee, offer.lead_time_days
            )
        )
    for bundle in bundles:
        parts = tuple(bundle.parts.all())
        price = bundle_monthly(book, municipality_id=municipality.pk, parts=parts, day=day)
        entries.append(
            CatalogueEntry(
                "bundle",
                bundle.pk,
                bundle.name,
                price,
                "bundle" if price is not None else "",
                bundle.one_off_fee,
                bundle.lead_time_days,
                parts,
            )
        )
    return entries


def bundle_prices(*, municipality, day: datetime.date, bundles) -> dict[int, Decimal | None]:
    """Monthly price of each of ``bundles`` for ``municipality`` on ``day`` (their parts
    prefetched, or one query each)."""
    book = price_book(day)
    return {
        bundle.pk: bundle_monthly(
            book, municipality_id=municipality.pk, parts=bundle.parts.all(), day=day
        )
        for bundle in bundles
    }


# The queues --------------------------------------------------------------------------------


def approver_queue(user) -> QuerySet[Order]:
    """Submitted orders ``user`` may approve now: of their municipality (a manager: their
    area), not yet approved by them, and not their own unless their municipality's rule
    allows it. Empty for anyone who is not a budget owner. One query."""
    if user is None or not user.is_authenticated:
        return Order.objects.none()
    if user.role not in (Role.MUNICIPALITY, Role.SERVICE_AREA) or user.sees_all_municipalities:
        return Order.objects.none()
    queryset = restrict(Order.objects.filter(state=OrderState.SUBMITTED), user)
    approved_by_me = OrderTransition.objects.filter(order=OuterRef("pk"), by=user).exclude(
        approval_as=""
    )
    self_allowed = ApprovalRule.objects.filter(
        municipality=OuterRef("municipality_id"), allow_self_approval=True
    )
    return (
        queryset.filter(~Exists(approved_by_me))
        .filter(~Q(created_by=user) | Exists(self_allowed))
        .select_related("service_area", "created_by")
        .order_by("submitted_at", "pk")
    )


def operator_queue(user) -> QuerySet[Order]:
    """Accepted (or partly delivered) orders with lines left to deliver, oldest first,
    their outstanding lines prefetched: two queries."""
    outstanding = OrderLine.objects.filter(delivered_quantity__lt=F("quantity")).select_related(
        "product", "service", "bundle", "person"
    )
    return (
        restrict(Order.objects.filter(state__in=DELIVERABLE_STATES), user)
        .select_related("municipality", "service_area", "delivery_location")
        .prefetch_related(Prefetch("lines", queryset=outstanding, to_attr="outstanding_lines"))
        .order_by("accepted_at", "pk")
    )


# Purchasing views ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NonStandardShare:
    municipality_id: int
    year: int
    quarter: int
    lines: int
    non_standard: int

    @property
    def share(self) -> Decimal:
        """Share of non-standard lines, 0–1 (4 decimals)."""
        if not self.lines:
            return Decimal("0")
        return (Decimal(self.non_standard) / Decimal(self.lines)).quantize(Decimal("0.0001"))


def non_standard_share(user) -> list[NonStandardShare]:
    """Per municipality and quarter of submission (local time): submitted lines and how
    many were non-standard requests. Two queries: the first and last submission, then
    every quarter's two counts per municipality as conditional aggregates over its UTC
    bounds (no date function per row, which is slow on SQLite)."""
    orders = restrict(Order.objects.filter(submitted_at__isnull=False), user)
    span = orders.aggregate(first=Min("submitted_at"), last=Max("submitted_at"))
    if span["first"] is None:
        return []
    quarters = _quarters(_local_date(span["first"]), _local_date(span["last"]))
    counts = {}
    for index, (_year, _quarter, start, end) in enumerate(quarters):
        inside = Q(order__submitted_at__gte=start, order__submitted_at__lt=end)
        counts[f"n{index}"] = Count("pk", filter=inside)
        counts[f"x{index}"] = Count("pk", filter=inside & Q(kind=LineKind.NON_STANDARD))
    rows = (
        OrderLine.objects.filter(order__in=orders)
        .values("order__municipality_id")
        .annotate(**counts)
        .order_by("order__municipality_id")
    )
    shares = []
    for row in rows:
        for index, (year, quarter, _start, _end) in enumerate(quarters):
            if row[f"n{index}"]:
                shares.append(
                    NonStandardShare(
                        row["order__municipality_id"],
                        year,
                        quarter,
                        row[f"n{index}"],
                        row[f"x{index}"],
                    )
                )
    return shares


def _quarters(first: datetime.date, last: datetime.date):
    """(year, quarter, start, end) of each quarter from ``first``'s to ``last``'s, its
    bounds the local midnights of its first day and of the next quarter's, as instants."""
    year, quarter = first.year, (first.month - 1) // 3 + 1
    quarters = []
    while (year, quarter) <= (last.year, (last.month - 1) // 3 + 1):
        following = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
        quarters.append(
            (
                year,
                quarter,
                _local_midnight(datetime.date(year, 3 * quarter - 2, 1)),
                _local_midnight(datetime.date(following[0], 3 * following[1] - 2, 1)),
            )
        )
        year, quarter = following
    return quarters


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def pending_quantities(user) -> dict[int, int]:
    """Units per product ordered but not delivered, across every member the user sees
    (approved, accepted and partly delivered orders): the joint purchase to place.
    Bundles count their product parts. Four queries at most."""
    lines = restrict(OrderLine.objects.filter(order__state__in=PENDING_STATES), user)
    pending: dict[int, int] = defaultdict(int)
    for product_id, quantity, delivered in (
        lines.filter(product__isnull=False)
        .exclude(kind=LineKind.BUNDLE)
        .values("product_id")
        .annotate(q=Sum("quantity"), d=Sum("delivered_quantity"))
        .order_by()
        .values_list("product_id", "q", "d")
    ):
        pending[product_id] += quantity - delivered
    bundle_lines = list(
        lines.filter(kind=LineKind.BUNDLE).values_list("pk", "bundle_id", "quantity")
    )
    if bundle_lines:
        parts = defaultdict(list)
        for bundle_id, part_id, product_id, per in BundlePart.objects.filter(
            bundle_id__in={b for _pk, b, _q in bundle_lines}, product__isnull=False
        ).values_list("bundle_id", "pk", "product_id", "quantity"):
            parts[bundle_id].append((part_id, product_id, per))
        delivered = defaultdict(int)
        for line_id, part_id, n in (
            Delivery.objects.filter(line_id__in=[pk for pk, _b, _q in bundle_lines])
            .values("line_id", "part_id")
            .annotate(n=Sum("quantity"))
            .order_by()
            .values_list("line_id", "part_id", "n")
        ):
            delivered[(line_id, part_id)] = n
        for line_id, bundle_id, quantity in bundle_lines:
            for part_id, product_id, per in parts[bundle_id]:
                pending[product_id] += quantity * per - delivered[(line_id, part_id)]
    return {product_id: n for product_id, n in pending.items() if n > 0}


@dataclass(frozen=True)
class LeadTime:
    product_id: int
    deliveries: int
    median_days: Decimal
    p90_days: int


def lead_times(user, *, since: datetime.date | None = None) -> list[LeadTime]:
    """Days from the order's acceptance to each device's delivery, per product: the
    median and the 90th percentile (nearest rank). One query."""
    deliveries = restrict(
        Delivery.objects.filter(asset__isnull=False, line__order__accepted_at__isnull=False),
        user,
    )
    if since is not None:
        deliveries = deliveries.filter(delivered_on__gte=since)
    samples: dict[int, list[int]] = defaultdict(list)
    for product_id, delivered_on, accepted_at in deliveries.values_list(
        "asset__product_id", "delivered_on", "line__order__accepted_at"
    ):
        accepted_on = _local_date(accepted_at)
        samples[product_id].append(max((delivered_on - accepted_on).days, 0))
    result = []
    for product_id, days in sorted(samples.items()):
        days.sort()
        result.append(LeadTime(product_id, len(days), _median(days), _nearest_rank(days, 90)))
    return result


def _local_date(value: datetime.datetime) -> datetime.date:
    if timezone.is_aware(value):
        return timezone.localtime(value).date()
    return value.date()


def _median(values: list[int]) -> Decimal:
    n = len(values)
    middle = n // 2
    if n % 2:
        return Decimal(values[middle])
    return (Decimal(values[middle - 1]) + Decimal(values[middle])) / 2


def _nearest_rank(values: list[int], percent: int) -> int:
    """The nearest-rank percentile of sorted ``values``: the smallest value with at least
    ``percent`` % of the values at or below it."""
    rank = max(math.ceil(percent / 100 * len(values)), 1)
    return values[rank - 1]


@dataclass(frozen=True)
class StockLevel:
    product_id: int
    in_stock: int
    pending: int

    @property
    def shortfall(self) -> int:
        """Units to buy to cover the open orders (0 when stock suffices)."""
        return max(self.pending - self.in_stock, 0)


def stock_against_open_orders(user) -> list[StockLevel]:
    """Per product: assets in stock and units pending on open orders. Five queries at
    most."""
    pending = pending_quantities(user)
    stock = dict(
        restrict(Asset.objects.filter(status=AssetStatus.IN_STOCK), user)
        .values("product_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("product_id", "n")
    )
    return [
        StockLevel(product_id, stock.get(product_id, 0), pending.get(product_id, 0))
        for product_id in sorted(set(stock) | set(pending))
    ]
