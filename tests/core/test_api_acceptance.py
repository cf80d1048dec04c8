"""The API's acceptance checks, end to end over HTTP with tokens."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.apps import apps

from samdrift.catalogue.models import PriceVersion
from samdrift.core.models import ObjectChange
from samdrift.inventory.models import Assignment

pytestmark = pytest.mark.django_db


def snapshot() -> dict[str, list[dict]]:
    """Every row of every Samdrift table, the change log included, to prove nothing moved.
    A token's ``last_used`` is left out: the refused request did use it."""
    state = {}
    for model in apps.get_models():
        if model._meta.app_label in {"core", "organisations", "catalogue", "inventory"}:
            rows = list(model._base_manager.order_by("pk").values())
            if model._meta.label == "core.ApiToken":
                rows = [{k: v for k, v in row.items() if k != "last_used"} for row in rows]
            state[model._meta.label] = rows
    return state


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- A municipality contact's token ------------------------------------------------------


def test_a_contacts_token_lists_only_its_own_assets_persons_and_service_areas(world):
    client = world.client("contact_a")
    assets = {row["asset_tag"] for row in results(client.get("/api/assets/"))}
    persons = {row["username"] for row in results(client.get("/api/persons/"))}
    areas = {row["name"] for row in results(client.get("/api/service-areas/"))}
    assert assets == {"A-0001", "A-0002"}
    assert persons == {"kari", "ola"}
    assert areas == {"Oppvekst", "Helse"}
    # The other municipality's contact sees its own, none of A's.
    client_b = world.client("contact_b")
    assert {r["asset_tag"] for r in results(client_b.get("/api/assets/"))} == {"B-0001"}
    assert {r["username"] for r in results(client_b.get("/api/persons/"))} == {"per"}


