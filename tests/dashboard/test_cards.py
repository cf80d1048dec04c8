"""Every number card opens a list of exactly that many rows.

The test follows each card's link with the same user's client and reads the row count the
list shows. The expected numbers are also worked out by hand from the fixture: due for
replacement means in service (deployed or in repair) with a planned replacement in the
next twelve months; retired, in-stock and ordered devices are not due.
"""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from samdrift.core.choices import Role
from samdrift.dashboard.selectors import overview
from samdrift.finance.depreciation import add_months
from samdrift.inventory.choices import AssetStatus
from samdrift.inventory.services import assign_asset, change_asset_status
from tests import factories
from tests.factories import client_for

OVERVIEW_CARDS = [
    "persons-active",
    "assets-total",
    "assets-in-service",
    "assets-due",
    "assets-overdue",
]
MUNICIPALITY_CARDS = ["persons-active", "assets-total", "assets-due"]


def planned(asset, day: datetime.date | None) -> None:
    asset.refresh_from_db()
    asset.planned_replacement = day
    asset.save()


@pytest.fixture
def fleet(world):
    """Fjordvik's fleet in every state, with planned replacements around today."""
    today = timezone.localdate()
    soon, later, past = add_months(today, 1), add_months(today, 13), add_months(today, -1)
    a0, a1, _a2 = world.assets_a
    planned(a0, soon)  # deployed, due
    planned(a1, past)  # deployed, overdue
    laptop, area = world.laptop, world.area_a
    since = datetime.date(2024, 6, 1)

    def held(tag: str, replacement):
        asset = factories.make_asset(laptop, asset_tag=tag, planned_replacement=replacement)
        assign_asset(
            asset=asset, municipality=world.municipality_a, service_area=area, valid_from=since
        )
        return asset

    change_asset_status(
        asset=held("REPAIR", add_months(today, 2)), status=AssetStatus.IN_REPAIR
    )  # due
    held("LATER", later)  # deployed, due after the twelve months
    change_asset_status(asset=held("STOCK", soon), status=AssetStatus.IN_STOCK, on=today)
    change_asset_status(asset=held("RETIRED", soon), status=AssetStatus.RETIRED, on=today)
    factories.make_asset(
        laptop, asset_tag="ORDERED", status=AssetStatus.ORDERED, planned_replacement=past
    )
    # Persons: one has left, one starts next month; neither is active today.
    factories.make_person(
        world.municipality_a, area, username="leaver", active_to=add_months(today, -1)
    )
    factories.make_person(
        world.municipality_a, area, username="starter", active_from=add_months(today, 1)
    )
    return world


def card_on(page: str, testid: str) -> tuple[int, str]:
    """(the card's number, its link) from a page's HTML."""
    match = re.search(rf'<a[^>]*data-testid="{testid}"[^>]*href="([^"]*)"[^>]*>([^<]*)</a>', page)
    assert match, f"no linked card {testid}"
    digits = re.sub(r"\D", "", match.group(2).split(" in ")[0])
    return int(digits), html.unescape(match.group(1))


def rows_listed(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    match = re.search(r'data-testid="count">([\d,\s\xa0]+) rows?<', response.content.decode())
    assert match, url
    return int(re.sub(r"\D", "", match.group(1)))


def cards_and_lists(client, url: str, testids: list[str]) -> dict[str, tuple[int, int]]:
    page = client.get(url).content.decode()
    result = {}
    for testid in testids:
        number, link = card_on(page, testid)
        result[testid] = (number, rows_listed(client, link))
    return result


def test_every_overview_card_opens_a_list_of_that_many(fleet, operator):
    found = cards_and_lists(client_for(operator), reverse("home"), OVERVIEW_CARDS)
    for testid, (number, listed) in found.items():
        assert number == listed, f"{testid}: card {number}, list {listed}"
    # By hand: 3 + 3 persons of the fixture; 6 + REPAIR, LATER, STOCK, RETIRED, ORDERED
    # assets; in service the 6, REPAIR and LATER; due a0 and REPAIR; overdue a1.
    assert {k: v[0] for k, v in found.items()} == {
        "persons-active": 6,
        "assets-total": 11,
        "assets-in-service": 8,
        "assets-due": 2,
        "assets-overdue": 1,
    }


def test_a_contacts_cards_count_their_own_lists(fleet):
    contact = factories.make_user(Role.MUNICIPALITY, municipality=fleet.municipality_a)
    found = cards_and_lists(client_for(contact), reverse("home"), OVERVIEW_CARDS)
    for testid, (number, listed) in found.items():
        assert number == listed, f"{testid}: card {number}, list {listed}"
    # Fjordvik holds its 3, REPAIR and LATER (STOCK and RETIRED were handed back).
    assert found["assets-total"][0] == 5 and found["assets-due"][0] == 2
    other = factories.make_user(Role.MUNICIPALITY, municipality=fleet.municipality_b)
    found = cards_and_lists(client_for(other), reverse("home"), OVERVIEW_CARDS)
    assert {k: v for k, v in found.items()} == {
        "persons-active": (3, 3),
        "assets-total": (3, 3),
        "assets-in-service": (3, 3),
        "assets-due": (0, 0),
        "assets-overdue": (0, 0),
    }


def test_a_service_area_managers_cards_count_their_own_lists(fleet):
    manager = factories.make_user(
        Role.SERVICE_AREA, municipality=fleet.municipality_a, service_area=fleet.area_a
    )
    found = cards_and_lists(client_for(manager), reverse("home"), OVERVIEW_CARDS)
    for testid, (number, listed) in found.items():
        assert number == listed, f"{testid}: card {number}, list {listed}"
    # Every Fjordvik device and person of the fixture is in Oppvekst.
    assert {k: v[0] for k, v in found.items()} == {
        "persons-active": 3,
        "assets-total": 5,
        "assets-in-service": 5,
        "assets-due": 2,
        "assets-overdue": 1,
    }


def test_municipality_page_cards_and_area_rows_open_lists_of_that_many(fleet, operator):
    client = client_for(operator)
    url = reverse("organisations:municipality_detail", args=[fleet.municipality_a.pk])
    found = cards_and_lists(client, url, MUNICIPALITY_CARDS)
    assert found == {"persons-active": (3, 3), "assets-total": (5, 5), "assets-due": (2, 2)}
    page = client.get(url).content.decode()
    area_table = page[page.index('data-testid="service-areas"') :]
    links = re.findall(r'<td class="num"><a href="([^"]*)">([\d,]+)</a></td>', area_table)
    assert links, "no linked counts in the service-area table"
    for link, number in links:
        assert int(number.replace(",", "")) == rows_listed(client, html.unescape(link)), link


def test_the_charts_add_up_to_their_cards(fleet, operator):
    figures = overview(user=operator, day=timezone.localdate())
    assert sum(n for _month, n in figures["due_by_month"]) == figures["due_total"] == 2
    in_service = sum(n for _bucket, n in figures["ages"]) + figures["age_unknown"]
    assert in_service == figures["assets_in_service"] == 8
