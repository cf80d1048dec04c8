"""publish_price and the catalogue's own validation: effective-dated prices never rewrite
the past."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from samdrift.catalogue.models import PriceVersion, Service
from samdrift.catalogue.selectors import price_on, prices_in_force
from samdrift.catalogue.services import publish_price
from samdrift.core.changelog import changes_for
from samdrift.core.models import ObjectChange
from tests import factories

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def product():
    return factories.make_product(name="Standard laptop 14in")


def versions(product) -> list[tuple]:
    return list(
        PriceVersion.objects.filter(product=product)
        .order_by("valid_from")
        .values_list("amount", "valid_from", "valid_to")
    )


def test_publishing_closes_the_version_in_force(product):
    first = publish_price(amount=Decimal("400"), valid_from=D(2025, 1, 1), product=product)
    second = publish_price(amount=Decimal("420"), valid_from=D(2026, 1, 1), product=product)
    assert versions(product) == [
        (Decimal("400.0000"), D(2025, 1, 1), D(2026, 1, 1)),
        (Decimal("420.0000"), D(2026, 1, 1), None),
    ]
    first.refresh_from_db()
    assert first.valid_to == second.valid_from
    closing = changes_for(first).first()
    assert closing.changed_fields() == {"valid_to": (None, "2026-01-01")}


def test_the_past_keeps_its_price(product):
    publish_price(amount=Decimal("400"), valid_from=D(2025, 1, 1), product=product)
    before = {
        day: price_on(day=day, product=product).amount for day in (D(2025, 1, 1), D(2025, 12, 31))
    }
    publish_price(amount=Decimal("420"), valid_from=D(2026, 1, 1), product=product)
    publish_price(amount=Decimal("455.5"), valid_from=D(2027, 1, 1), product=product)
    after = {day: price_on(day=day, product=product).amount for day in before}
    assert after == before == {D(2025, 1, 1): Decimal("400"), D(2025, 12, 31): Decimal("400")}
    assert price_on(day=D(2026, 6, 30), product=product).amount == Decimal("420")
    assert price_on(day=D(2030, 1, 1), product=product).amount == Decimal("455.5")
    assert price_on(day=D(2024, 12, 31), product=product) is None


@pytest.mark.parametrize("start", [D(2025, 1, 1), D(2024, 6, 1), D(2026, 1, 1)])
def test_a_price_on_or_before_the_newest_start_is_refused_and_changes_nothing(product, start):
    publish_price(amount=Decimal("400"), valid_from=D(2025, 1, 1), product=product)
    publish_price(amount=Decimal("420"), valid_from=D(2026, 1, 1), product=product)
    before = versions(product)
    logged = ObjectChange.objects.count()
    with pytest.raises(ValidationError) as error:
        publish_price(amount=Decimal("1"), valid_from=start, product=product)
    assert "valid_from" in error.value.message_dict
    assert "2026-01-01" in error.value.message_dict["valid_from"][0]
    assert versions(product) == before
    assert ObjectChange.objects.count() == logged


def test_a_negative_price_is_refused(product):
    with pytest.raises(ValidationError) as error:
        publish_price(amount=Decimal("-0.01"), valid_from=D(2026, 1, 1), product=product)
    assert "amount" in error.value.message_dict
    assert not PriceVersion.objects.exists()


def test_a_price_of_zero_is_allowed(product):
    assert publish_price(amount=Decimal("0"), valid_from=D(2026, 1, 1), product=product).amount == 0


def test_a_price_is_for_a_product_or_a_service(product):
    service = factories.make_service()
    for items in ({}, {"product": product, "service": service}):
        with pytest.raises(ValidationError):
            publish_price(amount=Decimal("1"), valid_from=D(2026, 1, 1), **items)
    assert not PriceVersion.objects.exists()


def test_products_and_services_have_separate_histories(product):
    service = factories.make_service()
    publish_price(amount=Decimal("400"), valid_from=D(2026, 1, 1), product=product)
    publish_price(amount=Decimal("0.0850"), valid_from=D(2026, 1, 1), service=service)
    publish_price(amount=Decimal("0.0900"), valid_from=D(2026, 7, 1), service=service)
    assert price_on(day=D(2026, 8, 1), product=product).amount == Decimal("400")
    assert price_on(day=D(2026, 8, 1), service=service).amount == Decimal("0.09")
    in_force = prices_in_force(day=D(2026, 3, 1))
    assert {(v.product_id, v.service_id, v.amount) for v in in_force} == {
        (product.pk, None, Decimal("400")),
        (None, service.pk, Decimal("0.085")),
    }


def test_prices_in_force_is_one_query(product, django_assert_num_queries):
    for n in range(3):
        other = factories.make_product()
        publish_price(amount=Decimal(100 + n), valid_from=D(2026, 1, 1), product=other)
    with django_assert_num_queries(1):
        names = [str(v.item) for v in prices_in_force(day=D(2026, 2, 1))]
    assert len(names) == 3


def test_the_database_refuses_a_period_ending_before_it_starts(product):
    version = PriceVersion(
        product=product, amount=Decimal("1"), valid_from=D(2026, 1, 1), valid_to=D(2025, 1, 1)
    )
    with pytest.raises(ValidationError):
        version.full_clean()


def test_a_service_without_vat_needs_a_reason():
    service = Service(name="Consulting", code="consulting", unit="hour", vat_rate=Decimal("0"))
    with pytest.raises(ValidationError) as error:
        service.full_clean()
    assert list(error.value.message_dict) == ["vat_exemption_reason"]
    service.vat_exemption_reason = "Outside the scope of VAT (public authority, § 3-29)"
    service.full_clean()


@pytest.mark.parametrize(("field", "value"), [("vat_rate", "101"), ("vat_rate", "-1")])
def test_vat_rate_is_a_percentage(field, value):
    service = Service(name="X", code="x", unit="user", **{field: Decimal(value)})
    with pytest.raises(ValidationError) as error:
        service.full_clean()
    assert field in error.value.message_dict


def test_useful_life_is_at_most_five_years():
    category = factories.make_category(useful_life_months=48)
    category.useful_life_months = 61
    with pytest.raises(ValidationError) as error:
        category.full_clean()
    assert "useful_life_months" in error.value.message_dict
    product = factories.make_product(category=factories.make_category(useful_life_months=36))
    assert product.effective_useful_life_months == 36
    product.useful_life_months = 24
    assert product.effective_useful_life_months == 24
