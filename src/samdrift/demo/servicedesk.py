"""Demo step "servicedesk": service levels, a year of incidents and outages, source mappings.

- Three service-hours calendars: **Kontortid** (Monday–Friday 07:30–16:00 Europe/Oslo,
  public holidays closed; 24 and 31 December closed, 23 December and Holy Wednesday
  07:30–12:00, for every year the demo covers), **Utvidet** (every day 07:00–22:00) and
  **Døgnåpen** (24/7).
- A service agreement per municipality (from 1 January of the year the incident window
  starts), with a service level for each service it takes throughout the window (a
  handful: workplaces and network 99.9 % around the clock, the applications 99.5 or 99.0 %
  in office hours or extended hours), priority targets (P1 30 min / 4 h around the clock;
  P2 1 h / 8 h, P3 4 h / 3 business days, P4 8 h / 10 business days in office hours), credit
  rules (5 % up to 0.5 points short, 10 % beyond) and five days' notice for maintenance.
- Twelve months of incidents up to the last full month, scaled with the persons: P4 ≫ P1,
  opened mostly in office hours, first response and resolution drawn in business time of
  the priority's calendar (``samdrift.businesstime``) so that most meet their targets and a
  few breach; some wait for the user (a pause). ServiceNow numbers ``INC00…``, one member
  on TOPdesk.
- Outages, a few a month: announced maintenance (no downtime), one maintenance announced
  only two days before (counts), unplanned ones of 20 min–3 h kept within the targets —
  except two on purpose: one member's case system last month (its availability falls short
  → a credit once the month is approved) and one network outage seven months back.
- Source mappings for the ServiceNow company and TOPdesk caller-organisation values, and
  each source's categories → services.

The last three full months' SLA reports are approved by ``approve_demo_months``; it runs
before the billing step, so the credit of last month lands on this month's invoice
(billing rates a month with the credits of approved reports of the months before it).
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.easter import easter
from django.db.models import Q

from samdrift.agreements.models import (
    CalendarDay,
    CalendarHours,
    CreditRule,
    PriorityTarget,
    ServiceAgreement,
    ServiceCalendar,
    ServiceLevel,
)
from samdrift.agreements.services import create_agreement
from samdrift.businesstime import Calendar, business_seconds, due_at, to_aware
from samdrift.core.bulk import insert_objects
from samdrift.core.changelog import record_bulk_changes
from samdrift.core.choices import ChangeAction
from samdrift.demo.context import DemoContext
from samdrift.finance.depreciation import add_months
from samdrift.inventory.models import Subscription
from samdrift.servicedesk.choices import IncidentSource, IncidentState, MappedColumn, PauseReason
from samdrift.servicedesk.models import Incident, Outage, SourceMapping
from samdrift.servicedesk.services.reports import approve_month

D = Decimal
UTC = datetime.UTC
ZONE = "Europe/Oslo"
OSLO = ZoneInfo(ZONE)
MONTHS = 12

OFFICE, EXTENDED, ALWAYS = "Kontortid", "Utvidet", "Døgnåpen"
OFFICE_HOURS = (7 * 60 + 30, 16 * 60)  # 07:30–16:00
SHORT_DAY = (7 * 60 + 30, 12 * 60)  # 07:30–12:00
EXTENDED_HOURS = (7 * 60, 22 * 60)  # 07:00–22:00
BUSINESS_DAY_MINUTES = OFFICE_HOURS[1] - OFFICE_HOURS[0]  # 8.5 h = 510 min

# Service code: availability target, its calendar, what the level covers.
LEVELS: dict[str, tuple[Decimal, str, str]] = {
    "user-workplace": (D("99.9"), ALWAYS, "E-post, pålogging og kontorstøtte"),
    "network-site": (D("99.9"), ALWAYS, "Linje, brannmur og trådløst nett"),
    "pupil-account": (D("99.5"), EXTENDED, "Feide-pålogging og læringsplattform"),
    "app-case": (D("99.5"), OFFICE, "Sak og arkiv"),
    "app-hr": (D("99.0"), OFFICE, "HR, lønn og timeregistrering"),
    "app-ehr": (D("99.5"), EXTENDED, "Pasientjournal og integrasjoner"),
    "app-school": (D("99.0"), OFFICE, "Skoleadministrasjon"),
}
# Priority: response minutes, resolution minutes, the calendar both run on.
TARGETS: dict[int, tuple[int, int, str]] = {
    1: (30, 4 * 60, ALWAYS),
    2: (60, 8 * 60, OFFICE),
    3: (4 * 60, 3 * BUSINESS_DAY_MINUTES, OFFICE),
    4: (8 * 60, 10 * BUSINESS_DAY_MINUTES, OFFICE),
}
# (shortfall up to, percent credited); None: any larger shortfall.
CREDIT_RULES: tuple[tuple[Decimal | None, Decimal], ...] = ((D("0.5"), D("5")), (None, D("10")))
NOTICE_DAYS = 5  # the agreements' default maintenance_notice_days

# Incidents a month per person (employees, pupils and politicians alike), and by season.
INCIDENT_RATE = 0.015
MIN_PER_MONTH = 6
SEASON = {1: 1.15, 7: 0.5, 8: 1.3, 12: 0.8}
PRIORITY_WEIGHTS = {1: 1, 2: 7, 3: 30, 4: 62}
IN_OFFICE_HOURS = 0.85
RESPONSE_BREACHES = 0.05
RESOLUTION_BREACHES = 0.07
PAUSED = {1: 0.0, 2: 0.05, 3: 0.15, 4: 0.2}
NO_SERVICE = 0.03
SERVICE_WEIGHTS = {
    "user-workplace": 45,
    "network-site": 12,
    "pupil-account": 12,
    "app-case": 10,
    "app-ehr": 8,
    "app-school": 7,
    "app-hr": 6,
}
# Category (as the service desks file it) and a few titles per service.
TOPICS: dict[str, tuple[str, tuple[str, ...]]] = {
    "user-workplace": (
        "Arbeidsplass",
        (
            "Får ikke logget inn på PC",
            "Outlook synkroniserer ikke",
            "Passord utløpt",
            "Teams-møte uten lyd",
            "Skriver mangler på PC",
            "OneDrive synkroniserer ikke",
            "Ny PC trenger oppsett",
            "Delt postboks mangler",
        ),
    ),
    "network-site": (
        "Nettverk",
        (
            "Trådløst nett faller ut",
            "Tregt nett på skolen",
            "VPN kobler ikke til",
            "Nettverkspunkt virker ikke",
        ),
    ),
    "pupil-account": (
        "Skoleplattform",
        (
            "Elev får ikke logget inn med Feide",
            "Elev mangler tilgang til læringsplattform",
            "Klasse mangler i læringsplattform",
        ),
    ),
    "app-case": (
        "Sak og arkiv",
        (
            "Dokument låst i saksbehandlingssystemet",
            "Journalføring feiler",
            "Mangler tilgang til arkivdel",
            "Utsending via SvarUt feiler",
        ),
    ),
    "app-hr": (
        "HR og lønn",
        (
            "Timeliste lar seg ikke godkjenne",
            "Feil i lønnsrapport",
            "Ny ansatt mangler i HR-systemet",
        ),
    ),
    "app-ehr": (
        "Helse og omsorg",
        (
            "Pasientjournal svarer tregt",
            "Melding til fastlege ikke sendt",
            "Mobil pleie synkroniserer ikke",
        ),
    ),
    "app-school": (
        "Skoleadministrasjon",
        (
            "Karakterer lar seg ikke lagre",
            "Timeplan mangler for klasse",
            "Fravær vises ikke for foresatte",
        ),
    ),
    "": ("Annet", ("Spørsmål om bestilling", "Generell henvendelse")),
}
# The member (by index) that runs TOPdesk; the rest report through ServiceNow.
TOPDESK_MEMBER = 3

# The availability breaches put in on purpose: (months back, member index, service, local
# weekday of the month's first such business day, local start minute, minutes down).
# The first is in the last full month and is credited once the month is approved.
BREACHES = (
    (1, 1, "app-case", 1, 9 * 60 + 10, 3 * 60 + 45),  # Tuesday 09:10–12:55
    (7, 2, "network-site", 3, 1 * 60 + 20, 85),  # Thursday night 01:20–02:45
)
# Maintenance announced only two days before (it counts as downtime, within the target).
SHORT_NOTICE = (2, "app-hr", 14 * 60 + 30, 60)  # months back, service, start minute, minutes


@dataclass
class Level:
    """What the step needs of one service level while generating."""

    municipality_index: int
    municipality: Any
    code: str
    service: Any
    target: Decimal
    calendar: Calendar


@dataclass
class Plan:
    """Everything generated, before it is written."""

    incidents: list[dict] = field(default_factory=list)
    outages: list[tuple[Outage, list[int]]] = field(default_factory=list)


def generate(ctx: DemoContext) -> None:
    this_month = ctx.today.replace(day=1)
    months = [add_months(this_month, -back) for back in range(MONTHS, 0, -1)]
    calendars, rules = _calendars(ctx, months[0].year, ctx.today.year)
    levels = _service_levels(ctx, months[0], calendars, rules)
    now = to_aware(datetime.datetime.combine(ctx.today, datetime.time()), ZONE)

    plan = Plan()
    _outages(ctx, months, levels, rules, now, plan)
    for index, municipality in enumerate(ctx.municipalities):
        own = {code: level for (i, code), level in levels.items() if i == index}
        rng = ctx.rng("servicedesk", "incidents", municipality.number)
        for month in months:
            _incidents_of_month(ctx, rng, municipality, month, own, rules, now, plan)
    _write(ctx, plan)
    _source_mappings(ctx)
    approve_demo_months(ctx)


def approve_demo_months(ctx: DemoContext) -> None:
    """Approve the last three full months' SLA reports of every member, oldest first (the
    last one holds the credited breach). Runs before the billing step, so that billing this
    month's period puts last month's credit on this month's invoice."""
    this_month = ctx.today.replace(day=1)
    for back in (3, 2, 1):
        month = add_months(this_month, -back)
        for municipality in ctx.municipalities:
            approve_month(municipality=municipality, month=month)


