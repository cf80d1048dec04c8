"""What a municipality may see of an object's history from before it held it:
change rows of its own municipality only, and in them no reference to another
municipality's (or, for a manager, another service area's) objects — the move that
brought an asset over is recorded under its new holder, with the previous holder's
municipality, service area, person and location in "before"; those are blanked and
named in ``redacted_fields``. Operators and other all-seeing roles see everything.
"""

from __future__ import annotations

import datetime

from django.test import Client
from django.urls import reverse

from samdrift.inventory.models import Asset
from samdrift.inventory.services import assign_asset

D = datetime.date
HOLDER_FIELDS = ["location_id", "municipality_id", "person_id", "service_area_id"]


def _move_own_asset_to_b(world) -> Asset:
    """A's asset (area Oppvekst, person kari, Fjordvik skole) moves to B's person per."""
    asset = Asset.objects.get(pk=world.objects["asset"]["own"].pk)
    assign_asset(
        asset=asset,
        municipality=world.municipality_b,
        service_area=world.objects["servicearea"]["foreign"],
        person=world.objects["person"]["foreign"],
        location=world.objects["location"]["foreign"],
        valid_from=D(2025, 6, 1),
    )
    return asset


def _move_row(rows: list[dict], world) -> dict:
    """The asset's update row that records the move to B."""
    return next(
        row
        for row in rows
        if row["content_type"] == "inventory.asset"
        and (row["postchange_data"] or {}).get("municipality_id") == world.municipality_b.pk
    )


def test_the_new_holder_does_not_see_the_previous_holders_ids(world):
    asset = _move_own_asset_to_b(world)
    body = world.client("contact_b").get(f"/api/assets/{asset.pk}/changes/").json()
    rows = body["results"]
    assert {row["municipality"] for row in rows} == {world.municipality_b.pk}
    move = _move_row(rows, world)
    assert move["redacted_fields"] == HOLDER_FIELDS
    assert all(move["prechange_data"][name] is None for name in HOLDER_FIELDS)
    # What is B's own stays: the new holder, area, person and location.
    assert move["postchange_data"]["municipality_id"] == world.municipality_b.pk
    assert move["postchange_data"]["person_id"] == world.objects["person"]["foreign"].pk
    # Not one of A's ids anywhere in B's view of the history.
    a_ids = {
        ("municipality_id", world.municipality_a.pk),
        ("service_area_id", world.objects["servicearea"]["own"].pk),
        ("person_id", world.objects["person"]["own"].pk),
        ("location_id", world.objects["location"]["own"].pk),
    }
    for row in rows:
        for data in (row["prechange_data"] or {}, row["postchange_data"] or {}):
            assert not {(k, data.get(k)) for k, _v in a_ids} & a_ids


def test_the_change_log_endpoint_redacts_alike(world):
    asset = _move_own_asset_to_b(world)
    client = world.client("contact_b")
    rows = client.get("/api/changes/", {"object_id": asset.pk, "page_size": 1000}).json()
    move = _move_row(rows["results"], world)
    assert move["redacted_fields"] == HOLDER_FIELDS
    single = client.get(f"/api/changes/{move['id']}/").json()
    assert single["redacted_fields"] == HOLDER_FIELDS
    assert single["prechange_data"]["person_id"] is None


def test_an_operator_sees_the_whole_history(world):
    asset = _move_own_asset_to_b(world)
    rows = world.client("operator").get(f"/api/assets/{asset.pk}/changes/").json()["results"]
    move = _move_row(rows, world)
    assert move["redacted_fields"] == []
    assert move["prechange_data"]["municipality_id"] == world.municipality_a.pk
    assert move["prechange_data"]["person_id"] == world.objects["person"]["own"].pk


def test_a_manager_does_not_see_the_other_service_areas_person(world):
    """A move inside A from Helse (person ola) to the manager's Oppvekst."""
    asset = Asset.objects.get(pk=world.objects["asset"]["own_other_area"].pk)
    assign_asset(
        asset=asset,
        municipality=world.municipality_a,
        service_area=world.objects["servicearea"]["own"],
        valid_from=D(2025, 6, 1),
    )
    rows = world.client("manager_a").get(f"/api/assets/{asset.pk}/changes/").json()["results"]
    move = next(
        row
        for row in rows
        if (row["postchange_data"] or {}).get("service_area_id")
        == world.objects["servicearea"]["own"].pk
        and row["content_type"] == "inventory.asset"
    )
    assert move["redacted_fields"] == ["service_area_id"]
    assert move["prechange_data"]["municipality_id"] == world.municipality_a.pk
    contact = world.client("contact_a").get(f"/api/assets/{asset.pk}/changes/").json()
    assert all(row["redacted_fields"] == [] for row in contact["results"])


def test_the_asset_page_shows_the_move_without_the_previous_holder(world):
    asset = _move_own_asset_to_b(world)
    client = Client()
    client.force_login(world.users["contact_b"])
    html = client.get(reverse("inventory:asset_detail", args=[asset.pk])).content.decode()
    assert "(hidden: not your municipality&#x27;s or service area&#x27;s)" in html
    a_id = world.municipality_a.pk
    assert f"<strong>municipality</strong>: {a_id} →" not in html
    operator = Client()
    operator.force_login(world.users["operator"])
    html = operator.get(reverse("inventory:asset_detail", args=[asset.pk])).content.decode()
    assert f"<strong>municipality</strong>: {a_id} → {world.municipality_b.pk}" in html
