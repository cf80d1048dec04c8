"""Common versus separate: what each member would pay alone against what it pays the
collaboration, per year since it joined, and for the collaboration as a whole.

The rule, for municipality M and each year Y from the year M joined to the year of
``as_of``:

- **Months billed** (Y): the number of M's *issued* invoices whose billing period lies in
  Y (a part year when M joined, or is not billed yet, during it). The years compared run
  from M's first year with an invoice in Samdrift (M may have joined before Samdrift
  billed it: those years are flagged once, not shown as zeros).
- **Actual** (Y): the net totals (VAT excluded — municipalities get VAT compensated, and
  the baseline is without VAT) of those invoices, less the net totals of the credit notes
  made on them. A credit note counts in the year of the invoice it corrects, whenever it
  was made. Draft invoices do not count.
- **Baseline**: M's ``BaselineCost`` rows of its latest baseline year B, all categories.
- **Index** (Y): the ``CostIndex`` value of Y. A year without a value takes the latest
  earlier year's value ("index missing, carried forward"); with none earlier, the earliest
  value; with no index at all the factor is 1. Each of these is flagged.
- **Running costs alone** (Y) = Σ baseline × index(Y) / index(B) × months(Y) / 12.
- **Investments needed alone** (Y): what M would have to buy itself to keep its fleet
  renewed — the replacement plan's capital (``planning.plan.replacement_plan`` of M's
  devices from ``as_of``) falling due within the plan's horizon, overdue devices not
  counted, divided by the plan's years, × months(Y) / 12. Zero, and flagged, when none of
  M's devices is in the plan.
- **Alone** (Y) = running + investments. Each figure shown is rounded once to the øre
  (``finance.money.round_to_ore``) from its exact value; alone is the sum of the two
  rounded figures, so the columns add up.
- **Saving** (Y) = alone − actual, and cumulative since joining. A negative saving means
  M paid more in Y than it would have alone, and the page says so plainly.
- **Collaboration total** (Y): Σ the members' alone against Σ their actual plus the
  collaboration's own costs of Y that no invoice carries (``CollaborationCost``);
  saving = alone − actual − unbilled, and cumulative.

``compare`` reads everything in a constant number of queries whatever the number of
members: the members, their invoices, their credit notes, their baselines, the index, the
unbilled costs (six), plus the replacement plan's own (computed once for all members) when
no plan is passed in.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from samdrift.billing.choices import InvoiceStatus
from samdrift.billing.models import CreditNote, Invoice
from samdrift.finance.money import ZERO, round_to_ore
from samdrift.gains.models import BaselineCost, CollaborationCost, CostIndex
from samdrift.inventory.models import Asset
from samdrift.organisations.models import Municipality
from samdrift.planning.plan import ReplacementPlan, replacement_plan
from samdrift.ui.formatting import format_money

MONTHS_A_YEAR = Decimal(12)
INDEX_PLACES = Decimal("0.0001")


class IndexSource:
    """Where a year's index value came from."""

    EXACT = "exact"  # the year's own value
    CARRIED_FORWARD = "carried_forward"  # the latest earlier year's value
    EARLIEST = "earliest"  # no earlier value: the earliest there is
    MISSING = "missing"  # no index at all: factor 1


class FlagCode:
    NO_BASELINE = "no_baseline"
    INDEX_CARRIED_FORWARD = "index_carried_forward"
    INDEX_EARLIEST = "index_earliest"
    NO_INDEX = "no_index"
    NO_DEVICES = "no_devices"
    NOT_JOINED = "not_joined"
    BILLED_LATER = "billed_later"


@dataclass(frozen=True)
class Flag:
    """Something a reader must know to trust a member's figures (translated message)."""

    code: str
    message: str
    year: int | None = None


@dataclass
class YearComparison:
    year: int
    months: int
    index_factor: Decimal  # index(Y) / index(B), to four decimals (shown; running is exact)
    index_source: str  # IndexSource of index(Y)
    running: Decimal
    renewal: Decimal
    alone: Decimal
    invoiced: Decimal
    credited: Decimal
    actual: Decimal
    saving: Decimal
    cumulative_saving: Decimal

    @property
    def pays_more(self) -> bool:
        return self.saving < 0


