import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from samdrift.core.changelog import changes_for
from samdrift.inventory.choices import AssetStatus
from samdrift.inventory.models import Assignment
from samdrift.inventory.selectors import holder_on, holdings_on
from samdrift.inventory.services import (
    assign_asset,
    change_asset_status,
    end_assignment,
    subscribe,
)
from tests import factories

D = datetime.date


@pytest.fixture
def asset(db):
    return factories.make_asset()


def test_assigning_closes_the_open_assignment_and_keeps_history(
    asset, municipality_a, service_area_a
):
    other_area = factories.make_service_area(municipality_a, name="Helse og omsorg")
    first = assign_asset(
        asset=asset,
        municipality=municipality_a,
        service_area=service_area_a,
        valid_from=D(2026, 1, 1),
    )
    second = assign_asset(
        asset=asset, municipality=municipality_a, service_area=other_area, valid_from=D(2026, 3, 10)
    )
    first.refresh_from_db()
    assert first.valid_to == D(2026, 3, 10)
    assert second.valid_to is None
    asset.refresh_from_db()
    assert asset.service_area == other_area
    assert asset.status == AssetStatus.DEPLOYED
    assert holder_on(asset=asset, day=D(2026, 3, 9)).service_area == service_area_a
    assert holder_on(asset=asset, day=D(2026, 3, 10)).service_area == other_area
    assert holder_on(asset=asset, day=D(2025, 12, 31)) is None


def test_an_assignment_cannot_start_inside_the_history(asset, municipality_a):
    assign_asset(asset=asset, municipality=municipality_a, valid_from=D(2026, 1, 1))
    assign_asset(asset=asset, municipality=municipality_a, valid_from=D(2026, 5, 1))
    with pytest.raises(ValidationError) as error:
        assign_asset(asset=asset, municipality=municipality_a, valid_from=D(2026, 3, 1))
    assert "valid_from" in error.value.message_dict
    assert Assignment.objects.filter(asset=asset).count() == 2


def test_a_service_area_of_another_municipality_is_refused(asset, municipality_a, service_area_b):
    with pytest.raises(ValidationError) as error:
        assign_asset(
            asset=asset,
            municipality=municipality_a,
            service_area=service_area_b,
            valid_from=D(2026, 1, 1),
        )
    assert "service_area" in error.value.message_dict
    assert not Assignment.objects.exists()


def test_an_assignment_ending_before_it_starts_is_refused(asset, municipality_a):
    with pytest.raises(ValidationError) as error:
        assign_asset(
            asset=asset,
            municipality=municipality_a,
            valid_from=D(2026, 2, 1),
            valid_to=D(2026, 1, 1),
        )
    assert "valid_to" in error.value.message_dict


def test_holdings_on_a_day_in_one_query(django_assert_num_queries, municipality_a):
    assets = [factories.make_asset() for _ in range(5)]
    for a in assets:
        assign_asset(asset=a, municipality=municipality_a, valid_from=D(2026, 1, 1))
    end_assignment(asset=assets[0], on=D(2026, 2, 1))
    with django_assert_num_queries(1):
        held = list(holdings_on(municipality=municipality_a, day=D(2026, 2, 15)))
        tags = [h.asset.asset_tag for h in held]
    assert sorted(tags) == sorted(a.asset_tag for a in assets[1:])


def test_retiring_ends_the_assignment(asset, municipality_a):
    assign_asset(asset=asset, municipality=municipality_a, valid_from=D(2026, 1, 1))
    change_asset_status(asset=asset, status=AssetStatus.RETIRED, on=D(2026, 6, 1))
    asset.refresh_from_db()
    assert asset.status == AssetStatus.RETIRED
    assert asset.municipality is None
    assert asset.assignments.get().valid_to == D(2026, 6, 1)
    with pytest.raises(ValidationError):
        assign_asset(asset=asset, municipality=municipality_a, valid_from=D(2026, 7, 1))


def test_disposed_is_final(asset):
    change_asset_status(asset=asset, status=AssetStatus.RETIRED)
    change_asset_status(asset=asset, status=AssetStatus.DISPOSED)
    with pytest.raises(ValidationError) as error:
        change_asset_status(asset=asset, status=AssetStatus.IN_STOCK)
    assert "status" in error.value.message_dict


def test_changes_are_logged_with_before_and_after(asset, municipality_a):
    assign_asset(asset=asset, municipality=municipality_a, valid_from=D(2026, 1, 1))
    log = list(changes_for(asset))
    update = next(
        c for c in log if c.action == "update" and "municipality_id" in c.changed_fields()
    )
    assert update.changed_fields()["municipality_id"] == (None, municipality_a.pk)
    assert update.municipality_id == municipality_a.pk


def test_subscription_quantity_must_be_positive(municipality_a):
    service = factories.make_service()
    with pytest.raises(ValidationError) as error:
        subscribe(
            service=service,
            municipality=municipality_a,
            valid_from=D(2026, 1, 1),
            quantity=Decimal("0"),
        )
    assert "quantity" in error.value.message_dict