# --- calendars and service levels ------------------------------------------------------


def special_days(first_year: int, last_year: int) -> dict[datetime.date, tuple[int, int] | None]:
    """The operator's own days in office hours: Christmas Eve and New Year's Eve closed;
    23 December and Holy Wednesday (the Wednesday before Easter) until 12:00."""
    days: dict[datetime.date, tuple[int, int] | None] = {}
    for year in range(first_year, last_year + 1):
        days[easter(year) - datetime.timedelta(days=4)] = SHORT_DAY
        days[datetime.date(year, 12, 23)] = SHORT_DAY
        days[datetime.date(year, 12, 24)] = None
        days[datetime.date(year, 12, 31)] = None
    return dict(sorted(days.items()))


def _calendars(
    ctx: DemoContext, first_year: int, last_year: int
) -> tuple[dict[str, ServiceCalendar], dict[str, Calendar]]:
    """The three calendars, stored, and the same as ``businesstime`` calendars."""
    office_days = special_days(first_year, last_year)
    specs = {
        OFFICE: (
            "Mandag–fredag 07:30–16:00, stengt helligdager, julaften og nyttårsaften",
            dict.fromkeys(range(5), OFFICE_HOURS),
            False,
            True,
            office_days,
        ),
        EXTENDED: (
            "Alle dager 07:00–22:00",
            dict.fromkeys(range(7), EXTENDED_HOURS),
            False,
            False,
            {},
        ),
        ALWAYS: ("Hele døgnet, alle dager", {}, True, False, {}),
    }
    stored: dict[str, ServiceCalendar] = {}
    hours: list[CalendarHours] = []
    days: list[CalendarDay] = []
    rules: dict[str, Calendar] = {}
    for name, (description, weekly, always, holidays_closed, exceptions) in specs.items():
        stored[name] = ServiceCalendar(
            name=name,
            timezone=ZONE,
            always_open=always,
            public_holidays_closed=holidays_closed,
            description=description,
        )
        rules[name] = (
            Calendar.around_the_clock(ZONE)
            if always
            else Calendar(
                weekly=weekly,
                timezone=ZONE,
                public_holidays_closed=holidays_closed,
                exceptions=exceptions,
            )
        )
    ServiceCalendar.objects.bulk_create(list(stored.values()))
    for name, (_description, weekly, _always, _closed, exceptions) in specs.items():
        calendar = stored[name]
        hours += [
            CalendarHours(
                calendar=calendar, weekday=weekday, opens=_time(opens), closes=_time(closes)
            )
            for weekday, (opens, closes) in weekly.items()
        ]
        for day, window in exceptions.items():
            note = "Stengt" if window is None else "Kortdag"
            days.append(
                CalendarDay(
                    calendar=calendar,
                    date=day,
                    opens=None if window is None else _time(window[0]),
                    closes=None if window is None else _time(window[1]),
                    note=note,
                )
            )
    CalendarHours.objects.bulk_create(hours)
    CalendarDay.objects.bulk_create(days)
    for model, rows in (
        (ServiceCalendar, list(stored.values())),
        (CalendarHours, hours),
        (CalendarDay, days),
    ):
        record_bulk_changes(rows, action=ChangeAction.CREATE)
        ctx.counts[model._meta.label] += len(rows)
    return stored, rules


