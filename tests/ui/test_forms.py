"""Operator forms: good input is saved through the services (and change-logged); bad
input gets a message next to its field, status 400, and changes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from samdrift.core.models import ObjectChange
from samdrift.inventory.models import Asset, Assignment
from samdrift.organisations.models import Person, ServiceArea


def snapshot() -> tuple[int, int, int, int, int]:
    return (
        Asset.objects.count(),
        Assignment.objects.count(),
        Person.objects.count(),
        ServiceArea.objects.count(),
        ObjectChange.objects.count(),
    )


def field_error(html: str, field: str) -> str:
    """The error text shown inside the field's block (empty when none)."""
    start = html.index(f'data-field="{field}"')
    block = html[start : html.index("</div>", start)]
    if "field-errors" not in block:
        return ""
    return block[block.index("field-errors") :]


def asset_data(world, **overrides) -> dict:
    data = {
        "product": world.laptop.pk,
        "asset_tag": "NEW-001",
        "serial_number": "SN-NEW-001",
        "status": "in_stock",
        "origin": "purchased",
        "acquisition_date": "2025-02-03",
        "acquisition_cost": "12 345,50",
    }
    data.update(overrides)
    return data


def test_create_asset_through_the_service(operator_client, world):
    before = ObjectChange.objects.count()
    response = operator_client.post(reverse("inventory:asset_create"), asset_data(world))
    asset = Asset.objects.get(asset_tag="NEW-001")
    assert response.status_code == 302
    assert response["Location"] == reverse("inventory:asset_detail", args=[asset.pk])
    assert asset.acquisition_cost == Decimal("12345.50")
    assert ObjectChange.objects.count() == before + 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"asset_tag": "T4601-000"}, "asset_tag", "already exists"),
        ({"serial_number": "SN-DUP"}, "serial_number", "already has the serial number"),
        ({"acquisition_cost": "12,34.5,6"}, "acquisition_cost", "Enter an amount in kroner"),
        ({"acquisition_cost": "-5"}, "acquisition_cost", "greater than or equal to 0"),
        ({"acquisition_date": "2999-01-01"}, "acquisition_date", "in the future"),
        ({"acquisition_date": "31.02.2025"}, "acquisition_date", "Enter a valid date"),
        (
            {"lease_start": "2025-01-01", "lease_end": "2024-01-01"},
            "lease_end",
            "must end after it starts",
        ),
        ({"product": "999999"}, "product", "Select a valid choice"),
        ({"asset_tag": ""}, "asset_tag", "This field is required"),
        ({"status": "deployed"}, "status", "Select a valid choice"),
    ],
)
def test_bad_asset_input_changes_nothing(operator_client, world, overrides, field, message):
    world.assets_b[0].serial_number = "SN-DUP"
    world.assets_b[0].save()
    before = snapshot()
    response = operator_client.post(
        reverse("inventory:asset_create"), asset_data(world, **overrides)
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert message in field_error(html, field), html[:200]
    assert "nothing was saved" in html
    assert snapshot() == before


def test_edit_asset_keeps_holder_and_logs_the_change(operator_client, world):
    asset = world.assets_a[0]
    data = asset_data(world, asset_tag=asset.asset_tag, serial_number="SN-EDITED")
    data.pop("status")
    response = operator_client.post(reverse("inventory:asset_edit", args=[asset.pk]), data)
    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.serial_number == "SN-EDITED"
    assert asset.municipality == world.municipality_a  # the holder is not a form field
    assert ObjectChange.objects.filter(object_id=asset.pk, action="update").exists()


def test_bad_edit_changes_nothing(operator_client, world):
    asset = world.assets_a[0]
    before = snapshot()
    data = asset_data(world, asset_tag=world.assets_a[1].asset_tag)
    data.pop("status")
    response = operator_client.post(reverse("inventory:asset_edit", args=[asset.pk]), data)
    assert response.status_code == 400
    assert "already exists" in field_error(response.content.decode(), "asset_tag")
    asset.refresh_from_db()
    assert asset.asset_tag == "T4601-000"
    assert snapshot() == before


def test_assign_from_a_date_splits_the_history(operator_client, world):
    asset = world.assets_a[0]
    response = operator_client.post(
        reverse("inventory:asset_assign", args=[asset.pk]),
        {
            "municipality": world.municipality_a.pk,
            "service_area": world.area_a2.pk,
            "person": world.assets_a and "4601-p1",
            "valid_from": "2025-03-10",
        },
    )
    assert response.status_code == 302
    history = list(asset.assignments.order_by("valid_from"))
    assert [(a.valid_from, a.valid_to) for a in history] == [
        (datetime.date(2024, 6, 1), datetime.date(2025, 3, 10)),
        (datetime.date(2025, 3, 10), None),
    ]
    assert history[1].person.username == "4601-p1"
    html = operator_client.get(reverse("inventory:asset_detail", args=[asset.pk])).content.decode()
    assert html.count('class="segment"') == 2


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"valid_from": "2024-01-01"}, "valid_from", "Overlaps the assignment"),
        ({"valid_from": "2024-06-01"}, "valid_from", "Overlaps the assignment"),
        ({"valid_from": ""}, "valid_from", "This field is required"),
        ({"valid_to": "2025-01-01"}, "valid_to", "must end after it starts"),
        ({"person": "nobody"}, "person", "has no person with the username nobody"),
        ({"person": "4602-p0"}, "person", "has no person with the username 4602-p0"),
        ({"service_area": "other"}, "service_area", "Select a valid choice"),
        ({"municipality": "other"}, "municipality", "Select a valid choice"),
    ],
)
def test_bad_assignment_changes_nothing(
    operator_client, contact_a_user, world, overrides, field, message
):
    asset = world.assets_a[0]
    data = {
        "municipality": world.municipality_a.pk,
        "service_area": world.area_a2.pk,
        "valid_from": "2025-03-10",
    }
    if overrides.get("service_area") == "other":
        overrides = {"service_area": world.area_b.pk}
    if overrides.get("municipality") == "other":
        overrides = {"municipality": 999999}
    data.update(overrides)
    before = snapshot()
    response = operator_client.post(reverse("inventory:asset_assign", args=[asset.pk]), data)
    assert response.status_code == 400
    assert message in field_error(response.content.decode(), field)
    assert snapshot() == before


