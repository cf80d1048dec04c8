"""The catalogue's pages: categories, products, services and new prices created and edited
in the UI through the same services as the API (validation next to each field, nothing
saved on bad input, change-logged); operators and finance write, every other login reads."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from samdrift.catalogue.models import PriceVersion, Product, ProductCategory, Service
from samdrift.core.models import ObjectChange
from tests import factories

D = datetime.date
pytestmark = pytest.mark.django_db


def snapshot() -> tuple[int, ...]:
    return (
        ProductCategory.objects.count(),
        Product.objects.count(),
        Service.objects.count(),
        PriceVersion.objects.count(),
        ObjectChange.objects.count(),
    )


def field_error(html: str, field: str) -> str:
    """The error text shown inside the field's block (empty when none)."""
    start = html.index(f'data-field="{field}"')
    block = html[start : html.index("</div>", start)]
    if "field-errors" not in block:
        return ""
    return block[block.index("field-errors") :]


@pytest.fixture
def category():
    return factories.make_category(name="Laptops", code="laptops")


@pytest.fixture
def product(category):
    product = factories.make_product(category, name="Standard laptop 14in")
    factories.make_price(amount="450.00", valid_from=D(2025, 1, 1), product=product)
    return product


@pytest.fixture
def service():
    return factories.make_service(name="Workplace", code="workplace")


def product_data(in_category, **overrides) -> dict:
    data = {
        "name": "Laptop 16in",
        "category": in_category.pk,
        "manufacturer": "Lenovo",
        "model_number": "T16",
        "description": "",
        "standard_cost": "14 990,50",
        "useful_life_months": "",
        "vat_rate": "25",
        "is_standard": "on",
        "active": "on",
    }
    data.update(overrides)
    return data


def service_data(**overrides) -> dict:
    data = {
        "name": "Printing",
        "code": "printing",
        "unit": "user",
        "description": "",
        "vat_rate": "25",
        "vat_exemption_reason": "",
        "active": "on",
    }
    data.update(overrides)
    return data


def test_create_category_product_and_service(operator_client, category):
    before = ObjectChange.objects.count()
    response = operator_client.post(
        reverse("catalogue:category_create"),
        {"name": "Tablets", "code": "tablets", "useful_life_months": "36", "lease_model": ""},
    )
    tablets = ProductCategory.objects.get(code="tablets")
    assert response["Location"] == reverse("catalogue:category_detail", args=[tablets.pk])

    response = operator_client.post(reverse("catalogue:product_create"), product_data(tablets))
    product = Product.objects.get(name="Laptop 16in")
    assert response["Location"] == reverse("catalogue:product_detail", args=[product.pk])
    assert product.standard_cost == Decimal("14990.50")
    assert product.category == tablets

    response = operator_client.post(reverse("catalogue:service_create"), service_data())
    printing = Service.objects.get(code="printing")
    assert response["Location"] == reverse("catalogue:service_detail", args=[printing.pk])
    assert ObjectChange.objects.count() == before + 3

    page = operator_client.get(reverse("catalogue:product_detail", args=[product.pk]))
    html = page.content.decode()
    assert 'data-testid="history"' in html
    assert reverse("catalogue:product_price_create", args=[product.pk]) in html
    assert "No price yet." in html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "Standard laptop 14in"}, "name", "already exists"),
        ({"name": ""}, "name", "This field is required"),
        ({"standard_cost": "12,34.5,6"}, "standard_cost", "Enter an amount in kroner"),
        ({"standard_cost": "-5"}, "standard_cost", "greater than or equal to 0"),
        ({"useful_life_months": "61"}, "useful_life_months", "less than or equal to 60"),
        ({"vat_rate": "125"}, "vat_rate", "less than or equal to 100"),
        ({"category": "999999"}, "category", "Select a valid choice"),
    ],
)
def test_bad_product_input_changes_nothing(
    operator_client, product, category, overrides, field, message
):
    before = snapshot()
    response = operator_client.post(
        reverse("catalogue:product_create"), product_data(category, **overrides)
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert message in field_error(html, field), html[:300]
    assert "nothing was saved" in html
    assert snapshot() == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"code": "workplace"}, "code", "already exists"),
        ({"code": "not a slug"}, "code", "Enter a valid"),
        ({"unit": "year"}, "unit", "Select a valid choice"),
        # The model's own rule (Service.clean), as the API reports it.
        ({"vat_rate": "0"}, "vat_exemption_reason", "needs the exemption reason"),
    ],
)
def test_bad_service_input_changes_nothing(operator_client, service, overrides, field, message):
    before = snapshot()
    response = operator_client.post(reverse("catalogue:service_create"), service_data(**overrides))
    html = response.content.decode()
    assert response.status_code == 400
    assert message in field_error(html, field), html[:300]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"code": "laptops"}, "code", "already exists"),
        ({"useful_life_months": "0"}, "useful_life_months", "greater than or equal to 1"),
        ({"useful_life_months": "61"}, "useful_life_months", "less than or equal to 60"),
        ({"lease_model": "999999"}, "lease_model", "Select a valid choice"),
    ],
)
def test_bad_category_input_changes_nothing(operator_client, category, overrides, field, message):
    before = snapshot()
    data = {"name": "Tablets", "code": "tablets", "useful_life_months": "36", "lease_model": ""}
    data.update(overrides)
    response = operator_client.post(reverse("catalogue:category_create"), data)
    assert response.status_code == 400
    assert message in field_error(response.content.decode(), field)
    assert snapshot() == before