def _time(minute: int) -> datetime.time:
    return datetime.time(minute // 60 % 24, minute % 60)


def _service_levels(
    ctx: DemoContext,
    window_start: datetime.date,
    calendars: dict[str, ServiceCalendar],
    rules: dict[str, Calendar],
) -> dict[tuple[int, str], Level]:
    """An agreement per member with a level for each service it takes through the window
    (an agreement in force already is reused); the levels by (member index, service)."""
    taken = set(
        Subscription.objects.filter(valid_from__lte=window_start, service__code__in=list(LEVELS))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=ctx.today))
        .values_list("municipality_id", "service__code")
        .distinct()
    )
    agreement_start = window_start.replace(month=1, day=1)
    service_levels: list[ServiceLevel] = []
    levels: dict[tuple[int, str], Level] = {}
    for index, municipality in enumerate(ctx.municipalities):
        valid_from = max(agreement_start, municipality.joined_on)
        agreement = (
            ServiceAgreement.objects.filter(municipality=municipality, valid_from__lte=valid_from)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=ctx.today))
            .first()
        )
        if agreement is None:
            agreement = create_agreement(
                municipality=municipality,
                name=f"Tjenesteavtale {municipality.name} {valid_from.year}",
                reference=f"TA-{municipality.number}-{valid_from.year}",
                valid_from=valid_from,
            )
        for code, (target, calendar_name, note) in LEVELS.items():
            if (municipality.pk, code) not in taken or code not in ctx.services:
                continue
            service_levels.append(
                ServiceLevel(
                    agreement=agreement,
                    service=ctx.services[code],
                    availability_target=target,
                    calendar=calendars[calendar_name],
                    note=note,
                )
            )
            levels[index, code] = Level(
                index, municipality, code, ctx.services[code], target, rules[calendar_name]
            )
    ServiceLevel.objects.bulk_create(service_levels)
    targets = [
        PriorityTarget(
            service_level=level,
            priority=priority,
            response_minutes=response,
            resolution_minutes=resolution,
            calendar=calendars[calendar_name],
        )
        for level in service_levels
        for priority, (response, resolution, calendar_name) in TARGETS.items()
    ]
    credit_rules = [
        CreditRule(service_level=level, shortfall_up_to=up_to, percent=percent)
        for level in service_levels
        for up_to, percent in CREDIT_RULES
    ]
    PriorityTarget.objects.bulk_create(targets)
    CreditRule.objects.bulk_create(credit_rules)
    for model, rows in (
        (ServiceLevel, service_levels),
        (PriorityTarget, targets),
        (CreditRule, credit_rules),
    ):
        record_bulk_changes(rows, action=ChangeAction.CREATE)
        ctx.counts[model._meta.label] += len(rows)
    return levels