def test_create_person_and_service_area(operator_client, world):
    response = operator_client.post(
        reverse("organisations:service_area_create"),
        {
            "municipality": world.municipality_a.pk,
            "name": "Kultur",
            "kind": "culture",
            "cost_centre": "7000",
            "active": "on",
        },
    )
    assert response.status_code == 302
    area = ServiceArea.objects.get(name="Kultur")
    response = operator_client.post(
        reverse("organisations:person_create"),
        {
            "municipality": world.municipality_a.pk,
            "service_area": area.pk,
            "username": "ny.person",
            "first_name": "Ny",
            "last_name": "Person",
            "kind": "employee",
            "active_from": "2026-01-01",
        },
    )
    person = Person.objects.get(username="ny.person")
    assert response.status_code == 302
    assert person.service_area == area
    assert ObjectChange.objects.filter(object_id=person.pk, action="create").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"username": "4601-p0"}, "username", "already has a person with the username"),
        ({"active_to": "2025-01-01"}, "active_to", "Must be after"),
        ({"service_area": "other"}, "service_area", "Select a valid choice"),
        ({"email": "not-an-address"}, "email", "valid email"),
        ({"active_from": ""}, "active_from", "This field is required"),
    ],
)
def test_bad_person_input_changes_nothing(operator_client, world, overrides, field, message):
    data = {
        "municipality": world.municipality_a.pk,
        "username": "ny.person",
        "first_name": "Ny",
        "last_name": "Person",
        "kind": "employee",
        "active_from": "2026-01-01",
    }
    if overrides.get("service_area") == "other":
        overrides = {"service_area": world.area_b.pk}
    data.update(overrides)
    before = snapshot()
    response = operator_client.post(reverse("organisations:person_create"), data)
    assert response.status_code == 400
    assert message in field_error(response.content.decode(), field)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "Oppvekst"}, "name", "already has a service area called"),
        ({"cost_centre": "2000"}, "cost_centre", "already used in"),
        ({"kind": "nonsense"}, "kind", "Select a valid choice"),
    ],
)
def test_bad_service_area_input_changes_nothing(operator_client, world, overrides, field, message):
    data = {
        "municipality": world.municipality_a.pk,
        "name": "Ny",
        "kind": "culture",
        "cost_centre": "9999",
    }
    data.update(overrides)
    before = snapshot()
    response = operator_client.post(reverse("organisations:service_area_create"), data)
    assert response.status_code == 400
    assert message in field_error(response.content.decode(), field)
    assert snapshot() == before


def test_member_choices_follow_the_municipality(operator_client, world):
    """The htmx reload of service areas: only the chosen municipality's are offered."""
    html = operator_client.get(
        reverse("organisations:person_create") + f"?municipality={world.municipality_b.pk}"
    ).content.decode()
    member = html[html.index('id="member-fields"') :]
    member = member[: member.index('data-field="username"')]
    assert "Elvdal helse" in member and "Oppvekst" not in member


def test_person_suggestions_are_restricted(contact_a_client, operator_client, world):
    url = reverse("inventory:person_suggestions")
    html = operator_client.get(url, {"municipality": world.municipality_a.pk, "person": "4601"})
    assert html.content.decode().count("<option") == 3
    other = contact_a_client.get(url, {"municipality": world.municipality_b.pk, "person": "4602"})
    assert "<option" not in other.content.decode()