@dataclass
class MemberComparison:
    municipality: Municipality
    baseline_year: int | None
    baseline: dict[str, Decimal]  # category → amount of the baseline year
    yearly_renewal: Decimal  # the plan's yearly average capital, exact
    years: list[YearComparison]
    cumulative_saving: Decimal
    flags: list[Flag] = field(default_factory=list)

    @property
    def baseline_total(self) -> Decimal:
        return sum(self.baseline.values(), ZERO)

    @property
    def pays_more(self) -> bool:
        """Paid more in at least one year than it would have alone."""
        return any(year.pays_more for year in self.years)

    def plain_statements(self) -> list[str]:
        """One plain sentence for each year the member paid more than alone."""
        return [
            _("%(municipality)s paid %(amount)s more in %(year)s than it would have alone.")
            % {
                "municipality": self.municipality.name,
                "amount": format_money(-year.saving),
                "year": year.year,
            }
            for year in self.years
            if year.pays_more
        ]


@dataclass
class YearTotal:
    """The collaboration's year: ``actual`` is what the members were invoiced net of
    credits; ``unbilled`` its own costs no invoice carries; saving = alone − both."""

    year: int
    alone: Decimal
    actual: Decimal
    unbilled: Decimal
    saving: Decimal
    cumulative: Decimal

    @property
    def cost(self) -> Decimal:
        """What the collaboration cost in the year: invoiced plus unbilled."""
        return self.actual + self.unbilled

    @property
    def pays_more(self) -> bool:
        return self.saving < 0


@dataclass
class Comparison:
    as_of: datetime.date
    plan: ReplacementPlan
    members: list[MemberComparison]
    totals: list[YearTotal]

    @property
    def cumulative_saving(self) -> Decimal:
        return self.totals[-1].cumulative if self.totals else ZERO


# Reading ---------------------------------------------------------------------------------


def _billed(member_ids: list[int]) -> dict[tuple[int, int], tuple[int, Decimal]]:
    """(municipality id, year) → (issued invoices, Σ net total). One query."""
    rows = (
        Invoice.objects.filter(municipality_id__in=member_ids, status=InvoiceStatus.ISSUED)
        .values("municipality_id", "period__month")
        .annotate(count=Count("pk"), net=Sum("net_total"))
        .order_by()
    )
    billed: dict[tuple[int, int], tuple[int, Decimal]] = {}
    for row in rows:
        key = (row["municipality_id"], row["period__month"].year)
        count, net = billed.get(key, (0, ZERO))
        billed[key] = (count + row["count"], net + row["net"])
    return billed


def _credited(member_ids: list[int]) -> dict[tuple[int, int], Decimal]:
    """(municipality id, year of the invoice credited) → Σ credit notes' net. One query."""
    rows = (
        CreditNote.objects.filter(
            invoice__municipality_id__in=member_ids, invoice__status=InvoiceStatus.ISSUED
        )
        .values("invoice__municipality_id", "invoice__period__month")
        .annotate(net=Sum("net_total"))
        .order_by()
    )
    credited: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        credited[(row["invoice__municipality_id"], row["invoice__period__month"].year)] += row[
            "net"
        ]
    return credited


def _baselines(member_ids: list[int]) -> dict[int, tuple[int, dict[str, Decimal]]]:
    """Municipality id → (its latest baseline year, category → amount). One query."""
    latest: dict[int, tuple[int, dict[str, Decimal]]] = {}
    rows = (
        BaselineCost.objects.filter(municipality_id__in=member_ids)
        .values_list("municipality_id", "year", "category", "amount")
        .order_by("municipality_id", "-year", "category")
    )
    for municipality_id, year, category, amount in rows:
        found = latest.get(municipality_id)
        if found is None:
            latest[municipality_id] = (year, {category: amount})
        elif found[0] == year:
            found[1][category] = amount
    return latest


