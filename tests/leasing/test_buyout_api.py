"""Buyout endpoints: list, register, valuation, XLSX, agree, complete; permissions."""

import datetime
import hashlib
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samdrift.inventory.choices import AssetOrigin
from samdrift.inventory.models import Asset
from samdrift.leasing.buyouts.drafting import create_buyout
from samdrift.leasing.models import AmountOwed, Buyout, BuyoutItem, SignedValuation
from tests import factories
from tests.factories import api_as, steady_query_state


@pytest.fixture
def laptop(db):
    return factories.make_leased_laptop()


@pytest.fixture
def draft(municipality_a, laptop):
    return factories.make_buyout_draft(municipality_a, laptop, ["OLD-1"], name="Fjordvik")


def rows_payload(laptop, **override):
    row = {
        "product": laptop.pk,
        "asset_tag": "NEW-1",
        "serial_number": "S-NEW-1",
        "acquisition_date": "2023-05-01",
        "acquisition_cost": "8000.00",
    }
    row.update(override)
    return {"rows": [row]}


def test_create_register_value_agree_complete(finance_user, municipality_a, laptop):
    client = api_as(finance_user)
    response = client.post(
        "/api/buyouts/",
        {"municipality": municipality_a.pk, "name": "Takeover", "valuation_date": "2026-01-01"},
    )
    assert response.status_code == 201, response.content
    buyout_id = response.json()["id"]
    assert response.json()["status"] == "draft"

    response = client.post(f"/api/buyouts/{buyout_id}/register/", rows_payload(laptop))
    assert response.status_code == 201, response.content
    assert response.json()[0]["asset_tag"] == "NEW-1"

    valuation = client.get(f"/api/buyouts/{buyout_id}/valuation/").json()
    # 32 months of 60: 8 000 × 28/60 = 3 733.33
    assert valuation["lines"][0]["age_months"] == 32
    assert valuation["total"] == "3733.33"
    assert valuation["frozen"] is False

    response = client.post(f"/api/buyouts/{buyout_id}/agree/", {"agreed_on": "2026-01-05"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["agreed_total"], body["agreed_by"]) == (
        "agreed",
        "3733.33",
        "finance",
    )
    signed = SignedValuation.objects.get(buyout_id=buyout_id)
    assert body["signed_sha256"] == signed.sha256

    xlsx = client.get(f"/api/buyouts/{buyout_id}/valuation-xlsx/")
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert hashlib.sha256(xlsx.content).hexdigest() == signed.sha256  # the kept copy, unchanged

    response = client.post(f"/api/buyouts/{buyout_id}/complete/", {"completed_on": "2026-02-01"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "completed"
    asset = Asset.objects.get(asset_tag="NEW-1")
    assert asset.origin == AssetOrigin.BOUGHT_OUT
    prices = client.get("/api/asset-prices/", {"asset": asset.pk}).json()["results"]
    # Nothing while the municipality held it (from its assignment), then its own prices.
    assert [(p["valid_from"], p["valid_to"]) for p in prices][:2] == [
        ("2023-05-01", "2026-02-01"),
        ("2026-02-01", prices[1]["valid_to"]),
    ]
    assert len(prices) == 3 and prices[0]["amount"] == "0.00"
    owed = client.get("/api/amounts-owed/", {"settled": "false"}).json()["results"]
    assert owed[0]["amount"] == "3733.33" and owed[0]["due_month"] == "2026-02-01"


def test_agreed_buyout_cannot_be_edited_400_with_reason(draft, finance_user):
    client = api_as(finance_user)
    client.post(f"/api/buyouts/{draft.pk}/agree/", {})
    item = BuyoutItem.objects.get(buyout=draft)
    attempts = [
        client.patch(f"/api/buyouts/{draft.pk}/", {"name": "New name"}),
        client.patch(f"/api/buyout-items/{item.pk}/", {"acquisition_cost": "1.00"}),
        client.delete(f"/api/buyout-items/{item.pk}/"),
        client.delete(f"/api/buyouts/{draft.pk}/"),
        client.post(f"/api/buyouts/{draft.pk}/agree/", {}),
    ]
    for response in attempts:
        assert response.status_code == 400, response.content
        assert "agreed" in response.json()["status"][0]
    item.refresh_from_db()
    assert item.acquisition_cost == Decimal("10000.00")
    assert Buyout.objects.get(pk=draft.pk).name == "Fjordvik"


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"acquisition_cost": "-100.00"}, "acquisition_cost"),
        ({"acquisition_date": "2099-01-01"}, "acquisition_date"),
        ({"residual_value": "9000.00"}, "residual_value"),
        ({"useful_life_months": -5, "life_override_reason": "x"}, "useful_life_months"),
        ({"useful_life_months": 36}, "life_override_reason"),
    ],
)
def test_register_bad_input_names_the_field(draft, finance_user, laptop, override, field):
    before = Asset.objects.count()
    response = api_as(finance_user).post(
        f"/api/buyouts/{draft.pk}/register/", rows_payload(laptop, **override)
    )
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert response.json()[field][0].startswith("Row 1:")
    assert Asset.objects.count() == before


