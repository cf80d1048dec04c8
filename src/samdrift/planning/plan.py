"""The replacement plan: how many devices fall due in each quarter of the next years, per
municipality, service area and category, what replaces them and what that costs.

The due date is ``planning.rules``' (the rule written once). Working set-based at a million
devices: one streamed query reads the due-date columns of every device in service; the
rows are counted as they arrive (identical rows — same product, dates and holder — count
once) and each distinct combination of dates goes through ``RuleBook.due`` once, so the
Python work per device is a dictionary increment. Everything after that works on a few
thousand counts, not on devices.

- ``due_counts``: devices due per (municipality, service area, product, month); overdue
  ones under ``None``.
- ``replacement_plan``: the same per quarter, with the standard replacement product (the
  category's rule, else the device's own product), its standard cost and its list price.
- ``due_assets`` / ``annotate_due``: a list of devices due before a day (a database
  filter), and the due date of a page of them.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Count, QuerySet

from samdrift.catalogue.models import PriceVersion, Product
from samdrift.core.dating import active_on
from samdrift.finance.depreciation import add_months
from samdrift.finance.money import ZERO
from samdrift.inventory.models import Asset
from samdrift.planning.rules import DUE_COLUMNS, Due, RuleBook, in_service

# Rows fetched per round trip while streaming the fleet.
CHUNK_SIZE = 20_000

DueKey = tuple[int, int | None, int, datetime.date | None]
By = Literal["municipality", "service_area", "category"]
Period = Literal["quarter", "year"]

LATER = object()  # due on or after ``until``, or never: not counted


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def fleet_rows(assets: QuerySet[Asset]) -> QuerySet:
    """The plan's one query: the due-date columns, municipality and service area of every
    device in service that a municipality holds."""
    return (
        assets.filter(in_service(), municipality__isnull=False)
        .values_list(*DUE_COLUMNS, "municipality_id", "service_area_id")
        .order_by()
    )


def count_rows(assets: QuerySet[Asset]) -> Counter[tuple]:
    """``fleet_rows`` streamed and counted: identical rows once, with their number."""
    return Counter(fleet_rows(assets).iterator(chunk_size=CHUNK_SIZE))


class DueMonths:
    """A row's due month from its due-date columns (``DUE_COLUMNS``): the first day of the
    due date's month, ``None`` when overdue on ``as_of``, ``LATER`` when due on or after
    ``until`` or never. Computed once per distinct combination of columns."""

    def __init__(self, rules: RuleBook, *, as_of: datetime.date, until: datetime.date):
        self.rules, self.as_of, self.until = rules, as_of, until
        self.cache: dict[tuple, Any] = {}

    def __call__(self, columns: tuple) -> Any:
        try:
            return self.cache[columns]
        except KeyError:
            due = self.rules.due(*columns)
            if due is None or due.on >= self.until:
                month = LATER
            elif due.on < self.as_of:
                month = None
            else:
                month = due.on.replace(day=1)
            self.cache[columns] = month
            return month


def due_counts(
    *, assets: QuerySet[Asset], rules: RuleBook, as_of: datetime.date, until: datetime.date
) -> Counter[DueKey]:
    """Devices in service (held by a municipality) falling due before ``until``, counted
    per (municipality id, service area id, product id, due month); the due month is the
    first day of the due date's month, ``None`` for a device already overdue on ``as_of``.
    One streamed query, whatever the number of devices."""
    counts: Counter[DueKey] = Counter()
    month_of = DueMonths(rules, as_of=as_of, until=until)
    width = len(DUE_COLUMNS)
    for row, n in count_rows(assets).items():
        month = month_of(row[:width])
        if month is not LATER:
            counts[(row[width], row[width + 1], row[0], month)] += n
    return counts


# The plan ---------------------------------------------------------------------------------


@dataclass
class PlanBucket:
    """Devices of one product, held by one service area (or none) of one municipality,
    falling due in one quarter (``period`` its first day; ``None``: overdue)."""

    municipality_id: int
    service_area_id: int | None
    category_id: int
    product_id: int
    replacement_id: int
    period: datetime.date | None
    units: int
    unit_cost: Decimal  # the replacement product's standard cost
    capital: Decimal  # units × unit_cost
    monthly_price: Decimal | None  # the replacement's list price in force on as_of


@dataclass
class PlanCell:
    units: int = 0
    capital: Decimal = ZERO

    def add(self, units: int, capital: Decimal) -> None:
        self.units += units
        self.capital += capital


@dataclass
class PlanRow:
    """One line of the plan: ``key`` is a municipality id, a category id, or for service
    areas the pair (municipality id, service area id or None). ``overdue`` comes first,
    then one cell per period of ``ReplacementPlan.periods``."""

    key: Any
    overdue: PlanCell = field(default_factory=PlanCell)
    periods: list[PlanCell] = field(default_factory=list)

    @property
    def cells(self) -> list[PlanCell]:
        return [self.overdue, *self.periods]

    @property
    def total(self) -> PlanCell:
        total = PlanCell()
        for cell in self.cells:
            total.add(cell.units, cell.capital)
        return total


_KEYS: dict[str, Callable[[PlanBucket], Any]] = {
    "municipality": lambda b: b.municipality_id,
    "service_area": lambda b: (b.municipality_id, b.service_area_id),
    "category": lambda b: b.category_id,
}


@dataclass
class ReplacementPlan:
    """Devices due from ``as_of`` for ``years`` years: ``quarters`` are the first days of
    the ``years × 4`` quarters from ``as_of``'s; a year column is a calendar year of
    those quarters (the first and last may be part years)."""

    as_of: datetime.date
    years: int
    quarters: list[datetime.date]
    buckets: list[PlanBucket]

    @property
    def until(self) -> datetime.date:
        return add_months(self.quarters[0], 12 * self.years)

    @property
    def overdue_units(self) -> int:
        return sum(b.units for b in self.buckets if b.period is None)

    @property
    def total_units(self) -> int:
        return sum(b.units for b in self.buckets)

    @property
    def total_capital(self) -> Decimal:
        return sum((b.capital for b in self.buckets), ZERO)

    def periods(self, period: Period = "quarter") -> list[datetime.date] | list[int]:
        """The column heads after the overdue column: quarters' first days, or years."""
        if period == "quarter":
            return list(self.quarters)
        if period == "year":
            return sorted({q.year for q in self.quarters})
        raise ValueError(f"period must be 'quarter' or 'year', not {period!r}.")

    def rows(self, by: By = "municipality", period: Period = "quarter") -> list[PlanRow]:
        """The plan per municipality, service area or category (sorted by key, ``None``
        last), units and capital per period, overdue first."""
        if by not in _KEYS:
            raise ValueError(f"by must be one of {sorted(_KEYS)}, not {by!r}.")
        key_of = _KEYS[by]
        heads = self.periods(period)
        column = {head: index for index, head in enumerate(heads)}
        rows: dict[Any, PlanRow] = {}
        for bucket in self.buckets:
            key = key_of(bucket)
            row = rows.get(key)
            if row is None:
                row = rows[key] = PlanRow(key=key, periods=[PlanCell() for _ in heads])
            if bucket.period is None:
                row.overdue.add(bucket.units, bucket.capital)
            else:
                head = bucket.period if period == "quarter" else bucket.period.year
                row.periods[column[head]].add(bucket.units, bucket.capital)
        return [rows[key] for key in sorted(rows, key=_sort_key)]

    def totals(self, period: Period = "quarter") -> PlanRow:
        """All rows added up (``key`` None)."""
        heads = self.periods(period)
        total = PlanRow(key=None, periods=[PlanCell() for _ in heads])
        for row in self.rows("category", period):
            for mine, theirs in zip(total.cells, row.cells, strict=True):
                mine.add(theirs.units, theirs.capital)
        return total


