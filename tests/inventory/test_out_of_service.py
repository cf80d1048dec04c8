"""Issue #9 item 4: a retired or disposed asset shows no monthly price and offers no
"Assign"; the assign service, page and API refuse it with a clear message."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from samdrift.inventory.choices import AssetStatus
from samdrift.inventory.services import assign_asset, change_asset_status
from tests import factories
from tests.factories import api_as

D = datetime.date


@pytest.fixture
def disposed(db, municipality_a):
    laptop = factories.make_product(name="Standard laptop 14in")
    factories.make_price(amount="328.69", valid_from=D(2025, 1, 1), product=laptop)
    asset = factories.make_asset(laptop)
    assign_asset(asset=asset, municipality=municipality_a, valid_from=D(2026, 1, 1))
    change_asset_status(asset=asset, status=AssetStatus.RETIRED, on=D(2026, 6, 1))
    change_asset_status(asset=asset, status=AssetStatus.DISPOSED, on=D(2026, 7, 1))
    asset.refresh_from_db()
    return asset


@pytest.mark.parametrize("status", [AssetStatus.RETIRED, AssetStatus.DISPOSED])
def test_the_page_shows_no_price_and_no_assign(client, operator, disposed, status):
    if status == AssetStatus.RETIRED:
        type(disposed).objects.filter(pk=disposed.pk).update(status=status)
    client.force_login(operator)
    page = client.get(reverse("inventory:asset_detail", args=[disposed.pk])).content.decode()
    assert 'data-testid="assign-asset"' not in page
    assert "328,69" not in page and "328.69" not in page
    assert "no longer charged" in page


def test_an_asset_in_use_shows_its_price_and_assign(client, operator, municipality_a):
    laptop = factories.make_product()
    factories.make_price(amount="328.69", valid_from=D(2025, 1, 1), product=laptop)
    asset = factories.make_asset(laptop)
    client.force_login(operator)
    page = client.get(reverse("inventory:asset_detail", args=[asset.pk])).content.decode()
    assert 'data-testid="assign-asset"' in page
    assert "no longer charged" not in page


def test_the_assign_page_sends_back_with_the_reason(client, operator, disposed):
    client.force_login(operator)
    url = reverse("inventory:asset_assign", args=[disposed.pk])
    response = client.get(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("inventory:asset_detail", args=[disposed.pk])
    assert "is Disposed and cannot be assigned" in response.content.decode()
    response = client.post(url, {"municipality": disposed.product_id, "valid_from": "2026-12-01"})
    assert response.status_code == 302


def test_the_service_and_the_api_refuse_it(operator, disposed, municipality_a):
    with pytest.raises(ValidationError) as error:
        assign_asset(asset=disposed, municipality=municipality_a, valid_from=D(2026, 12, 1))
    assert "is Disposed and cannot be assigned" in error.value.message_dict["asset"][0]
    response = api_as(operator).post(
        f"/api/assets/{disposed.pk}/assign/",
        {"municipality": municipality_a.pk, "valid_from": "2026-12-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "cannot be assigned" in str(response.json()["asset"])