class IndexSeries:
    """The cost index by year with the carrying rule (one query)."""

    def __init__(self, values: dict[int, Decimal]):
        self.values = values
        self.years = sorted(values)

    @classmethod
    def load(cls) -> IndexSeries:
        return cls(dict(CostIndex.objects.values_list("year", "value")))

    def value(self, year: int) -> tuple[Decimal, str]:
        """index(year) and where it came from (``IndexSource``)."""
        if not self.years:
            return Decimal(1), IndexSource.MISSING
        if year in self.values:
            return self.values[year], IndexSource.EXACT
        earlier = [y for y in self.years if y < year]
        if earlier:
            return self.values[earlier[-1]], IndexSource.CARRIED_FORWARD
        return self.values[self.years[0]], IndexSource.EARLIEST


def _index_flag(year: int, source: str) -> Flag | None:
    if source == IndexSource.CARRIED_FORWARD:
        return Flag(
            FlagCode.INDEX_CARRIED_FORWARD,
            _("No cost index for %(year)s: the latest earlier value is carried forward.")
            % {"year": year},
            year,
        )
    if source == IndexSource.EARLIEST:
        return Flag(
            FlagCode.INDEX_EARLIEST,
            _("No cost index for %(year)s or earlier: the earliest value is used.")
            % {"year": year},
            year,
        )
    return None


def yearly_renewal(plan: ReplacementPlan) -> dict[int, Decimal]:
    """Municipality id → the plan's capital due within its horizon (overdue devices not
    counted) divided by its years: the yearly investment to keep the fleet renewed.
    Municipalities with any device in the plan (overdue included) are keys."""
    renewal: dict[int, Decimal] = {}
    for bucket in plan.buckets:
        capital = bucket.capital if bucket.period is not None else ZERO
        renewal[bucket.municipality_id] = renewal.get(bucket.municipality_id, ZERO) + capital
    return {pk: capital / plan.years for pk, capital in renewal.items()}


# The comparison ----------------------------------------------------------------------------


def compare(
    *,
    municipalities: QuerySet[Municipality],
    as_of: datetime.date,
    plan: ReplacementPlan | None = None,
) -> Comparison:
    """Common versus separate for ``municipalities`` (already restricted to the user) up
    to ``as_of``'s year. ``plan``: the replacement plan to take investments from (computed
    here for the members' devices when not given). The totals' unbilled costs are the
    whole collaboration's: show them only to those who see every municipality."""
    members = list(municipalities.order_by("number", "pk"))
    member_ids = [m.pk for m in members]
    if plan is None:
        plan = replacement_plan(
            assets=Asset.objects.filter(municipality_id__in=member_ids), as_of=as_of
        )
    billed = _billed(member_ids)
    credited = _credited(member_ids)
    baselines = _baselines(member_ids)
    index = IndexSeries.load()
    renewal_of = yearly_renewal(plan)
    unbilled = dict(
        CollaborationCost.objects.values("year")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("year", "total")
    )

    compared = [
        _compare_member(
            municipality,
            as_of=as_of,
            billed=billed,
            credited=credited,
            baseline=baselines.get(municipality.pk),
            index=index,
            renewal=renewal_of.get(municipality.pk),
        )
        for municipality in members
    ]
    return Comparison(
        as_of=as_of, plan=plan, members=compared, totals=_totals(compared, unbilled, as_of)
    )


