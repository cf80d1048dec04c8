"""The collaboration's investment need, per calendar year: what it must buy (devices that
fall due, and growth), what that costs, and what the leases bring in against it.

For ``years`` calendar years from ``as_of``'s:

- **replacement units**: devices in service falling due in the year (``planning.rules``;
  those overdue on ``as_of`` in the first year), each replaced by its category's standard
  replacement product (``RuleBook.rule_for``) in the month it falls due (overdue ones in
  ``as_of``'s month). A device bought in the projection falls due again under the same
  rules — counted from its month, with the scenario's lease term where the category is
  replaced at the end of its lease — and is replaced again if that is within the years
  (not when it is due in the very month it is bought: a replacement product past its end
  of support is bought, but not again every month);
- **growth units**: the scenario's ``growth_percent`` by the one rule of
  ``planning.growth`` (the forecast's): per member, each 1 January strictly after the
  month after ``as_of`` (the forecast's first month), round half up of the member's fleet
  in service × the percent, spread over its service areas and products by largest
  remainder, compounded. The units added are bought as each product's standard
  replacement in that January; a shrinking fleet buys nothing;
- **capital**: units × the bought product's standard cost;
- **lease income, depreciation, interest**: the financing view's figures
  (``leasing.financing``): the fleet owned today (``fleet_financing``) plus the devices to
  be bought (``project_purchases``, the same arithmetic), these at the scenario's lease
  term and interest rate where it sets them (they apply to devices bought from now);
- **cash need** = capital − lease income: what the collaboration must borrow in the year
  (positive) or has left over (negative); **cumulative need**: the running total.

Set-based: one streamed query for the fleet (as the replacement plan), a few for the
rules, prices and the financing view; the projection then runs per product and month.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from samdrift.catalogue.models import Product
from samdrift.finance.depreciation import add_months
from samdrift.finance.money import ZERO
from samdrift.inventory.models import Asset
from samdrift.leasing.financing import Purchase, fleet_financing, project_purchases
from samdrift.planning.growth import grow, growth_months
from samdrift.planning.models import MAX_YEARS, Scenario
from samdrift.planning.plan import LATER, DueMonths, count_rows
from samdrift.planning.rules import DUE_COLUMNS, RuleBook

REPLACEMENT, GROWTH = "replacement", "growth"


@dataclass
class InvestmentYear:
    year: int
    replacement_units: int = 0
    growth_units: int = 0
    capital: Decimal = ZERO
    lease_income: Decimal = ZERO
    depreciation: Decimal = ZERO
    interest: Decimal = ZERO
    cash_need: Decimal = ZERO
    cumulative_need: Decimal = ZERO

    @property
    def units(self) -> int:
        return self.replacement_units + self.growth_units


@dataclass(frozen=True)
class Assumptions:
    """What a scenario says about the investment need (the baseline's defaults when
    there is no scenario)."""

    years: int = MAX_YEARS
    growth_percent: Decimal = ZERO
    lease_term_months: int | None = None
    annual_rate: Decimal | None = None  # a fraction: 0.05 is 5 % a year

    @classmethod
    def of(cls, scenario: Scenario | None) -> Assumptions:
        if scenario is None:
            return cls()
        rate = scenario.annual_rate_percent
        return cls(
            years=scenario.years,
            growth_percent=scenario.growth_percent or ZERO,
            lease_term_months=scenario.lease_term_months,
            annual_rate=rate / 100 if rate is not None else None,
        )


def investment_need(
    *,
    as_of: datetime.date,
    scenario: Scenario | None = None,
    assets: QuerySet[Asset] | None = None,
) -> list[InvestmentYear]:
    """The investment need per calendar year from ``as_of``'s (module docstring), under
    ``scenario``'s assumptions (None: the baseline scenario's, or the defaults when there
    is none), for ``assets`` (default: every asset; pass
    ``restrict(Asset.objects.all(), user)`` for what a user sees)."""
    if scenario is None:
        scenario = Scenario.objects.filter(is_baseline=True).first()
    assume = Assumptions.of(scenario)
    assets = assets if assets is not None else Asset.objects.all()
    first_year = as_of.year
    this_month = as_of.replace(day=1)
    until = datetime.date(first_year + assume.years, 1, 1)
    rules = RuleBook()
    # The scenario's lease term applies to devices bought from now, not to those in use.
    bought_rules = (
        RuleBook(lease_term_months=assume.lease_term_months) if assume.lease_term_months else rules
    )

    # Bought per month: (product, replacement or growth) → units.
    schedule: defaultdict[datetime.date, Counter[tuple[int, str]]] = defaultdict(Counter)
    # Member → (service area or 0, product) → devices: what the growth is of.
    fleet: defaultdict[int, Counter[tuple[int, int]]] = defaultdict(Counter)
    month_of = DueMonths(rules, as_of=as_of, until=until)
    width = len(DUE_COLUMNS)
    for row, n in count_rows(assets).items():
        product_id, (municipality_id, area_id) = row[0], row[width:]
        fleet[municipality_id][(area_id or 0, product_id)] += n
        month = month_of(row[:width])
        if month is not LATER:
            bought = rules.rule_for(product_id).replacement_id
            schedule[month or this_month][(bought, REPLACEMENT)] += n
    added = grow(
        fleets=fleet,
        percent=assume.growth_percent,
        months=growth_months(add_months(this_month, 1), until),
    )
    for keys in added.values():
        for (_area_id, product_id), months in keys.items():
            for month, units in months.items():
                if units > 0:  # a shrinking fleet buys nothing
                    bought = rules.rule_for(product_id).replacement_id
                    schedule[month][(bought, GROWTH)] += units

    # Month by month: each purchase may fall due again before the horizon.
    years = [InvestmentYear(year=first_year + offset) for offset in range(assume.years)]
    by_year = {year.year: year for year in years}
    bought: Counter[tuple[int, datetime.date]] = Counter()
    month = this_month
    while month < until:
        for (product_id, kind), units in sorted(schedule.pop(month, Counter()).items()):
            year = by_year[month.year]
            if kind == GROWTH:
                year.growth_units += units
            else:
                year.replacement_units += units
            bought[(product_id, month)] += units
            again = bought_rules.due(product_id, month, None, None, None)
            next_month = again.on.replace(day=1) if again is not None else until
            # Due in the month it is bought: a product past its end of support that the
            # rules still name as the replacement. Bought once, not again every month.
            if month < next_month < until:
                replacement = bought_rules.rule_for(product_id).replacement_id
                schedule[next_month][(replacement, REPLACEMENT)] += units
        month = add_months(month, 1)

    costs = dict(
        Product.objects.filter(pk__in={pk for pk, _month in bought}).values_list(
            "pk", "standard_cost"
        )
    )
    for (product_id, month), units in bought.items():
        by_year[month.year].capital += costs[product_id] * units

    existing = fleet_financing(assets=assets, on=as_of, years=assume.years).years
    projected, _without_lease_model = project_purchases(
        purchases=[Purchase(pk, month, units) for (pk, month), units in sorted(bought.items())],
        first_year=first_year,
        years=assume.years,
        lease_term_months=assume.lease_term_months,
        annual_rate=assume.annual_rate,
    )
    cumulative = ZERO
    for year, today, to_come in zip(years, existing, projected, strict=True):
        year.lease_income = today.lease_income + to_come.lease_income
        year.depreciation = today.depreciation + to_come.depreciation
        year.interest = today.interest + to_come.interest
        year.cash_need = year.capital - year.lease_income
        cumulative += year.cash_need
        year.cumulative_need = cumulative
    return years
