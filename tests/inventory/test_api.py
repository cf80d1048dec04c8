"""Inventory endpoints beyond the permission matrix: usage records and asset operations."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from samdrift.core.changelog import changes_for
from samdrift.inventory.models import UsageRecord
from samdrift.inventory.services import assign_asset, record_usage
from tests import factories
from tests.factories import api_as

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def printer(municipality_a, service_area_a):
    asset = factories.make_asset(asset_tag="MFP-0001")
    assign_asset(
        asset=asset,
        municipality=municipality_a,
        service_area=service_area_a,
        valid_from=D(2026, 1, 1),
    )
    return asset


@pytest.fixture
def pages(db):
    return factories.make_service(name="Printing per page", code="print-page", unit="page")


def test_record_and_correct_usage_through_the_api(
    operator, printer, pages, municipality_a, service_area_a
):
    client = api_as(operator)
    created = client.post(
        "/api/usage-records/",
        {
            "service": pages.pk,
            "municipality": municipality_a.pk,
            "service_area": service_area_a.pk,
            "asset": printer.pk,
            "month": "2026-10-01",
            "quantity": "12345.5",
            "reference": "meter-2026-10",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["quantity"] == "12345.500"
    corrected = client.patch(f"/api/usage-records/{body['id']}/", {"quantity": "12000"})
    assert corrected.status_code == 200
    record = UsageRecord.objects.get(pk=body["id"])
    assert record.quantity == Decimal("12000")
    assert changes_for(record).first().changed_fields() == {"quantity": ("12345.500", "12000.000")}
    history = client.get(f"/api/usage-records/{record.pk}/changes/").json()
    assert [c["action"] for c in history["results"]] == ["update", "create"]


def test_usage_of_a_printer_another_municipality_held_is_a_400(
    operator, printer, pages, municipality_b
):
    response = api_as(operator).post(
        "/api/usage-records/",
        {
            "service": pages.pk,
            "municipality": municipality_b.pk,
            "asset": printer.pk,
            "month": "2026-10-01",
            "quantity": "10",
        },
    )
    assert response.status_code == 400
    assert "MFP-0001" in response.json()["asset"][0]
    assert not UsageRecord.objects.exists()


def test_usage_lists_filter_by_month_and_asset(
    operator, contact_a, contact_b, printer, pages, municipality_a
):
    for month in (D(2026, 8, 1), D(2026, 9, 1), D(2026, 10, 1)):
        record_usage(
            service=pages,
            municipality=municipality_a,
            asset=printer,
            month=month,
            quantity=Decimal("100"),
        )
    client = api_as(contact_a)
    autumn = client.get(
        "/api/usage-records/", {"month_after": "2026-09-01", "asset": printer.pk}
    ).json()
    assert [r["month"] for r in autumn["results"]] == ["2026-09-01", "2026-10-01"]
    assert api_as(contact_b).get("/api/usage-records/").json()["count"] == 0
    assert api_as(contact_b).get("/api/usage-records/", {"asset": printer.pk}).status_code == 404


def test_retiring_through_the_api_ends_the_assignment(operator, printer):
    client = api_as(operator)
    response = client.post(
        f"/api/assets/{printer.pk}/status/", {"status": "retired", "on": "2026-11-01"}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["municipality"], body["service_area"]) == ("retired", None, None)
    history = client.get(f"/api/assets/{printer.pk}/assignments/").json()
    assert [h["valid_to"] for h in history] == ["2026-11-01"]
    again = client.post(
        f"/api/assets/{printer.pk}/assign/",
        {"municipality": history[0]["municipality"], "valid_from": "2026-12-01"},
    )
    assert again.status_code == 400
    assert "asset" in again.json()


def test_unassign_through_the_api(operator, printer):
    response = api_as(operator).post(f"/api/assets/{printer.pk}/unassign/", {"on": "2026-06-01"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["municipality"]) == ("in_stock", None)


def test_status_and_holder_cannot_be_patched(operator, printer, municipality_a, municipality_b):
    response = api_as(operator).patch(
        f"/api/assets/{printer.pk}/",
        {"status": "disposed", "municipality": municipality_b.pk, "notes": "x"},
    )
    # Read-only on update: ignored, the rest applies; they change only through operations.
    assert response.status_code == 200
    printer.refresh_from_db()
    assert (printer.status, printer.municipality, printer.notes) == (
        "deployed",
        municipality_a,
        "x",
    )


def test_a_new_asset_may_start_as_ordered_but_not_deployed(operator):
    product = factories.make_product()
    client = api_as(operator)
    ordered = client.post(
        "/api/assets/", {"product": product.pk, "asset_tag": "O-1", "status": "ordered"}
    )
    assert ordered.status_code == 201
    assert ordered.json()["status"] == "ordered"
    deployed = client.post(
        "/api/assets/", {"product": product.pk, "asset_tag": "O-2", "status": "deployed"}
    )
    assert deployed.status_code == 400
    assert "status" in deployed.json()
