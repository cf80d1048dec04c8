"""The price-list endpoints: calculation, publication, indexation, publications list."""

import datetime
from decimal import Decimal

import pytest

from samdrift.catalogue.models import PriceVersion
from samdrift.inventory.services import assign_asset
from samdrift.leasing.models import PriceListPublication
from tests import factories
from tests.factories import api_as


@pytest.fixture
def priced(db, municipality_a, municipality_b):
    laptop = factories.make_leased_laptop(residual_percent="10", useful_life_months=48)
    factories.make_price(amount="350.00", valid_from=datetime.date(2025, 1, 1), product=laptop)
    for municipality in (municipality_a, municipality_b):
        assign_asset(
            asset=factories.make_asset(laptop),
            municipality=municipality,
            valid_from=datetime.date(2025, 1, 1),
        )
    service = factories.make_service(name="Workplace", code="wp")
    factories.make_price(amount="400.00", valid_from=datetime.date(2026, 1, 1), service=service)
    return laptop, service


def test_calculation(priced, finance_user):
    response = api_as(finance_user).get("/api/price-list/calculation/", {"year": 2027})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["valid_from"] == "2027-01-01"
    row = body["rows"][0]
    assert (row["old_amount"], row["new_amount"], row["change_percent"]) == (
        "350.0000",
        "378.6900",
        "8.20",
    )
    assert [e["number"] for e in body["effects"]] == ["4601", "4602"]
    assert body["total_new_monthly"] == "757.3800"


def test_municipality_user_sees_only_its_own_effect(priced, contact_a):
    body = api_as(contact_a).get("/api/price-list/calculation/", {"year": 2027}).json()
    assert [e["number"] for e in body["effects"]] == ["4601"]


def test_calculation_needs_a_year(priced, finance_user):
    response = api_as(finance_user).get("/api/price-list/calculation/")
    assert response.status_code == 400 and "year" in response.json()


def test_publish(priced, finance_user):
    laptop, _service = priced
    response = api_as(finance_user).post(
        "/api/price-list/publish/", {"year": 2027, "valid_from": "2027-02-01"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["versions_created"] == 1
    assert response.json()["published_by"] == "finance"
    assert PriceVersion.objects.get(product=laptop, valid_to__isnull=True).amount == Decimal(
        "378.69"
    )
    again = api_as(finance_user).post("/api/price-list/publish/", {"year": 2027})
    assert again.status_code == 400 and "valid_from" in again.json()


def test_publish_wrong_year_date_names_the_field(priced, finance_user):
    response = api_as(finance_user).post(
        "/api/price-list/publish/", {"year": 2027, "valid_from": "2026-12-01"}
    )
    assert response.status_code == 400 and "valid_from" in response.json()
    assert not PriceListPublication.objects.exists()


@pytest.mark.parametrize("who", ["contact_a", "read_only_user"])
def test_only_finance_roles_publish(priced, who, request):
    user = request.getfixturevalue(who)
    response = api_as(user).post("/api/price-list/publish/", {"year": 2027})
    assert response.status_code == 403
    response = api_as(user).post(
        "/api/price-list/index/", {"year": 2027, "old_index": "100", "new_index": "104"}
    )
    assert response.status_code == 403
    assert not PriceListPublication.objects.exists()


def test_anonymous_is_refused(priced, api):
    assert api.get("/api/price-list/calculation/", {"year": 2027}).status_code in (401, 403)


def test_indexation_preview_and_publish(priced, operator):
    _laptop, service = priced
    client = api_as(operator)
    preview = client.get(
        "/api/price-list/indexation/", {"year": 2027, "old_index": "100", "new_index": "104.3"}
    )
    assert preview.status_code == 200
    assert preview.json()["rows"][0]["new_amount"] == "417.2000"
    response = client.post(
        "/api/price-list/index/",
        {"year": 2027, "old_index": "100", "new_index": "104.3", "index_name": "Deflator"},
    )
    assert response.status_code == 201, response.content
    assert PriceVersion.objects.get(service=service, valid_to__isnull=True).amount == Decimal(
        "417.20"
    )
    listed = client.get("/api/price-list/").json()
    assert listed["count"] == 1 and listed["results"][0]["index_name"] == "Deflator"


def test_negative_index_names_the_field(priced, operator):
    response = api_as(operator).post(
        "/api/price-list/index/", {"year": 2027, "old_index": "-1", "new_index": "104"}
    )
    assert response.status_code == 400 and "old_index" in response.json()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("annual_rate", "-0.01"),
        ("term_months", -12),
        ("term_months", 0),
        ("residual_percent", "101"),
    ],
)
def test_lease_model_bad_input_names_the_field(db, finance_user, field, value):
    payload = {
        "name": "Lease",
        "term_months": 36,
        "annual_rate": "0.05",
        "residual_percent": "10",
        "monthly_service_fee": "50",
        field: value,
    }
    response = api_as(finance_user).post("/api/lease-models/", payload)
    assert response.status_code == 400 and field in response.json()
