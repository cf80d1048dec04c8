"""The service levels in force for a period (agreements.levels), and a level whose
calendar has no hours at all."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from samdrift.agreements.levels import service_levels_for
from samdrift.agreements.models import ServiceAgreement
from samdrift.agreements.service_levels import PriorityTarget, ServiceCalendar, ServiceLevel
from samdrift.servicedesk import sla
from tests.factories import make_municipality, make_service
from tests.servicedesk.sla_world import JUNE, at, incident, office_calendar, outage

pytestmark = pytest.mark.django_db
D = datetime.date


def _agreement(m, name, start, end=None):
    return ServiceAgreement.objects.create(
        municipality=m, name=name, valid_from=start, valid_to=end
    )


def test_agreement_in_force_on_the_first_day_counts():
    m, service, calendar = make_municipality(), make_service(), office_calendar()
    old = _agreement(m, "Old", D(2025, 1, 1), D(2026, 6, 15))
    new = _agreement(m, "New", D(2026, 6, 15))
    for agreement, target in ((old, "99.000"), (new, "99.900")):
        ServiceLevel.objects.create(
            agreement=agreement,
            service=service,
            availability_target=Decimal(target),
            calendar=calendar,
        )
    june = service_levels_for(start=JUNE, end=D(2026, 7, 1))[(m.pk, service.pk)]
    july = service_levels_for(start=D(2026, 7, 1), end=D(2026, 8, 1))[(m.pk, service.pk)]
    assert (june.agreement_name, june.availability_target) == ("Old", Decimal("99.000"))
    assert (july.agreement_name, july.availability_target) == ("New", Decimal("99.900"))
    # no agreement on the 1st: the one starting latest in the month
    other = make_municipality()
    _agreement(other, "Early", D(2026, 6, 3), D(2026, 6, 10))
    late = _agreement(other, "Late", D(2026, 6, 20))
    ServiceLevel.objects.create(
        agreement=late, service=service, availability_target=Decimal("98"), calendar=calendar
    )
    found = service_levels_for(start=JUNE, end=D(2026, 7, 1), municipality_ids=[other.pk])
    assert found[(other.pk, service.pk)].agreement_name == "Late"


def test_calendar_converted_with_exceptions_and_own_priority_calendar():
    m, service, office = make_municipality(), make_service(), office_calendar()
    clock = ServiceCalendar.objects.create(name="24/7", always_open=True)
    level = ServiceLevel.objects.create(
        agreement=_agreement(m, "A", D(2026, 1, 1)),
        service=service,
        availability_target=Decimal("99.5"),
        calendar=office,
    )
    PriorityTarget.objects.create(
        service_level=level, priority=1, response_minutes=15, resolution_minutes=60, calendar=clock
    )
    PriorityTarget.objects.create(
        service_level=level, priority=3, response_minutes=60, resolution_minutes=600
    )
    terms = service_levels_for(start=JUNE, end=D(2026, 7, 1))[(m.pk, service.pk)]
    assert terms.calendar.hours_on(D(2026, 6, 12)) == (480, 720)  # the short Friday
    assert terms.calendar.hours_on(D(2026, 6, 11)) == (480, 960)
    assert terms.calendar.hours_on(D(2026, 6, 13)) is None
    assert terms.priorities[1].calendar.always_open
    assert terms.priorities[3].calendar_id == office.pk
    assert terms.pausing_reasons == frozenset({"awaiting_user", "awaiting_vendor"})


def test_no_service_hours_is_100_percent_and_no_credit():
    m, service = make_municipality(), make_service()
    closed = ServiceCalendar.objects.create(name="Never open")
    level = ServiceLevel.objects.create(
        agreement=_agreement(m, "A", D(2026, 1, 1)),
        service=service,
        availability_target=Decimal("99.5"),
        calendar=closed,
    )
    PriorityTarget.objects.create(
        service_level=level, priority=2, response_minutes=60, resolution_minutes=480
    )
    outage(service, at(3, 9), at(3, 17))
    incident(m, service, "N1", 2, at(3, 9))
    report = sla.compute_month(month=JUNE, now=at(6, 12, month=8))[m.pk]
    (figures,) = report.services
    assert (figures.service_seconds, figures.availability, figures.credit_percent) == (
        0,
        Decimal("100.000"),
        Decimal("0"),
    )
    assert figures.no_service_hours
    assert report.priorities[2].resolution == {"met": 0, "breached": 0, "open": 1}