def test_patch_item_overrides_life_with_reason(draft, finance_user):
    item = BuyoutItem.objects.get(buyout=draft)
    client = api_as(finance_user)
    response = client.patch(f"/api/buyout-items/{item.pk}/", {"useful_life_months": 48})
    assert response.status_code == 400 and "life_override_reason" in response.json()
    response = client.patch(
        f"/api/buyout-items/{item.pk}/",
        {"useful_life_months": 48, "life_override_reason": "Heavy use"},
    )
    assert response.status_code == 200, response.content
    total = client.get(f"/api/buyouts/{draft.pk}/valuation/").json()["total"]
    assert total == "5416.67"


def test_add_existing_assets(draft, finance_user, laptop, municipality_a, municipality_b):
    own = factories.make_asset(
        laptop, municipality=municipality_a, origin=AssetOrigin.MUNICIPALITY_OWNED
    )
    response = api_as(finance_user).post(
        f"/api/buyouts/{draft.pk}/add-assets/", {"assets": [own.pk, 999999]}
    )
    assert response.status_code == 400
    assert response.json()["assets"] == ["Row 2: No asset with id 999999."]
    response = api_as(finance_user).post(
        f"/api/buyouts/{draft.pk}/add-assets/", {"assets": [own.pk]}
    )
    assert response.status_code == 201


def test_municipality_users_read_their_own_only(draft, contact_a, contact_b):
    own = api_as(contact_a)
    assert own.get("/api/buyouts/").json()["count"] == 1
    assert own.get(f"/api/buyouts/{draft.pk}/valuation/").status_code == 200
    assert own.get(f"/api/buyouts/{draft.pk}/valuation-xlsx/").status_code == 200
    assert own.post(f"/api/buyouts/{draft.pk}/agree/", {}).status_code == 403

    other = api_as(contact_b)
    assert other.get("/api/buyouts/").json()["count"] == 0
    for url in [
        f"/api/buyouts/{draft.pk}/",
        f"/api/buyouts/{draft.pk}/valuation/",
        f"/api/buyouts/{draft.pk}/valuation-xlsx/",
    ]:
        assert other.get(url).status_code == 404
    assert other.get("/api/buyout-items/").json()["count"] == 0
    assert other.get("/api/buyouts/", {"municipality": draft.municipality_id}).status_code == 404
    assert other.get("/api/buyout-items/", {"buyout": draft.pk}).status_code == 404


def test_municipality_users_cannot_create(contact_a, municipality_a):
    response = api_as(contact_a).post(
        "/api/buyouts/",
        {"municipality": municipality_a.pk, "name": "x", "valuation_date": "2026-01-01"},
    )
    assert response.status_code == 403
    assert not Buyout.objects.exists()


