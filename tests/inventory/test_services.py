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
    create_asset,
    end_assignment,
    end_subscription,
    record_usage,
    subscribe,
    update_asset,
    update_usage,
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


# --- Assets: creation, descriptive updates, lifecycle ---------------------------------------


def test_create_asset_is_in_stock_and_logged(db):
    product = factories.make_product()
    asset = create_asset(product=product, asset_tag="PC-1", serial_number="X1")
    assert asset.status == AssetStatus.IN_STOCK
    assert changes_for(asset).get().action == "create"


def test_create_asset_refuses_a_future_acquisition_date(db):
    with pytest.raises(ValidationError) as error:
        create_asset(
            product=factories.make_product(),
            asset_tag="PC-2",
            acquisition_date=datetime.date.today() + datetime.timedelta(days=1),
        )
    assert "acquisition_date" in error.value.message_dict


@pytest.mark.parametrize("field", ["status", "municipality", "service_area", "person"])
def test_update_asset_leaves_status_and_holder_to_their_operations(asset, field):
    with pytest.raises(ValidationError) as error:
        update_asset(asset=asset, changes={field: None})
    assert field in error.value.message_dict


def test_update_asset_logs_before_and_after(asset):
    update_asset(asset=asset, changes={"notes": "Screen replaced", "model_name": "T14 Gen 5"})
    change = changes_for(asset).first()
    assert change.changed_fields() == {
        "model_name": ("", "T14 Gen 5"),
        "notes": ("", "Screen replaced"),
    }


def test_the_whole_lifecycle(asset, municipality_a):
    ordered = factories.make_asset(status=AssetStatus.ORDERED)
    change_asset_status(asset=ordered, status=AssetStatus.IN_STOCK)
    assign_asset(asset=asset, municipality=municipality_a, valid_from=D(2026, 1, 1))
    change_asset_status(asset=asset, status=AssetStatus.IN_REPAIR, on=D(2026, 2, 1))
    asset.refresh_from_db()
    assert asset.municipality == municipality_a  # still theirs while repaired
    change_asset_status(asset=asset, status=AssetStatus.DEPLOYED, on=D(2026, 2, 15))
    change_asset_status(asset=asset, status=AssetStatus.IN_STOCK, on=D(2026, 3, 1))
    asset.refresh_from_db()
    assert asset.municipality is None
    assert asset.assignments.get().valid_to == D(2026, 3, 1)
    moves = [
        c.changed_fields()["status"]
        for c in changes_for(asset)
        if c.action == "update" and "status" in c.changed_fields()
    ]
    assert list(reversed(moves)) == [
        ("in_stock", "deployed"),
        ("deployed", "in_repair"),
        ("in_repair", "deployed"),
        ("deployed", "in_stock"),
    ]


def test_an_unknown_status_is_refused(asset):
    with pytest.raises(ValidationError) as error:
        change_asset_status(asset=asset, status="lost")
    assert "status" in error.value.message_dict


def test_ending_the_assignment_on_its_first_day_is_refused(asset, municipality_a):
    assign_asset(asset=asset, municipality=municipality_a, valid_from=D(2026, 1, 1))
    with pytest.raises(ValidationError) as error:
        end_assignment(asset=asset, on=D(2026, 1, 1))
    assert "valid_to" in error.value.message_dict
    asset.refresh_from_db()
    assert asset.municipality == municipality_a
    assert asset.status == AssetStatus.DEPLOYED


def test_end_assignment_puts_the_asset_back_in_stock(asset, municipality_a):
    assign_asset(asset=asset, municipality=municipality_a, valid_from=D(2026, 1, 1))
    closed = end_assignment(asset=asset, on=D(2026, 5, 1))
    asset.refresh_from_db()
    assert closed.valid_to == D(2026, 5, 1)
    assert (asset.status, asset.municipality) == (AssetStatus.IN_STOCK, None)
    assert end_assignment(asset=asset, on=D(2026, 6, 1)) is None  # nothing held: no-op


def test_a_person_must_be_active_when_the_assignment_starts(asset, municipality_a):
    leaver = factories.make_person(
        municipality_a, active_from=D(2024, 1, 1), active_to=D(2025, 1, 1)
    )
    with pytest.raises(ValidationError) as error:
        assign_asset(
            asset=asset, municipality=municipality_a, person=leaver, valid_from=D(2025, 1, 1)
        )
    assert "person" in error.value.message_dict
    assert not Assignment.objects.exists()


