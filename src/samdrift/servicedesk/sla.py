"""The SLA report: what was delivered against the service levels, per municipality and
month, computed every time from the stored incidents and outages — never a counter.

One computation (``compute_range``) loads, in a fixed number of queries whatever the
number of rows, the municipalities, the service levels in force (``agreements.levels``),
the incidents opened in the period (``values_list``), the outages overlapping it with
their municipalities; everything else is Python over those rows with
``samdrift.businesstime``.

The rules, exactly:

- **Month**: [first day 00:00, next first day 00:00) in the report time zone
  (``settings.TIME_ZONE``, Europe/Oslo). For a month not yet over, everything is measured
  up to *now* (the **cut-off**); for a finished month the cut-off is the month's end.
- **Service hours**: the business seconds of the service level's calendar in [month start,
  cut-off).
- **Downtime**: the union of the service's outages that affect the municipality (all
  municipalities, or it among those named) clipped to the month and to service hours
  (an ongoing outage runs to the cut-off). Overlapping outages count once.
  **Planned maintenance** does not count when it was announced at least
  ``maintenance_notice_days`` × 24 hours before it started (``announced_at ≤ started_at −
  N days``); planned maintenance announced later, or never announced, counts like an
  unplanned outage.
- **Availability** = 100 × (1 − downtime ÷ service hours), a Decimal rounded half up to
  three decimals; a month without service hours is 100 % and says so. **Shortfall** =
  target − availability when positive; the **credit** is the agreement's credit rules'
  percent for it (``service_levels.credit_percent``).
- **Incidents** are those *opened* in the month. One with no service, a service without a
  level in force, a priority without a target, or the state *cancelled* is listed as not
  measured. Each measured incident is measured against the target of its priority, in that
  target's calendar (its own, e.g. 24/7 for P1, or the level's):
  elapsed = business seconds from ``opened_at`` to the end (``responded_at`` for response
  — the resolution when there is no response recorded; ``resolved_at`` for resolution —
  ``closed_at`` when never resolved) **minus the pauses** whose reason the agreement lets
  pause the clock (an open pause runs to the end). Met when elapsed ≤ target. An incident
  without an end is **breached** when its elapsed time up to the cut-off already exceeds
  the target, otherwise **open** (not yet due; not counted in the percentages).
  % within target = met ÷ (met + breached), one decimal, half up.
- **Due** = the instant the target runs out counting business time outside the pauses.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.agreements.levels import LevelBook, LevelTerms, PriorityTerms
from samdrift.businesstime import (
    business_seconds,
    business_seconds_excluding,
    due_at,
    overlap_seconds,
    to_aware,
)
from samdrift.organisations.models import Municipality
from samdrift.servicedesk.choices import IncidentState, Priority
from samdrift.servicedesk.models import Incident, Outage
from samdrift.servicedesk.sla_months import (
    first_of_month,
    month_start,
    months_between,
    next_month,
    report_zone,
)

HUNDRED = Decimal(100)
THREE_PLACES = Decimal("0.001")
ONE_PLACE = Decimal("0.1")
PRIORITIES = tuple(Priority.values)

MET, BREACHED, OPEN = "met", "breached", "open"

# Why an outage counts or not (labels in ``OUTAGE_REASONS``).
UNPLANNED, PLANNED_LATE, PLANNED_UNANNOUNCED, PLANNED_IN_TIME = (
    "unplanned",
    "planned_late",
    "planned_unannounced",
    "planned_in_time",
)

# Why an incident is not measured.
NO_SERVICE, NO_LEVEL, NO_TARGET, CANCELLED = "no_service", "no_level", "no_target", "cancelled"


def outage_reason_label(code: str) -> str:
    return {
        UNPLANNED: _("unplanned: counts"),
        PLANNED_LATE: _("planned, announced too late: counts"),
        PLANNED_UNANNOUNCED: _("planned, never announced: counts"),
        PLANNED_IN_TIME: _("planned, announced in time: does not count"),
    }.get(code, code)


def not_measured_label(code: str) -> str:
    return {
        NO_SERVICE: _("no service"),
        NO_LEVEL: _("no service level for the service"),
        NO_TARGET: _("no target for the priority"),
        CANCELLED: _("cancelled"),
    }.get(code, code)


def percent(part: int, whole: int, places: Decimal = ONE_PLACE) -> Decimal | None:
    if not whole:
        return None
    return (HUNDRED * part / Decimal(whole)).quantize(places, rounding=ROUND_HALF_UP)


def availability_of(service_seconds: int, downtime_seconds: int) -> Decimal:
    """100 × (1 − downtime ÷ service hours), three decimals half up; 100 without hours."""
    if service_seconds <= 0:
        return Decimal("100.000")
    up = Decimal(service_seconds - downtime_seconds)
    return (HUNDRED * up / Decimal(service_seconds)).quantize(THREE_PLACES, rounding=ROUND_HALF_UP)


def hhmm(seconds: int | None) -> str:
    """Seconds as hours:minutes (rounded to the minute), for reading."""
    if seconds is None:
        return "–"
    minutes = round(seconds / 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


@dataclass
class OutageLine:
    outage_id: int
    description: str
    started_at: datetime.datetime
    ended_at: datetime.datetime | None
    planned: bool
    announced_at: datetime.datetime | None
    reason: str
    downtime_seconds: int  # inside service hours and the month, this outage alone

    @property
    def downtime_hhmm(self) -> str:
        return hhmm(self.downtime_seconds)

    @property
    def counted(self) -> bool:
        return self.reason != PLANNED_IN_TIME

    @property
    def reason_label(self) -> str:
        return outage_reason_label(self.reason)


@dataclass
class ServiceFigures:
    service_id: int
    service_name: str
    target: Decimal
    calendar_name: str
    service_seconds: int
    downtime_seconds: int
    availability: Decimal
    credit_percent: Decimal | None  # None in a combined period
    outages: list[OutageLine] = field(default_factory=list)

    @property
    def service_hhmm(self) -> str:
        return hhmm(self.service_seconds)

    @property
    def downtime_hhmm(self) -> str:
        return hhmm(self.downtime_seconds)

    @property
    def no_service_hours(self) -> bool:
        return self.service_seconds <= 0

    @property
    def shortfall(self) -> Decimal:
        return max(Decimal("0.000"), self.target - self.availability)

    @property
    def met(self) -> bool:
        return self.availability >= self.target


@dataclass
class PriorityFigures:
    priority: int
    incidents: int = 0
    response: dict[str, int] = field(default_factory=lambda: {MET: 0, BREACHED: 0, OPEN: 0})
    resolution: dict[str, int] = field(default_factory=lambda: {MET: 0, BREACHED: 0, OPEN: 0})

    @property
    def label(self) -> str:
        return Priority(self.priority).label

    @property
    def response_percent(self) -> Decimal | None:
        return percent(self.response[MET], self.response[MET] + self.response[BREACHED])

    @property
    def resolution_percent(self) -> Decimal | None:
        return percent(self.resolution[MET], self.resolution[MET] + self.resolution[BREACHED])

    def add(self, other: PriorityFigures) -> None:
        self.incidents += other.incidents
        for key in (MET, BREACHED, OPEN):
            self.response[key] += other.response[key]
            self.resolution[key] += other.resolution[key]


@dataclass
class Breach:
    incident_id: int
    number: str
    service_name: str
    priority: int
    kind: str  # "response" or "resolution"
    opened_at: datetime.datetime
    due_at: datetime.datetime | None
    actual_at: datetime.datetime | None  # None: not yet, at the cut-off
    target_seconds: int
    over_seconds: int  # business seconds beyond the target

    @property
    def over_hhmm(self) -> str:
        return hhmm(self.over_seconds)

    @property
    def kind_label(self) -> str:
        return _("response") if self.kind == "response" else _("resolution")


@dataclass
class NotMeasured:
    incident_id: int
    number: str
    priority: int
    opened_at: datetime.datetime
    reason: str

    @property
    def reason_label(self) -> str:
        return not_measured_label(self.reason)


@dataclass
class MonthReport:
    """One municipality's figures for a month, or for several combined (``combine``)."""

    municipality_id: int
    municipality_name: str
    start_month: datetime.date
    end_month: datetime.date  # the last month included (== start_month for one month)
    cutoff: datetime.datetime
    agreement_name: str = ""
    services: list[ServiceFigures] = field(default_factory=list)
    priorities: dict[int, PriorityFigures] = field(
        default_factory=lambda: {p: PriorityFigures(p) for p in PRIORITIES}
    )
    breaches: list[Breach] = field(default_factory=list)
    not_measured: list[NotMeasured] = field(default_factory=list)

    @property
    def month(self) -> datetime.date:
        return self.start_month

    @property
    def complete(self) -> bool:
        """Whether the period is over (the cut-off is its end)."""
        return self.cutoff >= month_start(next_month(self.end_month))

    @property
    def incidents(self) -> int:
        return sum(p.incidents for p in self.priorities.values()) + len(self.not_measured)

    @property
    def credits(self) -> list[ServiceFigures]:
        return [s for s in self.services if s.credit_percent]

    @property
    def total(self) -> PriorityFigures:
        total = PriorityFigures(0)
        for figures in self.priorities.values():
            total.add(figures)
        return total

    @property
    def resolution_percent(self) -> Decimal | None:
        return self.total.resolution_percent


