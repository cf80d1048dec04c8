"""The cost forecast per municipality: what billing would charge, month by month, for the
next one to five years, under a scenario's assumptions (the baseline's when none).

Month 1 is what ``billing.rating.Rater`` rates for that month, to the øre: devices (a
device moving in the month rated with all its pieces, as billing does), subscriptions,
recorded usage, one-off charges, cost-pool shares, amounts owed and service credits. The
later months project the same inputs with the same rules (``forecast_pricing``):

- prices as the price book has them, agreed and list prices indexed each January after
  the base year (an asset's own price, a fixed annuity, is not);
- devices falling due for replacement (``planning.rules``, counted as ``planning.plan``
  counts them) charged the price of their standard replacement from the month after they
  fall due, overdue ones from the second month; a replacement that falls due again within
  the horizon is replaced by the same product at the same price, so nothing changes;
- ``growth_percent`` more devices each January (``forecast_projection._growth``);
- usage as in the latest recorded month (``usage_estimate``, apart from recorded usage);
- cost pools indexed and grown from the base year, split by their keys;
- amounts owed in the month they fall due;
- members joining and leaving change the holders and the keys (``forecast_members``).

Set-based: the inputs are read once (``forecast_inputs``, a fixed number of queries) and
projected per group of identical holdings, never per device (``forecast_projection``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from samdrift.finance.money import ORE, ZERO, round_to_ore
from samdrift.finance.proration import month_bounds
from samdrift.organisations.models import ServiceArea
from samdrift.planning.forecast_inputs import ForecastInputs, Horizon, load_inputs
from samdrift.planning.forecast_members import MemberChanges, member_changes
from samdrift.planning.forecast_pricing import HUNDRED
from samdrift.planning.forecast_projection import COMPONENTS, Assumptions, Ledger, project
from samdrift.planning.models import MAX_YEARS, Scenario
from samdrift.planning.rules import RuleBook


@dataclass
class MonthCost:
    """One month of a municipality's forecast, excluding VAT. ``usage`` is recorded usage,
    ``usage_estimate`` the latest recorded month's repeated; ``credits`` are negative.
    ``settlement`` (a leaving member's payment for its devices) is not in ``total``."""

    month: datetime.date
    devices: Decimal = ZERO
    subscriptions: Decimal = ZERO
    usage: Decimal = ZERO
    one_offs: Decimal = ZERO
    pools: Decimal = ZERO
    credits: Decimal = ZERO
    usage_estimate: Decimal = ZERO
    settlement: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return (
            self.devices
            + self.subscriptions
            + self.usage
            + self.usage_estimate
            + self.one_offs
            + self.pools
            + self.credits
        )


@dataclass(frozen=True)
class YearCost:
    """A calendar year of a forecast; the change is against the previous year's monthly
    average (None for the first year, or when that average is zero)."""

    year: int
    total: Decimal
    monthly_average: Decimal
    change_amount: Decimal | None
    change_percent: Decimal | None
    months: int


@dataclass
class Forecast:
    municipality_id: int | None  # None: a municipality joining in a scenario
    name: str
    months: list[MonthCost] = field(default_factory=list)

    @property
    def first_month_total(self) -> Decimal:
        return self.months[0].total if self.months else ZERO

    @property
    def total(self) -> Decimal:
        return sum((month.total for month in self.months), ZERO)

    @property
    def settlement(self) -> Decimal:
        return sum((month.settlement for month in self.months), ZERO)

    def years(self) -> list[YearCost]:
        by_year: dict[int, list[MonthCost]] = defaultdict(list)
        for month in self.months:
            by_year[month.month.year].append(month)
        result: list[YearCost] = []
        previous = None
        for year in sorted(by_year):
            total = sum((month.total for month in by_year[year]), ZERO)
            average = round_to_ore(total / len(by_year[year]))
            change = percent = None
            if previous is not None:
                change = average - previous
                if previous:
                    percent = (change * HUNDRED / previous).quantize(ORE)
            result.append(
                YearCost(
                    year=year,
                    total=total,
                    monthly_average=average,
                    change_amount=change,
                    change_percent=percent,
                    months=len(by_year[year]),
                )
            )
            previous = average
        return result


def baseline_scenario() -> Scenario:
    """The baseline row, or its defaults unsaved when there is none yet (a read writes
    nothing; ``planning.scenarios.baseline`` creates it)."""
    return Scenario.objects.filter(is_baseline=True).first() or Scenario(
        name="Baseline", is_baseline=True
    )


def first_month(start: datetime.date | None) -> datetime.date:
    """The forecast's first month: ``start``'s, or next month's by default."""
    if start is not None:
        return start.replace(day=1)
    return month_bounds(timezone.localdate())[1]


def forecast(
    *,
    scenario: Scenario | None = None,
    start: datetime.date | None = None,
    municipality_ids: Iterable[int] | None = None,
    service_area_id: int | None = None,
    years: int | None = None,
) -> list[Forecast]:
    """One forecast per municipality (and per member joining in ``scenario``), sorted by
    name: the baseline's when ``scenario`` is None. ``service_area_id`` limits it to what
    billing charges that service area (its municipality's only)."""
    scenario = scenario or baseline_scenario()
    ids = None if municipality_ids is None else sorted(set(municipality_ids))
    if service_area_id is not None and ids is None:
        ids = list(
            ServiceArea.objects.filter(pk=service_area_id).values_list("municipality_id", flat=True)
        )
    years = max(1, min(years or scenario.years, MAX_YEARS))
    horizon = Horizon(start=first_month(start), count=12 * years)
    rules = RuleBook(lease_term_months=scenario.lease_term_months)
    inputs = load_inputs(horizon=horizon, rule_books=[rules], municipality_ids=ids)
    changes = member_changes(scenario, inputs, rules)
    ledger = project(
        inputs,
        Assumptions.of(scenario),
        changes,
        rules=rules,
        due_index=0,
        municipality_ids=ids,
        service_area_id=service_area_id,
    )
    return _forecasts(inputs, ledger, changes, service_area_id)


def forecast_pair(
    scenario: Scenario, *, start: datetime.date | None = None
) -> tuple[list[Forecast], list[Forecast]]:
    """(baseline, scenario) forecasts of every municipality over the scenario's years,
    from one read of the inputs."""
    base = baseline_scenario()
    horizon = Horizon(start=first_month(start), count=12 * scenario.years)
    base_rules = RuleBook(lease_term_months=base.lease_term_months)
    books = [base_rules]
    if (scenario.lease_term_months or None) != (base.lease_term_months or None):
        books.append(RuleBook(lease_term_months=scenario.lease_term_months))
    inputs = load_inputs(horizon=horizon, rule_books=books, municipality_ids=None)
    unchanged = MemberChanges()
    baseline = project(
        inputs,
        Assumptions.of(base),
        unchanged,
        rules=base_rules,
        due_index=0,
        municipality_ids=None,
        service_area_id=None,
    )
    rules = books[-1]
    changes = member_changes(scenario, inputs, rules)
    projected = project(
        inputs,
        Assumptions.of(scenario),
        changes,
        rules=rules,
        due_index=len(books) - 1,
        municipality_ids=None,
        service_area_id=None,
    )
    return (
        _forecasts(inputs, baseline, unchanged, None),
        _forecasts(inputs, projected, changes, None),
    )


def _forecasts(
    inputs: ForecastInputs, ledger: Ledger, changes: MemberChanges, service_area_id: int | None
) -> list[Forecast]:
    """The ledger's amounts as forecasts, sorted by name; a leaving member's settlement in
    the month it leaves (not for a service area: the municipality settles)."""
    horizon = inputs.horizon
    months = horizon.months
    names = {join.key: join.name for join in changes.joins}
    result = []
    for participant, columns in ledger.rows.items():
        costs = [
            MonthCost(month, **{name: columns[name][k] for name in COMPONENTS})
            for k, month in enumerate(months)
        ]
        leaves = changes.leaves.get(participant)
        if leaves is not None and leaves < horizon.count and service_area_id is None:
            costs[max(leaves, 0)].settlement = changes.settlements.get(participant, ZERO)
        if participant in names:
            result.append(Forecast(None, names[participant], costs))
        else:
            result.append(Forecast(participant, inputs.municipalities[participant][0], costs))
    result.sort(key=lambda item: (item.name, item.municipality_id or 0))
    return result