# --- outages ---------------------------------------------------------------------------


def _local(day: datetime.date, minute: int) -> datetime.datetime:
    """The local wall time ``minute`` after midnight of ``day``, as an aware UTC instant."""
    naive = datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(minutes=minute)
    return to_aware(naive, ZONE)


def _month_end(month: datetime.date) -> datetime.date:
    return add_months(month, 1)


def _first_business_weekday(month: datetime.date, weekday: int, office: Calendar) -> datetime.date:
    """The month's first given weekday on which the office calendar is open all day."""
    day = month
    while day.weekday() != weekday or office.hours_on(day) != OFFICE_HOURS:
        day += datetime.timedelta(days=1)
    return day


class Allowance:
    """Downtime used per (member, service, month) against what the target allows, so that
    the random outages leave every month within its targets."""

    SHARE = 0.6  # random outages use at most this share of what a target allows

    def __init__(self, levels: dict[tuple[int, str], Level]) -> None:
        self.levels = levels
        self.used: dict[tuple[int, str, datetime.date], int] = defaultdict(int)
        self._allowed: dict[tuple[int, str, datetime.date], float] = {}

    def counted(self, level: Level, month: datetime.date, start, end) -> int:
        lo = max(start, _local(month, 0))
        hi = min(end, _local(_month_end(month), 0))
        return business_seconds(level.calendar, lo, hi) if lo < hi else 0

    def allowed(self, level: Level, month: datetime.date) -> float:
        key = (level.municipality_index, level.code, month)
        if key not in self._allowed:
            hours = business_seconds(level.calendar, _local(month, 0), _local(_month_end(month), 0))
            self._allowed[key] = float(hours) * float(100 - level.target) / 100
        return self._allowed[key]

    def fits(self, affected: list[Level], month: datetime.date, start, end) -> bool:
        return all(
            self.used[level.municipality_index, level.code, month]
            + self.counted(level, month, start, end)
            <= self.SHARE * self.allowed(level, month)
            for level in affected
        )

    def use(self, affected: list[Level], month: datetime.date, start, end) -> None:
        for level in affected:
            self.used[level.municipality_index, level.code, month] += self.counted(
                level, month, start, end
            )


