"""The service levels in force, read for a period: per municipality and service, what was
promised (availability target, service hours, response and resolution targets per
priority, credit rules, the agreement's maintenance notice and pausing reasons), with each
service-hours calendar converted to a ``samdrift.businesstime.Calendar``.

Read side only, in a fixed number of queries whatever the number of municipalities,
services and calendars (agreements, levels, targets, credit rules, calendar hours and
calendar days: one query each). The SLA report (``servicedesk.sla``) measures against it.

Which agreement counts when more than one overlaps a period (a municipality has at most one
in force on a day, so two can only meet inside the period when one ends and the next
starts): **the one in force on the period's first day**; when none is, the one that starts
**latest** inside the period (the one in force at its end). A month is therefore measured
against one agreement only, never a mix.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from samdrift.agreements.models import ServiceAgreement
from samdrift.agreements.service_levels import (
    CalendarDay,
    CalendarHours,
    CreditRule,
    PriorityTarget,
    ServiceCalendar,
    ServiceLevel,
    credit_percent,
    minute_of_day,
)
from samdrift.businesstime import Calendar

PAUSE_AWAITING_USER = "awaiting_user"
PAUSE_AWAITING_VENDOR = "awaiting_vendor"


@dataclass(frozen=True)
class CreditStep:
    """One credit rule, as ``credit_percent`` reads it."""

    shortfall_up_to: Decimal | None
    percent: Decimal


@dataclass(frozen=True)
class PriorityTerms:
    priority: int
    response_minutes: int
    resolution_minutes: int
    calendar: Calendar
    calendar_id: int
    calendar_name: str


@dataclass(frozen=True)
class LevelTerms:
    """What one municipality was promised for one service in a period."""

    level_id: int
    agreement_id: int
    agreement_name: str
    municipality_id: int
    service_id: int
    service_name: str
    availability_target: Decimal
    calendar: Calendar
    calendar_id: int
    calendar_name: str
    priorities: dict[int, PriorityTerms] = field(default_factory=dict)
    credit_rules: tuple[CreditStep, ...] = ()
    maintenance_notice_days: int = 0
    pausing_reasons: frozenset[str] = frozenset()

    def credit_percent(self, shortfall: Decimal) -> Decimal:
        return credit_percent(self.credit_rules, shortfall)


def _calendar_of(record: ServiceCalendar, hours, days) -> Calendar:
    weekly = {
        h.weekday: (minute_of_day(h.opens), minute_of_day(h.closes, closing=True)) for h in hours
    }
    exceptions = {
        d.date: None
        if d.opens is None or d.closes is None
        else (minute_of_day(d.opens), minute_of_day(d.closes, closing=True))
        for d in days
    }
    return Calendar(
        weekly=weekly,
        timezone=record.timezone,
        always_open=record.always_open,
        public_holidays_closed=record.public_holidays_closed,
        exceptions=exceptions,
    )


def calendars_by_id(ids: Iterable[int]) -> dict[int, tuple[str, Calendar]]:
    """The calendars with those ids as (name, businesstime.Calendar); three queries."""
    ids = set(ids)
    if not ids:
        return {}
    hours, days = defaultdict(list), defaultdict(list)
    for h in CalendarHours.objects.filter(calendar_id__in=ids).order_by():
        hours[h.calendar_id].append(h)
    for d in CalendarDay.objects.filter(calendar_id__in=ids).order_by():
        days[d.calendar_id].append(d)
    return {
        record.pk: (record.name, _calendar_of(record, hours[record.pk], days[record.pk]))
        for record in ServiceCalendar.objects.filter(pk__in=ids).order_by()
    }


def _pausing(agreement: ServiceAgreement) -> frozenset[str]:
    reasons = set()
    if agreement.pause_awaiting_user:
        reasons.add(PAUSE_AWAITING_USER)
    if agreement.pause_awaiting_vendor:
        reasons.add(PAUSE_AWAITING_VENDOR)
    return frozenset(reasons)


def _chosen(agreements: list[ServiceAgreement], start: datetime.date, end: datetime.date):
    """The agreement that counts for [start, end) among a municipality's (module doc)."""
    overlapping = [
        a for a in agreements if a.valid_from < end and (a.valid_to is None or a.valid_to > start)
    ]
    if not overlapping:
        return None
    for agreement in overlapping:
        if agreement.valid_from <= start:
            return agreement
    return max(overlapping, key=lambda a: a.valid_from)


