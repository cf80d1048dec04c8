"""The incident and outage pages per role, the forms, and the exports."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import translation

from samdrift.core.choices import Role
from samdrift.servicedesk.models import Incident, Outage
from tests import factories
from tests.servicedesk.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def logins(municipality_a, municipality_b, service_area_a):
    return {
        "operator": factories.make_user(Role.OPERATOR),
        "finance": factories.make_user(Role.FINANCE),
        "auditor": factories.make_user(Role.READ_ONLY),
        "contact_a": factories.make_user(Role.MUNICIPALITY, municipality=municipality_a),
        "contact_b": factories.make_user(Role.MUNICIPALITY, municipality=municipality_b),
        "manager_a": factories.make_user(
            Role.SERVICE_AREA, municipality=municipality_a, service_area=service_area_a
        ),
    }


def _export_rows(client, url_name, **params) -> list[dict]:
    response = client.get(reverse(url_name), {"export": "csv", **params})
    assert response.status_code == 200
    text = b"".join(response).decode("utf-8-sig")
    dialect = ";" if text.splitlines()[0].count(";") else ","
    return list(csv.DictReader(io.StringIO(text), delimiter=dialect))


# Who sees which incident: everyone who sees all, and A's users A's (a manager too: an
# incident has no service area), B's users B's.
INCIDENTS_SEEN = {
    "operator": {"INC0001", "INC0002"},
    "finance": {"INC0001", "INC0002"},
    "auditor": {"INC0001", "INC0002"},
    "contact_a": {"INC0001"},
    "contact_b": {"INC0002"},
    "manager_a": {"INC0001"},
}

OUTAGES_SEEN = {
    "operator": {"Fjordvik line cut", "Elvdal line cut", "Mail platform upgrade"},
    "finance": {"Fjordvik line cut", "Elvdal line cut", "Mail platform upgrade"},
    "auditor": {"Fjordvik line cut", "Elvdal line cut", "Mail platform upgrade"},
    "contact_a": {"Fjordvik line cut", "Mail platform upgrade"},
    "contact_b": {"Elvdal line cut", "Mail platform upgrade"},
    "manager_a": {"Fjordvik line cut", "Mail platform upgrade"},
}


@pytest.mark.parametrize("role", sorted(INCIDENTS_SEEN))
def test_the_incident_list_and_its_export_show_only_the_logins_rows(desk, logins, role):
    client = factories.client_for(logins[role])
    page = client.get(reverse("servicedesk:incident_list"))
    assert page.status_code == 200
    html = page.content.decode()
    for number in ("INC0001", "INC0002"):
        assert (number in html) == (number in INCIDENTS_SEEN[role])
    rows = _export_rows(client, "servicedesk:incident_list")
    assert {row["number"] for row in rows} == INCIDENTS_SEEN[role]


@pytest.mark.parametrize("role", sorted(OUTAGES_SEEN))
def test_outages_are_shown_to_the_municipalities_they_concern(desk, logins, role):
    client = factories.client_for(logins[role])
    html = client.get(reverse("servicedesk:outage_list")).content.decode()
    for outage in (desk.outage_a, desk.outage_b, desk.outage_all):
        assert (outage.description in html) == (outage.description in OUTAGES_SEEN[role])
    rows = _export_rows(client, "servicedesk:outage_list")
    assert {row["description"] for row in rows} == OUTAGES_SEEN[role]


def test_an_outage_of_two_names_only_the_viewers_own(desk, logins, municipality_a, municipality_b):
    from samdrift.servicedesk.services.outages import update_outage

    update_outage(
        outage=desk.outage_a, changes={"municipalities": [municipality_a, municipality_b]}
    )
    url = reverse("servicedesk:outage_detail", args=[desk.outage_a.pk])
    as_b = factories.client_for(logins["contact_b"]).get(url).content.decode()
    assert "Elvdal" in as_b and "Fjordvik" not in as_b.split('data-testid="outage-affected">')[1]
    rows = _export_rows(factories.client_for(logins["contact_b"]), "servicedesk:outage_list")
    assert {r["affected"] for r in rows if r["description"] == "Fjordvik line cut"} == {"Elvdal"}
    as_operator = factories.client_for(logins["operator"]).get(url).content.decode()
    assert "Elvdal, Fjordvik" in as_operator


@pytest.mark.parametrize(
    ("role", "own", "other"),
    [
        ("operator", 200, 200),
        ("finance", 200, 200),
        ("auditor", 200, 200),
        ("contact_a", 200, 404),
        ("contact_b", 404, 200),
        ("manager_a", 200, 404),
    ],
)
def test_detail_pages_per_role(desk, logins, role, own, other):
    client = factories.client_for(logins[role])
    incident = reverse("servicedesk:incident_detail", args=[desk.incident_a.pk])
    incident_b = reverse("servicedesk:incident_detail", args=[desk.incident_b.pk])
    outage = reverse("servicedesk:outage_detail", args=[desk.outage_a.pk])
    outage_b = reverse("servicedesk:outage_detail", args=[desk.outage_b.pk])
    everyone = reverse("servicedesk:outage_detail", args=[desk.outage_all.pk])
    assert client.get(incident).status_code == own
    assert client.get(outage).status_code == own
    assert client.get(incident_b).status_code == other
    assert client.get(outage_b).status_code == other
    assert client.get(everyone).status_code == 200


def test_the_incident_page_shows_oslo_times_in_norwegian(desk, logins):
    client = factories.client_for(logins["contact_a"])
    with translation.override("nb"):
        client.cookies["django_language"] = "nb"
        html = client.get(
            reverse("servicedesk:incident_detail", args=[desk.incident_a.pk]),
            HTTP_ACCEPT_LANGUAGE="nb",
        ).content.decode()
    # 07:15 UTC on 2 March is 08:15 in Oslo (UTC+1); the pause 08:00–09:00 UTC is 09–10.
    assert "02.03.2026 08:15" in html
    assert "02.03.2026 12:00" in html
    assert "02.03.2026 09:00" in html and "02.03.2026 10:00" in html


@pytest.mark.parametrize("role", ["finance", "auditor", "contact_a", "manager_a"])
def test_only_operators_write(desk, logins, role):
    client = factories.client_for(logins[role])
    for url in (
        reverse("servicedesk:incident_create"),
        reverse("servicedesk:incident_edit", args=[desk.incident_a.pk]),
        reverse("servicedesk:outage_create"),
        reverse("servicedesk:outage_edit", args=[desk.outage_a.pk]),
        reverse("servicedesk:outage_delete", args=[desk.outage_a.pk]),
    ):
        assert client.get(url).status_code == 403
        assert client.post(url, {}).status_code == 403
    assert Outage.objects.count() == 3 and Incident.objects.count() == 2


def test_an_operator_records_an_incident_in_oslo_time(desk, logins, municipality_a, email):
    client = factories.client_for(logins["operator"])
    response = client.post(
        reverse("servicedesk:incident_create"),
        {
            "number": "INC0500",
            "municipality": municipality_a.pk,
            "service": email.pk,
            "title": "Teams down",
            "priority": "1",
            "state": "resolved",
            "opened_at": "2026-07-01T08:00",
            "resolved_at": "2026-07-01T09:30",
            "pauses": "awaiting_user; 01.07.2026 08:30; 01.07.2026 08:45",
        },
    )
    assert response.status_code == 302
    incident = Incident.objects.get(number="INC0500")
    # Summer: Oslo is UTC+2.
    assert incident.opened_at == datetime.datetime(2026, 7, 1, 6, 0, tzinfo=datetime.UTC)
    assert incident.resolved_at == datetime.datetime(2026, 7, 1, 7, 30, tzinfo=datetime.UTC)
    start, end = incident.pauses[0][1:]
    assert datetime.datetime.fromisoformat(start) == datetime.datetime(
        2026, 7, 1, 6, 30, tzinfo=datetime.UTC
    )
    assert datetime.datetime.fromisoformat(end) == datetime.datetime(
        2026, 7, 1, 6, 45, tzinfo=datetime.UTC
    )
    # The edit form shows the times back in Oslo time.
    form = client.get(reverse("servicedesk:incident_edit", args=[incident.pk])).content.decode()
    assert 'value="2026-07-01T08:00"' in form
    assert "01.07.2026 08:30; 01.07.2026 08:45" in form


def test_a_bad_incident_form_shows_the_error_by_its_field(desk, logins, municipality_a):
    client = factories.client_for(logins["operator"])
    response = client.post(
        reverse("servicedesk:incident_create"),
        {
            "number": "INC0001",  # taken
            "municipality": municipality_a.pk,
            "priority": "2",
            "state": "new",
            "opened_at": "2026-07-01T08:00",
            "resolved_at": "2026-07-01T07:00",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "resolved_at" in form.errors and "number" in form.errors
    assert Incident.objects.count() == 2


def test_the_spring_gap_is_read_as_after_the_jump(logins, municipality_a):
    client = factories.client_for(logins["operator"])
    response = client.post(
        reverse("servicedesk:incident_create"),
        {
            "number": "INC0600",
            "municipality": municipality_a.pk,
            "priority": "3",
            "state": "new",
            "opened_at": "2026-03-29T02:30",  # does not exist in Oslo
        },
    )
    assert response.status_code == 302
    # 02:30 read with the winter offset (+01:00) is 01:30 UTC, that is 03:30 summer time.
    assert Incident.objects.get(number="INC0600").opened_at == datetime.datetime(
        2026, 3, 29, 1, 30, tzinfo=datetime.UTC
    )


def test_an_operator_records_edits_and_deletes_an_outage(logins, municipality_a, email):
    client = factories.client_for(logins["operator"])
    response = client.post(
        reverse("servicedesk:outage_create"),
        {
            "service": email.pk,
            "description": "Firewall swap",
            "started_at": "2026-03-10T20:00",
            "ended_at": "2026-03-10T21:00",
            "planned": "on",
            "announced_at": "2026-03-01T12:00",
            "municipalities": [municipality_a.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    outage = Outage.objects.get()
    assert list(outage.municipalities.all()) == [municipality_a]
    assert not outage.all_municipalities
    assert outage.started_at == at(10, 19)
    bad = client.post(
        reverse("servicedesk:outage_edit", args=[outage.pk]),
        {
            "service": email.pk,
            "description": "Firewall swap",
            "started_at": "2026-03-10T20:00",
            "ended_at": "2026-03-10T19:00",
            "municipalities": [municipality_a.pk],
        },
    )
    assert bad.status_code == 400
    assert "ended_at" in bad.context["form"].errors
    assert Outage.objects.get().ended_at == at(10, 20)
    confirm = client.get(reverse("servicedesk:outage_delete", args=[outage.pk]))
    assert confirm.status_code == 200
    token = confirm.context["token"]
    # Without the confirmation nothing happens.
    client.post(reverse("servicedesk:outage_delete", args=[outage.pk]), {})
    assert Outage.objects.exists()
    done = client.post(
        reverse("servicedesk:outage_delete", args=[outage.pk]), {"confirmation": token}
    )
    assert done.status_code == 302
    assert not Outage.objects.exists()


def test_filtering_by_another_municipality_is_404(desk, logins, municipality_b):
    client = factories.client_for(logins["contact_a"])
    for name in ("servicedesk:incident_list", "servicedesk:outage_list"):
        response = client.get(reverse(name), {"municipality": municipality_b.pk})
        assert response.status_code == 404


def test_the_outage_filter_by_municipality_means_those_concerning_it(desk, logins, municipality_a):
    client = factories.client_for(logins["operator"])
    rows = _export_rows(client, "servicedesk:outage_list", municipality=municipality_a.pk)
    assert {r["description"] for r in rows} == {"Fjordvik line cut", "Mail platform upgrade"}
    rows = _export_rows(client, "servicedesk:outage_list", planned="true")
    assert {r["description"] for r in rows} == {"Mail platform upgrade"}
    rows = _export_rows(client, "servicedesk:outage_list", from_date="2026-03-05")
    assert {r["description"] for r in rows} == {"Elvdal line cut", "Mail platform upgrade"}
    rows = _export_rows(client, "servicedesk:incident_list", opened_from="2026-03-03", q="elvdal")
    assert {r["number"] for r in rows} == {"INC0002"}
    rows = _export_rows(client, "servicedesk:incident_list", priority="2")
    assert {r["number"] for r in rows} == {"INC0001"}


def test_the_xlsx_export_answers(desk, logins):
    client = factories.client_for(logins["contact_a"])
    response = client.get(reverse("servicedesk:incident_list"), {"export": "xlsx"})
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]


def test_the_navigation_has_the_service_levels_section(desk, logins):
    client = factories.client_for(logins["contact_a"])
    home = client.get(reverse("home")).content.decode()
    # The section opens on the contact's own SLA reports; its pages list the rest.
    own_reports = reverse("servicedesk:sla_report_list", args=[logins["contact_a"].municipality_id])
    assert "Service levels" in home and own_reports in home
    html = client.get(reverse("servicedesk:incident_list")).content.decode()
    assert "Service levels" in html
    assert reverse("servicedesk:outage_list") in html
