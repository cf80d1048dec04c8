"""A small, hand-worked month for the SLA report tests (June 2026, no public holidays).

Calendar "Kontor": Monday–Friday 08:00–16:00 Europe/Oslo, Friday 12 June 08:00–12:00 only.
June 2026 starts on a Monday: 22 weekdays, one of them short: 21 × 8 h + 4 h = 172 h.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from samdrift.agreements.models import ServiceAgreement
from samdrift.agreements.service_levels import (
    CalendarDay,
    CalendarHours,
    CreditRule,
    PriorityTarget,
    ServiceCalendar,
    ServiceLevel,
)
from samdrift.servicedesk.models import Incident, Outage
from tests.factories import make_municipality, make_service

OSLO = ZoneInfo("Europe/Oslo")
JUNE = datetime.date(2026, 6, 1)


def at(day: int, hour: int, minute: int = 0, month: int = 6) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=OSLO)


def office_calendar(name: str = "Kontor") -> ServiceCalendar:
    calendar = ServiceCalendar.objects.create(name=name)
    for weekday in range(5):
        CalendarHours.objects.create(
            calendar=calendar, weekday=weekday, opens=datetime.time(8), closes=datetime.time(16)
        )
    CalendarDay.objects.create(
        calendar=calendar,
        date=datetime.date(2026, 6, 12),
        opens=datetime.time(8),
        closes=datetime.time(12),
        note="Short day",
    )
    return calendar


def around_the_clock(name: str = "Døgnet rundt") -> ServiceCalendar:
    return ServiceCalendar.objects.create(name=name, always_open=True, public_holidays_closed=False)


def make_level(municipality, service, calendar, p1_calendar, *, notice_days=5, **agreement):
    values = {"pause_awaiting_user": True, "pause_awaiting_vendor": False}
    values.update(agreement)
    agreement = ServiceAgreement.objects.create(
        municipality=municipality,
        name=f"Avtale {municipality.name}",
        valid_from=datetime.date(2026, 1, 1),
        maintenance_notice_days=notice_days,
        **values,
    )
    level = ServiceLevel.objects.create(
        agreement=agreement,
        service=service,
        availability_target=Decimal("99.500"),
        calendar=calendar,
    )
    PriorityTarget.objects.create(
        service_level=level,
        priority=1,
        response_minutes=30,
        resolution_minutes=240,
        calendar=p1_calendar,
    )
    PriorityTarget.objects.create(
        service_level=level, priority=2, response_minutes=60, resolution_minutes=480
    )
    PriorityTarget.objects.create(
        service_level=level, priority=3, response_minutes=240, resolution_minutes=1440
    )
    CreditRule.objects.create(service_level=level, shortfall_up_to=Decimal("0.5"), percent=5)
    CreditRule.objects.create(service_level=level, shortfall_up_to=None, percent=10)
    return level


def incident(municipality, service, number, priority, opened, **fields):
    values = {"state": "resolved" if fields.get("resolved_at") else "in_progress"}
    values.update(fields)
    return Incident.objects.create(
        number=number,
        municipality=municipality,
        service=service,
        priority=priority,
        opened_at=opened,
        **values,
    )


def outage(service, start, end, *, municipalities=None, planned=False, announced=None, text=""):
    made = Outage.objects.create(
        service=service,
        all_municipalities=municipalities is None,
        started_at=start,
        ended_at=end,
        planned=planned,
        announced_at=announced,
        description=text or f"Outage {start:%d %H:%M}",
    )
    if municipalities:
        made.municipalities.set(municipalities)
    return made


def build_june():
    """The hand-worked June; returns a dict of what the tests need."""
    m = make_municipality(name="Fjordvik")
    other = make_municipality(name="Bakkeby")
    service = make_service(name="E-post")
    unmeasured_service = make_service(name="Skriver")
    office, clock = office_calendar(), around_the_clock()
    make_level(m, service, office, clock)
    make_level(other, service, office, clock)

    # Outages of the service (downtime inside 08–16 on weekdays):
    outage(service, at(3, 15), at(3, 17), text="O1 unplanned all")  # 1 h
    outage(service, at(4, 15, 30), at(4, 16, 30), municipalities=[m], text="O2 only Fjordvik")
    outage(service, at(4, 15), at(4, 15, 45), text="O3 overlaps O2")  # O2 ∪ O3 = 1 h
    outage(  # announced 10 days ahead, notice 5: does not count
        service, at(8, 9), at(8, 11), planned=True, announced=at(29, 9, month=5), text="O4"
    )
    outage(  # announced 2 days ahead: counts 1 h
        service, at(9, 9), at(9, 10), planned=True, announced=at(7, 9), text="O5"
    )
    outage(service, at(13, 10), at(13, 14), planned=True, text="O6 Saturday, unannounced")  # 0
    outage(service, at(10, 8), at(10, 16), municipalities=[other], text="O7 only Bakkeby")
    outage(unmeasured_service, at(11, 8), at(11, 16), text="O8 another service")
    outage(service, at(30, 15), at(1, 9, month=7), text="O9 into July")  # 1 h in June

    # Incidents of Fjordvik.
    incident(m, service, "I1", 2, at(5, 15, 30), responded_at=at(5, 15, 50), resolved_at=at(8, 14))
    incident(m, service, "I2", 2, at(8, 8), responded_at=at(8, 9, 30), resolved_at=at(9, 9))
    incident(
        m,
        service,
        "I3",
        2,
        at(10, 8),
        responded_at=at(10, 8, 10),
        resolved_at=at(11, 12),
        pauses=[["awaiting_user", at(10, 10).isoformat(), at(11, 10).isoformat()]],
    )
    incident(
        m,
        service,
        "I4",
        2,
        at(12, 8),
        responded_at=at(12, 8, 30),
        resolved_at=at(15, 12),
        pauses=[["awaiting_vendor", at(12, 9).isoformat(), at(15, 12).isoformat()]],
    )
    incident(m, service, "I5", 1, at(20, 22), responded_at=at(20, 22, 45), resolved_at=at(21, 1))
    incident(m, service, "I6", 2, at(30, 13), responded_at=at(30, 13, 20))
    incident(m, service, "I7", 2, at(29, 8), responded_at=at(29, 8, 30))
    incident(m, service, "I8", 4, at(15, 10))
    incident(m, None, "I9", 2, at(16, 10))
    incident(m, unmeasured_service, "I10", 2, at(17, 10))
    incident(m, service, "I11", 3, at(18, 10), state="cancelled")
    incident(m, service, "I12", 2, at(31, 10, month=5))
    incident(m, service, "I13", 2, at(1, 0, month=7))
    incident(other, service, "I14", 2, at(10, 8))
    return {"municipality": m, "other": other, "service": service}
