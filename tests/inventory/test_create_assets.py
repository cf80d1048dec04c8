"""One way an asset comes into the register: inventory.services.create_assets (the form's
single create, the asset import and buyout registration all write through it)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from samdrift.core.models import ObjectChange
from samdrift.inventory.models import Asset, Assignment
from samdrift.inventory.services import NewAsset, create_asset, create_assets
from tests import factories

pytestmark = pytest.mark.django_db


def holder(municipality, area=None) -> dict:
    return {
        "municipality_id": municipality.pk,
        "service_area_id": area.pk if area is not None else None,
        "person_id": None,
        "location_id": None,
    }


def test_held_assets_get_their_assignment_and_mirror_a_holder_in_force(
    municipality_a, service_area_a
):
    product = factories.make_product()
    today = timezone.localdate()
    past, future = today - datetime.timedelta(days=30), today + datetime.timedelta(days=5)
    before = ObjectChange.objects.count()
    assets, assignments = create_assets(
        rows=[
            NewAsset(
                values={"product_id": product.pk, "asset_tag": "HELD", "status": "deployed"},
                holder=holder(municipality_a, service_area_a),
                held_from=past,
            ),
            NewAsset(
                values={"product_id": product.pk, "asset_tag": "LATER", "status": "deployed"},
                holder=holder(municipality_a),
                held_from=future,
            ),
            NewAsset(values={"product_id": product.pk, "asset_tag": "STOCK"}),
        ],
        note="Hand-over",
    )
    stored = {a.asset_tag: a for a in Asset.objects.all()}
    assert set(stored) == {"HELD", "LATER", "STOCK"}
    assert stored["HELD"].municipality_id == municipality_a.pk
    assert stored["HELD"].service_area_id == service_area_a.pk
    # Handed over on a later day: the holder takes effect then, not now.
    assert stored["LATER"].municipality_id is None
    assert stored["STOCK"].municipality_id is None and stored["STOCK"].status == "in_stock"
    rows = sorted(Assignment.objects.values_list("asset__asset_tag", "valid_from", "note"))
    assert rows == [("HELD", past, "Hand-over"), ("LATER", future, "Hand-over")]
    assert len(assets) == 3 and len(assignments) == 2
    # Three assets and two assignments, each logged once by the writer.
    assert ObjectChange.objects.count() - before == 5


def test_the_summary_opt_out_logs_nothing(municipality_a):
    product = factories.make_product()
    before = ObjectChange.objects.count()
    create_assets(
        rows=[
            NewAsset(
                values={"product_id": product.pk, "asset_tag": "Q-1"},
                holder=holder(municipality_a),
                held_from=datetime.date(2024, 1, 1),
            )
        ],
        changelog=False,
    )
    assert Asset.objects.count() == 1 and Assignment.objects.count() == 1
    assert ObjectChange.objects.count() == before


def test_the_single_create_is_validated_and_logged_once():
    product = factories.make_product()
    before = ObjectChange.objects.count()
    asset = create_asset(product=product, asset_tag="ONE", acquisition_cost=Decimal("99.5"))
    assert Asset.objects.get(pk=asset.pk).acquisition_cost == Decimal("99.50")
    assert ObjectChange.objects.count() - before == 1
    change = ObjectChange.objects.latest("pk")
    assert (change.object_id, change.action, change.object_repr) == (asset.pk, "create", "ONE")
    with pytest.raises(ValidationError) as refused:
        create_asset(product=product, asset_tag="ONE")
    assert "asset_tag" in refused.value.message_dict
    assert Asset.objects.count() == 1
