"""The overview's figures and the monthly cost estimate, set-based and restricted."""

from __future__ import annotations

import datetime
from decimal import Decimal

from samdrift.core.choices import Role
from samdrift.dashboard.selectors import monthly_cost, overview
from samdrift.inventory.choices import AssetStatus
from samdrift.inventory.services import change_asset_status
from samdrift.planning.figures import rebuild
from tests import factories

D = datetime.date
DAY = D(2026, 1, 15)


def test_overview_counts(world, operator, django_assert_max_num_queries):
    a0, a1, a2 = world.assets_a
    for asset in (a0, a1, a2):
        asset.refresh_from_db()  # the fixture's objects predate their assignment
    a0.planned_replacement = D(2026, 3, 20)  # due in March
    a0.save()
    a1.planned_replacement = D(2025, 12, 1)  # overdue
    a1.save()
    a2.acquisition_date = None
    a2.save()
    change_asset_status(asset=world.assets_b[0], status=AssetStatus.RETIRED, on=D(2025, 1, 1))
    # Counted once for the day (planning.figures), then summed: the replacement rules,
    # the figures' stamp, their sum, the product categories and the persons card.
    rebuild(day=DAY)
    with django_assert_max_num_queries(5):
        figures = overview(user=operator, day=DAY)
    assert figures["persons_active"] == 6
    assert figures["assets_total"] == 6
    assert figures["by_category_status"] == {"Laptops": {"deployed": 5, "retired": 1}}
    assert figures["assets_in_service"] == 5
    assert dict(figures["ages"])[1] == 4  # acquired 2024-03-01: between one and two years
    assert figures["age_unknown"] == 1
    assert figures["overdue"] == 1
    assert dict(figures["due_by_month"])[D(2026, 3, 1)] == 1
    assert figures["due_total"] == 1
    assert figures["due_by_month"][0][0] == D(2026, 1, 1)


def test_overview_of_a_contact_counts_their_municipality_only(world):
    contact = factories.make_user(Role.MUNICIPALITY, municipality=world.municipality_b)
    figures = overview(user=contact, day=DAY)
    assert figures["assets_total"] == 3 and figures["persons_active"] == 3


def test_monthly_cost_from_prices_in_force(world, operator, django_assert_max_num_queries):
    factories.make_price(amount="1300.00", valid_from=D(2026, 2, 1), product=world.laptop)
    with django_assert_max_num_queries(6):
        january = monthly_cost(user=operator, day=DAY)
    # On 15 January the February price is not in force yet: 3 laptops at 1 234,50 and
    # one workplace at 250 per municipality.
    assert january.by_municipality() == {
        world.municipality_a.pk: Decimal("3953.50"),
        world.municipality_b.pk: Decimal("3953.50"),
    }
    assert january.total == Decimal("7907.00")
    by_area = january.by_service_area()
    assert by_area[(world.municipality_a.pk, world.area_a.pk)] == Decimal("3953.50")
    contact = factories.make_user(Role.MUNICIPALITY, municipality=world.municipality_a)
    assert monthly_cost(user=contact, day=DAY).total == Decimal("3953.50")


def test_unpriced_items_are_named_not_hidden(world, operator):
    other = factories.make_product(name="Unpriced phone")
    asset = factories.make_asset(other, asset_tag="NOPRICE")
    from samdrift.inventory.services import assign_asset

    assign_asset(asset=asset, municipality=world.municipality_a, valid_from=D(2025, 1, 1))
    cost = monthly_cost(user=operator, day=DAY)
    assert cost.unpriced_items == ["Unpriced phone"]
    assert cost.total == Decimal("7907.00")
