"""The home page's SLA-breach notification (servicedesk.notifications): service levels
whose availability fell below the agreed target, this month or last, per role.

The hand-worked June (sla_world): Fjordvik lost 4 h of 172 service hours (97.674 %),
Bakkeby 11 h 45 min — both below their 99.5 % target. May has no outage (met)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from samdrift.core.choices import Role
from samdrift.servicedesk import sla
from samdrift.servicedesk.models import Outage
from samdrift.servicedesk.notifications import breached_levels
from samdrift.ui import notifications
from tests import factories
from tests.factories import client_for
from tests.servicedesk.sla_world import build_june

pytestmark = pytest.mark.django_db

IN_JUNE = datetime.date(2026, 6, 20)  # this month June, last month May
IN_MAY = datetime.date(2026, 5, 20)  # April and May: nothing down


@pytest.fixture
def june():
    return build_june()


def shown(user, today):
    return {n.key: n for n in notifications.collect(user, today)}.get("servicedesk.breached")


def test_the_operator_is_told_of_every_municipalitys_breach(june):
    operator = factories.make_user(Role.OPERATOR)
    found = shown(operator, IN_JUNE)
    assert found.count == 2  # Fjordvik's and Bakkeby's e-mail in June
    assert found.severity == notifications.WARNING
    assert found.url == reverse("servicedesk:sla_overview") + "?month=2026-06"
    page = client_for(operator).get(found.url)
    assert page.status_code == 200


def test_a_contact_is_told_of_their_own_only(june):
    contact = factories.make_user(Role.MUNICIPALITY, municipality=june["municipality"])
    found = shown(contact, IN_JUNE)
    assert found.count == 1
    assert found.url == reverse("servicedesk:sla_report", args=[june["municipality"].pk, "2026-06"])
    assert client_for(contact).get(found.url).status_code == 200
    # Only Bakkeby's own outage left: Bakkeby's contact is told (8 h of 172), Fjordvik's
    # contact no longer.
    Outage.objects.exclude(description="O7 only Bakkeby").delete()
    other = factories.make_user(Role.MUNICIPALITY, municipality=june["other"])
    assert shown(other, IN_JUNE).count == 1
    assert shown(contact, IN_JUNE) is None


def test_nobody_is_told_when_every_target_is_met(june):
    operator = factories.make_user(Role.OPERATOR)
    contact = factories.make_user(Role.MUNICIPALITY, municipality=june["municipality"])
    assert shown(operator, IN_MAY) is None
    assert shown(contact, IN_MAY) is None


def test_managers_and_others_are_not_told(june):
    area = factories.make_service_area(municipality=june["municipality"])
    for user in (
        factories.make_user(
            Role.SERVICE_AREA, municipality=june["municipality"], service_area=area
        ),
        factories.make_user(Role.FINANCE),
        factories.make_user(Role.READ_ONLY, municipality=june["municipality"]),
    ):
        assert breached_levels(user, IN_JUNE, {}) is None, user.role


def test_the_query_count_is_fixed(june, django_assert_num_queries):
    operator = factories.make_user(Role.OPERATOR)
    contact = factories.make_user(Role.MUNICIPALITY, municipality=june["municipality"])
    # The outages overlapping the two months (one of them concerns every member: no
    # look-up of whom the others name), then the SLA computation's own queries for the
    # services they hit: municipalities, agreements, levels, credit rules, three for the
    # calendars (no priority targets: availability only), the outages and whom they
    # affect.
    with django_assert_num_queries(10):
        assert breached_levels(operator, IN_JUNE, {}).count == 2
    with django_assert_num_queries(10):
        assert breached_levels(contact, IN_JUNE, {}).count == 1
    # No outage in April or May: the one question, nothing computed.
    with django_assert_num_queries(1):
        assert breached_levels(operator, IN_MAY, {}).count == 0
    manager = factories.make_user(Role.FINANCE)
    with django_assert_num_queries(0):
        breached_levels(manager, IN_JUNE, {})


def _directly(user, today) -> int:
    """The breaches the SLA report itself shows for every service of every municipality
    the user is told about, this month and last (no narrowing to the outages)."""
    ids = None if user.is_operator else [user.municipality_id]
    month = today.replace(day=1)
    last = (month - datetime.timedelta(days=1)).replace(day=1)
    reports = sla.compute_range(last, month, municipality_ids=ids, detail=False)
    return sum(
        1
        for by_municipality in reports.values()
        for report in by_municipality.values()
        for service in report.services
        if not service.met
    )


def test_narrowed_to_the_outages_it_counts_what_the_report_shows(june):
    """Only the services with an outage, for the municipalities those outages concerned,
    are measured: the count equals the report's own, with outages for every member, only
    outages naming some, and none."""
    operator = factories.make_user(Role.OPERATOR)
    contacts = [
        factories.make_user(Role.MUNICIPALITY, municipality=june["municipality"]),
        factories.make_user(Role.MUNICIPALITY, municipality=june["other"]),
    ]

    def told(user):
        found = breached_levels(user, IN_JUNE, {})
        return found.count if found else 0

    for step in ("as built", "only outages naming members", "only Bakkeby's", "none"):
        if step == "only outages naming members":
            Outage.objects.filter(all_municipalities=True).delete()
        elif step == "only Bakkeby's":
            Outage.objects.exclude(description="O7 only Bakkeby").delete()
        elif step == "none":
            Outage.objects.all().delete()
        expected = [_directly(user, IN_JUNE) for user in [operator, *contacts]]
        assert [told(user) for user in [operator, *contacts]] == expected, step
        if step == "as built":
            assert expected == [2, 1, 1]
        if step == "only Bakkeby's":
            assert expected == [1, 0, 1]
