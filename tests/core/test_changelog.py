"""The change log: who changed what, when, before and after — from the API (token and
session), the admin and code — and who may read it."""

from __future__ import annotations

import datetime

from rest_framework.test import APIClient

from samdrift.core.changelog import changes_for
from samdrift.core.choices import ChangeAction
from samdrift.core.models import ObjectChange
from samdrift.inventory.services import assign_asset

D = datetime.date


def latest(instance) -> ObjectChange:
    return changes_for(instance).first()


# --- API changes carry the API user ------------------------------------------------------


def test_an_api_update_with_a_token_is_logged_with_the_user_and_before_after(world):
    person = world.objects["person"]["own"]
    response = world.client("operator").patch(
        f"/api/persons/{person.pk}/", {"email": "kari@fjordvik.kommune.no"}
    )
    assert response.status_code == 200
    change = latest(person)
    assert change.action == ChangeAction.UPDATE
    assert change.user == world.users["operator"]
    assert change.actor == "operator"
    assert change.changed_fields() == {"email": ("", "kari@fjordvik.kommune.no")}
    assert change.prechange_data["username"] == change.postchange_data["username"] == "kari"
    assert change.municipality_id == world.municipality_a.pk
    assert change.service_area_id == world.objects["servicearea"]["own"].pk


def test_an_api_create_with_a_session_is_logged_with_the_user(world):
    client = APIClient()
    client.force_login(world.users["finance"])
    response = client.post("/api/services/", {"name": "Backup", "code": "backup", "unit": "fixed"})
    assert response.status_code == 201, response.content
    change = ObjectChange.objects.get(
        content_type__model="service", object_id=response.json()["id"]
    )
    assert change.action == ChangeAction.CREATE
    assert change.user == world.users["finance"]
    assert change.actor == "finance"
    assert change.prechange_data is None
    assert change.postchange_data["code"] == "backup"
    assert change.municipality_id is None  # shared catalogue data


def test_one_api_request_shares_one_request_id(world):
    asset = world.objects["asset"]["stock"]
    response = world.client("operator").post(
        f"/api/assets/{asset.pk}/assign/",
        {"municipality": world.municipality_a.pk, "valid_from": "2026-02-01"},
    )
    assert response.status_code == 201
    rows = ObjectChange.objects.filter(request_id=latest(asset).request_id)
    # The assignment created and the asset updated (status and holder), as one request.
    assert {row.content_type.model for row in rows} == {"assignment", "asset"}
    assert {row.actor for row in rows} == {"operator"}
    earlier = changes_for(world.objects["asset"]["own"]).first()
    assert earlier.request_id != rows.first().request_id


def test_a_refused_request_logs_nothing(world):
    before = ObjectChange.objects.count()
    person = world.objects["person"]["own"]
    assert world.client("contact_a").patch(f"/api/persons/{person.pk}/", {"email": "x@y.no"})
    assert (
        world.client("operator")
        .patch(f"/api/persons/{person.pk}/", {"active_to": "2020-01-01"})
        .status_code
        == 400
    )
    assert ObjectChange.objects.count() == before


# --- Who may read the log ------------------------------------------------------------------


def test_municipality_users_see_only_their_own_municipalitys_changes(world):
    for role, municipality in (
        ("contact_a", world.municipality_a),
        ("contact_b", world.municipality_b),
    ):
        rows = world.client(role).get("/api/changes/", {"page_size": 1000}).json()["results"]
        assert rows
        assert {row["municipality"] for row in rows} == {municipality.pk}
    # Filtering for another municipality's object finds nothing; naming the municipality is 404.
    foreign = world.objects["person"]["foreign"]
    client = world.client("contact_a")
    response = client.get(
        "/api/changes/", {"content_type": "organisations.person", "object_id": foreign.pk}
    )
    assert response.json()["count"] == 0
    assert client.get("/api/changes/", {"municipality": world.municipality_b.pk}).status_code == 404
    assert client.get(f"/api/changes/{latest(foreign).pk}/").status_code == 404


def test_a_service_area_manager_sees_only_their_area_s_changes(world):
    rows = world.client("manager_a").get("/api/changes/", {"page_size": 1000}).json()["results"]
    assert rows
    assert {row["service_area"] for row in rows} == {world.objects["servicearea"]["own"].pk}


def test_an_objects_history_shows_a_municipality_only_its_own_rows(world):
    """An asset moved from A to B: B's contact sees the asset's history from the move on,
    not A's rows (which name A's service areas and people)."""
    asset = world.objects["asset"]["own"]
    assign_asset(
        asset=asset,
        municipality=world.municipality_b,
        service_area=world.objects["servicearea"]["foreign"],
        valid_from=D(2026, 4, 1),
    )
    seen_by_b = world.client("contact_b").get(f"/api/assets/{asset.pk}/changes/").json()
    seen_by_operator = world.client("operator").get(f"/api/assets/{asset.pk}/changes/").json()
    assert 0 < seen_by_b["count"] < seen_by_operator["count"]
    assert {row["municipality"] for row in seen_by_b["results"]} == {world.municipality_b.pk}
    assert world.client("contact_a").get(f"/api/assets/{asset.pk}/changes/").status_code == 404


def test_an_assets_assignment_history_shows_a_municipality_only_its_own_periods(world):
    asset = world.objects["asset"]["own"]
    assign_asset(asset=asset, municipality=world.municipality_b, valid_from=D(2026, 4, 1))
    seen_by_b = world.client("contact_b").get(f"/api/assets/{asset.pk}/assignments/").json()
    seen_by_operator = world.client("operator").get(f"/api/assets/{asset.pk}/assignments/").json()
    assert [h["municipality"] for h in seen_by_operator] == [
        world.municipality_a.pk,
        world.municipality_b.pk,
    ]
    assert [(h["municipality"], h["valid_from"]) for h in seen_by_b] == [
        (world.municipality_b.pk, "2026-04-01")
    ]
