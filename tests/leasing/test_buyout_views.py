"""Buyout pages and the financing view: permissions, forms, CSV upload, agree, complete."""

import hashlib
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from samdrift.inventory.choices import AssetOrigin
from samdrift.inventory.models import Asset
from samdrift.leasing.choices import BuyoutStatus
from samdrift.leasing.models import Buyout, BuyoutItem, SignedValuation
from tests import factories
from tests.confirming import confirm


@pytest.fixture
def laptop(db):
    return factories.make_leased_laptop(name="Standard laptop 14in")


def make_draft(municipality, laptop, n=1, name="Takeover"):
    tags = [f"{name}-{i}" for i in range(n)]
    return factories.make_buyout_draft(municipality, laptop, tags, name=name)


@pytest.fixture
def draft(municipality_a, laptop):
    return make_draft(municipality_a, laptop)


def test_list_and_detail_as_finance(client, finance_user, draft):
    client.force_login(finance_user)
    response = client.get(reverse("buyouts:list"))
    assert response.status_code == 200 and b"Takeover" in response.content
    response = client.get(reverse("buyouts:detail", args=[draft.pk]))
    assert response.status_code == 200
    assert b"6,333.33" in response.content  # DESIGN.md example, English formatting
    assert b'data-testid="agree-form"' in response.content


def test_municipality_sees_its_own_and_cannot_write(client, contact_a, contact_b, draft):
    client.force_login(contact_a)
    assert client.get(reverse("buyouts:detail", args=[draft.pk])).status_code == 200
    page = client.get(reverse("buyouts:detail", args=[draft.pk])).content
    assert b'data-testid="agree-form"' not in page
    assert (
        client.post(reverse("buyouts:agree", args=[draft.pk]), {"on": "2026-01-02"}).status_code
        == 403
    )
    assert client.get(reverse("buyouts:create")).status_code == 403
    client.force_login(contact_b)
    assert b"Takeover" not in client.get(reverse("buyouts:list")).content
    for name in ("buyouts:detail", "buyouts:xlsx"):
        assert client.get(reverse(name, args=[draft.pk])).status_code == 404


def test_create_form_errors_name_the_field(client, finance_user, municipality_a):
    client.force_login(finance_user)
    response = client.post(
        reverse("buyouts:create"),
        {"municipality": municipality_a.pk, "name": "", "valuation_date": "soon"},
    )
    assert response.status_code == 400
    assert 'data-field="valuation_date"' in response.content.decode()
    assert not Buyout.objects.exists()
    response = client.post(
        reverse("buyouts:create"),
        {"municipality": municipality_a.pk, "name": "New", "valuation_date": "2026-01-01"},
    )
    assert response.status_code == 302
    assert Buyout.objects.get().name == "New"


def test_csv_upload_registers_every_line_or_none(client, finance_user, draft, laptop):
    client.force_login(finance_user)
    url = reverse("buyouts:register", args=[draft.pk])
    bad = (
        b"asset_tag;product;acquisition_date;acquisition_cost;useful_life_months\n"
        b"NEW-1;Standard laptop 14in;15.08.2022;11 990,00;\n"
        b"NEW-2;No such thing;2022-08-15;-5;\n"
        b"NEW-3;Standard laptop 14in;2099-01-01;100;\n"
    )
    response = client.post(url, {"file": SimpleUploadedFile("list.csv", bad)}, follow=True)
    text = response.content.decode()
    assert "Line 3, column product" in text
    assert "Nothing was registered." in text
    assert BuyoutItem.objects.filter(buyout=draft).count() == 1

    bad_dates = (
        b"asset_tag,product,acquisition_date,acquisition_cost\n"
        b"NEW-3,Standard laptop 14in,2099-01-01,100\n"
    )
    response = client.post(url, {"file": SimpleUploadedFile("l.csv", bad_dates)}, follow=True)
    assert "Row 2: The acquisition date 2099-01-01 is in the future." in response.content.decode()

    good = (
        b"asset_tag;product;acquisition_date;acquisition_cost\n"
        b"NEW-1;Standard laptop 14in;15.08.2022;11 990,00\n"
    )
    response = client.post(url, {"file": SimpleUploadedFile("l.csv", good)}, follow=True)
    assert "1 device registered" in response.content.decode()
    assert Asset.objects.get(asset_tag="NEW-1").acquisition_cost == Decimal("11990.00")


def test_item_edit_needs_a_reason_for_another_life(client, finance_user, draft):
    client.force_login(finance_user)
    item = BuyoutItem.objects.get(buyout=draft)
    url = reverse("buyouts:item_edit", args=[draft.pk, item.pk])
    data = {
        "acquisition_date": "2024-03-01",
        "acquisition_cost": "10000",
        "residual_value": "0",
        "useful_life_months": "48",
        "life_override_reason": "",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert 'data-field="life_override_reason"' in response.content.decode()
    data["acquisition_cost"] = "-1"
    data["life_override_reason"] = "Heavy use"
    response = client.post(url, data)
    assert response.status_code == 400 and "negative" in response.content.decode()
    data["acquisition_cost"] = "10000"
    assert client.post(url, data).status_code == 302
    item.refresh_from_db()
    assert item.useful_life_months == 48


def test_agree_download_complete(client, finance_user, draft):
    client.force_login(finance_user)
    confirm(client, reverse("buyouts:agree_confirm", args=[draft.pk]), {"on": "2026-01-05"})
    draft.refresh_from_db()
    assert draft.status == BuyoutStatus.AGREED and draft.agreed_by == finance_user
    download = client.get(reverse("buyouts:xlsx", args=[draft.pk]))
    assert hashlib.sha256(download.content).hexdigest() == SignedValuation.objects.get().sha256
    # Locked: removing an item is refused with the reason, nothing changes.
    item = BuyoutItem.objects.get(buyout=draft)
    response = client.post(reverse("buyouts:item_remove", args=[draft.pk, item.pk]), follow=True)
    assert "cannot be changed" in response.content.decode()
    assert BuyoutItem.objects.filter(pk=item.pk).exists()
    response = confirm(
        client, reverse("buyouts:complete_confirm", args=[draft.pk]), {"on": "2026-02-01"}
    )
    assert "completed" in response.content.decode()
    assert Asset.objects.get(buyout_item=item).origin == AssetOrigin.BOUGHT_OUT


def test_detail_query_count_does_not_grow(
    client, finance_user, municipality_a, laptop, django_assert_max_num_queries
):
    small = make_draft(municipality_a, laptop, n=3, name="S")
    big = make_draft(municipality_a, laptop, n=30, name="B")
    client.force_login(finance_user)
    with django_assert_max_num_queries(12) as small_queries:
        client.get(reverse("buyouts:detail", args=[small.pk]))
    with django_assert_max_num_queries(12) as big_queries:
        client.get(reverse("buyouts:detail", args=[big.pk]))
    assert len(small_queries.captured_queries) == len(big_queries.captured_queries)


def test_financing_page(client, finance_user, contact_b, draft):
    client.force_login(finance_user)
    response = client.get(reverse("buyouts:financing"), {"on": "2026-06-15"})
    assert response.status_code == 200
    assert b'data-testid="financing-years"' in response.content
    assert client.get(reverse("buyouts:financing"), {"on": "nope"}).status_code == 400
    client.force_login(contact_b)
    assert client.get(reverse("buyouts:financing")).status_code == 200


def test_navigation_lists_the_pages(client, finance_user, draft):
    client.force_login(finance_user)
    page = client.get(reverse("buyouts:list")).content.decode()
    assert reverse("buyouts:list") in page
