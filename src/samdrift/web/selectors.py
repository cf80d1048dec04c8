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

from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.db.models.functions import TruncMonth

from samdrift.catalogue.choices import ServiceUnit
from samdrift.catalogue.models import PriceVersion, Product, Service
from samdrift.core.dating import active_on
from samdrift.core.money import ZERO
from samdrift.core.permissions import restrict
from samdrift.inventory.choices import OUT_OF_SERVICE, AssetStatus
from samdrift.inventory.models import Asset, Assignment, Subscription
from samdrift.organisations.models import Municipality, Person, ServiceArea

# Subscriptions priced per month; usage (pages, hours) and one-off services are billed
# from measured usage and are left out of the monthly estimate.
MONTHLY_UNITS = (
    ServiceUnit.PER_USER,
    ServiceUnit.PER_DEVICE,
    ServiceUnit.PER_SITE,
    ServiceUnit.FIXED,
)


@dataclass
class CostLine:
    """One item held or subscribed by one service area (or the municipality itself)."""

    municipality_id: int
    service_area_id: int | None
    kind: str  # "product" or "service"
    item_id: int
    item_name: str
    quantity: Decimal
    unit_price: Decimal | None
    amount: Decimal


@dataclass
class MonthlyCost:
    """An estimate of the monthly price: list prices in force × what is held that day."""

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

    def by_item(self) -> list[tuple[str, str, Decimal, Decimal | None, Decimal]]:
        """(kind, name, quantity, unit price, amount), largest amount first."""
        grouped: dict[tuple[str, int], list] = {}
        for line in self.lines:
            key = (line.kind, line.item_id)
            entry = grouped.setdefault(
                key, [line.kind, line.item_name, ZERO, line.unit_price, ZERO]
            )
            entry[2] += line.quantity
            entry[4] += line.amount
        return sorted((tuple(v) for v in grouped.values()), key=lambda r: (-r[4], r[1]))


