"""What a page says a month costs is what billing charges (design invariant 9).

A month without changes is billed with ``bill_period``; the monthly cost on the overview,
the municipality page and the asset page must then equal the month's device and
subscription charges, for every layer of the price resolution: an asset's own price, an
agreed price, a list price, and municipality-owned equipment (not charged). The expected
totals are also worked out by hand, so a page and billing cannot agree on a wrong figure.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from samdrift.agreements.services import create_agreement, set_agreed_price
from samdrift.billing.choices import ChargeSource
from samdrift.billing.models import Charge
from samdrift.billing.services.runs import bill_period
from samdrift.catalogue.choices import ServiceUnit
from samdrift.core.choices import Role
from samdrift.dashboard import selectors
from samdrift.dashboard.selectors import monthly_cost
from samdrift.finance.depreciation import add_months
from samdrift.inventory.choices import AssetOrigin
from samdrift.inventory.models import Assignment, Subscription
from samdrift.inventory.services import assign_asset, subscribe
from samdrift.leasing.models import AssetPrice
from samdrift.leasing.prices import OWN, priced_holdings
from samdrift.ui.formatting import format_money
from tests import factories
from tests.factories import client_for

D = datetime.date
SOURCES = (ChargeSource.ASSET, ChargeSource.SUBSCRIPTION)


@pytest.fixture
def priced_world(world):
    """The billing world (laptops at 328.69, workplaces at 150.00, from 1 January 2026)
    plus one item for each rule of the price resolution. Pages price "today", so the
    month billed is the current one: nothing below changes during it."""
    fjordvik, elvdal = world.fjordvik, world.elvdal
    # Fjordvik: the second laptop was bought out and has its own price.
    bought_out = world.assets[1]
    bought_out.origin = AssetOrigin.BOUGHT_OUT
    bought_out.save()
    AssetPrice.objects.create(
        asset=bought_out,
        valid_from=D(2026, 1, 1),
        amount=Decimal("210.00"),
        capital_part=Decimal("160.00"),
        service_fee=Decimal("50.00"),
    )
    # Fjordvik's own laptop, run by the collaboration but not charged.
    owned = factories.make_asset(world.laptop, origin=AssetOrigin.MUNICIPALITY_OWNED)
    assign_asset(
        asset=owned, municipality=fjordvik, service_area=world.school, valid_from=D(2026, 1, 1)
    )
    # A fixed service in a quantity of 3 at a four-decimal price: 3 × 33.3333 = 99.9999,
    # charged as 100.00 (rounded per subscription, as billing writes it).
    network = factories.make_service(name="Network per site", unit=ServiceUnit.FIXED)
    factories.make_price(amount="33.3333", valid_from=D(2025, 1, 1), service=network)
    subscribe(
        service=network, municipality=fjordvik, valid_from=D(2026, 1, 1), quantity=Decimal("3")
    )
    # A person who has left keeps an open subscription that billing no longer charges.
    today = timezone.localdate()
    leaver = factories.make_person(
        fjordvik, world.school, active_from=D(2025, 1, 1), active_to=add_months(today, -2)
    )
    subscribe(
        service=world.workplace,
        municipality=fjordvik,
        service_area=world.school,
        person=leaver,
        valid_from=D(2025, 1, 1),
    )
    # Elvdal has an agreement: laptops at 299.99, workplaces at 120.00.
    agreement = create_agreement(municipality=elvdal, name="Avtale", valid_from=D(2026, 1, 1))
    set_agreed_price(agreement=agreement, product=world.laptop, amount=Decimal("299.99"))
    set_agreed_price(agreement=agreement, service=world.workplace, amount=Decimal("120.00"))
    return world


# Worked out by hand from the fixture above.
FJORDVIK = (
    Decimal("328.69") + Decimal("210.00") + Decimal("0") + 2 * Decimal("150.00") + Decimal("100.00")
)  # 938.69
ELVDAL = Decimal("299.99") + Decimal("120.00")  # 419.99


def billed_month() -> dict[tuple[int, int | None], Decimal]:
    """Bill the current month; its device and subscription charges per service area."""
    bill_period(month=timezone.localdate().replace(day=1))
    totals: dict[tuple[int, int | None], Decimal] = defaultdict(Decimal)
    for charge in Charge.objects.filter(source__in=SOURCES):
        totals[(charge.municipality_id, charge.service_area_id)] += charge.amount
    return dict(totals)


def per_municipality(totals) -> dict[int, Decimal]:
    result: dict[int, Decimal] = defaultdict(Decimal)
    for (municipality_id, _area), amount in totals.items():
        result[municipality_id] += amount
    return dict(result)


def figure(client: Client, url: str, testid: str) -> str:
    html = client.get(url).content.decode()
    match = re.search(rf'data-testid="{testid}"[^>]*>([^<]*)<', html)
    assert match, f"{testid} not on {url}"
    return match.group(1).strip()


def test_billing_charges_what_the_fixture_says(priced_world):
    """The reference itself: billing's charges are the hand-worked totals."""
    billed = per_municipality(billed_month())
    assert billed == {priced_world.fjordvik.pk: FJORDVIK, priced_world.elvdal.pk: ELVDAL}


