"""The board report as data: a year or a quarter of the collaboration, per member.

What the board ("styret") reads once a quarter and once a year, each part from the app
that owns its rule (no rule is written twice here):

- **members and fleet**: devices in service today per member (``planning.rules.in_service``);
- **invoices**: the member's issued invoices whose billing month lies in the period, their
  net totals (VAT excluded) and the credit notes of those invoices (a credit note counts
  with the invoice it corrects, as in ``gains.comparison``);
- **service levels delivered**: the frozen ``figures`` of the approved SLA reports
  (``servicedesk.SlaReport``) of the period's months, read as ``servicedesk.sla`` combines
  months: availability from the summed service and down seconds (not an average of
  percentages), % within target = met ÷ (met + breached) over response and resolution;
- **common versus separate**: ``gains.comparison.compare`` for the period's year;
- **actions and gains**: planned vs realised from ``gains.realisation.realisation`` over
  the period (part years prorated there);
- **top risks**: devices overdue on the report's day by planning's due rule (the
  replacement plan's overdue column, ``planning.plan``), the gaps between requirements and
  delivery (``solutions.selectors.gap_report``), and actions past their deadline.

The report's day (``as_of``) is the period's last day, or today while the period runs.
A constant number of queries, whatever the number of members (tests pin it).
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Min, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from samdrift.billing.choices import InvoiceStatus
from samdrift.billing.models import BillingPeriod, CreditNote, Invoice
from samdrift.core.permissions import restrict
from samdrift.finance.depreciation import add_months
from samdrift.finance.money import ZERO
from samdrift.gains.choices import ActionStatus
from samdrift.gains.comparison import Comparison, YearComparison, compare
from samdrift.gains.models import Action, GainShare, Measurement
from samdrift.gains.realisation import Realisation, Totals, realisation
from samdrift.inventory.models import Asset
from samdrift.organisations.models import Collaboration, Municipality
from samdrift.planning.plan import ReplacementPlan, replacement_plan
from samdrift.planning.rules import RuleBook, in_service
from samdrift.servicedesk.models import ReportStatus, SlaReport
from samdrift.servicedesk.sla import BREACHED, MET, availability_of, percent
from samdrift.solutions.choices import GapKind
from samdrift.solutions.selectors import GapReport, gap_report

ONE_DAY = datetime.timedelta(days=1)
QUARTERS = (1, 2, 3, 4)
# How many members each list of risks names (the rest are in the members' tables).
TOP_RISKS = 10
# Actions still open past their deadline are a risk.
OPEN_STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


class PeriodError(ValueError):
    """A period the report cannot show; ``field`` names the query parameter at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ReportPeriod:
    """A calendar year, or one quarter of it: ``[start, end)``."""

    year: int
    quarter: int | None = None

    @property
    def start(self) -> datetime.date:
        month = 1 if self.quarter is None else 3 * (self.quarter - 1) + 1
        return datetime.date(self.year, month, 1)

    @property
    def end(self) -> datetime.date:
        return add_months(self.start, self.months)

    @property
    def last_day(self) -> datetime.date:
        return self.end - ONE_DAY

    @property
    def months(self) -> int:
        return 12 if self.quarter is None else 3

    @property
    def label(self) -> str:
        if self.quarter is None:
            return str(self.year)
        return _("Q%(quarter)s %(year)s") % {"quarter": self.quarter, "year": self.year}

    def month_starts(self) -> list[datetime.date]:
        return [add_months(self.start, n) for n in range(self.months)]


def report_period(*, year: int, quarter: int | None, today: datetime.date) -> ReportPeriod:
    """The period asked for, or ``PeriodError`` naming the field: a quarter is 1–4, and a
    period that has not started yet has nothing to report."""
    if quarter is not None and quarter not in QUARTERS:
        raise PeriodError("quarter", _("A quarter is 1, 2, 3 or 4, not %(q)s.") % {"q": quarter})
    period = ReportPeriod(year=year, quarter=quarter)
    if period.start > today:
        name = "quarter" if quarter is not None else "year"
        raise PeriodError(name, _("%(period)s has not started yet.") % {"period": period.label})
    return period


def report_years(*, user, today: datetime.date) -> list[int]:
    """The years a report can be asked for, newest first: from the first member's joining
    or the first billing month, whichever is earlier, to this year."""
    joined = restrict(Municipality.objects.all(), user).aggregate(first=Min("joined_on"))["first"]
    billed = BillingPeriod.objects.aggregate(first=Min("month"))["first"]
    firsts = [day.year for day in (joined, billed) if day is not None and day <= today]
    first = min(firsts, default=today.year)
    return list(range(today.year, first - 1, -1))


# The parts -------------------------------------------------------------------------------


@dataclass
class Invoiced:
    """A member's issued invoices of the period (net, VAT excluded) and their credit notes."""

    invoices: int = 0
    net: Decimal = ZERO
    credit_notes: int = 0
    credited: Decimal = ZERO

    @property
    def after_credits(self) -> Decimal:
        return self.net - self.credited

    def add(self, other: Invoiced) -> None:
        self.invoices += other.invoices
        self.net += other.net
        self.credit_notes += other.credit_notes
        self.credited += other.credited