# ---------------------------------------------------------------------------------------
# Incidents


def _instant(value) -> datetime.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        try:
            moment = datetime.datetime.fromisoformat(str(value))
        except ValueError:
            return None
    if moment.tzinfo is None:
        return to_aware(moment, report_zone())
    return moment


def pauses_of(
    raw, reasons: frozenset[str]
) -> list[tuple[datetime.datetime, datetime.datetime | None]]:
    """The stored ``[reason, start, end]`` pauses whose reason pauses the clock, as
    intervals (end None: still paused). Malformed ones are ignored."""
    found = []
    for pause in raw or ():
        if not isinstance(pause, list | tuple) or len(pause) != 3 or pause[0] not in reasons:
            continue
        start = _instant(pause[1])
        if start is None:
            continue
        found.append((start, _instant(pause[2])))
    return found


def _due(calendar, opened, target: int, pauses) -> datetime.datetime:
    """The instant ``target`` business seconds outside the pauses have run from ``opened``:
    walk the (merged) pauses in order, spending the target on the open time between them."""
    remaining, moment = target, opened
    merged: list[list[datetime.datetime]] = []
    for lo, hi in sorted((max(lo, opened), hi) for lo, hi in pauses if hi > opened):
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    for lo, hi in merged:
        if lo > moment:
            available = business_seconds(calendar, moment, lo)
            if remaining <= available:
                return due_at(calendar, moment, remaining)
            remaining -= available
        moment = max(moment, hi)
    return due_at(calendar, moment, remaining)