def _compare_member(
    municipality: Municipality,
    *,
    as_of: datetime.date,
    billed: dict[tuple[int, int], tuple[int, Decimal]],
    credited: dict[tuple[int, int], Decimal],
    baseline: tuple[int, dict[str, Decimal]] | None,
    index: IndexSeries,
    renewal: Decimal | None,
) -> MemberComparison:
    flags: list[Flag] = []
    first_year = municipality.joined_on.year
    if first_year > as_of.year:
        flags.append(
            Flag(
                FlagCode.NOT_JOINED,
                _("%(municipality)s joins on %(date)s: nothing to compare yet.")
                % {"municipality": municipality.name, "date": date_format(municipality.joined_on)},
            )
        )
    if baseline is None:
        baseline_year, amounts = None, {}
        flags.append(
            Flag(
                FlagCode.NO_BASELINE,
                _("No baseline: what %(municipality)s would pay alone counts investments only.")
                % {"municipality": municipality.name},
            )
        )
    else:
        baseline_year, amounts = baseline
    baseline_total = sum(amounts.values(), ZERO)
    if not index.years:
        flags.append(
            Flag(FlagCode.NO_INDEX, _("No cost index entered: the baseline is not adjusted."))
        )
        base_index, base_source = Decimal(1), IndexSource.MISSING
    else:
        base_index, base_source = index.value(baseline_year or first_year)
        if baseline_year is not None and (flag := _index_flag(baseline_year, base_source)):
            flags.append(flag)
    if renewal is None:
        renewal = ZERO
        flags.append(
            Flag(
                FlagCode.NO_DEVICES,
                _(
                    "None of %(municipality)s's devices is in the replacement plan: "
                    "investments needed alone are taken as 0."
                )
                % {"municipality": municipality.name},
            )
        )

    # Years before the member's first invoice in Samdrift (it joined before Samdrift billed
    # it) have nothing to compare: said once, not shown as rows of zeros.
    billed_years = [
        year
        for (member_id, year) in (*billed, *credited)
        if member_id == municipality.pk and year >= first_year
    ]
    first_billed = min(billed_years, default=as_of.year + 1)
    if first_billed > first_year and first_year <= as_of.year:
        last_unbilled = min(first_billed, as_of.year + 1) - 1
        flags.append(
            Flag(
                FlagCode.BILLED_LATER,
                _(
                    "%(municipality)s joined in %(joined)s; Samdrift holds no invoices of "
                    "%(first)s–%(last)s, so those years are not compared."
                )
                % {
                    "municipality": municipality.name,
                    "joined": first_year,
                    "first": first_year,
                    "last": last_unbilled,
                },
            )
        )
    years: list[YearComparison] = []
    cumulative = ZERO
    for year in range(first_billed, as_of.year + 1):
        months, invoiced = billed.get((municipality.pk, year), (0, ZERO))
        year_index, source = index.value(year)
        if index.years and (flag := _index_flag(year, source)):
            flags.append(flag)
        share = Decimal(months) / MONTHS_A_YEAR
        running = round_to_ore(baseline_total * year_index * share / base_index)
        year_renewal = round_to_ore(renewal * share)
        alone = running + year_renewal
        credit = credited.get((municipality.pk, year), ZERO)
        actual = invoiced - credit
        saving = alone - actual
        cumulative += saving
        years.append(
            YearComparison(
                year=year,
                months=months,
                index_factor=(year_index / base_index).quantize(INDEX_PLACES),
                index_source=source,
                running=running,
                renewal=year_renewal,
                alone=alone,
                invoiced=invoiced,
                credited=credit,
                actual=actual,
                saving=saving,
                cumulative_saving=cumulative,
            )
        )
    return MemberComparison(
        municipality=municipality,
        baseline_year=baseline_year,
        baseline=amounts,
        yearly_renewal=renewal,
        years=years,
        cumulative_saving=cumulative,
        flags=flags,
    )


def _totals(
    members: list[MemberComparison], unbilled: dict[int, Decimal], as_of: datetime.date
) -> list[YearTotal]:
    """Per year from the first member's joining: Σ alone, Σ actual, unbilled, saving."""
    if not members:
        return []
    billed_years = [year.year for member in members for year in member.years]
    first = min([*billed_years, *(y for y in unbilled if y <= as_of.year)], default=as_of.year + 1)
    alone: dict[int, Decimal] = defaultdict(lambda: ZERO)
    actual: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for member in members:
        for year in member.years:
            alone[year.year] += year.alone
            actual[year.year] += year.actual
    totals = []
    cumulative = ZERO
    for year in range(first, as_of.year + 1):
        extra = unbilled.get(year, ZERO)
        saving = alone[year] - actual[year] - extra
        cumulative += saving
        totals.append(
            YearTotal(
                year=year,
                alone=alone[year],
                actual=actual[year],
                unbilled=extra,
                saving=saving,
                cumulative=cumulative,
            )
        )
    return totals
