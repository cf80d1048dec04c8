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

from django.db.models import Case, Count, IntegerField, Value, When

from samdrift.catalogue.models import Product, Service
from samdrift.core.money import ZERO
from samdrift.core.permissions import restrict
from samdrift.finance.depreciation import add_months
from samdrift.inventory.choices import IN_SERVICE, AssetStatus
from samdrift.inventory.filtersets import AssetFilterSet, in_service
from samdrift.inventory.models import Asset, Assignment, Subscription
from samdrift.leasing.prices import priced_holdings
from samdrift.organisations.filtersets import PersonFilterSet, active_persons
from samdrift.organisations.models import Municipality, ServiceArea
from samdrift.planning.filtersets import DueDeviceFilterSet
from samdrift.planning.plan import due_per_month
from samdrift.planning.rules import RuleBook
from samdrift.ui.cards import Card, card


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
    (``leasing.prices.priced_holdings``). Six queries. Usage, one-off charges and shared
    cost pools are on the invoice only."""
    assignments = restrict(Assignment.objects.all(), user)
    subscriptions = restrict(Subscription.objects.all(), user)
    if municipality_id is not None:
        assignments = assignments.filter(municipality_id=municipality_id)
        subscriptions = subscriptions.filter(municipality_id=municipality_id)
    holdings = priced_holdings(day=day, assignments=assignments, subscriptions=subscriptions)
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


def _asset_card(user, params: dict) -> Card:
    return card(
        user=user, url_name="inventory:asset_list", filterset_class=AssetFilterSet, params=params
    )


def _due_card(user, params: dict, rules: RuleBook) -> Card:
    """Devices due by the replacement rules (the planning app's list of them)."""
    return card(
        user=user,
        url_name="planning:due_devices",
        filterset_class=DueDeviceFilterSet,
        params=params,
        filterset_kwargs={"rules": rules},
    )


AGE_BUCKETS = 6  # 0–1, 1–2, 2–3, 3–4, 4–5 and 5+ years


def overview(*, user, day: datetime.date) -> dict:
    """The figures of the overview dashboard, for what ``user`` may see.

    The cards are counted through the lists they open (``ui.cards``). One grouped scan
    of the assets answers category × status and the age distribution; one aggregate
    query the devices due per month, the same devices the due card counts.
    """
    assets = restrict(Asset.objects.all(), user)
    by_category_status, ages = _tally_assets(_assets_grouped(assets, day))
    months = [add_months(day.replace(day=1), i) for i in range(13)]
    # Due by the replacement rules (planning.rules): the devices the due card lists.
    rules = RuleBook()
    due_by_month = due_per_month(assets=assets, day=day, until=add_months(day, 12), rules=rules)
    cards = _overview_cards(user, day, rules)
    return {
        "day": day,
        "cards": cards,
        "persons_active": cards["persons_active"].count,
        "assets_total": cards["assets"].count,
        "assets_in_service": cards["in_service"].count,
        "by_category_status": {k: dict(v) for k, v in sorted(by_category_status.items())},
        "statuses": [(s.value, s.label) for s in AssetStatus],
        "ages": [(bucket, ages.get(bucket, 0)) for bucket in range(AGE_BUCKETS)],
        "age_unknown": ages.get(-1, 0),
        "due_by_month": [(month, due_by_month.get(month, 0)) for month in months],
        "due_total": cards["due"].count,
        "overdue": cards["overdue"].count,
        # Read once here; the home page's notifications reuse them (ui.notifications).
        "rules": rules,
    }


def _assets_grouped(assets, day: datetime.date):
    """Asset counts per category, status and age bucket."""
    # Age in whole years since acquisition: 0 … AGE_BUCKETS-1 ("or more"), -1 unknown.
    age_whens = [
        When(acquisition_date__gt=add_months(day, -12 * (years + 1)), then=Value(years))
        for years in range(AGE_BUCKETS - 1)
    ]
    return (
        assets.annotate(
            age=Case(
                When(acquisition_date__isnull=True, then=Value(-1)),
                *age_whens,
                default=Value(AGE_BUCKETS - 1),
                output_field=IntegerField(),
            ),
        )
        .values("product__category__name", "status", "age")
        .annotate(n=Count("pk"))
        .order_by()
    )


def _tally_assets(grouped) -> tuple[dict, dict]:
    """Category × status over all assets; ages over those in service."""
    by_category_status: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    ages: dict[int, int] = defaultdict(int)
    for row in grouped:
        n = row["n"]
        by_category_status[row["product__category__name"]][row["status"]] += n
        if row["status"] in IN_SERVICE:
            ages[row["age"]] += n
    return by_category_status, ages


def _overview_cards(user, day: datetime.date, rules: RuleBook) -> dict[str, Card]:
    return {
        "persons_active": card(
            user=user,
            url_name="organisations:person_list",
            filterset_class=PersonFilterSet,
            params=active_persons(day),
        ),
        "assets": _asset_card(user, {}),
        "in_service": _asset_card(user, in_service()),
        "due": _due_card(user, {"after": day, "before": add_months(day, 12)}, rules),
        "overdue": _due_card(user, {"before": day}, rules),
    }


def municipality_names(user) -> dict[int, Municipality]:
    return {m.pk: m for m in restrict(Municipality.objects.all(), user)}


def service_area_names(user, municipality_id: int | None = None) -> dict[int, ServiceArea]:
    queryset = restrict(ServiceArea.objects.select_related("municipality"), user)
    if municipality_id is not None:
        queryset = queryset.filter(municipality_id=municipality_id)
    return {s.pk: s for s in queryset}
