"""The incident and outage endpoints: CRUD through the services, errors by field,
tenancy (the permission matrix in tests/core covers every role and endpoint)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from samdrift.core.choices import Role
from samdrift.servicedesk.models import Incident, Outage
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_api(operator):
    return factories.api_as(operator)


def test_incident_crud_and_errors(operator_api, municipality_a, email):
    url = reverse("incident-list")
    body = {
        "municipality": municipality_a.pk,
        "number": "SN-1",
        "priority": 2,
        "state": "in_progress",
        "opened_at": "2026-03-02T08:00:00+01:00",
        "pauses": [["awaiting_user", "2026-03-02T09:00:00+01:00", None]],
    }
    created = operator_api.post(url, body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["source"] == "manual"
    pk = created.json()["id"]
    again = operator_api.post(url, body, format="json")
    assert again.status_code == 400
    assert list(again.json()) == ["number"]
    bad = operator_api.patch(
        reverse("incident-detail", args=[pk]),
        {"resolved_at": "2026-03-02T07:00:00+01:00"},
        format="json",
    )
    assert bad.status_code == 400 and "resolved_at" in bad.json()
    bad = operator_api.post(url, {**body, "number": "SN-2", "priority": 9}, format="json")
    assert bad.status_code == 400 and "priority" in bad.json()
    bad = operator_api.post(
        url, {**body, "number": "SN-3", "pauses": [["lunch", None, None]]}, format="json"
    )
    assert bad.status_code == 400 and "pauses" in bad.json()
    assert Incident.objects.count() == 1
    ok = operator_api.patch(
        reverse("incident-detail", args=[pk]),
        {"resolved_at": "2026-03-02T10:00:00+01:00", "state": "resolved", "service": email.pk},
        format="json",
    )
    assert ok.status_code == 200, ok.content
    assert Incident.objects.get().state == "resolved"


def test_outage_crud_with_municipalities_as_ids(
    operator_api, municipality_a, municipality_b, email
):
    url = reverse("outage-list")
    created = operator_api.post(
        url,
        {
            "service": email.pk,
            "started_at": "2026-03-02T08:00:00+01:00",
            "description": "Switch",
            "all_municipalities": False,
            "municipalities": [municipality_a.pk, municipality_b.pk],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert sorted(created.json()["municipalities"]) == sorted(
        [municipality_a.pk, municipality_b.pk]
    )
    detail = reverse("outage-detail", args=[created.json()["id"]])
    bad = operator_api.patch(detail, {"ended_at": "2026-03-02T07:00:00+01:00"}, format="json")
    assert bad.status_code == 400 and "ended_at" in bad.json()
    bad = operator_api.patch(detail, {"municipalities": []}, format="json")
    assert bad.status_code == 400 and "municipalities" in bad.json()
    ok = operator_api.patch(detail, {"municipalities": [municipality_b.pk]}, format="json")
    assert ok.status_code == 200 and ok.json()["municipalities"] == [municipality_b.pk]
    assert operator_api.delete(detail).status_code == 204
    assert not Outage.objects.exists()


def test_a_municipality_sees_its_outages_and_only_its_own_name_in_them(
    desk, municipality_a, municipality_b
):
    from samdrift.servicedesk.services.outages import update_outage

    update_outage(
        outage=desk.outage_b, changes={"municipalities": [municipality_a, municipality_b]}
    )
    contact = factories.make_user(Role.MUNICIPALITY, municipality=municipality_a)
    rows = factories.api_as(contact).get(reverse("outage-list")).json()["results"]
    by_description = {row["description"]: row["municipalities"] for row in rows}
    assert by_description == {
        "Fjordvik line cut": [municipality_a.pk],
        "Elvdal line cut": [municipality_a.pk],
        "Mail platform upgrade": [],
    }
    incidents = factories.api_as(contact).get(reverse("incident-list")).json()["results"]
    assert [row["number"] for row in incidents] == ["INC0001"]
    assert (
        factories.api_as(contact)
        .get(reverse("incident-list"), {"municipality": municipality_b.pk})
        .status_code
        == 404
    )
