"""Publishing the price list and the indexation asks for a confirmation with the figures;
a missing or stale confirmation changes nothing; a double submit publishes once."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from samdrift.catalogue.models import PriceVersion
from samdrift.inventory.services import assign_asset
from samdrift.leasing.models import PriceListPublication
from tests import factories
from tests.confirming import confirmation_form

OLD, NEW = (
    Decimal("350.00"),
    Decimal("378.69"),
)  # the annuity of the lease model below (see test_pricing)


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


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
    factories.make_price(amount=OLD, valid_from=datetime.date(2025, 1, 1), product=product)
    # Held through assignments, as billing (and so the price list's effect) reads them.
    for municipality in (municipality_a, municipality_a, municipality_b):
        assign_asset(
            asset=factories.make_asset(product),
            municipality=municipality,
            valid_from=datetime.date(2025, 1, 1),
        )
    return product


@pytest.fixture
def finance(finance_user) -> Client:
    client = Client()
    client.force_login(finance_user)
    return client


def test_publish_confirmation_shows_the_prices_and_the_monthly_effect(finance, laptop):
    page = finance.get(reverse("pricing:price_list_publish_confirm"), {"year": 2027})
    devices = 3
    old, new = OLD * devices, NEW * devices
    percent = ((new / old - 1) * 100).quantize(Decimal("0.01"))
    assert (
        f"Publish 1 new product price from 2027-01-01. The municipalities' current fleets "
        f"cost NOK {old:,.2f} a month at the old prices and NOK {new:,.2f} at the new "
        f"({percent} %)."
    ) in text(page).replace("&#x27;", "'")
    assert "Laptop" in text(page) and f"NOK {NEW - OLD:,.2f}" in text(page)
    assert not PriceListPublication.objects.exists()


def test_publishing_without_or_with_a_stale_confirmation_changes_nothing(finance, laptop):
    response = finance.post(reverse("pricing:price_list_publish"), {"year": 2027}, follow=True)
    assert "needs a confirmation" in text(response)
    assert not PriceListPublication.objects.exists()

    action, fields = confirmation_form(
        finance.get(reverse("pricing:price_list_publish_confirm"), {"year": 2027})
    )
    laptop.standard_cost += 1000  # meanwhile: another standard cost, another new price
    laptop.save()
    response = finance.post(action, fields, follow=True)
    assert "the figures have changed" in text(response)
    assert not PriceListPublication.objects.exists()
    assert PriceVersion.objects.filter(product=laptop).count() == 1


def test_a_double_submit_publishes_once(finance, laptop):
    action, fields = confirmation_form(
        finance.get(reverse("pricing:price_list_publish_confirm"), {"year": 2027})
    )
    finance.post(action, fields)
    again = finance.post(action, fields, follow=True)
    assert "This was done already" in text(again) and "Published 1 new product prices" in text(
        again
    )
    assert PriceListPublication.objects.count() == 1
    assert PriceVersion.objects.filter(product=laptop).count() == 2


def test_indexation_confirmation_shows_each_price_and_publishes_once(finance, laptop):
    service = factories.make_service(name="Workplace", code="wp")
    factories.make_price(amount="400.00", valid_from=datetime.date(2026, 1, 1), service=service)
    params = {"year": 2027, "old_index": "100", "new_index": "104.3", "index_name": "Deflator"}
    page = finance.get(reverse("pricing:indexation_publish_confirm"), params)
    expected_new = (Decimal("400.00") * Decimal("104.3") / Decimal("100")).quantize(Decimal("0.01"))
    assert (
        "Publish 1 indexed service price from 2027-01-01: Deflator 100 → 104.3 (4.30 %)."
        in text(page)
    )
    assert f"NOK {expected_new:,.2f}" in text(page)
    action, fields = confirmation_form(page)
    finance.post(action, fields)
    finance.post(action, fields)
    assert PriceListPublication.objects.count() == 1
    assert PriceVersion.objects.get(service=service, valid_to__isnull=True).amount == expected_new


def test_a_contact_may_not_open_the_publish_confirmation(client, contact_a, laptop):
    client.force_login(contact_a)
    assert (
        client.get(reverse("pricing:price_list_publish_confirm"), {"year": 2027}).status_code == 403
    )