def monthly_cost(*, user, day: datetime.date, municipality_id: int | None = None) -> MonthlyCost:
    """Estimated monthly cost on ``day``: each asset held (assignment in force) at its
    product's list price in force, plus each monthly subscription × quantity at its
    service's price. Six queries. Invoiced figures come from billing, not from here."""
    assignments = restrict(Assignment.objects.filter(active_on(day)), user)
    subscriptions = restrict(
        Subscription.objects.filter(active_on(day), service__unit__in=MONTHLY_UNITS), user
    )
    if municipality_id is not None:
        assignments = assignments.filter(municipality_id=municipality_id)
        subscriptions = subscriptions.filter(municipality_id=municipality_id)
    held = list(
        assignments.values("municipality_id", "service_area_id", "asset__product_id").annotate(
            quantity=Count("pk")
        )
    )
    taken = list(
        subscriptions.values("municipality_id", "service_area_id", "service_id").annotate(
            quantity=Sum("quantity")
        )
    )
    product_ids = {row["asset__product_id"] for row in held}
    service_ids = {row["service_id"] for row in taken}
    prices = PriceVersion.objects.filter(active_on(day)).filter(
        Q(product_id__in=product_ids) | Q(service_id__in=service_ids)
    )
    product_price: dict[int, Decimal] = {}
    service_price: dict[int, Decimal] = {}
    for version in prices.values("product_id", "service_id", "amount"):
        if version["product_id"] is not None:
            product_price[version["product_id"]] = version["amount"]
        else:
            service_price[version["service_id"]] = version["amount"]
    product_names = dict(Product.objects.filter(pk__in=product_ids).values_list("pk", "name"))
    service_names = dict(Service.objects.filter(pk__in=service_ids).values_list("pk", "name"))

    result = MonthlyCost(day=day)
    unpriced: set[str] = set()
    for rows, kind, id_key, price_of, names in (
        (held, "product", "asset__product_id", product_price, product_names),
        (taken, "service", "service_id", service_price, service_names),
    ):
        for row in rows:
            item_id = row[id_key]
            quantity = Decimal(row["quantity"])
            unit_price = price_of.get(item_id)
            if unit_price is None:
                unpriced.add(names.get(item_id, str(item_id)))
            result.lines.append(
                CostLine(
                    municipality_id=row["municipality_id"],
                    service_area_id=row["service_area_id"],
                    kind=kind,
                    item_id=item_id,
                    item_name=names.get(item_id, str(item_id)),
                    quantity=quantity,
                    unit_price=unit_price,
                    amount=(unit_price or ZERO) * quantity,
                )
            )
    result.unpriced_items = sorted(unpriced)
    return result


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last_day = [31, 29 if _leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return datetime.date(year, month, min(day.day, last_day))


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


AGE_BUCKETS = 6  # 0–1, 1–2, 2–3, 3–4, 4–5 and 5+ years


def overview(*, user, day: datetime.date) -> dict:
    """The figures of the overview dashboard, for what ``user`` may see.

    One grouped scan of the assets answers category × status, the age distribution and
    the replacements due (by month, and overdue); one count answers the active persons.
    """
    assets = restrict(Asset.objects.all(), user)
    persons_active = (
        restrict(Person.objects.all(), user)
        .filter(active_from__lte=day)
        .exclude(active_to__lte=day)
        .count()
    )
    horizon = add_months(day, 12)
    # Age in whole years since acquisition: 0 … AGE_BUCKETS-1 ("or more"), -1 unknown.
    age_whens = [
        When(acquisition_date__gt=add_months(day, -12 * (years + 1)), then=Value(years))
        for years in range(AGE_BUCKETS - 1)
    ]
    # Replacement: -1 overdue, 1 due within 12 months (grouped by month), 0 otherwise.
    grouped = (
        assets.annotate(
            age=Case(
                When(acquisition_date__isnull=True, then=Value(-1)),
                *age_whens,
                default=Value(AGE_BUCKETS - 1),
                output_field=IntegerField(),
            ),
            due=Case(
                When(planned_replacement__lt=day, then=Value(-1)),
                When(planned_replacement__lt=horizon, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            due_month=Case(
                When(
                    planned_replacement__gte=day,
                    planned_replacement__lt=horizon,
                    then=TruncMonth("planned_replacement"),
                ),
                default=None,
            ),
        )
        .values("product__category__name", "status", "age", "due", "due_month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_category_status: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    ages: dict[int, int] = defaultdict(int)
    due_by_month: dict[datetime.date, int] = defaultdict(int)
    overdue = 0
    for row in grouped:
        n = row["n"]
        by_category_status[row["product__category__name"]][row["status"]] += n
        if row["status"] in OUT_OF_SERVICE:
            continue
        ages[row["age"]] += n
        if row["due"] == -1:
            overdue += n
        elif row["due"] == 1 and row["due_month"] is not None:
            month = row["due_month"]
            month = month.date() if isinstance(month, datetime.datetime) else month
            due_by_month[month] += n
    months = [add_months(day.replace(day=1), i) for i in range(13)]
    return {
        "day": day,
        "persons_active": persons_active,
        "assets_total": sum(sum(v.values()) for v in by_category_status.values()),
        "assets_in_service": sum(ages.values()),
        "by_category_status": {k: dict(v) for k, v in sorted(by_category_status.items())},
        "statuses": [(s.value, s.label) for s in AssetStatus],
        "ages": [(bucket, ages.get(bucket, 0)) for bucket in range(AGE_BUCKETS)],
        "age_unknown": ages.get(-1, 0),
        "due_by_month": [(month, due_by_month.get(month, 0)) for month in months],
        "due_total": sum(due_by_month.values()),
        "overdue": overdue,
    }


def municipality_names(user) -> dict[int, Municipality]:
    return {m.pk: m for m in restrict(Municipality.objects.all(), user)}


def service_area_names(user, municipality_id: int | None = None) -> dict[int, ServiceArea]:
    queryset = restrict(ServiceArea.objects.select_related("municipality"), user)
    if municipality_id is not None:
        queryset = queryset.filter(municipality_id=municipality_id)
    return {s.pk: s for s in queryset}