def _outages(
    ctx: DemoContext,
    months: list[datetime.date],
    levels: dict[tuple[int, str], Level],
    rules: dict[str, Calendar],
    now: datetime.datetime,
    plan: Plan,
) -> None:
    rng = ctx.rng("servicedesk", "outages")
    office = rules[OFFICE]
    allowance = Allowance(levels)
    members = list(range(len(ctx.municipalities)))
    codes = [code for code in LEVELS if any(key[1] == code for key in levels)]
    this_month = ctx.today.replace(day=1)

    def levels_of(code: str, member_indexes: list[int]) -> list[Level]:
        return [levels[i, code] for i in member_indexes if (i, code) in levels]

    def add(code, member_indexes, start, end, *, planned, announced, description, incident):
        municipality_ids = (
            [] if member_indexes is None else [ctx.municipalities[i].pk for i in member_indexes]
        )
        outage = Outage(
            service=ctx.services[code],
            all_municipalities=member_indexes is None,
            started_at=start,
            ended_at=end,
            planned=planned,
            announced_at=announced,
            description=description,
            reference=f"DRIFT-{start:%y%m}-{len(plan.outages) + 1:03d}",
        )
        plan.outages.append((outage, municipality_ids))
        if incident:
            for level in levels_of(code, members if member_indexes is None else member_indexes):
                priority = 1 if end - start >= datetime.timedelta(hours=1) else 2
                plan.incidents.append(
                    _incident_row(
                        level.municipality,
                        level.service,
                        priority,
                        start + datetime.timedelta(minutes=rng.randint(3, 12)),
                        start + datetime.timedelta(minutes=rng.randint(14, 25)),
                        end + datetime.timedelta(minutes=rng.randint(2, 15)),
                        [],
                        f"Driftsavbrudd: {description}",
                        level.code,
                        rng,
                        now=now,
                    )
                )

    # The breaches on purpose first, so that the random outages keep clear of them.
    for back, member, code, weekday, minute, minutes in BREACHES:
        member %= len(members)
        month = add_months(this_month, -back)
        if (member, code) not in levels:
            continue
        day = _first_business_weekday(month, weekday, office)
        start = _local(day, minute)
        end = start + datetime.timedelta(minutes=minutes)
        allowance.use(levels_of(code, [member]), month, start, end)
        add(
            code,
            [member],
            start,
            end,
            planned=False,
            announced=None,
            description="Utilgjengelig (lagringsfeil)",
            incident=True,
        )
    back, code, minute, minutes = SHORT_NOTICE
    if code in codes:
        month = add_months(this_month, -back)
        day = _first_business_weekday(month, 2, office)
        start = _local(day, minute)
        end = start + datetime.timedelta(minutes=minutes)
        allowance.use(levels_of(code, members), month, start, end)
        add(
            code,
            None,
            start,
            end,
            planned=True,
            announced=start - datetime.timedelta(days=2),
            description="Hasteoppdatering (sikkerhetsfiks)",
            incident=False,
        )

    for month in months:
        last_day = _month_end(month) - datetime.timedelta(days=1)
        # Announced maintenance in the evening or on a Saturday morning: no downtime.
        for _ in range(rng.randint(1, 2)):
            code = rng.choice(codes)
            day = month + datetime.timedelta(days=rng.randrange(last_day.day))
            minute = 8 * 60 if day.weekday() == 5 else 18 * 60 + rng.choice((0, 30, 60))
            start = _local(day, minute)
            end = start + datetime.timedelta(minutes=rng.choice((60, 90, 120, 180, 240)))
            announced = start - datetime.timedelta(days=rng.randint(NOTICE_DAYS + 2, 14), hours=3)
            add(
                code,
                None,
                start,
                end,
                planned=True,
                announced=announced,
                description="Planlagt vedlikehold",
                incident=False,
            )
        # Unplanned outages, 20 min–3 h, for one or two members or everyone, within targets.
        for _ in range(rng.randint(1, 3)):
            for _attempt in range(8):
                code = rng.choice(codes)
                affected = (
                    None if rng.random() < 0.2 else rng.sample(members, rng.choice((1, 1, 2)))
                )
                day = month + datetime.timedelta(days=rng.randrange(last_day.day))
                if rng.random() < 0.6:
                    minute = rng.randint(OFFICE_HOURS[0], OFFICE_HOURS[1] - 30)
                else:
                    minute = rng.randrange(24 * 60)
                start = _local(day, minute)
                end = start + datetime.timedelta(minutes=rng.randint(20, 180))
                if end > _local(_month_end(month), 0):
                    continue
                hit = levels_of(code, members if affected is None else affected)
                if allowance.fits(hit, month, start, end):
                    allowance.use(hit, month, start, end)
                    add(
                        code,
                        affected,
                        start,
                        end,
                        planned=False,
                        announced=None,
                        description=rng.choice(FAILURES),
                        incident=True,
                    )
                    break


