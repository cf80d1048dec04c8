"""The gap view against the service levels agreed (issue #13): ``delivered_levels``."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samdrift.agreements import service_level_services as levels
from samdrift.agreements.services import create_agreement
from samdrift.solutions.choices import GapKind, ServiceHours
from samdrift.solutions.selectors import DeliveredLevel, delivered_levels, gap_report
from samdrift.solutions.services import set_requirement

D = datetime.date
T = datetime.time
ON = D(2026, 6, 15)
JANUARY = D(2026, 1, 1)


def _calendar(name, *, weekdays=(), always_open=False):
    calendar = levels.create_calendar(name=name, always_open=always_open)
    for weekday in weekdays:
        levels.set_calendar_hours(calendar=calendar, weekday=weekday, opens=T(7), closes=T(22))
    return calendar


@pytest.fixture
def calendars(db):
    return {
        "office": _calendar("Kontortid", weekdays=range(5)),
        "every_day": _calendar("Hver dag", weekdays=range(7)),
        "always": _calendar("Døgnet rundt", always_open=True),
    }


def _level(municipality, service, calendar, target, *, start=JANUARY, end=None):
    agreement = create_agreement(
        municipality=municipality, name=f"Avtale {start}", valid_from=start, valid_to=end
    )
    return levels.set_service_level(
        agreement=agreement, service=service, availability_target=target, calendar=calendar
    )


@pytest.mark.django_db
def test_nothing_agreed_is_missing(portfolio, municipality_a):
    service = portfolio["arkivo"].service
    assert delivered_levels(pairs={(municipality_a.pk, service.pk)}, on=ON) == {}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("calendar", "hours"),
    [
        ("office", ServiceHours.BUSINESS),
        ("every_day", ServiceHours.EXTENDED),
        ("always", ServiceHours.ALWAYS),
    ],
)
def test_the_calendar_becomes_service_hours(portfolio, municipality_a, calendars, calendar, hours):
    service = portfolio["arkivo"].service
    _level(municipality_a, service, calendars[calendar], Decimal("99.5"))
    pair = (municipality_a.pk, service.pk)
    assert delivered_levels(pairs={pair}, on=ON) == {pair: DeliveredLevel(Decimal("99.5"), hours)}


@pytest.mark.django_db
def test_only_the_agreement_in_force_counts_and_only_the_pairs_asked(
    portfolio, municipality_a, municipality_b, calendars
):
    service = portfolio["arkivo"].service
    _level(municipality_a, service, calendars["office"], Decimal("98"), end=D(2026, 6, 1))
    _level(municipality_a, service, calendars["always"], Decimal("99.9"), start=D(2026, 6, 1))
    _level(municipality_b, service, calendars["office"], Decimal("97"))
    pair = (municipality_a.pk, service.pk)
    with CaptureQueriesContext(connection) as captured:
        answer = delivered_levels(pairs={pair}, on=ON)
    assert len(captured) == 1
    assert answer == {pair: DeliveredLevel(Decimal("99.9"), ServiceHours.ALWAYS)}
    earlier = delivered_levels(pairs={pair}, on=D(2026, 3, 1))
    assert earlier == {pair: DeliveredLevel(Decimal("98"), ServiceHours.BUSINESS)}


@pytest.mark.django_db
def test_the_gap_view_compares_with_what_is_agreed(portfolio, operator, municipality_a, calendars):
    arkivo = portfolio["arkivo"]
    set_requirement(
        municipality=municipality_a,
        solution=arkivo,
        availability_target=Decimal("99.9"),
        service_hours=ServiceHours.ALWAYS,
        risk_assessed_on=D(2026, 3, 1),
    )

    def arkivo_gaps():
        report = gap_report(user=operator, on=ON, municipality_id=municipality_a.pk)
        return {kind for line, kind, _d in report.gap_lines() if line.solution == "Arkivo"}

    # Nothing agreed: neither availability nor service hours can be a gap.
    assert arkivo_gaps().isdisjoint({GapKind.AVAILABILITY, GapKind.SERVICE_HOURS})
    level = _level(municipality_a, arkivo.service, calendars["office"], Decimal("99.5"))
    assert {GapKind.AVAILABILITY, GapKind.SERVICE_HOURS} <= arkivo_gaps()
    # Agreed at what is required: no such gap left.
    levels.update_service_level(
        level=level,
        changes={"availability_target": Decimal("99.9"), "calendar": calendars["always"]},
    )
    assert arkivo_gaps().isdisjoint({GapKind.AVAILABILITY, GapKind.SERVICE_HOURS})
