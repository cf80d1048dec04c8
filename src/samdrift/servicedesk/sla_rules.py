"""The SLA report's rules applied one at a time: an incident against the target of its
priority (pauses, due instants, met / breached / open), a service's outages against its
service hours (which count, the downtime, the availability and its credit), and the
report's shape (``MonthReport`` and its parts) with the labels and arithmetic its pages
and exports share.

Why a module of its own: these are the rules the SLA report states (in full in
``servicedesk.sla``) and the hand-worked tests check, one incident or outage at a time,
with no query; the computation over months and municipalities that loads the rows and
applies them is ``servicedesk.sla_range``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from samdrift.agreements.levels import LevelTerms, PriorityTerms
from samdrift.businesstime import (
    business_seconds,
    business_seconds_excluding,
    due_at,
    overlap_seconds,
    to_aware,
)
from samdrift.servicedesk.choices import IncidentState, Priority
from samdrift.servicedesk.sla_months import month_start, next_month, report_zone

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


def measure_incident(report: MonthReport, row, terms: LevelTerms | None, cutoff) -> None:
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


def measure_availability(
    terms: LevelTerms, outages, start, cutoff, *, detail: bool
) -> ServiceFigures:
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
