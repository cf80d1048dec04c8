"""Lease prices, the yearly price-list calculation and the indexation of service prices."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from samdrift.agreements.services import create_agreement, set_agreed_price
from samdrift.catalogue.choices import ServiceUnit
from samdrift.catalogue.models import PriceVersion
from samdrift.catalogue.services import publish_price
from samdrift.core.actor import acting_as
from samdrift.core.choices import ChangeAction
from samdrift.core.models import ObjectChange
from samdrift.inventory.choices import AssetOrigin, AssetStatus
from samdrift.inventory.models import Asset
from samdrift.inventory.services import assign_asset, change_asset_status
from samdrift.leasing.choices import PaymentTiming, PublicationKind
from samdrift.leasing.models import AssetPrice, PriceListPublication
from samdrift.leasing.pricing.indexation import (
    calculate_indexation,
    index_quantum,
    publish_indexation,
)
from samdrift.leasing.pricing.lease_price import lease_price
from samdrift.leasing.pricing.price_list import calculate_price_list, publish_price_list
from samdrift.organisations.models import Municipality
from tests import factories


@pytest.fixture
def lease(db):
    # The DESIGN.md textbook case: 5 %, 36 months, 10 % residual, fee 50.
    return factories.make_lease_model(
        name="Standard 36",
        term_months=36,
        annual_rate=Decimal("0.05"),
        residual_percent=Decimal("10"),
        monthly_service_fee=Decimal("50.00"),
    )


@pytest.fixture
def laptop(lease):
    category = factories.make_category(name="Laptops", code="laptop", lease_model=lease)
    return factories.make_product(category, name="Laptop 14in", standard_cost=Decimal("12000.00"))


def hold(product, municipality, n, origin=AssetOrigin.PURCHASED, status=AssetStatus.DEPLOYED):
    """n assets of ``product`` assigned to ``municipality`` since 2025 (``status`` other
    than deployed is reached in mid-2025, ending the assignment when it takes it out)."""
    assets = []
    for _ in range(n):
        asset = factories.make_asset(product, origin=origin)
        assign_asset(asset=asset, municipality=municipality, valid_from=datetime.date(2025, 1, 1))
        if status != AssetStatus.DEPLOYED:
            change_asset_status(asset=asset, status=status, on=datetime.date(2025, 6, 1))
        assets.append(asset)
    return assets


def test_lease_price_is_annuity_plus_fee(lease):
    price = lease_price(cost=Decimal("12000"), lease_model=lease)
    assert price.capital == Decimal("328.69")  # DESIGN.md: 328.6857 in arrears
    assert price.service_fee == Decimal("50.00")
    assert price.amount == Decimal("378.69")


def test_lease_price_in_advance_and_zero_rate(lease):
    lease.payment_timing = PaymentTiming.ADVANCE
    assert lease_price(cost=Decimal("12000"), lease_model=lease).capital == Decimal("327.32")
    lease.annual_rate = Decimal("0")
    lease.residual_percent = Decimal("0")
    assert lease_price(cost=Decimal("3600"), lease_model=lease).capital == Decimal("100.00")


@pytest.mark.parametrize(
    ("field", "value", "cost"),
    [
        ("annual_rate", Decimal("-1"), Decimal("1000")),
        ("term_months", 0, Decimal("1000")),
        ("term_months", -12, Decimal("1000")),
        ("residual_percent", Decimal("120"), Decimal("1000")),
        ("monthly_service_fee", Decimal("-1"), Decimal("1000")),
        ("standard_cost", None, Decimal("-1")),
    ],
)
def test_lease_price_bad_input_names_the_field(lease, field, value, cost):
    if field != "standard_cost":
        setattr(lease, field, value)
    with pytest.raises(ValidationError) as raised:
        lease_price(cost=cost, lease_model=lease)
    assert field in raised.value.message_dict


def test_calculation_shows_old_and_new_with_change(laptop, municipality_a, municipality_b):
    factories.make_price(amount="350.00", valid_from=datetime.date(2025, 1, 1), product=laptop)
    no_lease = factories.make_product(factories.make_category(name="Odd"), name="Odd thing")
    hold(laptop, municipality_a, 3)
    hold(laptop, municipality_b, 1)
    # Not list-priced: bought out (its own price), still the municipality's, retired.
    (bought_out,) = hold(laptop, municipality_a, 1, origin=AssetOrigin.BOUGHT_OUT)
    AssetPrice.objects.create(
        asset=bought_out,
        valid_from=datetime.date(2025, 1, 1),
        amount=Decimal("210.00"),
        capital_part=Decimal("160.00"),
        service_fee=Decimal("50.00"),
    )
    hold(laptop, municipality_a, 1, origin=AssetOrigin.MUNICIPALITY_OWNED)
    hold(laptop, municipality_a, 1, status=AssetStatus.RETIRED)

    calc = calculate_price_list(year=2027)
    assert calc.valid_from == datetime.date(2027, 1, 1)
    rows = {row.product: row for row in calc.rows}
    row = rows["Laptop 14in"]
    assert (row.old_amount, row.new_amount) == (Decimal("350.00"), Decimal("378.69"))
    assert row.change == Decimal("28.69")
    assert row.change_percent == Decimal("8.20")  # 28.69 / 350 = 8.197 %
    assert row.publishable
    assert rows["Odd thing"].problem and not rows["Odd thing"].publishable
    assert no_lease.pk == rows["Odd thing"].product_id

    effects = {e.number: e for e in calc.effects}
    assert effects["4601"].devices == 3
    assert effects["4601"].old_monthly == Decimal("1050.00")
    assert effects["4601"].new_monthly == Decimal("1136.07")
    assert effects["4602"].new_monthly == Decimal("378.69")
    assert calc.total_new_monthly == Decimal("1514.76")


def test_the_effect_leaves_out_devices_billing_does_not_charge_at_list_price(
    laptop, municipality_a, municipality_b
):
    """Elvdal pays an agreed price for laptops, so a new list price changes nothing there;
    each device's charge is rounded as billing rounds it (300.005 → 300.01 a device)."""
    factories.make_price(amount="300.0050", valid_from=datetime.date(2025, 1, 1), product=laptop)
    hold(laptop, municipality_a, 2)
    hold(laptop, municipality_b, 2)
    agreement = create_agreement(
        municipality=municipality_b, name="Avtale", valid_from=datetime.date(2025, 1, 1)
    )
    set_agreed_price(agreement=agreement, product=laptop, amount=Decimal("280.00"))
    effects = {e.number: e for e in calculate_price_list(year=2027).effects}
    assert (effects["4601"].devices, effects["4601"].old_monthly) == (2, Decimal("600.02"))
    assert effects["4601"].new_monthly == Decimal("757.38")  # 2 × 378.69
    assert (effects["4602"].devices, effects["4602"].new_monthly) == (0, Decimal("0"))


