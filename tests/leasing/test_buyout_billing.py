"""A completed buyout and billing: the assets are charged from the takeover, never before.

Found on the medium demo: completing a buyout after months had been billed and closed made
the next run bill those closed months again for the bought-out devices, at list price, as
adjustments (the asset's origin is its current state, so re-rating the past saw a
collaboration-owned asset without a price of its own before the takeover). The municipality
owned them then and is not charged for them.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest

from samdrift.billing.models import Charge
from samdrift.billing.services.issuing import issue_period
from samdrift.billing.services.periods import close_period
from samdrift.billing.services.runs import bill_period
from samdrift.inventory.services import assign_asset
from samdrift.leasing.buyouts.agreeing import agree_buyout
from samdrift.leasing.buyouts.completion import complete_buyout
from samdrift.leasing.models import AssetPrice
from tests import factories

OCT, NOV, DEC = datetime.date(2026, 10, 1), datetime.date(2026, 11, 1), datetime.date(2026, 12, 1)


@pytest.fixture
def agreed(db, collaboration, municipality_a, municipality_b):
    laptop = factories.make_leased_laptop()
    factories.make_price(amount="400.00", valid_from=datetime.date(2025, 1, 1), product=laptop)
    # Something billed for both municipalities, so their months have invoices.
    for municipality in (municipality_a, municipality_b):
        asset = factories.make_asset(laptop)
        assign_asset(asset=asset, municipality=municipality, valid_from=datetime.date(2026, 1, 1))
    buyout = factories.make_buyout_draft(
        municipality_a,
        laptop,
        [f"OLD-{n}" for n in range(3)],
        valuation_date=OCT,
        acquired=datetime.date(2024, 1, 1),
        cost=Decimal("9000.00"),
    )
    return agree_buyout(buyout=buyout, agreed_on=OCT)


def bill_issue_close(month):
    bill_period(month=month)
    issue_period(month=month, issue_date=month)
    close_period(month=month)


def bought_out_charges(buyout, month):
    return Charge.objects.filter(period__month=month, asset__buyout_item__buyout=buyout).order_by(
        "asset_id", "valid_from"
    )


def test_closed_months_before_the_takeover_are_not_billed_again(agreed):
    bill_issue_close(OCT)
    bill_issue_close(NOV)
    assert not bought_out_charges(agreed, OCT).exists()  # the municipality's own then

    complete_buyout(buyout=agreed, completed_on=DEC)
    bill_period(month=DEC)

    assert not Charge.objects.filter(adjusts_period__isnull=False).exists()
    december = bought_out_charges(agreed, DEC)
    assert december.count() == 3
    prices = {p.asset_id: p for p in AssetPrice.objects.filter(valid_from=DEC)}
    assert {c.amount for c in december} == {prices[c.asset_id].amount for c in december}


def test_a_takeover_in_the_middle_of_a_month_is_charged_from_that_day(agreed):
    bill_issue_close(OCT)
    takeover = datetime.date(2026, 11, 11)
    complete_buyout(buyout=agreed, completed_on=takeover)
    bill_period(month=NOV)

    own = {p.asset_id: p for p in AssetPrice.objects.filter(valid_from=takeover)}
    assert len(own) == 3
    for asset_id, price in own.items():
        charged = sum(c.amount for c in bought_out_charges(agreed, NOV).filter(asset=asset_id))
        # 20 of November's 30 days at the asset's own price, nothing before the takeover.
        expected = (price.amount * 20 / 30).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert charged == expected
    assert not Charge.objects.filter(adjusts_period__isnull=False).exists()