def test_edit_product_is_change_logged(operator_client, product, category):
    data = product_data(category, name=product.name, standard_cost="11 000")
    response = operator_client.post(reverse("catalogue:product_edit", args=[product.pk]), data)
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.standard_cost == Decimal("11000.00")
    assert product.manufacturer == "Lenovo"
    change = ObjectChange.objects.filter(object_id=product.pk, action="update").get()
    assert change.postchange_data["standard_cost"] != change.prechange_data["standard_cost"]


def test_bad_edit_changes_nothing(operator_client, product, category):
    other = factories.make_product(category, name="Other laptop")
    before = snapshot()
    data = product_data(category, name=other.name)
    response = operator_client.post(reverse("catalogue:product_edit", args=[product.pk]), data)
    assert response.status_code == 400
    assert "already exists" in field_error(response.content.decode(), "name")
    product.refresh_from_db()
    assert product.name == "Standard laptop 14in"
    assert snapshot() == before


def test_edit_service_and_category(operator_client, service, category):
    response = operator_client.post(
        reverse("catalogue:service_edit", args=[service.pk]),
        service_data(name="Workplace", code="workplace", vat_rate="0", vat_exemption_reason="§ 6"),
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.vat_rate == Decimal("0") and service.vat_exemption_reason == "§ 6"
    response = operator_client.post(
        reverse("catalogue:category_edit", args=[category.pk]),
        {"name": "Laptops", "code": "laptops", "useful_life_months": "60", "lease_model": ""},
    )
    assert response.status_code == 302
    category.refresh_from_db()
    assert category.useful_life_months == 60


def test_new_price_closes_the_one_in_force(operator_client, product):
    url = reverse("catalogue:product_price_create", args=[product.pk])
    page = operator_client.get(url)
    assert "450.00" in page.content.decode()  # the price in force, shown above the form
    response = operator_client.post(
        url, {"amount": "1 234,5", "valid_from": "2026-03-01", "note": "New contract"}
    )
    assert response["Location"] == reverse("catalogue:product_detail", args=[product.pk])
    rows = list(
        PriceVersion.objects.filter(product=product)
        .order_by("valid_from")
        .values_list("amount", "valid_from", "valid_to", "note")
    )
    assert rows == [
        (Decimal("450.0000"), D(2025, 1, 1), D(2026, 3, 1), ""),
        (Decimal("1234.5000"), D(2026, 3, 1), None, "New contract"),
    ]
    new = PriceVersion.objects.get(product=product, valid_from=D(2026, 3, 1))
    assert ObjectChange.objects.filter(object_id=new.pk, action="create").exists()


def test_new_service_price(operator_client, service):
    url = reverse("catalogue:service_price_create", args=[service.pk])
    response = operator_client.post(url, {"amount": "79", "valid_from": "2026-01-01"})
    assert response.status_code == 302
    assert PriceVersion.objects.get(service=service).amount == Decimal("79")
    page = operator_client.get(reverse("catalogue:service_detail", args=[service.pk]))
    assert 'data-testid="price-in-force"' in page.content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        # publish_price's own rule: a price in force is never rewritten.
        ({"amount": "500", "valid_from": "2025-01-01"}, "valid_from", "already exists"),
        ({"amount": "500", "valid_from": "2024-06-01"}, "valid_from", "2025-01-01"),
        ({"amount": "-1", "valid_from": "2026-01-01"}, "amount", "greater than or equal to 0"),
        ({"amount": "abc", "valid_from": "2026-01-01"}, "amount", "Enter an amount in kroner"),
        ({"amount": "500", "valid_from": "31.02.2026"}, "valid_from", "Enter a valid date"),
        ({"amount": "", "valid_from": "2026-01-01"}, "amount", "This field is required"),
    ],
)
def test_bad_price_changes_nothing(operator_client, product, data, field, message):
    before = snapshot()
    response = operator_client.post(
        reverse("catalogue:product_price_create", args=[product.pk]), data
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert message in field_error(html, field), html[:300]
    assert snapshot() == before


def test_price_error_date_in_bokmal(operator_client, product):
    operator_client.cookies["django_language"] = "nb"
    response = operator_client.post(
        reverse("catalogue:product_price_create", args=[product.pk]),
        {"amount": "500", "valid_from": "2024-06-01"},
        HTTP_ACCEPT_LANGUAGE="nb",
    )
    assert response.status_code == 400
    error = field_error(response.content.decode(), "valid_from")
    assert "01.01.2025" in error and "2025-01-01" not in error


def test_finance_writes_the_catalogue(finance_user, category, product):
    client = factories.client_for(finance_user)
    response = client.post(reverse("catalogue:product_create"), product_data(category))
    assert response.status_code == 302
    response = client.post(
        reverse("catalogue:product_price_create", args=[product.pk]),
        {"amount": "460", "valid_from": "2026-01-01"},
    )
    assert response.status_code == 302


@pytest.mark.parametrize("role", ["read_only_user", "contact_a", "contact_b", "manager_a"])
def test_other_logins_read_but_never_write(request, role, category, product, service):
    client = factories.client_for(request.getfixturevalue(role))
    before = snapshot()
    for name, args in (
        ("catalogue:product_detail", [product.pk]),
        ("catalogue:service_detail", [service.pk]),
        ("catalogue:category_detail", [category.pk]),
        ("catalogue:category_list", []),
    ):
        page = client.get(reverse(name, args=args))
        assert page.status_code == 200
        assert "/edit/" not in page.content.decode()
        assert "/prices/new/" not in page.content.decode()
    price = {"amount": "1", "valid_from": "2026-01-01"}
    for name, args, data in (
        ("catalogue:product_create", [], product_data(category)),
        ("catalogue:product_edit", [product.pk], product_data(category)),
        ("catalogue:service_create", [], service_data()),
        ("catalogue:service_edit", [service.pk], service_data()),
        ("catalogue:category_create", [], {"name": "X", "code": "x", "useful_life_months": 9}),
        ("catalogue:category_edit", [category.pk], {"name": "X", "code": "x"}),
        ("catalogue:product_price_create", [product.pk], price),
        ("catalogue:service_price_create", [service.pk], price),
    ):
        assert client.get(reverse(name, args=args)).status_code == 403
        assert client.post(reverse(name, args=args), data).status_code == 403
    assert snapshot() == before


def test_unknown_object_is_404(operator_client):
    for name in (
        "catalogue:product_detail",
        "catalogue:product_edit",
        "catalogue:product_price_create",
        "catalogue:service_detail",
        "catalogue:service_edit",
        "catalogue:service_price_create",
        "catalogue:category_detail",
        "catalogue:category_edit",
    ):
        assert operator_client.get(reverse(name, args=[999999])).status_code == 404


def test_lists_link_to_the_pages(operator_client, product, service, category):
    products = operator_client.get(reverse("catalogue:product_list")).content.decode()
    assert reverse("catalogue:product_detail", args=[product.pk]) in products
    assert reverse("catalogue:product_create") in products
    services = operator_client.get(reverse("catalogue:service_list")).content.decode()
    assert reverse("catalogue:service_detail", args=[service.pk]) in services
    categories = operator_client.get(reverse("catalogue:category_list")).content.decode()
    assert reverse("catalogue:category_detail", args=[category.pk]) in categories
    assert reverse("catalogue:category_create") in categories
    prices = operator_client.get(reverse("catalogue:price_list")).content.decode()
    assert reverse("catalogue:product_detail", args=[product.pk]) in prices


def test_product_detail_query_count(operator_client, product, django_assert_num_queries):
    for day in (D(2025, 6, 1), D(2026, 1, 1)):
        factories.make_price(amount="460", valid_from=day, product=product)
    url = reverse("catalogue:product_detail", args=[product.pk])
    operator_client.get(url)
    # session, user, product with category, its prices.
    with django_assert_num_queries(4):
        operator_client.get(url)