def _sort_key(key: Any) -> tuple:
    """Ids ascending, ``None`` last (also inside a (municipality, service area) pair)."""
    parts = key if isinstance(key, tuple) else (key,)
    return tuple((part is None, part or 0) for part in parts)


def replacement_plan(
    *,
    assets: QuerySet[Asset],
    as_of: datetime.date,
    years: int = 5,
    rules: RuleBook | None = None,
) -> ReplacementPlan:
    """The replacement plan of ``assets`` (pass ``restrict(Asset.objects.all(), user)``)
    from ``as_of`` for ``years`` years. Four queries (three with ``rules`` given)."""
    if years < 1:
        raise ValueError(f"years must be at least 1, not {years}.")
    rules = rules or RuleBook()
    first = quarter_start(as_of)
    quarters = [add_months(first, 3 * n) for n in range(4 * years)]
    until = add_months(first, 12 * years)
    counts = due_counts(assets=assets, rules=rules, as_of=as_of, until=until)

    per_quarter: Counter[tuple] = Counter()
    for (municipality_id, area_id, product_id, month), n in counts.items():
        period = quarter_start(month) if month is not None else None
        per_quarter[(municipality_id, area_id, product_id, period)] += n
    product_ids = {key[2] for key in per_quarter}
    replacement_of = {pk: rules.rule_for(pk).replacement_id for pk in product_ids}
    products = {
        pk: (category_id, cost)
        for pk, category_id, cost in Product.objects.filter(
            pk__in=product_ids | set(replacement_of.values())
        ).values_list("pk", "category_id", "standard_cost")
    }
    prices = list_prices(set(replacement_of.values()), as_of)

    buckets = []
    for (municipality_id, area_id, product_id, period), n in per_quarter.items():
        replacement_id = replacement_of[product_id]
        unit_cost = products[replacement_id][1]
        buckets.append(
            PlanBucket(
                municipality_id=municipality_id,
                service_area_id=area_id,
                category_id=products[product_id][0],
                product_id=product_id,
                replacement_id=replacement_id,
                period=period,
                units=n,
                unit_cost=unit_cost,
                capital=unit_cost * n,
                monthly_price=prices.get(replacement_id),
            )
        )
    buckets.sort(
        key=lambda b: (
            b.period is not None,
            b.period or as_of,
            b.municipality_id,
            _sort_key(b.service_area_id),
            b.product_id,
        )
    )
    return ReplacementPlan(as_of=as_of, years=years, quarters=quarters, buckets=buckets)


