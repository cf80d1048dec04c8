"""The SLA figures of a hand-worked month (tests/servicedesk/sla_world.py), every expected
value worked out by hand in the comments, not read from the code."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from samdrift.servicedesk import sla
from tests.servicedesk.sla_world import JUNE, at, build_june

pytestmark = pytest.mark.django_db

HOUR = 3600


@pytest.fixture
def june():
    return build_june()


@pytest.fixture
def report(june):
    reports = sla.compute_month(month=JUNE, now=at(6, 12, month=8))
    return reports[june["municipality"].pk]


def test_availability_by_hand(report):
    (service,) = report.services
    # 21 full days × 8 h + Friday 12 June 4 h = 172 h of service hours.
    assert service.service_seconds == 172 * HOUR
    # O1 1 h + (O2 ∪ O3) 1 h + O5 (announced late) 1 h + O9 1 h; O4 in time, O6 on a
    # Saturday, O7 another municipality's, O8 another service's.
    assert service.downtime_seconds == 4 * HOUR
    # 100 × 168 / 172 = 97.67441… → 97.674
    assert service.availability == Decimal("97.674")
    assert service.shortfall == Decimal("1.826")
    assert service.credit_percent == Decimal("10")  # beyond 0.5 points
    reasons = {line.description: line.reason for line in service.outages}
    assert reasons["O4"] == sla.PLANNED_IN_TIME
    assert reasons["O5"] == sla.PLANNED_LATE
    assert reasons["O6 Saturday, unannounced"] == sla.PLANNED_UNANNOUNCED
    assert "O7 only Bakkeby" not in reasons and "O8 another service" not in reasons


def test_other_municipality_has_its_own_outage(june):
    report = sla.compute_month(month=JUNE, now=at(6, 12, month=8))[june["other"].pk]
    (service,) = report.services
    # O1 1 h + O3 45 min + O5 1 h + O7 8 h + O9 1 h (O2 is Fjordvik's only)
    assert service.downtime_seconds == 11 * HOUR + 45 * 60


def test_incidents_per_priority_by_hand(report):
    p1, p2, p3, p4 = (report.priorities[p] for p in (1, 2, 3, 4))
    assert p1.incidents == 1
    assert p1.response == {"met": 0, "breached": 1, "open": 0}  # 45 min > 30 (24/7)
    assert p1.resolution == {"met": 1, "breached": 0, "open": 0}  # 3 h ≤ 4 h
    assert p2.incidents == 6  # I1 I2 I3 I4 I6 I7
    assert p2.response == {"met": 5, "breached": 1, "open": 0}
    # met: I1 (390 min), I3 (720 − 480 paused = 240), I4 (exactly 480: vendor does not
    # pause under this agreement); breached: I2 (540), I7 (unresolved, 16 h by 1 July);
    # open: I6 (3 h by the month's end, due 1 July)
    assert p2.resolution == {"met": 3, "breached": 2, "open": 1}
    assert p2.response_percent == Decimal("83.3")  # 5 / 6
    assert p2.resolution_percent == Decimal("60.0")  # 3 / 5
    assert p3.incidents == 0 and p3.resolution_percent is None
    assert p4.incidents == 0
    assert sorted((n.number, n.reason) for n in report.not_measured) == [
        ("I10", sla.NO_LEVEL),
        ("I11", sla.CANCELLED),
        ("I8", sla.NO_TARGET),
        ("I9", sla.NO_SERVICE),
    ]


def test_breaches_listed_with_figures(report):
    found = [(b.number, b.kind, b.due_at, b.actual_at, b.over_seconds) for b in report.breaches]
    assert found == [
        ("I2", "response", at(8, 9), at(8, 9, 30), 30 * 60),
        ("I2", "resolution", at(8, 16), at(9, 9), 60 * 60),
        ("I5", "response", at(20, 22, 30), at(20, 22, 45), 15 * 60),
        ("I7", "resolution", at(29, 16), None, 8 * HOUR),
    ]


def test_pause_moves_the_due_time(report, june):
    from samdrift.agreements.levels import service_levels_for

    terms = service_levels_for(start=JUNE, end=datetime.date(2026, 7, 1))[
        (june["municipality"].pk, june["service"].pk)
    ].priorities[2]
    pauses = [(at(10, 10), at(11, 10))]
    outcome, due, elapsed, target = sla.measure(
        terms, kind="resolution", opened=at(10, 8), finished=None, pauses=pauses, cutoff=at(10, 9)
    )
    # 480 min from Wed 08:00: 2 h before the pause, 6 h paused on Wed and 2 h on Thu, then
    # 6 more hours from Thu 10:00 → Thu 16:00.
    assert due == at(11, 16)
    assert (outcome, elapsed, target) == (sla.OPEN, 3600, 480 * 60)


def test_pauses_not_agreed_do_not_stop_the_clock(june):
    from samdrift.agreements.models import ServiceAgreement

    ServiceAgreement.objects.filter(municipality=june["municipality"]).update(
        pause_awaiting_user=False
    )
    report = sla.compute_month(month=JUNE, now=at(6, 12, month=8))[june["municipality"].pk]
    # I3 now takes 12 business hours > 8: breached by 4 h
    i3 = [b for b in report.breaches if b.number == "I3"]
    assert [(b.kind, b.over_seconds) for b in i3] == [("resolution", 4 * HOUR)]


def test_maintenance_notice_decides(june):
    from samdrift.agreements.models import ServiceAgreement

    # 1 day's notice: O5 (announced 2 days before) no longer counts → 3 h downtime
    ServiceAgreement.objects.filter(municipality=june["municipality"]).update(
        maintenance_notice_days=1
    )
    report = sla.compute_month(month=JUNE, now=at(6, 12, month=8))[june["municipality"].pk]
    assert report.services[0].downtime_seconds == 3 * HOUR
    # 11 days' notice: O4 (10 days before) now counts too → 4 h + 2 h
    ServiceAgreement.objects.filter(municipality=june["municipality"]).update(
        maintenance_notice_days=11
    )
    report = sla.compute_month(month=JUNE, now=at(6, 12, month=8))[june["municipality"].pk]
    assert report.services[0].downtime_seconds == 6 * HOUR


def test_a_month_not_over_is_measured_to_now(june):
    now = at(10, 12)  # Wednesday 10 June 12:00
    report = sla.compute_month(month=JUNE, now=now)[june["municipality"].pk]
    service = report.services[0]
    # 1–9 June: 7 weekdays × 8 h; 10 June 08–12: 4 h
    assert service.service_seconds == 60 * HOUR
    assert service.downtime_seconds == 3 * HOUR  # O1, O2∪O3, O5
    assert not report.complete


def test_year_to_date_sums_hours_not_percentages(june):
    months = sla.compute_range(
        datetime.date(2026, 5, 1),
        JUNE,
        municipality_ids=[june["municipality"].pk],
        now=at(6, 12, month=8),
    )
    may = months[datetime.date(2026, 5, 1)][june["municipality"].pk]
    june_report = months[JUNE][june["municipality"].pk]
    period = sla.combine([may, june_report])
    # May 2026: 21 weekdays, of which 1 May, 14 May (Ascension) and 25 May (Whit Monday)
    # are public holidays (17 May is a Sunday): 18 × 8 h = 144 h, no downtime.
    assert may.services[0].service_seconds == 144 * HOUR
    assert period.services[0].service_seconds == (144 + 172) * HOUR
    # 100 × (316 − 4) / 316 = 98.73417… → 98.734
    assert period.services[0].availability == Decimal("98.734")
    assert period.priorities[2].incidents == 7  # I12 in May
