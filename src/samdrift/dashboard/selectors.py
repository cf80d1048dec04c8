"""Read questions of the overview and the municipality pages, answered set-based.

Every queryset starts from ``restrict(..., user)``, so a municipality's users get figures
for their own municipality only. Each function runs a fixed, small number of grouped
queries whatever the size of the data (no query per row).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from samdrift.catalogue.models import Product, Service
from samdrift.core.money import ZERO
from samdrift.core.permissions import restrict, scope_key
from samdrift.core.remembered import Remembered
from samdrift.finance.depreciation import add_months
from samdrift.inventory.choices import AssetStatus
from samdrift.inventory.filtersets import in_service
from samdrift.inventory.models import Assignment, Subscription
from samdrift.leasing.prices import PricedHolding, day_book, price_grouped, priced_holdings
from samdrift.organisations.filtersets import PersonFilterSet, active_persons
from samdrift.organisations.models import Municipality, ServiceArea
from samdrift.planning import figures, holdings
from samdrift.planning.rules import RuleBook
from samdrift.ui.cards import card, counted_card

# The lists the cards open.
ASSETS = "inventory:asset_list"
DUE = "planning:due_devices"
PERSONS = "organisations:person_list"


@dataclass
class CostLine:
    """Identical items one service area (or the municipality itself) holds on a day."""

    municipality_id: int
    service_area_id: int | None
    kind: str  # "product" or "service"
    item_id: int
    item_name: str
    quantity: Decimal
    unit_price: Decimal | None
    amount: Decimal
    charged: bool = True
    price_source: str = ""  # leasing.prices.OWN / AGREED / LIST


@dataclass
class MonthlyCost:
    """What a month costs at the prices and holdings of ``day``, priced by billing's own
    price resolution (``leasing.prices``): for a month without changes, what the
    invoice charges for devices and monthly subscriptions."""

    day: datetime.date
    lines: list[CostLine] = field(default_factory=list)
    unpriced_items: list[str] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    def by_municipality(self) -> dict[int, Decimal]:
        totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for line in self.lines:
            totals[line.municipality_id] += line.amount
        return dict(totals)

    def by_service_area(self) -> dict[tuple[int, int | None], Decimal]:
        totals: dict[tuple[int, int | None], Decimal] = defaultdict(lambda: ZERO)
        for line in self.lines:
            totals[(line.municipality_id, line.service_area_id)] += line.amount
        return dict(totals)

    def by_item(self) -> list[tuple[str, str, Decimal, Decimal | None, Decimal, bool, str]]:
        """(kind, name, quantity, unit price, amount, charged, price source), largest
        amount first; one row per item and price (an agreed price and the list price of
        the same item are two rows)."""
        grouped: dict[tuple, list] = {}
        for line in self.lines:
            key = (line.kind, line.item_id, line.unit_price, line.charged, line.price_source)
            entry = grouped.setdefault(
                key,
                [
                    line.kind,
                    line.item_name,
                    ZERO,
                    line.unit_price,
                    ZERO,
                    line.charged,
                    line.price_source,
                ],
            )
            entry[2] += line.quantity
            entry[4] += line.amount
        return sorted(
            (tuple(v) for v in grouped.values()), key=lambda r: (-r[4], r[1], -r[2], r[6])
        )


def monthly_cost(*, user, day: datetime.date, municipality_id: int | None = None) -> MonthlyCost:
    """The monthly cost of what ``user`` may see on ``day``: each device held and each
    monthly subscription, priced and charged (or not) as billing does
    (``leasing.prices.priced_holdings``). Usage, one-off charges and shared cost pools
    are on the invoice only.

    For today, the holdings come from the summary ``planning.holdings`` keeps (six
    queries, a few thousand rows), priced now as ``priced_holdings`` prices them; another
    day is grouped from the assignments and subscriptions directly (six queries, a scan).
    """
    if day == timezone.localdate():
        return _kept_cost(user=user, day=day, municipality_id=municipality_id)
    assignments = restrict(Assignment.objects.all(), user)
    subscriptions = restrict(Subscription.objects.all(), user)
    if municipality_id is not None:
        assignments = assignments.filter(municipality_id=municipality_id)
        subscriptions = subscriptions.filter(municipality_id=municipality_id)
    return _costed(
        day, priced_holdings(day=day, assignments=assignments, subscriptions=subscriptions)
    )


# Today's monthly cost per scope (``_kept_cost``): the operator's is 5,200 kept holding
# rows priced in Python, 40 ms of the overview's CPU (and 2.4 MB to keep).
_remembered: Remembered[MonthlyCost] = Remembered(64)


def _kept_cost(*, user, day: datetime.date, municipality_id: int | None) -> MonthlyCost:
    """Today's monthly cost from the kept holdings (``planning.holdings``), remembered
    (``core.remembered``) per scope (``scope_key``), municipality asked for and day, with
    the version of everything else it is computed from: the holding rows' version (drawn
    anew by every count of them), the list and agreed prices of the day and the items'
    names. Those are read each time (five small queries); the rows and the pricing only
    when one of them changed."""
    version = holdings.current(day=day)
    book = day_book(day)
    names = {
        "product": dict(Product.objects.values_list("pk", "name")),
        "service": dict(Service.objects.values_list("pk", "name")),
    }
    inputs = (
        version,
        book.fingerprint(),
        tuple(sorted(names["product"].items())),
        tuple(sorted(names["service"].items())),
    )

    def compute() -> MonthlyCost:
        devices, subscriptions = holdings.counted_rows(user=user, municipality_id=municipality_id)
        priced = price_grouped(day=day, devices=devices, subscriptions=subscriptions, book=book)
        return _costed(day, priced, names=names)

    return _remembered.get((scope_key(user), municipality_id, day), inputs, compute)


def _costed(
    day: datetime.date, holdings: list[PricedHolding], *, names: dict | None = None
) -> MonthlyCost:
    """The cost lines of priced holdings, with the items' names (two queries, unless
    ``names`` gives them: {"product": {id: name}, "service": {id: name}})."""
    if names is None:
        product_ids = {h.item_id for h in holdings if h.kind == "product"}
        service_ids = {h.item_id for h in holdings if h.kind == "service"}
        names = {
            "product": dict(Product.objects.filter(pk__in=product_ids).values_list("pk", "name")),
            "service": dict(Service.objects.filter(pk__in=service_ids).values_list("pk", "name")),
        }
    result = MonthlyCost(day=day)
    unpriced: set[str] = set()
    for holding in holdings:
        name = names[holding.kind].get(holding.item_id, str(holding.item_id))
        if holding.unpriced:
            unpriced.add(name)
        result.lines.append(
            CostLine(
                municipality_id=holding.municipality_id,
                service_area_id=holding.service_area_id,
                kind=holding.kind,
                item_id=holding.item_id,
                item_name=name,
                quantity=holding.quantity * holding.count,
                unit_price=holding.unit_price,
                amount=holding.amount,
                charged=holding.charged,
                price_source=holding.price_source,
            )
        )
    result.unpriced_items = sorted(unpriced)
    return result


AGE_BUCKETS = figures.AGE_BUCKETS  # 0–1, 1–2, 2–3, 3–4, 4–5 and 5+ years


def overview(*, user, day: datetime.date) -> dict:
    """The figures of the overview dashboard, for what ``user`` may see.

    The fleet's figures — category × status, age, devices due per month and the asset
    and due cards — are sums of the summary ``planning.figures`` keeps (a few thousand
    rows, restricted like the assets), not a scan of the assets; each card links to the
    list whose count it is (tests/planning/test_figures.py compares the two). Also
    offered to the home page's notifications: the overdue, due-soon and leases-ending
    cards, and the rules read once.
    """
    rules = RuleBook()
    fleet = figures.fleet_figures(user=user, day=day, rules=rules)
    ages = fleet.ages()
    due_by_month = fleet.due_per_month()
    months = [add_months(day.replace(day=1), i) for i in range(13)]
    until = figures.due_until(day)
    soon = day + datetime.timedelta(days=figures.DUE_SOON_DAYS)
    lease_soon = day + datetime.timedelta(days=figures.LEASE_SOON_DAYS)
    cards = {
        "persons_active": _persons_active(user, day),
        "assets": counted_card(count=fleet.total, url_name=ASSETS, params={}),
        "in_service": counted_card(count=fleet.in_service, url_name=ASSETS, params=in_service()),
        "due": counted_card(
            count=fleet.due_between(day, until),
            url_name=DUE,
            params={"after": day, "before": until},
        ),
        "overdue": counted_card(count=fleet.overdue, url_name=DUE, params={"before": day}),
    }
    return {
        "day": day,
        "cards": cards,
        "persons_active": cards["persons_active"].count,
        "assets_total": cards["assets"].count,
        "assets_in_service": cards["in_service"].count,
        "by_category_status": fleet.by_category_status(figures.category_names()),
        "statuses": [(s.value, s.label) for s in AssetStatus],
        "ages": [(bucket, ages.get(bucket, 0)) for bucket in range(AGE_BUCKETS)],
        "age_unknown": ages.get(-1, 0),
        "due_by_month": [(month, due_by_month.get(month, 0)) for month in months],
        "due_total": cards["due"].count,
        "overdue": cards["overdue"].count,
        # Read or summed once here; the home page's notifications reuse them
        # (ui.notifications' ``shared``).
        "rules": rules,
        "due_soon": counted_card(
            count=fleet.due_between(day, soon), url_name=DUE, params={"after": day, "before": soon}
        ),
        "leases_ending": counted_card(
            count=fleet.leases_ending,
            url_name=ASSETS,
            params={**in_service(), "lease_end_before": lease_soon},
        ),
    }


def _persons_active(user, day: datetime.date):
    """The active-persons card: summed from the kept person figures for today
    (``planning.holdings.active_persons``; a count over 500,000 persons otherwise),
    counted through the person list's filter for another day."""
    params = active_persons(day)
    kept = holdings.active_persons(user=user, day=day)
    if kept is not None:
        return counted_card(count=kept, url_name=PERSONS, params=params)
    return card(user=user, url_name=PERSONS, filterset_class=PersonFilterSet, params=params)


def municipality_names(user) -> dict[int, Municipality]:
    return {m.pk: m for m in restrict(Municipality.objects.all(), user)}


def service_area_names(user, municipality_id: int | None = None) -> dict[int, ServiceArea]:
    # Names only (the cost tables'): 300 areas for an operator, no municipality joined.
    queryset = restrict(ServiceArea.objects.only("pk", "name", "municipality_id"), user)
    if municipality_id is not None:
        queryset = queryset.filter(municipality_id=municipality_id)
    return {s.pk: s for s in queryset}