def test_calculation_effect_is_restricted_to_given_municipalities(
    laptop, municipality_a, municipality_b
):
    hold(laptop, municipality_b, 2)
    calc = calculate_price_list(
        year=2027, municipalities=Municipality.objects.filter(pk=municipality_a.pk)
    )
    assert [e.number for e in calc.effects] == ["4601"]
    assert calc.effects[0].devices == 0


def test_device_without_an_old_price_is_counted_as_unpriced(laptop, municipality_a):
    hold(laptop, municipality_a, 2)
    effect = calculate_price_list(year=2027).effects[0]
    assert effect.unpriced_devices == 2
    assert effect.old_monthly == 0 and effect.new_monthly == 0


def test_calculation_costs_a_fixed_number_of_queries(
    laptop, municipality_a, municipality_b, django_assert_num_queries
):
    for n in range(5):
        product = factories.make_product(laptop.category, name=f"P{n}")
        factories.make_price(amount="100", valid_from=datetime.date(2025, 1, 1), product=product)
        hold(product, municipality_a, 2)
    # Products, old and later versions, municipalities, then billing's price resolution
    # of the fleet: devices held, list prices, agreed prices.
    with django_assert_num_queries(7):
        calculate_price_list(year=2027)


def test_publish_creates_versions_and_closes_the_old(laptop, operator):
    old = factories.make_price(
        amount="350.00", valid_from=datetime.date(2025, 1, 1), product=laptop
    )
    same = factories.make_product(laptop.category, name="Same", standard_cost=Decimal("12000.00"))
    factories.make_price(amount="378.69", valid_from=datetime.date(2025, 1, 1), product=same)
    changes_before = ObjectChange.objects.count()

    with acting_as(operator, label="test"):
        publication = publish_price_list(year=2027)

    assert publication.kind == PublicationKind.LEASE_PRICES
    assert PriceListPublication.objects.get(pk=publication.pk).published_by == operator
    assert publication.versions_created == 1  # the unchanged price stays in force
    old.refresh_from_db()
    assert old.valid_to == datetime.date(2027, 1, 1)
    assert old.amount == Decimal("350.00")  # never edited otherwise
    new = PriceVersion.objects.get(product=laptop, valid_from=datetime.date(2027, 1, 1))
    assert new.amount == Decimal("378.69") and new.valid_to is None
    assert str(publication.pk) in new.note
    assert PriceVersion.objects.filter(product=same).count() == 1
    # Change log: the closed version (update), the new one (create), the publication.
    logged = ObjectChange.objects.order_by("id")[changes_before:]
    actions = sorted((c.content_type.model, c.action) for c in logged)
    assert actions == [
        ("pricelistpublication", ChangeAction.CREATE),
        ("priceversion", ChangeAction.CREATE),
        ("priceversion", ChangeAction.UPDATE),
    ]