def test_another_municipalitys_asset_id_is_404(world):
    foreign = world.objects["asset"]["foreign"]
    client = world.client("contact_a")
    for url in (
        f"/api/assets/{foreign.pk}/",
        f"/api/assets/{foreign.pk}/assignments/",
        f"/api/assets/{foreign.pk}/changes/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "B-0001" not in response.content.decode()
    # The same answer as for an id that does not exist: nothing is revealed.
    assert (
        client.get("/api/assets/999999/").json() == client.get(f"/api/assets/{foreign.pk}/").json()
    )
    assert client.get("/api/assets/", {"municipality": world.municipality_b.pk}).status_code == 404


# --- Moving an asset between service areas --------------------------------------------


def test_moving_an_asset_closes_the_old_assignment_and_opens_a_new_one(world):
    asset = world.objects["asset"]["own"]
    old_area = world.objects["servicearea"]["own"]
    new_area = world.objects["servicearea"]["own_other_area"]
    operator = world.client("operator")

    response = operator.post(
        f"/api/assets/{asset.pk}/assign/",
        {
            "municipality": world.municipality_a.pk,
            "service_area": new_area.pk,
            "valid_from": "2026-03-10",
        },
    )
    assert response.status_code == 201, response.content
    new_assignment = response.json()
    assert new_assignment["service_area"] == new_area.pk
    assert new_assignment["valid_to"] is None

    history = operator.get(f"/api/assets/{asset.pk}/assignments/").json()
    assert [(h["service_area"], h["valid_from"], h["valid_to"]) for h in history] == [
        (old_area.pk, "2025-01-01", "2026-03-10"),
        (new_area.pk, "2026-03-10", None),
    ]
    listed = results(operator.get("/api/assignments/", {"asset": asset.pk}))
    assert {row["id"] for row in listed} == {h["id"] for h in history}
    assert operator.get(f"/api/assets/{asset.pk}/").json()["service_area"] == new_area.pk

    # The change log, per object and in the global log, says who moved it, from where to where.
    changes = results(operator.get(f"/api/assets/{asset.pk}/changes/"))
    move = next(c for c in changes if "service_area_id" in c["changed_fields"])
    assert move["prechange_data"]["service_area_id"] == old_area.pk
    assert move["postchange_data"]["service_area_id"] == new_area.pk
    assert move["actor"] == "operator"
    assert move["user"] == world.users["operator"].pk
    closed = results(
        operator.get(
            "/api/changes/",
            {"content_type": "inventory.assignment", "object_id": history[0]["id"]},
        )
    )
    closing = next(c for c in closed if c["action"] == "update")
    assert closing["prechange_data"]["valid_to"] is None
    assert closing["postchange_data"]["valid_to"] == "2026-03-10"
    opened = results(
        operator.get(
            "/api/changes/",
            {"content_type": "inventory.assignment", "object_id": new_assignment["id"]},
        )
    )
    assert [c["action"] for c in opened] == ["create"]
    assert move["request_id"] == closing["request_id"] == opened[0]["request_id"]

    # The municipality's contact sees the move in its own change log too.
    contact_log = results(
        world.client("contact_a").get(
            "/api/changes/", {"content_type": "inventory.asset", "object_id": asset.pk}
        )
    )
    assert move["id"] in {c["id"] for c in contact_log}


# --- Bad input: a 400 naming the field, and nothing changed --------------------------------


def _bad_inputs(world) -> dict[str, tuple[str, str, dict, str]]:
    a = world.municipality_a
    asset = world.objects["asset"]["own"]
    stock = world.objects["asset"]["stock"]
    product = world.objects["product"]["shared"]
    area = world.objects["servicearea"]["own"]
    return {
        "invalid org number": (
            "post",
            "/api/municipalities/",
            {
                "name": "Nyby",
                "number": "4650",
                "organisation_number": "964338532",
                "population": 900,
                "joined_on": "2026-01-01",
            },
            "organisation_number",
        ),
        "invalid org number on update": (
            "patch",
            f"/api/municipalities/{a.pk}/",
            {"organisation_number": "12345678"},
            "organisation_number",
        ),
        "assignment ending before it starts (assign)": (
            "post",
            f"/api/assets/{stock.pk}/assign/",
            {"municipality": a.pk, "valid_from": "2026-03-01", "valid_to": "2026-02-01"},
            "valid_to",
        ),
        "assignment ending before it starts (assignments)": (
            "post",
            "/api/assignments/",
            {
                "asset": stock.pk,
                "municipality": a.pk,
                "valid_from": "2026-03-01",
                "valid_to": "2026-03-01",
            },
            "valid_to",
        ),
        "overlapping assignments": (
            "post",
            "/api/assignments/",
            {
                "asset": asset.pk,
                "municipality": a.pk,
                "valid_from": "2024-06-01",
                "valid_to": "2025-06-01",
            },
            "valid_from",
        ),
        "negative price": (
            "post",
            "/api/price-versions/",
            {"product": product.pk, "amount": "-1.00", "valid_from": "2026-12-01"},
            "amount",
        ),
        "negative standard cost": (
            "patch",
            f"/api/products/{product.pk}/",
            {"standard_cost": "-500.00"},
            "standard_cost",
        ),
        "unknown municipality": (
            "post",
            "/api/persons/",
            {
                "municipality": 999999,
                "username": "nn",
                "first_name": "N",
                "last_name": "N",
                "active_from": "2026-01-01",
            },
            "municipality",
        ),
        "unknown municipality on assign": (
            "post",
            f"/api/assets/{stock.pk}/assign/",
            {"municipality": 999999, "valid_from": "2026-03-01"},
            "municipality",
        ),
        "service area of another municipality": (
            "post",
            "/api/persons/",
            {
                "municipality": world.municipality_b.pk,
                "service_area": area.pk,
                "username": "nn",
                "first_name": "N",
                "last_name": "N",
                "active_from": "2026-01-01",
            },
            "service_area",
        ),
        "duplicate service-area name in the municipality": (
            "post",
            "/api/service-areas/",
            {"municipality": a.pk, "name": area.name, "cost_centre": "9999"},
            "name",
        ),
        "duplicate serial number": (
            "post",
            "/api/assets/",
            {"product": product.pk, "asset_tag": "NEW-1", "serial_number": asset.serial_number},
            "serial_number",
        ),
        "price starting before the one in force": (
            "post",
            "/api/price-versions/",
            {"product": product.pk, "amount": "400.00", "valid_from": "2024-12-01"},
            "valid_from",
        ),
        "subscription ending before it starts": (
            "post",
            "/api/subscriptions/",
            {
                "service": world.objects["service"]["shared"].pk,
                "municipality": a.pk,
                "valid_from": "2026-03-01",
                "valid_to": "2026-01-01",
            },
            "valid_to",
        ),
        "usage month not a first day": (
            "post",
            "/api/usage-records/",
            {
                "service": world.objects["service"]["shared_pages"].pk,
                "municipality": a.pk,
                "month": "2026-10-15",
                "quantity": "100",
            },
            "month",
        ),
        "lease ending before it starts": (
            "patch",
            f"/api/assets/{asset.pk}/",
            {"lease_start": "2026-01-01", "lease_end": "2025-01-01"},
            "lease_end",
        ),
        "status change not allowed": (
            "post",
            f"/api/assets/{stock.pk}/status/",
            {"status": "disposed"},
            "status",
        ),
    }


BAD_INPUTS = [
    "invalid org number",
    "invalid org number on update",
    "assignment ending before it starts (assign)",
    "assignment ending before it starts (assignments)",
    "overlapping assignments",
    "negative price",
    "negative standard cost",
    "unknown municipality",
    "unknown municipality on assign",
    "service area of another municipality",
    "duplicate service-area name in the municipality",
    "duplicate serial number",
    "price starting before the one in force",
    "subscription ending before it starts",
    "usage month not a first day",
    "lease ending before it starts",
    "status change not allowed",
]


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(world, case):
    method, url, body, field = _bad_inputs(world)[case]
    before = snapshot()
    response = getattr(world.client("operator"), method)(url, body)
    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors, errors
    assert all(isinstance(m, str) and m for m in errors[field])
    assert snapshot() == before


def test_every_bad_input_case_is_tried(world):
    assert sorted(BAD_INPUTS) == sorted(_bad_inputs(world))


def test_error_messages_say_why(world):
    client = world.client("operator")
    cases = _bad_inputs(world)
    method, url, body, _field = cases["invalid org number"]
    message = getattr(client, method)(url, body).json()["organisation_number"][0]
    assert "mod-11" in message and "964338532" in message
    method, url, body, _field = cases["overlapping assignments"]
    message = getattr(client, method)(url, body).json()["valid_from"][0]
    assert "2025-01-01" in message
    method, url, body, _field = cases["unknown municipality"]
    assert "999999" in getattr(client, method)(url, body).json()["municipality"][0]


def test_overlapping_a_closed_assignment_is_refused(world):
    """After a move, the closed period cannot be given to anyone else either."""
    asset = world.objects["asset"]["own"]
    client = world.client("operator")
    a = world.municipality_a.pk
    moved = client.post(
        f"/api/assets/{asset.pk}/assign/", {"municipality": a, "valid_from": "2026-03-10"}
    )
    assert moved.status_code == 201
    assignments = Assignment.objects.filter(asset=asset).count()
    changes = ObjectChange.objects.count()
    response = client.post(
        "/api/assignments/",
        {
            "asset": asset.pk,
            "municipality": a,
            "valid_from": "2025-06-01",
            "valid_to": "2025-07-01",
        },
    )
    assert response.status_code == 400
    assert "valid_from" in response.json()
    assert Assignment.objects.filter(asset=asset).count() == assignments
    assert ObjectChange.objects.count() == changes


def test_decimals_are_strings(world):
    client = world.client("operator")
    asset = client.get(f"/api/assets/{world.objects['asset']['own'].pk}/").json()
    assert asset["acquisition_cost"] == "10000.00"
    price = client.get(f"/api/price-versions/{world.objects['priceversion']['shared'].pk}/").json()
    assert price["amount"] == "450.0000"
    usage = client.get(f"/api/usage-records/{world.objects['usagerecord']['own'].pk}/").json()
    assert usage["quantity"] == "1200.000"
    created = client.post(
        "/api/price-versions/",
        {
            "product": world.objects["product"]["shared"].pk,
            "amount": "0.1",
            "valid_from": "2027-01-01",
        },
    )
    assert created.status_code == 201
    assert created.json()["amount"] == "0.1000"
    assert PriceVersion.objects.get(pk=created.json()["id"]).amount == Decimal("0.1000")
