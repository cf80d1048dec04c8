"""Acceptance: the SLA figures of a month equal an independent calculation, in this test,
from the raw incidents and outages — a minute-by-minute walk over a small calendar
(Monday–Friday 08:00–16:00 Oslo, Friday 12 June 08:00–12:00; P1 around the clock),
written without ``samdrift.businesstime``."""

from __future__ import annotations

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest

from samdrift.servicedesk import sla
from tests.factories import make_municipality, make_service
from tests.servicedesk.sla_world import (
    JUNE,
    around_the_clock,
    incident,
    make_level,
    office_calendar,
    outage,
)

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
UTC = datetime.UTC
ORIGIN = datetime.datetime(2026, 5, 31, 22, 0, tzinfo=UTC)  # 1 June 00:00 Oslo
SPAN = 40 * 1440  # minutes covered by the walk: June and ten days of July
MONTH_END = 30 * 1440  # 1 July 00:00 Oslo (no DST change in June)
NOTICE_DAYS = 5
TARGETS = {1: (30, 240), 2: (60, 480), 3: (240, 1440)}


def instant(minute: int) -> datetime.datetime:
    return ORIGIN + datetime.timedelta(minutes=minute)


def minute_of(moment: datetime.datetime) -> int:
    return int((moment - ORIGIN).total_seconds() // 60)


def office_open(minute: int) -> bool:
    local = instant(minute).astimezone(OSLO)
    if local.weekday() >= 5:
        return False
    closes = 12 if local.date() == datetime.date(2026, 6, 12) else 16
    return 8 <= local.hour < closes


OFFICE = [office_open(m) for m in range(SPAN)]
CLOCK = [True] * SPAN


def walk(open_minutes, start, end, paused):
    """Minutes open and not paused in [start, end)."""
    return sum(1 for m in range(start, end) if open_minutes[m] and m not in paused)


def due_minute(open_minutes, start, target, paused):
    counted = 0
    for m in range(start, SPAN):
        if open_minutes[m] and m not in paused:
            counted += 1
            if counted == target:
                return m + 1
    raise AssertionError("not due inside the walk")


def build(seed: int):
    rng = random.Random(seed)
    m = make_municipality(name="Referansevik")
    service = make_service(name="Fagsystem")
    make_level(m, service, office_calendar(), around_the_clock(), notice_days=NOTICE_DAYS)
    incidents = []
    for n in range(40):
        priority = rng.choice([1, 2, 2, 3])
        opened = rng.randrange(0, MONTH_END)
        responded = opened + rng.randrange(0, 3 * 1440) if rng.random() < 0.9 else None
        resolved = None
        if rng.random() < 0.8:
            resolved = max(opened, responded or opened) + rng.randrange(0, 4 * 1440)
        pauses = []
        if rng.random() < 0.5:
            reason = rng.choice(["awaiting_user", "awaiting_vendor"])
            p_start = opened + rng.randrange(0, 2 * 1440)
            p_end = p_start + rng.randrange(1, 2 * 1440) if rng.random() < 0.85 else None
            pauses.append(
                [reason, instant(p_start).isoformat(), p_end and instant(p_end).isoformat()]
            )
        incidents.append(
            incident(
                m,
                service,
                f"R{n}",
                priority,
                instant(opened),
                responded_at=(responded is not None and instant(responded)) or None,
                resolved_at=(resolved is not None and instant(resolved)) or None,
                pauses=pauses,
            )
        )
    outages = []
    for n in range(12):
        start = rng.randrange(-1440, MONTH_END)
        end = start + rng.randrange(10, 2 * 1440)
        planned = rng.random() < 0.5
        announced = None
        if planned and rng.random() < 0.8:
            announced = instant(start - rng.randrange(0, 10 * 1440))
        outages.append(
            outage(
                service,
                instant(start),
                instant(end),
                planned=planned,
                announced=announced,
                text=f"U{n}",
            )
        )
    return m, incidents, outages


def reference(incidents, outages):
    """The expected figures, minute by minute."""
    down = set()
    for o in outages:
        counted = (
            not o.planned
            or o.announced_at is None
            or (o.announced_at > o.started_at - datetime.timedelta(days=NOTICE_DAYS))
        )
        if counted:
            down.update(
                range(max(0, minute_of(o.started_at)), min(MONTH_END, minute_of(o.ended_at)))
            )
    service_minutes = sum(OFFICE[:MONTH_END])
    downtime = sum(1 for m in down if OFFICE[m])
    availability = (Decimal(100) * (service_minutes - downtime) / service_minutes).quantize(
        Decimal("0.001"), rounding=ROUND_HALF_UP
    )
    counts = {p: {"response": [0, 0, 0], "resolution": [0, 0, 0]} for p in TARGETS}
    breaches = []
    for i in incidents:
        open_minutes = CLOCK if i.priority == 1 else OFFICE
        opened = minute_of(i.opened_at)
        resolved = i.resolved_at and minute_of(i.resolved_at)
        responded = minute_of(i.responded_at) if i.responded_at else resolved
        for kind, end, target in (
            ("response", responded, TARGETS[i.priority][0]),
            ("resolution", resolved, TARGETS[i.priority][1]),
        ):
            stop = end if end is not None else MONTH_END
            paused = set()
            for reason, p_start, p_end in i.pauses:
                if reason == "awaiting_user":  # the agreement pauses for the user only
                    lo = minute_of(datetime.datetime.fromisoformat(p_start))
                    hi = minute_of(datetime.datetime.fromisoformat(p_end)) if p_end else stop
                    paused.update(range(lo, hi))
            elapsed = walk(open_minutes, opened, stop, paused)
            if elapsed > target:
                outcome = 1
                due_paused = {m for m in paused if m < SPAN}
                breaches.append(
                    (
                        i.number,
                        kind,
                        instant(due_minute(open_minutes, opened, target, due_paused)),
                        (elapsed - target) * 60,
                    )
                )
            else:
                outcome = 0 if end is not None else 2
            counts[i.priority][kind][outcome] += 1
    return downtime * 60, availability, counts, sorted(breaches)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_month_equals_minute_by_minute_reference(seed):
    m, incidents, outages = build(seed)
    downtime, availability, counts, breaches = reference(incidents, outages)
    report = sla.compute_month(month=JUNE, now=datetime.datetime(2026, 9, 1, tzinfo=UTC))[m.pk]
    (service,) = report.services
    assert service.service_seconds == sum(OFFICE[:MONTH_END]) * 60
    assert service.downtime_seconds == downtime
    assert service.availability == availability
    for priority, expected in counts.items():
        figures = report.priorities[priority]
        for kind in ("response", "resolution"):
            got = getattr(figures, kind)
            assert [got["met"], got["breached"], got["open"]] == expected[kind], (priority, kind)
    got_breaches = sorted((b.number, b.kind, b.due_at, b.over_seconds) for b in report.breaches)
    assert got_breaches == breaches
