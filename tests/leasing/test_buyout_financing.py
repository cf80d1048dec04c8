"""The financing view: capital bound, income vs depreciation and interest, outstanding value."""

import datetime
from decimal import Decimal

import pytest

from samdrift.core.permissions import restrict
from samdrift.inventory.choices import AssetOrigin, AssetStatus
from samdrift.inventory.models import Asset
from samdrift.leasing.buyouts.agreeing import agree_buyout
from samdrift.leasing.buyouts.completion import complete_buyout
from samdrift.leasing.buyouts.drafting import create_buyout, register_equipment
from samdrift.leasing.financing import fleet_financing
from tests import factories


@pytest.fixture
def laptop(db):
    product = factories.make_leased_laptop(residual_percent="10", useful_life_months=36)
    factories.make_price(amount="378.69", valid_from=datetime.date(2024, 1, 1), product=product)
    return product


def test_one_purchased_laptop(laptop, municipality_a):
    factories.make_asset(
        laptop,
        municipality=municipality_a,
        status=AssetStatus.DEPLOYED,
        acquisition_date=datetime.date(2025, 1, 15),
        acquisition_cost=Decimal("12000.00"),
    )
    view = fleet_financing(assets=Asset.objects.all(), on=datetime.date(2026, 6, 10))
    assert view.as_of == datetime.date(2026, 6, 30)
    assert view.assets == 1 and view.without_basis == 0
    # 17 months old at the end of June 2026: 12 000 − 10 800 × 17/36 = 6 900.
    assert view.capital_bound == Decimal("6900.00")
    years = {y.year: y for y in view.years}
    assert list(years) == [2026, 2027, 2028, 2029, 2030]
    # 2026: ages 12–23 → 12 × 300 written off; 12 × 328.69 earned; interest on 84 600 × 5 %/12.
    assert years[2026].depreciation == Decimal("3600.00")
    assert years[2026].lease_income == Decimal("3944.28")
    assert years[2026].interest == Decimal("352.50")
    assert years[2026].outstanding_at_end == Decimal("5100.00")
    assert years[2026].margin == Decimal("-8.22")
    assert years[2027].interest == Decimal("172.50")
    assert years[2027].outstanding_at_end == Decimal("1500.00")
    # 2028: the last month of life and of the lease; then the residual stays.
    assert years[2028].depreciation == Decimal("300.00")
    assert years[2028].lease_income == Decimal("328.69")
    assert years[2028].interest == Decimal("61.25")
    assert years[2029].outstanding_at_end == Decimal("1200.00")
    assert years[2030].lease_income == 0


def test_outstanding_never_increases_and_capital_bound_counts_everything(laptop, municipality_a):
    for n in range(6):
        factories.make_asset(
            laptop,
            municipality=municipality_a,
            status=AssetStatus.DEPLOYED,
            acquisition_date=datetime.date(2023, 1 + n, 3),
            acquisition_cost=Decimal("10000.00") + n,
        )
    factories.make_asset(laptop, status=AssetStatus.RETIRED)  # not in use: not counted
    factories.make_asset(laptop, origin=AssetOrigin.MUNICIPALITY_OWNED)  # not ours
    factories.make_asset(laptop, acquisition_cost=None)  # ours, but no basis
    view = fleet_financing(assets=Asset.objects.all(), on=datetime.date(2026, 1, 1))
    assert view.assets == 7 and view.without_basis == 1
    outstanding = [y.outstanding_at_end for y in view.years]
    assert outstanding == sorted(outstanding, reverse=True)
    assert view.capital_bound >= outstanding[0]


def test_bought_out_assets_are_financed_from_their_buyout_value(laptop, municipality_a):
    buyout = create_buyout(
        municipality=municipality_a, name="B", valuation_date=datetime.date(2026, 1, 1)
    )
    register_equipment(
        buyout=buyout,
        rows=[
            {
                "product": laptop,
                "asset_tag": "OLD",
                "acquisition_date": datetime.date(2025, 1, 1),
                "acquisition_cost": Decimal("7200.00"),
            }
        ],
    )
    agree_buyout(buyout=buyout, agreed_on=datetime.date(2026, 1, 2))
    complete_buyout(buyout=buyout, completed_on=datetime.date(2026, 1, 2))
    # Valued at 12 of 36 months: 7 200 × 24/36 = 4 800, recovered over the remaining 24 months.
    view = fleet_financing(assets=Asset.objects.all(), on=datetime.date(2026, 1, 31))
    assert view.assets == 1 and view.bought_out_assets == 1
    assert view.capital_bound == Decimal("4800.00")
    years = {y.year: y for y in view.years}
    # Completed during January: a whole month old at the end of February, so 11 months
    # of 200 are written off in 2026, and the last one in January 2028.
    assert years[2026].depreciation == Decimal("2200.00")
    assert years[2026].outstanding_at_end == Decimal("2600.00")
    assert years[2027].outstanding_at_end == Decimal("200.00")
    assert years[2028].depreciation == Decimal("200.00")
    assert years[2028].outstanding_at_end == 0
    assert years[2029].depreciation == 0 and years[2029].lease_income == 0


def test_restricted_to_what_the_user_sees(laptop, municipality_a, municipality_b, contact_b):
    factories.make_asset(laptop, municipality=municipality_a, status=AssetStatus.DEPLOYED)
    view = fleet_financing(
        assets=restrict(Asset.objects.all(), contact_b), on=datetime.date(2026, 1, 1)
    )
    assert view.assets == 0 and view.capital_bound == 0


def test_query_count_is_fixed(laptop, municipality_a, django_assert_num_queries):
    for n in range(12):
        other = factories.make_product(laptop.category, name=f"P{n}")
        factories.make_asset(other, acquisition_date=datetime.date(2024, 1 + n, 1))
    with django_assert_num_queries(5):
        fleet_financing(assets=Asset.objects.all(), on=datetime.date(2026, 1, 1))


def test_an_own_price_without_term_or_rate_is_counted_without_basis(laptop, municipality_a):
    from samdrift.leasing.models import AssetPrice

    asset = factories.make_asset(
        laptop,
        municipality=municipality_a,
        status=AssetStatus.DEPLOYED,
        origin=AssetOrigin.BOUGHT_OUT,
    )
    # Entered by hand: a capital part but no term or rate — no schedule to project.
    AssetPrice.objects.create(
        asset=asset,
        valid_from=datetime.date(2025, 1, 1),
        amount=Decimal("210.00"),
        capital_part=Decimal("160.00"),
        service_fee=Decimal("50.00"),
        financed_value=Decimal("3000.00"),
        residual_value=Decimal("0.00"),
    )
    view = fleet_financing(assets=Asset.objects.all(), on=datetime.date(2026, 1, 31))
    assert view.assets == 1 and view.without_basis == 1
    assert view.capital_bound == 0
    assert all(y.lease_income == 0 and y.depreciation == 0 for y in view.years)