def list_prices(product_ids: Iterable[int], on: datetime.date) -> dict[int, Decimal]:
    """Each product's list price (``catalogue.PriceVersion``) in force on ``on``; one query."""
    return dict(
        PriceVersion.objects.filter(active_on(on), product_id__in=list(product_ids)).values_list(
            "product_id", "amount"
        )
    )


# Lists of devices ---------------------------------------------------------------------------


def due_assets(
    *, assets: QuerySet[Asset], day: datetime.date, rules: RuleBook | None = None
) -> QuerySet[Asset]:
    """The devices of ``assets`` in service whose due date is before ``day`` (a filter:
    page it, count it, export it)."""
    rules = rules or RuleBook()
    return assets.filter(in_service() & rules.due_before(day))


def due_per_month(
    *, assets: QuerySet[Asset], day: datetime.date, until: datetime.date, rules: RuleBook
) -> dict[datetime.date, int]:
    """Devices in service due in ``[day, until)``, per month (its first day) — the same
    devices ``due_assets`` lists. One aggregate query, no streaming: a count of the devices
    due before each month boundary (``RuleBook.due_before``), differenced; for a page
    that shows a year ahead, not a plan's quarters."""
    boundaries = [day]
    month = add_months(month_start(day), 1)
    while month < until:
        boundaries.append(month)
        month = add_months(month, 1)
    boundaries.append(until)
    counts = assets.filter(in_service()).aggregate(
        **{f"c{k}": Count("pk", filter=rules.due_before(b)) for k, b in enumerate(boundaries)}
    )
    cumulative = [counts[f"c{k}"] for k in range(len(boundaries))]
    return {
        month_start(boundaries[k]): cumulative[k + 1] - cumulative[k]
        for k in range(len(boundaries) - 1)
    }


def annotate_due(assets: Iterable[Asset], rules: RuleBook) -> list[tuple[Asset, Due | None]]:
    """Each asset of a page with its due date and reason (no query)."""
    return [(asset, rules.due_of(asset)) for asset in assets]
