"""Issue #9 items 11 and 4 in billing: a corrected assignment in a closed month is billed
as the difference next run; in an open month the draft is simply re-rated. A disposed
asset is not charged after it left service."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from samdrift.billing.models import BillingPeriod, Charge
from samdrift.billing.services.issuing import issue_period
from samdrift.billing.services.periods import close_period
from samdrift.billing.services.runs import bill_period
from samdrift.inventory.choices import AssetStatus
from samdrift.inventory.services import assign_asset, change_asset_status, correct_assignment

D = datetime.date
OCT, NOV = D(2026, 10, 1), D(2026, 11, 1)
PRICE = Decimal("328.69")  # the world's laptop price a month


def prorated(days: int, days_in_month: int) -> Decimal:
    """monthly price × days / days in month, to the øre (computed here, not by billing)."""
    return (PRICE * days / days_in_month).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def bill_and_close(month):
    bill_period(month=month)
    issue_period(month=month, issue_date=month)
    close_period(month=month)


def asset_charges(period_month, asset, *, adjustments_for=None):
    charges = Charge.objects.filter(period__month=period_month, asset=asset)
    if adjustments_for is None:
        charges = charges.filter(adjusts_period__isnull=True)
    else:
        charges = charges.filter(adjusts_period__month=adjustments_for)
    return {c.municipality_id: c.amount for c in charges}


def test_a_corrected_move_date_in_a_closed_month_is_billed_as_the_difference(world):
    asset = world.assets[0]  # Fjordvik since January
    wrong = assign_asset(
        asset=asset,
        municipality=world.elvdal,
        service_area=world.elvdal_care,
        valid_from=D(2026, 10, 10),  # should have been 20 October
    )
    bill_and_close(OCT)
    assert asset_charges(OCT, asset) == {
        world.fjordvik.pk: prorated(9, 31),
        world.elvdal.pk: prorated(22, 31),
    }
    closed = sorted(Charge.objects.filter(period__month=OCT).values_list("pk", "amount"))

    correct_assignment(assignment=wrong, valid_from=D(2026, 10, 20), reason="Delivered 20.10")
    bill_period(month=NOV)

    # Ten days (10–19 October) move from Elvdal back to Fjordvik.
    ten_days = prorated(10, 31)
    assert ten_days == Decimal("106.03")
    assert asset_charges(NOV, asset, adjustments_for=OCT) == {
        world.fjordvik.pk: ten_days,
        world.elvdal.pk: -ten_days,
    }
    # The closed month is untouched; November itself is billed to Elvdal in full.
    assert sorted(Charge.objects.filter(period__month=OCT).values_list("pk", "amount")) == closed
    assert asset_charges(NOV, asset) == {world.elvdal.pk: PRICE}


def test_voiding_a_wrong_move_in_a_closed_month_credits_it_back(world):
    asset = world.assets[0]
    wrong = assign_asset(
        asset=asset,
        municipality=world.elvdal,
        service_area=world.elvdal_care,
        valid_from=D(2026, 10, 10),
    )
    bill_and_close(OCT)
    correct_assignment(assignment=wrong, void=True, reason="Never left Fjordvik")
    bill_period(month=NOV)
    moved = prorated(22, 31)  # 10–31 October
    assert asset_charges(NOV, asset, adjustments_for=OCT) == {
        world.fjordvik.pk: moved,
        world.elvdal.pk: -moved,
    }
    assert asset_charges(NOV, asset) == {world.fjordvik.pk: PRICE}


def test_a_correction_inside_the_open_month_only_re_rates_its_draft(world):
    bill_and_close(OCT)
    asset = world.assets[0]
    wrong = assign_asset(
        asset=asset,
        municipality=world.elvdal,
        service_area=world.elvdal_care,
        valid_from=D(2026, 11, 10),
    )
    bill_period(month=NOV)
    assert asset_charges(NOV, asset) == {
        world.fjordvik.pk: prorated(9, 30),
        world.elvdal.pk: prorated(21, 30),
    }
    correct_assignment(assignment=wrong, valid_from=D(2026, 11, 20), reason="Delivered 20.11")
    bill_period(month=NOV)
    assert asset_charges(NOV, asset) == {
        world.fjordvik.pk: prorated(19, 30),
        world.elvdal.pk: prorated(11, 30),
    }
    assert not Charge.objects.filter(adjusts_period__isnull=False).exists()


def test_a_disposed_asset_is_not_charged_after_it_left_service(world):
    asset = world.assets[0]
    change_asset_status(asset=asset, status=AssetStatus.RETIRED, on=D(2026, 10, 11))
    change_asset_status(asset=asset, status=AssetStatus.DISPOSED, on=D(2026, 10, 20))
    bill_and_close(OCT)
    bill_period(month=NOV)
    assert asset_charges(OCT, asset) == {world.fjordvik.pk: prorated(10, 31)}
    assert not Charge.objects.filter(period__month=NOV, asset=asset).exists()
    assert BillingPeriod.objects.get(month=NOV).status == "open"