def test_past_prices_are_unchanged_by_publishing(laptop):
    publish_price(amount=Decimal("300.00"), valid_from=datetime.date(2024, 1, 1), product=laptop)
    publish_price(amount=Decimal("350.00"), valid_from=datetime.date(2025, 1, 1), product=laptop)
    before = list(PriceVersion.objects.filter(valid_from__lt=datetime.date(2025, 1, 1)).values())
    publish_price_list(year=2027)
    after = list(PriceVersion.objects.filter(valid_from__lt=datetime.date(2025, 1, 1)).values())
    assert before == after


def test_publishing_twice_is_refused_and_changes_nothing(laptop):
    factories.make_price(amount="350.00", valid_from=datetime.date(2025, 1, 1), product=laptop)
    publish_price_list(year=2027)
    laptop.standard_cost = Decimal("13000.00")
    laptop.save()
    versions = PriceVersion.objects.count()
    publications = PriceListPublication.objects.count()
    with pytest.raises(ValidationError) as raised:
        publish_price_list(year=2027)
    assert "valid_from" in raised.value.message_dict
    assert "Laptop 14in" in raised.value.message_dict["valid_from"][0]
    assert PriceVersion.objects.count() == versions
    assert PriceListPublication.objects.count() == publications


def test_publish_from_a_later_date_in_the_year(laptop):
    publish_price_list(year=2027, valid_from=datetime.date(2027, 7, 1))
    assert PriceVersion.objects.get(product=laptop).valid_from == datetime.date(2027, 7, 1)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"year": 2027, "valid_from": datetime.date(2026, 12, 1)}, "valid_from"),
        ({"year": 1899}, "year"),
    ],
)
def test_bad_year_or_date(laptop, kwargs, field):
    with pytest.raises(ValidationError) as raised:
        calculate_price_list(**kwargs)
    assert field in raised.value.message_dict


# --- Indexation ---------------------------------------------------------------------------


@pytest.fixture
def services(db):
    workplace = factories.make_service(name="User workplace", code="workplace")
    printing = factories.make_service(name="Printing", code="print", unit=ServiceUnit.PER_PAGE)
    unpriced = factories.make_service(name="Unpriced", code="unpriced")
    factories.make_price(amount="450.00", valid_from=datetime.date(2026, 1, 1), service=workplace)
    factories.make_price(amount="0.0850", valid_from=datetime.date(2026, 1, 1), service=printing)
    return workplace, printing, unpriced


def test_indexation_calculation(services):
    calc = calculate_indexation(year=2027, old_index=Decimal("100"), new_index=Decimal("104.3"))
    rows = {row.code: row for row in calc.rows}
    assert rows["workplace"].new_amount == Decimal("469.35")  # 450 × 1.043 = 469.35
    assert rows["workplace"].change_percent == Decimal("4.30")
    assert rows["print"].new_amount == Decimal("0.0887")  # 0.08865…, four decimals for a unit price
    assert rows["unpriced"].problem and rows["unpriced"].new_amount is None


def test_index_quantum():
    assert index_quantum(Decimal("450.00")) == Decimal("0.01")
    assert index_quantum(Decimal("0.0850")) == Decimal("0.0001")


def test_publish_indexation(services, finance_user):
    workplace, _printing, _unpriced = services
    with acting_as(finance_user, label="test"):
        publication = publish_indexation(
            year=2027,
            old_index=Decimal("100"),
            new_index=Decimal("104.3"),
            index_name="Kommunal deflator",
        )
    assert PriceListPublication.objects.get(pk=publication.pk).published_by == finance_user
    assert publication.kind == PublicationKind.INDEXATION
    assert publication.versions_created == 2
    assert (publication.old_index, publication.new_index) == (Decimal("100"), Decimal("104.3"))
    current = PriceVersion.objects.get(service=workplace, valid_to__isnull=True)
    assert current.amount == Decimal("469.35") and current.valid_from == datetime.date(2027, 1, 1)
    assert "Kommunal deflator" in current.note
    old = PriceVersion.objects.get(service=workplace, valid_from=datetime.date(2026, 1, 1))
    assert (old.amount, old.valid_to) == (Decimal("450.00"), datetime.date(2027, 1, 1))


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [(Decimal("0"), Decimal("104"), "old_index"), (Decimal("100"), Decimal("-1"), "new_index")],
)
def test_indexation_bad_index(services, old, new, field):
    with pytest.raises(ValidationError) as raised:
        publish_indexation(year=2027, old_index=old, new_index=new)
    assert field in raised.value.message_dict
    assert not PriceListPublication.objects.exists()


def test_only_assets_in_the_fleet_count(laptop, municipality_a):
    # An asset in stock has no holder and does not count.
    factories.make_asset(laptop, status=AssetStatus.IN_STOCK)
    factories.make_price(amount="350.00", valid_from=datetime.date(2025, 1, 1), product=laptop)
    hold(laptop, municipality_a, 1, origin=AssetOrigin.LEASED)
    effect = calculate_price_list(year=2027).effects[0]
    assert effect.devices == 1
    assert Asset.objects.count() == 2