# The outage names its service beside the text, so the text does not repeat it.
FAILURES = (
    "Feil etter oppdatering",
    "Nettverksfeil hos leverandør",
    "Strømbrudd i datasenteret",
    "Sertifikat utløpt",
    "Full disk på server",
)


# --- incidents -------------------------------------------------------------------------


def _incidents_of_month(
    ctx: DemoContext,
    rng: random.Random,
    municipality,
    month: datetime.date,
    own: dict[str, Level],
    rules: dict[str, Calendar],
    now: datetime.datetime,
    plan: Plan,
) -> None:
    office = rules[OFFICE]
    persons = len(ctx.persons.get(municipality.pk, ()))
    count = max(MIN_PER_MONTH, round(persons * INCIDENT_RATE * SEASON.get(month.month, 1.0)))
    codes = list(own)
    weights = [SERVICE_WEIGHTS.get(code, 5) for code in codes]
    days = [month + datetime.timedelta(days=d) for d in range((_month_end(month) - month).days)]
    open_days = [day for day in days if office.hours_on(day) is not None]
    priorities, priority_weights = list(PRIORITY_WEIGHTS), list(PRIORITY_WEIGHTS.values())
    for _ in range(count):
        if open_days and rng.random() < IN_OFFICE_HOURS:
            day = rng.choice(open_days)
            opens, closes = office.hours_on(day)
            minute = int(rng.triangular(opens, closes, opens + 60))
        else:
            day = rng.choice(days)
            minute = rng.randrange(24 * 60)
        opened = _local(day, minute) + datetime.timedelta(seconds=rng.randrange(60))
        priority = rng.choices(priorities, priority_weights)[0]
        code = "" if not codes or rng.random() < NO_SERVICE else rng.choices(codes, weights)[0]
        response, resolution, calendar_name = TARGETS[priority]
        calendar = rules[calendar_name]
        response_s, resolution_s = response * 60, resolution * 60
        to_response = response_s * (
            rng.uniform(1.1, 3.0) if rng.random() < RESPONSE_BREACHES else rng.uniform(0.05, 0.9)
        )
        to_resolution = resolution_s * (
            rng.uniform(1.05, 2.0) if rng.random() < RESOLUTION_BREACHES else rng.uniform(0.1, 0.95)
        )
        to_response = int(to_response)
        to_resolution = int(max(to_resolution, to_response + 300))
        responded = due_at(calendar, opened, to_response)
        pauses = []
        if rng.random() < PAUSED[priority]:
            # Waiting for the user (now and then a vendor) after the first response: the
            # clock stops, so the resolution comes later by the pause, business time the same.
            before = to_response + int((to_resolution - to_response) * rng.uniform(0.1, 0.6))
            paused = due_at(calendar, opened, before)
            resumed = paused + datetime.timedelta(hours=rng.uniform(2, 72))
            resolved = due_at(calendar, resumed, to_resolution - before)
            reason = (
                PauseReason.AWAITING_VENDOR
                if code.startswith("app-") and rng.random() < 0.3
                else PauseReason.AWAITING_USER
            )
            pauses.append([reason, paused, resumed])
        else:
            resolved = due_at(calendar, opened, to_resolution)
        title = rng.choice(TOPICS[code][1])
        plan.incidents.append(
            _incident_row(
                municipality,
                ctx.services[code] if code else None,
                priority,
                opened,
                responded,
                resolved,
                pauses,
                title,
                code,
                rng,
                now=now,
            )
        )