class LevelBook:
    """Every service level of the agreements overlapping [start, end), loaded once; the
    levels in force for any sub-period (a month of a year) picked in Python.

    ``service_ids`` loads only those services' levels, and ``priorities`` False leaves out
    the priority targets: a check of availability alone for the services that had an
    outage (the home page's breach notification) then loads a handful of rows instead
    of every level of every member."""

    def __init__(
        self,
        *,
        start: datetime.date,
        end: datetime.date,
        municipality_ids=None,
        service_ids=None,
        priorities: bool = True,
    ):
        agreements = ServiceAgreement.objects.filter(valid_from__lt=end).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=start)
        )
        if municipality_ids is not None:
            agreements = agreements.filter(municipality_id__in=list(municipality_ids))
        self.agreements: dict[int, list[ServiceAgreement]] = defaultdict(list)
        by_id = {}
        for agreement in agreements.order_by("municipality_id", "valid_from"):
            self.agreements[agreement.municipality_id].append(agreement)
            by_id[agreement.pk] = agreement
        # Rows as tuples, not model instances: the home page's breach check reads
        # hundreds of levels and credit rules on every request.
        levels = ServiceLevel.objects.filter(agreement_id__in=list(by_id))
        if service_ids is not None:
            levels = levels.filter(service_id__in=list(service_ids))
        levels = list(
            levels.order_by("agreement_id", "service__name").values_list(
                "pk",
                "agreement_id",
                "service_id",
                "service__name",
                "availability_target",
                "calendar_id",
            )
        )
        level_ids = [row[0] for row in levels]
        targets = defaultdict(list)
        if priorities:
            for row in (
                PriorityTarget.objects.filter(service_level_id__in=level_ids)
                .order_by()
                .values_list(
                    "service_level_id",
                    "priority",
                    "response_minutes",
                    "resolution_minutes",
                    "calendar_id",
                )
            ):
                targets[row[0]].append(row[1:])
        rules = defaultdict(list)
        for level_id, up_to, percent in (
            CreditRule.objects.filter(service_level_id__in=level_ids)
            .order_by()
            .values_list("service_level_id", "shortfall_up_to", "percent")
        ):
            rules[level_id].append(CreditStep(shortfall_up_to=up_to, percent=percent))
        calendar_ids = {row[5] for row in levels} | {
            calendar_id for ts in targets.values() for *_t, calendar_id in ts if calendar_id
        }
        calendars = calendars_by_id(calendar_ids)
        self.levels: dict[int, list[LevelTerms]] = defaultdict(list)
        for level_id, agreement_id, service_id, service_name, target, calendar_id in levels:
            agreement = by_id[agreement_id]
            name, calendar = calendars[calendar_id]
            priorities_of = {}
            for priority, response, resolution, own_calendar_id in targets[level_id]:
                own = own_calendar_id or calendar_id
                own_name, own_calendar = calendars[own]
                priorities_of[priority] = PriorityTerms(
                    priority=priority,
                    response_minutes=response,
                    resolution_minutes=resolution,
                    calendar=own_calendar,
                    calendar_id=own,
                    calendar_name=own_name,
                )
            self.levels[agreement.pk].append(
                LevelTerms(
                    level_id=level_id,
                    agreement_id=agreement.pk,
                    agreement_name=agreement.name,
                    municipality_id=agreement.municipality_id,
                    service_id=service_id,
                    service_name=service_name,
                    availability_target=target,
                    calendar=calendar,
                    calendar_id=calendar_id,
                    calendar_name=name,
                    priorities=dict(sorted(priorities_of.items())),
                    credit_rules=tuple(
                        sorted(
                            rules[level_id],
                            key=lambda r: (r.shortfall_up_to is None, r.shortfall_up_to or 0),
                        )
                    ),
                    maintenance_notice_days=agreement.maintenance_notice_days,
                    pausing_reasons=_pausing(agreement),
                )
            )

    def agreement_for(self, municipality_id: int, start: datetime.date, end: datetime.date):
        return _chosen(self.agreements.get(municipality_id, []), start, end)

    def in_force(
        self, start: datetime.date, end: datetime.date
    ) -> dict[tuple[int, int], LevelTerms]:
        found = {}
        for municipality_id, agreements in self.agreements.items():
            agreement = _chosen(agreements, start, end)
            if agreement is None:
                continue
            for terms in self.levels.get(agreement.pk, []):
                found[(municipality_id, terms.service_id)] = terms
        return found


def service_levels_for(
    *, start: datetime.date, end: datetime.date, municipality_ids=None
) -> dict[tuple[int, int], LevelTerms]:
    """(municipality id, service id) → the level in force over [start, end) (module doc
    for which agreement counts). Municipalities without an agreement, and services without
    a level, are absent."""
    return LevelBook(start=start, end=end, municipality_ids=municipality_ids).in_force(start, end)