def measure(
    terms: PriorityTerms,
    *,
    kind: str,
    opened: datetime.datetime,
    finished: datetime.datetime | None,
    pauses,
    cutoff: datetime.datetime,
) -> tuple[str, datetime.datetime, int, int]:
    """(met/breached/open, due, elapsed business seconds, target seconds) of one target."""
    calendar = terms.calendar
    target = (terms.response_minutes if kind == "response" else terms.resolution_minutes) * 60
    end = finished if finished is not None else max(cutoff, opened)
    closed = [(a, b if b is not None else end) for a, b in pauses]
    if closed:
        elapsed = business_seconds_excluding(calendar, opened, end, closed)
    else:
        elapsed = business_seconds(calendar, opened, end)
    try:
        due = _due(calendar, opened, target, closed)
    except ValueError:  # a calendar that never opens again: never due
        due = None
    if elapsed > target:
        return BREACHED, due, elapsed, target
    return (MET if finished is not None else OPEN), due, elapsed, target


INCIDENT_FIELDS = (
    "id",
    "number",
    "municipality_id",
    "service_id",
    "priority",
    "state",
    "opened_at",
    "responded_at",
    "resolved_at",
    "closed_at",
    "pauses",
)


def _measure_incident(report: MonthReport, row, terms: LevelTerms | None, cutoff) -> None:
    (pk, number, _mid, service_id, priority, state, opened, responded, resolved, closed, raw) = row
    reason = None
    if state == IncidentState.CANCELLED:
        reason = CANCELLED
    elif service_id is None:
        reason = NO_SERVICE
    elif terms is None:
        reason = NO_LEVEL
    elif priority not in terms.priorities:
        reason = NO_TARGET
    if reason is not None:
        report.not_measured.append(NotMeasured(pk, number, priority, opened, reason))
        return
    target_terms = terms.priorities[priority]
    pauses = pauses_of(raw, terms.pausing_reasons)
    figures = report.priorities[priority]
    figures.incidents += 1
    resolution_end = resolved or closed
    for kind, finished, counts in (
        ("response", responded or resolution_end, figures.response),
        ("resolution", resolution_end, figures.resolution),
    ):
        outcome, due, elapsed, target = measure(
            target_terms, kind=kind, opened=opened, finished=finished, pauses=pauses, cutoff=cutoff
        )
        counts[outcome] += 1
        if outcome == BREACHED:
            report.breaches.append(
                Breach(
                    incident_id=pk,
                    number=number,
                    service_name=terms.service_name,
                    priority=priority,
                    kind=kind,
                    opened_at=opened,
                    due_at=due,
                    actual_at=finished,
                    target_seconds=target,
                    over_seconds=elapsed - target,
                )
            )


