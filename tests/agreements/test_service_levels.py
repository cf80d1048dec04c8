"""Service levels: the services refuse bad input naming the field and save nothing; the
API writes through them and keeps each municipality to its own rows."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from samdrift.agreements import service_level_services as levels
from samdrift.agreements.models import (
    CalendarDay,
    CalendarHours,
    CreditRule,
    PriorityTarget,
    ServiceCalendar,
    ServiceLevel,
)
from samdrift.agreements.services import create_agreement, update_agreement
from tests import factories
from tests.factories import api_as

D = datetime.date
T = datetime.time


@pytest.fixture
def calendar(db):
    return levels.create_calendar(name="Kontortid")


@pytest.fixture
def level(municipality_a, calendar):
    agreement = create_agreement(municipality=municipality_a, name="2026", valid_from=D(2026, 1, 1))
    return levels.set_service_level(
        agreement=agreement,
        service=factories.make_service(),
        availability_target=Decimal("99.5"),
        calendar=calendar,
    )


def _refused(call, field: str) -> None:
    with pytest.raises(ValidationError) as error:
        call()
    assert field in error.value.message_dict, error.value.message_dict
    assert all(error.value.message_dict[field])


def test_a_calendar_with_an_unknown_time_zone_is_refused(db):
    _refused(lambda: levels.create_calendar(name="Mars", timezone="Mars/Olympus"), "timezone")
    assert not ServiceCalendar.objects.exists()


def test_weekly_hours_that_end_before_they_start_are_refused(calendar):
    call = lambda: levels.set_calendar_hours(  # noqa: E731
        calendar=calendar, weekday=0, opens=T(16), closes=T(8)
    )
    _refused(call, "closes")
    assert not CalendarHours.objects.exists()
    # 00:00 closing is midnight at the day's end: a whole day is fine.
    levels.set_calendar_hours(calendar=calendar, weekday=0, opens=T(0), closes=T(0))
    levels.set_calendar_hours(calendar=calendar, weekday=0, opens=T(7, 30), closes=T(16))
    assert [(h.weekday, h.opens, h.closes) for h in calendar.hours.all()] == [(0, T(7, 30), T(16))]
    levels.clear_calendar_hours(calendar=calendar, weekday=0)
    assert not calendar.hours.exists()


def test_a_special_day_that_ends_before_it_starts_is_refused(calendar):
    call = lambda: levels.set_calendar_day(  # noqa: E731
        calendar=calendar, date=D(2026, 12, 23), opens=T(12), closes=T(7, 30)
    )
    _refused(call, "closes")
    half = lambda: levels.set_calendar_day(  # noqa: E731
        calendar=calendar, date=D(2026, 12, 23), opens=T(12)
    )
    _refused(half, "closes")
    assert not CalendarDay.objects.exists()
    closed = levels.set_calendar_day(calendar=calendar, date=D(2026, 12, 24), note="Julaften")
    assert closed.closed


@pytest.mark.parametrize("target", ["100.001", "-0.5"])
def test_availability_outside_0_to_100_is_refused(municipality_a, calendar, target):
    agreement = create_agreement(municipality=municipality_a, name="2026", valid_from=D(2026, 1, 1))
    call = lambda: levels.set_service_level(  # noqa: E731
        agreement=agreement,
        service=factories.make_service(),
        availability_target=Decimal(target),
        calendar=calendar,
    )
    _refused(call, "availability_target")
    assert not ServiceLevel.objects.exists()


def test_a_resolution_target_shorter_than_the_response_target_is_refused(level):
    call = lambda: levels.set_priority_target(  # noqa: E731
        service_level=level, priority=2, response_minutes=120, resolution_minutes=60
    )
    _refused(call, "resolution_minutes")
    assert not PriorityTarget.objects.exists()
    target = levels.set_priority_target(
        service_level=level, priority=2, response_minutes=60, resolution_minutes=480
    )
    _refused(
        lambda: levels.update_priority_target(target=target, changes={"resolution_minutes": 30}),
        "resolution_minutes",
    )
    target.refresh_from_db()
    assert target.resolution_minutes == 480


@pytest.mark.parametrize("percent", ["0", "-5", "100.01"])
def test_a_credit_outside_0_to_100_is_refused(level, percent):
    call = lambda: levels.set_credit_rule(  # noqa: E731
        service_level=level, shortfall_up_to=Decimal("1"), percent=Decimal(percent)
    )
    _refused(call, "percent")
    assert not CreditRule.objects.exists()


def test_credit_rules_replace_their_own_step(level):
    levels.set_credit_rule(service_level=level, shortfall_up_to=Decimal("1"), percent=Decimal("5"))
    levels.set_credit_rule(service_level=level, shortfall_up_to=Decimal("1"), percent=Decimal("7"))
    levels.set_credit_rule(service_level=level, percent=Decimal("20"))
    levels.set_credit_rule(service_level=level, percent=Decimal("25"))
    steps = [(r.shortfall_up_to, r.percent) for r in level.credit_rules.all()]
    assert steps == [(Decimal("1.000"), Decimal("7.00")), (None, Decimal("25.00"))]


def test_the_agreement_carries_notice_days_and_pausing(municipality_a):
    agreement = create_agreement(
        municipality=municipality_a,
        name="2026",
        valid_from=D(2026, 1, 1),
        maintenance_notice_days=10,
        pause_awaiting_vendor=False,
    )
    agreement.refresh_from_db()
    assert (agreement.maintenance_notice_days, agreement.pause_awaiting_vendor) == (10, False)
    update_agreement(agreement=agreement, changes={"pause_awaiting_user": False})
    agreement.refresh_from_db()
    assert agreement.pause_awaiting_user is False


def test_a_calendar_in_use_is_not_deleted(level, calendar):
    _refused(lambda: levels.delete_calendar(calendar=calendar), "calendar")
    assert ServiceCalendar.objects.filter(pk=calendar.pk).exists()


# --- API -----------------------------------------------------------------------------


def test_the_api_refuses_a_bad_target_naming_the_field(level, operator):
    response = api_as(operator).post(
        "/api/priority-targets/",
        {"service_level": level.pk, "priority": 1, "response_minutes": 60, "resolution_minutes": 5},
        format="json",
    )
    assert response.status_code == 400
    assert "resolution_minutes" in response.json()
    assert not PriorityTarget.objects.exists()


def test_the_api_creates_and_shows_nested_rows(level, operator, finance_user):
    client = api_as(finance_user)
    response = client.post(
        "/api/credit-rules/",
        {"service_level": level.pk, "shortfall_up_to": "0.5", "percent": "5"},
        format="json",
    )
    assert response.status_code == 201, response.content
    response = client.post(
        "/api/calendar-hours/",
        {"calendar": level.calendar_id, "weekday": 4, "opens": "07:30", "closes": "16:00"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = client.get(f"/api/service-levels/{level.pk}/").json()
    assert [r["percent"] for r in body["credit_rules"]] == ["5.00"]
    calendar = client.get(f"/api/service-calendars/{level.calendar_id}/").json()
    assert [(h["weekday"], h["opens"]) for h in calendar["hours"]] == [(4, "07:30")]


def test_a_municipality_reads_its_own_levels_and_every_calendar(level, contact_a, contact_b):
    own, other = api_as(contact_a), api_as(contact_b)
    assert own.get(f"/api/service-levels/{level.pk}/").status_code == 200
    assert other.get(f"/api/service-levels/{level.pk}/").status_code == 404
    assert other.get("/api/service-levels/").json()["count"] == 0
    assert other.get(f"/api/service-calendars/{level.calendar_id}/").status_code == 200
    response = own.post(
        "/api/credit-rules/", {"service_level": level.pk, "percent": "5"}, format="json"
    )
    assert response.status_code == 403