@dataclass
class ServiceDelivered:
    """What the approved SLA reports of the period say, months combined."""

    months: int = 0
    service_seconds: int = 0
    downtime_seconds: int = 0
    targets_missed: int = 0  # service-months whose availability was below the target
    met: int = 0  # response and resolution targets met
    breached: int = 0
    incidents: int = 0

    @property
    def availability(self) -> Decimal | None:
        if not self.months:
            return None
        return availability_of(self.service_seconds, self.downtime_seconds)

    @property
    def within_target_percent(self) -> Decimal | None:
        return percent(self.met, self.met + self.breached)

    def add_figures(self, figures: dict) -> None:
        """One frozen month (``servicedesk.sla_figures.figures_of``)."""
        self.months += 1
        for service in figures.get("services", []):
            self.service_seconds += int(service.get("service_seconds") or 0)
            self.downtime_seconds += int(service.get("downtime_seconds") or 0)
            target, availability = service.get("target"), service.get("availability")
            measured = target is not None and availability is not None
            if measured and Decimal(availability) < Decimal(target):
                self.targets_missed += 1
        for priority in figures.get("priorities", []):
            self.incidents += int(priority.get("incidents") or 0)
            for part in ("response", "resolution"):
                outcomes = priority.get(part) or {}
                self.met += int(outcomes.get(MET) or 0)
                self.breached += int(outcomes.get(BREACHED) or 0)

    def add(self, other: ServiceDelivered) -> None:
        for name in (
            "months",
            "service_seconds",
            "downtime_seconds",
            "targets_missed",
            "met",
            "breached",
            "incidents",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class MemberRow:
    """One member's line in each part of the report."""

    municipality: Municipality
    devices: int = 0
    overdue: int = 0
    invoiced: Invoiced = field(default_factory=Invoiced)
    service: ServiceDelivered = field(default_factory=ServiceDelivered)
    comparison: YearComparison | None = None  # the period's year
    baseline_year: int | None = None
    comparison_notes: list[str] = field(default_factory=list)  # the comparison's flags
    pays_more_statement: str = ""  # the comparison's plain sentence for the year
    gains: Totals | None = None
    gaps: int = 0

    @property
    def overdue_percent(self) -> Decimal | None:
        return percent(self.overdue, self.devices)


@dataclass
class ActionRow:
    action: Action
    totals: Totals | None
    late: bool


@dataclass
class BoardReport:
    collaboration: Collaboration | None
    period: ReportPeriod
    as_of: datetime.date
    members: list[MemberRow]
    comparison: Comparison
    realisation: Realisation
    actions: list[ActionRow]
    gaps: GapReport
    invoiced: Invoiced
    service: ServiceDelivered
    devices: int
    overdue: int

    @property
    def year_total(self):
        """The collaboration's common-versus-separate line of the period's year, or None."""
        return next((t for t in self.comparison.totals if t.year == self.period.year), None)

    @property
    def overdue_members(self) -> list[MemberRow]:
        """The members with the most devices overdue (most first)."""
        ranked = [m for m in self.members if m.overdue]
        ranked.sort(key=lambda m: (-m.overdue, m.municipality.name))
        return ranked[:TOP_RISKS]

    @property
    def gap_members(self) -> list[MemberRow]:
        ranked = [m for m in self.members if m.gaps]
        ranked.sort(key=lambda m: (-m.gaps, m.municipality.name))
        return ranked[:TOP_RISKS]

    @property
    def gap_kinds(self) -> list[tuple[str, int]]:
        """(label, count) per kind of gap that occurs, most first."""
        return [
            (str(GapKind(kind).label), n)
            for kind, n in sorted(self.gaps.totals.items(), key=lambda kv: (-kv[1], kv[0]))
            if n
        ]

    @property
    def late_actions(self) -> list[ActionRow]:
        return [row for row in self.actions if row.late]

    @property
    def members_paying_more(self) -> list[MemberRow]:
        return [m for m in self.members if m.pays_more_statement]

    @property
    def comparison_notes(self) -> list[tuple[str, str]]:
        """(member, note) of every flag of the comparison that concerns the year."""
        return [(m.municipality.name, note) for m in self.members for note in m.comparison_notes]


def members_of(user, period: ReportPeriod) -> QuerySet[Municipality]:
    """The municipalities that were members during the period."""
    return restrict(Municipality.objects.all(), user).filter(joined_on__lt=period.end)


def devices_per_member(assets: QuerySet[Asset]) -> dict[int, int]:
    """Devices in service per municipality (one grouped count)."""
    return dict(
        assets.filter(in_service(), municipality__isnull=False)
        .values_list("municipality_id")
        .annotate(n=Count("pk"))
        .order_by()
    )


def overdue_per_member(plan: ReplacementPlan) -> dict[int, int]:
    """Devices already due on the plan's day, per municipality (the plan's overdue column)."""
    return {row.key: row.overdue.units for row in plan.rows("municipality", "year")}


def invoiced_per_member(user, period: ReportPeriod) -> dict[int, Invoiced]:
    """Issued invoices whose billing month lies in the period, and their credit notes
    (whenever issued: a credit note counts with the invoice it corrects). Two queries."""
    invoices = restrict(Invoice.objects.all(), user).filter(
        status=InvoiceStatus.ISSUED,
        period__month__gte=period.start,
        period__month__lt=period.end,
    )
    found: dict[int, Invoiced] = defaultdict(Invoiced)
    for municipality_id, n, net in (
        invoices.values_list("municipality_id").annotate(Count("pk"), Sum("net_total")).order_by()
    ):
        found[municipality_id].invoices = n
        found[municipality_id].net = net or ZERO
    credits = restrict(CreditNote.objects.all(), user).filter(invoice__in=invoices.values("pk"))
    for municipality_id, n, net in (
        credits.values_list("invoice__municipality_id")
        .annotate(Count("pk"), Sum("net_total"))
        .order_by()
    ):
        found[municipality_id].credit_notes = n
        found[municipality_id].credited = net or ZERO
    return found


def service_per_member(user, period: ReportPeriod) -> dict[int, ServiceDelivered]:
    """The approved SLA reports of the period's months, combined per member (one query)."""
    reports = restrict(SlaReport.objects.all(), user).filter(
        status=ReportStatus.APPROVED, month__gte=period.start, month__lt=period.end
    )
    found: dict[int, ServiceDelivered] = defaultdict(ServiceDelivered)
    for municipality_id, figures in reports.values_list("municipality_id", "figures").order_by(
        "municipality_id", "month"
    ):
        found[municipality_id].add_figures(figures or {})
    return found


def actions_of(user, period: ReportPeriod, realised: Realisation, as_of: datetime.date):
    """The actions running in the period (started before its end, deadline not before its
    start) or with gains planned or realised in it; late = still open past the deadline."""
    by_action = realised.by_action()
    actions = (
        restrict(Action.objects.all(), user)
        .filter(Q(start__lt=period.end, deadline__gte=period.start) | Q(pk__in=list(by_action)))
        .order_by("deadline", "pk")
    )
    return [
        ActionRow(
            action=action,
            totals=by_action.get(action.pk),
            late=action.status in OPEN_STATUSES and action.deadline < as_of,
        )
        for action in actions
    ]


def board_report(*, user, period: ReportPeriod, today: datetime.date) -> BoardReport:
    """The board report of ``period`` as ``user`` may see it (the page checks that the user
    sees all municipalities). A fixed number of queries whatever the number of members."""
    as_of = min(period.last_day, today)
    assets = restrict(Asset.objects.all(), user)
    plan = replacement_plan(assets=assets, as_of=as_of, rules=RuleBook())
    compared = compare(municipalities=members_of(user, period), as_of=as_of, plan=plan)
    # The comparison has read the members once: its rows are the report's rows.
    members = [
        MemberRow(municipality=c.municipality)
        for c in sorted(compared.members, key=lambda c: (c.municipality.name, c.municipality.pk))
    ]
    realised = realisation(
        shares=restrict(GainShare.objects.all(), user),
        measurements=restrict(Measurement.objects.all(), user),
        start=period.start,
        end=period.end,
    )
    devices = devices_per_member(assets)
    overdue = overdue_per_member(plan)
    invoiced = invoiced_per_member(user, period)
    service = service_per_member(user, period)
    gains = realised.by_municipality()
    gaps = gap_report(user=user, on=as_of)
    compared_by_member = {c.municipality.pk: c for c in compared.members}

    total_invoiced, total_service = Invoiced(), ServiceDelivered()
    for row in members:
        pk = row.municipality.pk
        row.devices = devices.get(pk, 0)
        row.overdue = overdue.get(pk, 0)
        row.invoiced = invoiced.get(pk, Invoiced())
        row.service = service.get(pk, ServiceDelivered())
        row.gains = gains.get(pk)
        row.gaps = sum(gaps.by_municipality.get(pk, Counter()).values())
        member = compared_by_member.get(pk)
        if member is not None:
            row.comparison = next((y for y in member.years if y.year == period.year), None)
            row.baseline_year = member.baseline_year
            row.comparison_notes = [
                flag.message for flag in member.flags if flag.year in (None, period.year)
            ]
            paying_more = [y.year for y in member.years if y.pays_more]
            for year, sentence in zip(paying_more, member.plain_statements(), strict=True):
                if year == period.year:
                    row.pays_more_statement = sentence
        total_invoiced.add(row.invoiced)
        total_service.add(row.service)
    return BoardReport(
        collaboration=Collaboration.get(),
        period=period,
        as_of=as_of,
        members=members,
        comparison=compared,
        realisation=realised,
        actions=actions_of(user, period, realised, as_of),
        gaps=gaps,
        invoiced=total_invoiced,
        service=total_service,
        devices=sum(row.devices for row in members),
        overdue=sum(row.overdue for row in members),
    )