def test_a_closed_assignment_in_the_future_blocks_an_overlap(asset, municipality_a):
    assign_asset(
        asset=asset, municipality=municipality_a, valid_from=D(2026, 1, 1), valid_to=D(2026, 2, 1)
    )
    assign_asset(asset=asset, municipality=municipality_a, valid_from=D(2026, 2, 1))
    with pytest.raises(ValidationError) as error:
        assign_asset(
            asset=asset,
            municipality=municipality_a,
            valid_from=D(2025, 12, 1),
            valid_to=D(2026, 1, 2),
        )
    assert "valid_from" in error.value.message_dict
    assert Assignment.objects.filter(asset=asset).count() == 2


def test_a_gap_before_the_history_may_be_filled(asset, municipality_a):
    """History is never rewritten, but an earlier period nobody held may be recorded."""
    assign_asset(asset=asset, municipality=municipality_a, valid_from=D(2026, 1, 1))
    earlier = assign_asset(
        asset=asset, municipality=municipality_a, valid_from=D(2025, 1, 1), valid_to=D(2026, 1, 1)
    )
    assert earlier.valid_to == D(2026, 1, 1)
    assert holder_on(asset=asset, day=D(2025, 6, 1)) == earlier


# --- Subscriptions -----------------------------------------------------------------------


def test_subscribe_checks_its_members(municipality_a, service_area_b):
    service = factories.make_service()
    with pytest.raises(ValidationError) as error:
        subscribe(
            service=service,
            municipality=municipality_a,
            service_area=service_area_b,
            valid_from=D(2026, 1, 1),
            valid_to=D(2025, 1, 1),
        )
    assert set(error.value.message_dict) == {"service_area", "valid_to"}


def test_end_subscription(municipality_a):
    service = factories.make_service()
    subscription = subscribe(service=service, municipality=municipality_a, valid_from=D(2026, 1, 1))
    with pytest.raises(ValidationError):
        end_subscription(subscription=subscription, on=D(2026, 1, 1))
    end_subscription(subscription=subscription, on=D(2026, 4, 1))
    subscription.refresh_from_db()
    assert subscription.valid_to == D(2026, 4, 1)
    with pytest.raises(ValidationError) as error:
        end_subscription(subscription=subscription, on=D(2026, 5, 1))
    assert "already ended" in error.value.message_dict["valid_to"][0]


# --- Usage records -----------------------------------------------------------------------


def test_record_usage_and_correct_it(municipality_a, service_area_a):
    pages = factories.make_service(unit="page")
    record = record_usage(
        service=pages,
        municipality=municipality_a,
        service_area=service_area_a,
        month=D(2026, 10, 1),
        quantity=Decimal("1200"),
        reference="meter-17",
    )
    update_usage(record=record, changes={"quantity": Decimal("1250")})
    record.refresh_from_db()
    assert record.quantity == Decimal("1250")
    assert changes_for(record).first().changed_fields() == {"quantity": ("1200.000", "1250.000")}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"month": D(2026, 10, 15)}, "month"),
        ({"quantity": Decimal("-1")}, "quantity"),
    ],
)
def test_bad_usage_names_the_field(municipality_a, changes, field):
    values = {
        "service": factories.make_service(unit="page"),
        "municipality": municipality_a,
        "month": D(2026, 10, 1),
        "quantity": Decimal("10"),
    }
    values.update(changes)
    with pytest.raises(ValidationError) as error:
        record_usage(**values)
    assert field in error.value.message_dict


def test_usage_of_another_municipalitys_asset_is_refused(
    asset, municipality_a, municipality_b, service_area_b
):
    pages = factories.make_service(unit="page")
    assign_asset(asset=asset, municipality=municipality_b, valid_from=D(2026, 10, 20))
    with pytest.raises(ValidationError) as error:
        record_usage(
            service=pages,
            municipality=municipality_a,
            service_area=service_area_b,
            asset=asset,
            month=D(2026, 10, 1),
            quantity=Decimal("5"),
        )
    assert set(error.value.message_dict) == {"asset", "service_area"}
    # Held by B for part of October: B's usage of it that month is fine.
    record = record_usage(
        service=pages,
        municipality=municipality_b,
        asset=asset,
        month=D(2026, 10, 1),
        quantity=Decimal("5"),
    )
    assert record.pk is not None
    with pytest.raises(ValidationError) as error:
        update_usage(record=record, changes={"month": D(2026, 9, 1)})
    assert "asset" in error.value.message_dict