def _incident_row(
    municipality,
    service,
    priority: int,
    opened: datetime.datetime,
    responded: datetime.datetime,
    resolved: datetime.datetime,
    pauses: list,
    title: str,
    code: str,
    rng: random.Random,
    *,
    now: datetime.datetime,
) -> dict:
    """An incident as it stands at ``now``: what has not happened yet is left out."""
    closed = resolved + datetime.timedelta(days=3, hours=rng.randint(0, 48))
    state = IncidentState.CLOSED
    if responded > now:
        responded = resolved = closed = None
        pauses = []
        state = IncidentState.NEW
    elif pauses and pauses[0][1] > now:
        pauses = []
        resolved = closed = None
        state = IncidentState.IN_PROGRESS
    elif pauses and pauses[0][2] > now:
        pauses[0][2] = None
        resolved = closed = None
        state = pauses[0][0]
    elif resolved > now:
        resolved = closed = None
        state = IncidentState.IN_PROGRESS
    elif closed > now:
        closed = None
        state = IncidentState.RESOLVED
    return {
        "municipality": municipality,
        "service": service,
        "priority": priority,
        "state": state,
        "opened_at": opened,
        "responded_at": responded,
        "resolved_at": resolved,
        "closed_at": closed,
        "pauses": [
            [reason, start.isoformat(), end.isoformat() if end is not None else None]
            for reason, start, end in pauses
        ],
        "title": title,
        "category": TOPICS[code][0],
        "events": 2
        + (responded is not None)
        + (resolved is not None)
        + (closed is not None)
        + 2 * len(pauses)
        + rng.randint(0, 3),
    }


