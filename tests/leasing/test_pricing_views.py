"""Lease-model and price-list pages: who may see and change what, forms, publication."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from samdrift.catalogue.models import PriceVersion
from samdrift.inventory.services import assign_asset
from samdrift.leasing.models import LeaseModel, PriceListPublication
from tests import factories
from tests.confirming import confirm


@pytest.fixture
def laptop(db, municipality_a, municipality_b):
    lease = factories.make_lease_model(
        name="PC 36",
        term_months=36,
        annual_rate=Decimal("0.05"),
        residual_percent=Decimal("10"),
        monthly_service_fee=Decimal("50"),
    )
    product = factories.make_product(
        factories.make_category(name="Laptops", lease_model=lease), name="Laptop"
    )
    factories.make_price(amount="350.00", valid_from=datetime.date(2025, 1, 1), product=product)
    assign_asset(
        asset=factories.make_asset(product),
        municipality=municipality_a,
        valid_from=datetime.date(2025, 1, 1),
    )
    assign_asset(
        asset=factories.make_asset(product),
        municipality=municipality_b,
        valid_from=datetime.date(2025, 1, 1),
    )
    return product


def test_lease_models_page(client, contact_a, finance_user, laptop):
    client.force_login(contact_a)
    page = client.get(reverse("pricing:lease_model_list"))
    assert page.status_code == 200 and b"PC 36" in page.content
    assert reverse("pricing:lease_model_create").encode() not in page.content
    assert client.get(reverse("pricing:lease_model_create")).status_code == 403
    client.force_login(finance_user)
    page = client.get(reverse("pricing:lease_model_list")).content
    assert reverse("pricing:lease_model_create").encode() in page


def test_lease_model_form(client, finance_user, db):
    client.force_login(finance_user)
    url = reverse("pricing:lease_model_create")
    data = {
        "name": "Phones",
        "term_months": "24",
        "annual_rate": "-1",
        "residual_percent": "0",
        "monthly_service_fee": "19,00",
        "payment_timing": "arrears",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert 'data-field="annual_rate"' in response.content.decode()
    assert not LeaseModel.objects.exists()
    data["annual_rate"] = "4,5".replace(",", ".")
    assert client.post(url, data).status_code == 302
    model = LeaseModel.objects.get()
    assert model.annual_rate == Decimal("0.045") and model.monthly_service_fee == Decimal("19.00")


def test_price_list_page_restricts_the_effect(client, contact_a, laptop):
    client.force_login(contact_a)
    page = client.get(reverse("pricing:price_list"), {"year": 2027}).content.decode()
    assert "378.69" in page and "Fjordvik" in page and "Elvdal" not in page
    assert 'data-testid="publish-form"' not in page
    response = client.post(reverse("pricing:price_list_publish"), {"year": 2027})
    assert response.status_code == 403
    assert not PriceListPublication.objects.exists()


def test_publish_and_index_from_the_page(client, finance_user, laptop):
    service = factories.make_service(name="Workplace", code="wp")
    factories.make_price(amount="400.00", valid_from=datetime.date(2026, 1, 1), service=service)
    client.force_login(finance_user)
    page = client.get(reverse("pricing:price_list"), {"year": 2027}).content.decode()
    assert 'data-testid="publish-form"' in page
    response = confirm(
        client,
        reverse("pricing:price_list_publish_confirm"),
        {"year": 2027, "valid_from": "2027-01-01"},
    )
    assert response.status_code == 200
    assert PriceVersion.objects.get(product=laptop, valid_to__isnull=True).amount == Decimal(
        "378.69"
    )
    again = client.get(reverse("pricing:price_list_publish_confirm"), {"year": 2027})
    assert "already published" in again.content.decode()
    assert 'data-testid="confirm-form"' not in again.content.decode()

    preview = client.get(
        reverse("pricing:price_list"),
        {"year": 2027, "old_index": "100", "new_index": "104.3", "index_name": "Deflator"},
    ).content.decode()
    assert "417.20" in preview and 'data-testid="index-publish-form"' in preview
    confirm(
        client,
        reverse("pricing:indexation_publish_confirm"),
        {"year": 2027, "old_index": "100", "new_index": "104.3", "index_name": "Deflator"},
    )
    assert PriceVersion.objects.get(service=service, valid_to__isnull=True).amount == Decimal(
        "417.20"
    )
    assert PriceListPublication.objects.count() == 2


def test_bad_year_is_400(client, finance_user, laptop):
    client.force_login(finance_user)
    response = client.get(reverse("pricing:price_list"), {"year": 2027, "valid_from": "2026-05-01"})
    assert response.status_code == 400
    assert "must start in 2027" in response.content.decode()