# ---------------------------------------------------------------------------------------
# Outages


def outage_reason(row, notice_days: int) -> str:
    _pk, _service, _all, started, _ended, planned, announced, _description = row
    if not planned:
        return UNPLANNED
    if announced is None:
        return PLANNED_UNANNOUNCED
    if announced <= started - datetime.timedelta(days=notice_days):
        return PLANNED_IN_TIME
    return PLANNED_LATE


OUTAGE_FIELDS = (
    "id",
    "service_id",
    "all_municipalities",
    "started_at",
    "ended_at",
    "planned",
    "announced_at",
    "description",
)


def _availability(terms: LevelTerms, outages, start, cutoff, *, detail: bool) -> ServiceFigures:
    calendar = terms.calendar
    service_seconds = business_seconds(calendar, start, cutoff) if cutoff > start else 0
    counted, lines = [], []
    for row in outages:
        reason = outage_reason(row, terms.maintenance_notice_days)
        interval = (row[3], row[4] if row[4] is not None else cutoff)
        if reason != PLANNED_IN_TIME:
            counted.append(interval)
        if detail:
            lines.append(
                OutageLine(
                    outage_id=row[0],
                    description=row[7],
                    started_at=row[3],
                    ended_at=row[4],
                    planned=row[5],
                    announced_at=row[6],
                    reason=reason,
                    downtime_seconds=overlap_seconds(calendar, start, cutoff, [interval])
                    if cutoff > start
                    else 0,
                )
            )
    downtime = (
        overlap_seconds(calendar, start, cutoff, counted) if counted and cutoff > start else 0
    )
    availability = availability_of(service_seconds, downtime)
    figures = ServiceFigures(
        service_id=terms.service_id,
        service_name=terms.service_name,
        target=terms.availability_target,
        calendar_name=terms.calendar_name,
        service_seconds=service_seconds,
        downtime_seconds=downtime,
        availability=availability,
        credit_percent=None,
        outages=lines,
    )
    figures.credit_percent = (
        Decimal("0") if figures.no_service_hours else terms.credit_percent(figures.shortfall)
    )
    return figures


# ---------------------------------------------------------------------------------------
# The computation


def outages_overlapping(start: datetime.datetime, end: datetime.datetime):
    """The outages that were (or still are) on at some instant of [start, end)."""
    return Outage.objects.filter(started_at__lt=end).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=start)
    )