# --- writing ---------------------------------------------------------------------------


def _write(ctx: DemoContext, plan: Plan) -> None:
    """Number the incidents by source in the order they were opened, and write everything."""
    topdesk = (
        ctx.municipalities[TOPDESK_MEMBER].pk if len(ctx.municipalities) > TOPDESK_MEMBER else None
    )
    rows = sorted(plan.incidents, key=lambda row: (row["opened_at"], row["municipality"].number))
    servicenow_number = 10_000
    topdesk_numbers: dict[str, int] = defaultdict(int)
    incidents: dict[int, list[Incident]] = defaultdict(list)
    for row in rows:
        municipality = row["municipality"]
        if municipality.pk == topdesk:
            local_month = f"{row['opened_at'].astimezone(OSLO):%y%m}"
            topdesk_numbers[local_month] += 1
            number = f"I{local_month} {topdesk_numbers[local_month]:04d}"
            source = IncidentSource.TOPDESK
        else:
            servicenow_number += 1
            number = f"INC{servicenow_number:07d}"
            source = IncidentSource.SERVICENOW
        incidents[municipality.pk].append(Incident(source=source, number=number, **row))
    for municipality in ctx.municipalities:
        batch = incidents.get(municipality.pk, [])
        insert_objects(batch, changelog=False)
        ctx.summary(Incident, len(batch), "incidents over twelve months", municipality)

    outages = [outage for outage, _ids in plan.outages]
    Outage.objects.bulk_create(outages)
    links = [
        Outage.municipalities.through(outage_id=outage.pk, municipality_id=municipality_id)
        for outage, municipality_ids in plan.outages
        for municipality_id in municipality_ids
    ]
    Outage.municipalities.through.objects.bulk_create(links)
    record_bulk_changes(outages, action=ChangeAction.CREATE)
    ctx.counts[Outage._meta.label] += len(outages)


def _source_mappings(ctx: DemoContext) -> None:
    """ServiceNow's company and TOPdesk's caller organisation per member, and each source's
    categories → services, as the operators would have mapped them."""
    topdesk = (
        ctx.municipalities[TOPDESK_MEMBER].pk if len(ctx.municipalities) > TOPDESK_MEMBER else None
    )
    mappings = []
    for municipality in ctx.municipalities:
        if municipality.pk == topdesk:
            source, column = IncidentSource.TOPDESK, MappedColumn.CALLER_ORGANISATION
        else:
            source, column = IncidentSource.SERVICENOW, MappedColumn.COMPANY
        mappings.append(
            SourceMapping(
                source=source,
                column=column,
                value=f"{municipality.name} kommune",
                municipality=municipality,
            )
        )
    for source in (IncidentSource.SERVICENOW, IncidentSource.TOPDESK):
        for code, (category, _titles) in TOPICS.items():
            if code and code in ctx.services:
                mappings.append(
                    SourceMapping(
                        source=source,
                        column=MappedColumn.CATEGORY,
                        value=category,
                        service=ctx.services[code],
                    )
                )
    SourceMapping.objects.bulk_create(mappings)
    record_bulk_changes(mappings, action=ChangeAction.CREATE)
    ctx.counts[SourceMapping._meta.label] += len(mappings)
