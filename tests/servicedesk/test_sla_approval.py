"""Approving a month: frozen figures, differences after a change, credits once, only
finished months, only operators; and the computation's query count does not grow with
the number of municipalities."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samdrift.core.actor import acting_as
from samdrift.core.choices import Role
from samdrift.servicedesk import sla
from samdrift.servicedesk.models import Incident, Outage, ServiceCredit, SlaReport
from samdrift.servicedesk.services.reports import (
    approve_month,
    credit_warnings,
    differences,
    mark_credits_billed,
)
from tests.factories import make_municipality, make_user
from tests.servicedesk.sla_world import (
    JUNE,
    around_the_clock,
    at,
    build_june,
    incident,
    make_level,
    office_calendar,
    outage,
)

pytestmark = pytest.mark.django_db
AUGUST = at(6, 12, month=8)


@pytest.fixture
def june():
    return build_june()


@pytest.fixture
def operator():
    return make_user(Role.OPERATOR)


def approve(user, municipality, now=AUGUST):
    with acting_as(user, label="web"):
        return approve_month(municipality=municipality, month=JUNE, now=now)


def test_approval_freezes_json_safe_figures_and_credits(june, operator):
    m = june["municipality"]
    report = approve(operator, m)
    report.refresh_from_db()
    service = report.figures["services"][0]
    assert service["availability"] == "97.674"  # a string, not a float
    assert service["credit_percent"] == "10.00"
    assert report.approved_by == operator
    (credit,) = ServiceCredit.objects.filter(municipality=m, month=JUNE)
    assert (credit.percent, credit.availability, credit.target) == (
        Decimal("10"),
        Decimal("97.674"),
        Decimal("99.500"),
    )
    assert differences(report, now=AUGUST) == []


def test_change_after_approval_shows_as_difference(june, operator):
    m = june["municipality"]
    report = approve(operator, m)
    Outage.objects.filter(description="O1 unplanned all").delete()  # 1 h less downtime
    found = {d.label: (d.frozen, d.live) for d in differences(report, now=AUGUST)}
    # 100 × 169 / 172 = 98.25581… → 98.256
    assert found["E-post: availability (%)"] == ("97.674", "98.256")
    assert found["E-post: downtime inside service hours (s)"] == ("14400", "10800")
    # the frozen copy itself is untouched
    report.refresh_from_db()
    assert report.figures["services"][0]["availability"] == "97.674"


def test_reapproval_updates_unbilled_credits_once(june, operator):
    m = june["municipality"]
    approve(operator, m)
    approve(operator, m)
    assert ServiceCredit.objects.filter(municipality=m).count() == 1
    # less downtime: 3 h → 98.256, short by 1.244 → still 10 %; remove two more hours:
    # 100 × 171 / 172 = 99.41860… → 99.419, short by 0.081 → 5 %
    Outage.objects.filter(description__in=["O1 unplanned all", "O5", "O9 into July"]).delete()
    report = approve(operator, m)
    (credit,) = ServiceCredit.objects.filter(municipality=m)
    assert credit.percent == Decimal("5") and credit.report == report
    assert SlaReport.objects.filter(municipality=m).count() == 1
    # no downtime at all: the unbilled credit goes
    Outage.objects.filter(service=june["service"]).delete()
    approve(operator, m)
    assert not ServiceCredit.objects.filter(municipality=m).exists()


def test_billed_credit_is_never_changed(june, operator):
    m = june["municipality"]
    approve(operator, m)
    credit = ServiceCredit.objects.get(municipality=m)
    assert mark_credits_billed(ids=[credit.pk], invoice_number="2026-0042") == 1
    assert mark_credits_billed(ids=[credit.pk], invoice_number="2026-0043") == 0
    Outage.objects.filter(service=june["service"]).delete()
    report = approve(operator, m)
    credit.refresh_from_db()
    assert (credit.percent, credit.billed_in) == (Decimal("10"), "2026-0042")
    (warning,) = credit_warnings(report)
    assert "2026-0042" in warning


def test_only_finished_months(june, operator):
    with pytest.raises(ValidationError) as error:
        approve(operator, june["municipality"], now=at(30, 12))
    assert "month" in error.value.message_dict
    assert not SlaReport.objects.exists()


def test_only_operators(june):
    finance = make_user(Role.FINANCE)
    with pytest.raises(PermissionDenied):
        approve(finance, june["municipality"])
    assert not SlaReport.objects.exists()


def _members(count: int):
    office, clock = office_calendar(f"Kontor {count}"), around_the_clock(f"24/7 {count}")
    from tests.factories import make_service

    service = make_service()
    made = []
    for n in range(count):
        m = make_municipality()
        make_level(m, service, office, clock)
        incident(m, service, f"Q{count}-{n}", 2, at(3, 9), responded_at=at(3, 9, 5))
        made.append(m)
    outage(service, at(3, 9), at(3, 10), municipalities=made[:2])
    outage(service, at(4, 9), at(4, 10))
    return made


def test_query_count_does_not_grow_with_members():
    _members(2)
    with CaptureQueriesContext(connection) as small:
        sla.compute_range(datetime.date(2026, 1, 1), JUNE, now=AUGUST)
    _members(20)
    with CaptureQueriesContext(connection) as large:
        reports = sla.compute_range(datetime.date(2026, 1, 1), JUNE, now=AUGUST)
    assert len(reports[JUNE]) == 22
    assert len(large.captured_queries) == len(small.captured_queries) <= 12
    assert Incident.objects.count() == 22
