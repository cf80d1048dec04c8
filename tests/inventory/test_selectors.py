"""Who held asset X on day D, and what municipality M held on day D: one query each."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from samdrift.inventory.selectors import holder_on, holdings_on, subscriptions_on
from samdrift.inventory.services import assign_asset, end_assignment, end_subscription, subscribe
from tests import factories

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def moved(municipality_a, municipality_b, service_area_a, service_area_b):
    """A laptop with a history: A's schools, then A's health (on the 10th), then B."""
    health = factories.make_service_area(municipality_a, name="Helse og omsorg")
    kari = factories.make_person(municipality_a, service_area_a, username="kari")
    school = factories.make_location(municipality_a, name="Fjordvik skole")
    asset = factories.make_asset()
    assign_asset(
        asset=asset,
        municipality=municipality_a,
        service_area=service_area_a,
        person=kari,
        location=school,
        valid_from=D(2025, 1, 1),
    )
    assign_asset(
        asset=asset, municipality=municipality_a, service_area=health, valid_from=D(2026, 3, 10)
    )
    assign_asset(
        asset=asset,
        municipality=municipality_b,
        service_area=service_area_b,
        valid_from=D(2026, 9, 1),
    )
    return asset, health


@pytest.mark.parametrize(
    ("day", "who"),
    [
        (D(2024, 12, 31), None),
        (D(2025, 1, 1), ("Fjordvik", "Oppvekst", "kari", "Fjordvik skole")),
        (D(2026, 3, 9), ("Fjordvik", "Oppvekst", "kari", "Fjordvik skole")),
        (D(2026, 3, 10), ("Fjordvik", "Helse og omsorg", None, None)),
        (D(2026, 8, 31), ("Fjordvik", "Helse og omsorg", None, None)),
        (D(2026, 9, 1), ("Elvdal", "Helse", None, None)),
        (D(2040, 1, 1), ("Elvdal", "Helse", None, None)),
    ],
)
def test_who_held_the_asset_on_a_day_in_one_query(moved, day, who, django_assert_num_queries):
    asset, _health = moved
    with django_assert_num_queries(1):
        holder = holder_on(asset=asset.pk, day=day)
        found = (
            None
            if holder is None
            else (
                holder.municipality.name,
                holder.service_area.name,
                holder.person.username if holder.person else None,
                holder.location.name if holder.location else None,
            )
        )
    assert found == who


def test_nobody_holds_a_returned_asset(moved, municipality_b):
    asset, _health = moved
    end_assignment(asset=asset, on=D(2026, 12, 1))
    assert holder_on(asset=asset, day=D(2026, 11, 30)).municipality == municipality_b
    assert holder_on(asset=asset, day=D(2026, 12, 1)) is None


def test_what_a_municipality_held_on_a_day_in_one_query(
    moved, municipality_a, municipality_b, service_area_a, django_assert_num_queries
):
    asset, _health = moved
    others = [factories.make_asset() for _ in range(4)]
    for other in others:
        assign_asset(
            asset=other,
            municipality=municipality_a,
            service_area=service_area_a,
            valid_from=D(2026, 1, 1),
        )
    with django_assert_num_queries(1):
        held = [
            (h.asset.asset_tag, h.asset.product.category.name, h.service_area.name)
            for h in holdings_on(municipality=municipality_a, day=D(2026, 3, 10))
        ]
    assert {tag for tag, _c, _a in held} == {asset.asset_tag, *(o.asset_tag for o in others)}
    assert (asset.asset_tag, asset.product.category.name, "Helse og omsorg") in held
    # The same question for another day and municipality answers from history.
    assert [h.asset for h in holdings_on(municipality=municipality_a, day=D(2025, 6, 1))] == [asset]
    assert list(holdings_on(municipality=municipality_b, day=D(2026, 8, 31))) == []
    assert [h.asset for h in holdings_on(municipality=municipality_b.pk, day=D(2026, 9, 1))] == [
        asset
    ]


def test_holdings_are_the_same_whenever_asked(moved, municipality_a):
    """A past day gives the same answer after later moves: history is never overwritten."""
    asset, _health = moved
    day = D(2026, 5, 1)
    before = [(h.pk, h.service_area_id) for h in holdings_on(municipality=municipality_a, day=day)]
    assign_asset(asset=asset, municipality=municipality_a, valid_from=D(2027, 1, 1))
    after = [(h.pk, h.service_area_id) for h in holdings_on(municipality=municipality_a, day=day)]
    assert before == after != []


def test_subscriptions_on_a_day(municipality_a, municipality_b, django_assert_num_queries):
    service = factories.make_service(name="User workplace")
    running = subscribe(
        service=service,
        municipality=municipality_a,
        quantity=Decimal("40"),
        valid_from=D(2026, 1, 1),
    )
    ended = subscribe(service=service, municipality=municipality_a, valid_from=D(2026, 1, 1))
    end_subscription(subscription=ended, on=D(2026, 6, 1))
    subscribe(service=service, municipality=municipality_b, valid_from=D(2026, 1, 1))
    with django_assert_num_queries(1):
        found = [
            (s.pk, s.service.name)
            for s in subscriptions_on(municipality=municipality_a, day=D(2026, 6, 1))
        ]
    assert found == [(running.pk, "User workplace")]
    assert len(subscriptions_on(municipality=municipality_a, day=D(2026, 5, 31))) == 2