def test_complete_before_agree_is_400(draft, finance_user):
    response = api_as(finance_user).post(f"/api/buyouts/{draft.pk}/complete/", {})
    assert response.status_code == 400 and "status" in response.json()
    assert not AmountOwed.objects.exists()


def test_financing_endpoint(draft, finance_user, contact_b):
    response = api_as(finance_user).get("/api/financing/", {"on": "2026-06-15"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["as_of"] == "2026-06-30" and len(body["years"]) == 5
    assert api_as(finance_user).get("/api/financing/", {"on": "June"}).status_code == 400
    assert api_as(contact_b).get("/api/financing/").json()["assets"] == 0


def test_list_query_count_is_fixed(
    draft, finance_user, municipality_a, django_assert_max_num_queries
):
    for n in range(5):
        create_buyout(
            municipality=municipality_a, name=f"B{n}", valuation_date=datetime.date(2026, 1, 1)
        )
    with django_assert_max_num_queries(6):
        response = api_as(finance_user).get("/api/buyouts/")
    assert response.json()["count"] == 6


def test_register_costs_the_same_for_3_and_30_rows(finance_user, municipality_a, laptop):
    # Products and service areas named by id are read once for all rows, not per row.
    other = factories.make_product(laptop.category, name="Desktop")
    areas = [factories.make_service_area(municipality_a) for _ in range(3)]
    client = api_as(finance_user)
    counts = []
    steady_query_state()
    for n in (1, 3, 30):  # the first, of one row, only warms up (what a first write makes once)
        buyout = create_buyout(
            municipality=municipality_a, name=f"B{n}", valuation_date=datetime.date(2026, 1, 1)
        )
        rows = [
            {
                "product": (laptop, other)[i % 2].pk,
                "asset_tag": f"N{n}-{i}",
                "service_area": areas[i % 3].pk if n == 30 else areas[0].pk,
                "acquisition_date": "2023-05-01",
                "acquisition_cost": "8000.00",
            }
            for i in range(n)
        ]
        with CaptureQueriesContext(connection) as context:
            response = client.post(f"/api/buyouts/{buyout.pk}/register/", {"rows": rows})
        assert response.status_code == 201, response.content
        assert len(response.json()) == n
        counts.append(len(context.captured_queries))
    assert counts[1] == counts[2]
    item = BuyoutItem.objects.select_related("asset").get(asset__asset_tag="N30-4")
    assert item.asset.product_id == laptop.pk and item.asset.service_area_id == areas[1].pk


def test_register_unknown_or_hidden_ids_name_the_row_and_field(
    draft, finance_user, contact_a, laptop, service_area_b
):
    payload = {
        "rows": [
            rows_payload(laptop)["rows"][0],
            {**rows_payload(laptop)["rows"][0], "asset_tag": "NEW-2", "product": 999999},
            {**rows_payload(laptop)["rows"][0], "asset_tag": "NEW-3", "product": "x"},
        ]
    }
    response = api_as(finance_user).post(f"/api/buyouts/{draft.pk}/register/", payload)
    assert response.status_code == 400
    # The messages DRF gives for a related field, by row index (the valid row 0 absent).
    assert response.json()["rows"] == {
        "1": {"product": ['Invalid pk "999999" - object does not exist.']},
        "2": {"product": ["Incorrect type. Expected pk value, received str."]},
    }
    # Another municipality's service area reads as one that does not exist.
    payload = {"rows": [{**rows_payload(laptop)["rows"][0], "service_area": service_area_b.pk}]}
    response = api_as(contact_a).post(f"/api/buyouts/{draft.pk}/register/", payload)
    assert response.status_code in (400, 403)
    response = api_as(finance_user).post(f"/api/buyouts/{draft.pk}/register/", payload)
    assert response.status_code == 400
    assert "service_area" in response.json()