def test_monthly_cost_equals_the_months_charges(priced_world, operator):
    billed = billed_month()
    cost = monthly_cost(user=operator, day=timezone.localdate())
    assert cost.by_municipality() == per_municipality(billed)
    assert cost.by_service_area() == billed
    assert cost.total == FJORDVIK + ELVDAL
    assert cost.unpriced_items == []


def test_municipality_page_and_overview_show_the_invoiced_figure(priced_world, operator):
    billed = per_municipality(billed_month())
    world = priced_world
    operator_client = client_for(operator)
    for municipality in (world.fjordvik, world.elvdal):
        url = reverse("organisations:municipality_detail", args=[municipality.pk])
        assert figure(operator_client, url, "monthly-cost") == format_money(
            billed[municipality.pk], "en"
        )
    assert figure(operator_client, reverse("home"), "cost-total") == format_money(
        FJORDVIK + ELVDAL, "en"
    )
    # A municipality's contact sees their own municipality's invoiced figure.
    contact = factories.make_user(Role.MUNICIPALITY, municipality=world.elvdal)
    assert figure(client_for(contact), reverse("home"), "cost-total") == format_money(
        billed[world.elvdal.pk], "en"
    )


def test_a_service_area_manager_sees_their_areas_charges(priced_world):
    billed = billed_month()
    world = priced_world
    manager = factories.make_user(
        Role.SERVICE_AREA, municipality=world.fjordvik, service_area=world.health
    )
    url = reverse("organisations:municipality_detail", args=[world.fjordvik.pk])
    # Fjordvik's health area holds the bought-out laptop and one workplace: 360.00.
    assert billed[(world.fjordvik.pk, world.health.pk)] == Decimal("360.00")
    assert figure(client_for(manager), url, "monthly-cost") == format_money(Decimal("360.00"), "en")


def test_priced_holdings_names_the_layer_and_what_is_not_charged(priced_world):
    world = priced_world
    holdings = priced_holdings(
        day=timezone.localdate(),
        assignments=Assignment.objects.filter(municipality=world.fjordvik),
        subscriptions=Subscription.objects.none(),
    )
    found = sorted((h.price_source, h.unit_price, h.charged, h.count) for h in holdings)
    assert found == [
        ("", None, False, 1),  # the municipality's own laptop
        ("list", Decimal("328.6900"), True, 1),
        (OWN, Decimal("210.0000"), True, 1),
    ]
    elvdal = priced_holdings(
        day=timezone.localdate(),
        assignments=Assignment.objects.filter(municipality=world.elvdal),
        subscriptions=Subscription.objects.filter(municipality=world.elvdal),
    )
    assert sorted((h.kind, h.unit_price, h.price_source) for h in elvdal) == [
        ("product", Decimal("299.9900"), "agreed"),
        ("service", Decimal("120.0000"), "agreed"),
    ]


def test_the_asset_page_shows_the_price_billing_charges(priced_world, operator):
    world = priced_world
    client = client_for(operator)

    def price_now(asset) -> str:
        return figure(client, reverse("inventory:asset_detail", args=[asset.pk]), "price-now")

    assert price_now(world.assets[0]) == "NOK 328.69 a month (list price)"
    assert price_now(world.assets[1]) == "NOK 210.00 a month (the asset's own price)"
    assert price_now(world.assets[2]) == (
        "NOK 299.99 a month (the price agreed with the municipality)"
    )
    owned = Assignment.objects.get(asset__origin=AssetOrigin.MUNICIPALITY_OWNED).asset
    assert price_now(owned) == "Not charged: owned by the municipality."


def test_monthly_cost_runs_a_fixed_number_of_queries(
    priced_world, operator, django_assert_num_queries
):
    today = timezone.localdate()
    monthly_cost(user=operator, day=today)  # counts the kept holdings (planning.holdings)
    # Their stamp, list prices, agreed prices, product names, service names: what the
    # cost is remembered by (dashboard.selectors._kept_cost); their rows the first time.
    selectors._remembered.clear()
    with django_assert_num_queries(6):
        first = monthly_cost(user=operator, day=today)
    with django_assert_num_queries(5):
        assert monthly_cost(user=operator, day=today) is first
    # Another day: devices, subscriptions, list prices, agreed prices, names.
    with django_assert_num_queries(6):
        monthly_cost(user=operator, day=today - datetime.timedelta(days=1))
