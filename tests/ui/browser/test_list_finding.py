"""Finding things on a list in a real browser: a multiple-choice filter worked by keyboard
and mouse, and the service areas narrowed when the municipality changes, without a
reload (ui.lists; tests/ui/test_list_finding.py has the server side)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from samdrift.core.choices import Role
from tests import factories
from tests.ui.browser.conftest import sign_in
from tests.worlds import build_small_world

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db):
    return build_small_world()


@pytest.fixture
def operator_user(transactional_db):
    return factories.make_user(Role.OPERATOR, username="op")


def wait_for_count(page, text: str) -> None:
    # Not wait_for_function: it evaluates a string, which the Content-Security-Policy refuses.
    expect(page.locator("[data-testid=count]")).to_have_text(text)


def test_municipality_narrows_areas_and_statuses_combine(page, world, operator_user):
    sign_in(page, "op")
    page.goto(page.base_url + reverse("inventory:asset_list"), wait_until="load")
    assert page.inner_text("[data-testid=count]") == "6 rows"
    areas = page.locator("#id_service_area option")
    assert "Elvdal – Elvdal helse" in areas.all_inner_texts()

    # Choosing the municipality narrows the service areas in place; the rows follow.
    page.select_option("#id_municipality", label="Fjordvik")
    wait_for_count(page, "3 rows")
    assert sorted(page.locator("#id_service_area option").all_inner_texts()) == [
        "All",
        "Fjordvik – Helse og omsorg",
        "Fjordvik – Oppvekst",
    ]
    assert "municipality=" in page.url

    # The status dropdown by keyboard: Enter opens it, Tab reaches the first box
    # ("Ordered"), Space ticks it: no Fjordvik device is on order.
    page.focus("#id_status summary")
    page.keyboard.press("Enter")
    assert page.locator("#id_status").get_attribute("open") is not None
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    wait_for_count(page, "0 rows")
    # And by mouse, a second status: the deployed devices come back.
    page.click("#id_status label:has-text('Deployed')")
    wait_for_count(page, "3 rows")
    assert page.url.count("status=") == 2
    assert page.inner_text("#id_status .chosen") == "Ordered, Deployed"
    chips = page.inner_text("[data-testid=active-filters]")
    assert "Ordered, Deployed" in chips and "Fjordvik" in chips
    # Escape closes the dropdown and gives the focus back to its summary.
    page.keyboard.press("Escape")
    assert page.locator("#id_status").get_attribute("open") is None