def compute_range(
    start_month: datetime.date,
    end_month: datetime.date,
    *,
    municipality_ids: Iterable[int] | None = None,
    now: datetime.datetime | None = None,
    detail: bool = True,
    incidents: bool = True,
    service_ids: Iterable[int] | None = None,
) -> dict[datetime.date, dict[int, MonthReport]]:
    """month → municipality id → MonthReport, for every month from ``start_month`` to
    ``end_month`` (both included), in a fixed number of queries. ``municipality_ids``
    None: every municipality. ``detail`` False leaves out the per-outage lines (a trend
    needs only the figures); ``incidents`` False measures availability only (the home
    page's breach notification: no incident query, no incident measured, no priority
    target loaded). ``service_ids`` measures only those services (None: all)."""
    months = months_between(first_of_month(start_month), first_of_month(end_month))
    if not months:
        return {}
    now = now or timezone.now()
    ids = None if municipality_ids is None else sorted(set(municipality_ids))
    municipalities = Municipality.objects.order_by("name")
    if ids is not None:
        municipalities = municipalities.filter(pk__in=ids)
    names = dict(municipalities.values_list("pk", "name"))
    first_day, after = months[0], next_month(months[-1])
    range_start, range_end = month_start(first_day), month_start(after)
    book = LevelBook(
        start=first_day,
        end=after,
        municipality_ids=ids,
        service_ids=service_ids,
        priorities=incidents,
    )

    rows = Incident.objects.filter(opened_at__gte=range_start, opened_at__lt=range_end)
    if ids is not None:
        rows = rows.filter(municipality_id__in=ids)
    by_month_municipality = defaultdict(list)
    bounds = [(m, month_start(m)) for m in months] + [(after, range_end)]
    rows = rows.order_by("opened_at", "id").values_list(*INCIDENT_FIELDS) if incidents else ()
    for row in rows:
        opened = row[6]
        # months are few: a linear scan from the end is cheap and exact
        for index in range(len(months) - 1, -1, -1):
            if opened >= bounds[index][1]:
                by_month_municipality[(months[index], row[2])].append(row)
                break

    outages = list(
        outages_overlapping(range_start, range_end)
        .order_by("started_at", "id")
        .values_list(*OUTAGE_FIELDS)
    )
    affected = defaultdict(set)
    partial = [row[0] for row in outages if not row[2]]
    if partial:
        through = Outage.municipalities.through.objects.filter(outage_id__in=partial)
        for outage_id, municipality_id in through.values_list("outage_id", "municipality_id"):
            affected[outage_id].add(municipality_id)
    by_service = defaultdict(list)
    for row in outages:
        by_service[row[1]].append(row)

    result: dict[datetime.date, dict[int, MonthReport]] = {}
    for index, month in enumerate(months):
        start, end = bounds[index][1], bounds[index + 1][1]
        cutoff = min(end, max(now, start))
        levels = book.in_force(month, next_month(month))
        per_municipality = defaultdict(list)
        for (mid, _sid), terms in levels.items():
            per_municipality[mid].append(terms)
        reports = {}
        for mid, name in names.items():
            agreement = book.agreement_for(mid, month, next_month(month))
            report = MonthReport(
                municipality_id=mid,
                municipality_name=name,
                start_month=month,
                end_month=month,
                cutoff=cutoff,
                agreement_name=agreement.name if agreement else "",
            )
            for terms in sorted(per_municipality.get(mid, []), key=lambda t: t.service_name):
                concerning = [
                    row
                    for row in by_service.get(terms.service_id, ())
                    if row[3] < cutoff
                    and (row[4] is None or row[4] > start)
                    and (row[2] or mid in affected.get(row[0], ()))
                ]
                report.services.append(
                    _availability(terms, concerning, start, cutoff, detail=detail)
                )
            for row in by_month_municipality.get((month, mid), ()):
                _measure_incident(report, row, levels.get((mid, row[3])), cutoff)
            report.breaches.sort(key=lambda b: (b.opened_at, b.number, b.kind != "response"))
            reports[mid] = report
        result[month] = reports
    return result


def compute_month(
    *,
    month: datetime.date,
    municipality_ids: Iterable[int] | None = None,
    now: datetime.datetime | None = None,
) -> dict[int, MonthReport]:
    """municipality id → its report for ``month`` (any day of it)."""
    month = first_of_month(month)
    return compute_range(month, month, municipality_ids=municipality_ids, now=now)[month]


def combine(reports: list[MonthReport]) -> MonthReport:
    """Several months of one municipality as one period (year to date): service hours and
    downtime summed per service, availability recomputed from the sums (not an average of
    percentages), incidents and breaches added up. No credits: those are per month."""
    first, last = reports[0], reports[-1]
    period = MonthReport(
        municipality_id=first.municipality_id,
        municipality_name=first.municipality_name,
        start_month=first.start_month,
        end_month=last.end_month,
        cutoff=last.cutoff,
        agreement_name=last.agreement_name,
    )
    services: dict[int, ServiceFigures] = {}
    for report in reports:
        for s in report.services:
            total = services.get(s.service_id)
            if total is None:
                services[s.service_id] = ServiceFigures(
                    s.service_id,
                    s.service_name,
                    s.target,
                    s.calendar_name,
                    0,
                    0,
                    s.availability,
                    None,
                )
                total = services[s.service_id]
            total.target, total.calendar_name = s.target, s.calendar_name
            total.service_seconds += s.service_seconds
            total.downtime_seconds += s.downtime_seconds
            total.outages.extend(s.outages)
        for p, figures in report.priorities.items():
            period.priorities[p].add(figures)
        period.breaches.extend(report.breaches)
        period.not_measured.extend(report.not_measured)
    for total in services.values():
        total.availability = availability_of(total.service_seconds, total.downtime_seconds)
    period.services = sorted(services.values(), key=lambda s: s.service_name)
    return period
