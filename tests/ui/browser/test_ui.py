"""The UI in a real browser: sign in, overview, filter, open an asset, reassign it and see
the timeline split, switch language, and a municipality contact kept to their own data."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from samdrift.core.choices import Role
from samdrift.inventory.models import Assignment
from tests import factories
from tests.ui.browser.conftest import sign_in
from tests.worlds import build_small_world

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db):
    return build_small_world()


@pytest.fixture
def operator_user(transactional_db):
    return factories.make_user(Role.OPERATOR, username="op", first_name="Ola", last_name="Drift")


@pytest.fixture
def contact_user(world):
    return factories.make_user(
        Role.MUNICIPALITY, municipality=world.municipality_a, username="kontakt"
    )


def test_operator_sees_every_page_without_errors(page, world, operator_user):
    sign_in(page, "op")
    assert "Operator" in page.inner_text("[data-testid=who]")
    pages = [
        reverse("home"),
        reverse("organisations:municipality_list"),
        reverse("organisations:municipality_detail", args=[world.municipality_a.pk]),
        reverse("organisations:service_area_list"),
        reverse("organisations:location_list"),
        reverse("organisations:person_list"),
        reverse("organisations:person_detail", args=[world.person_a.pk]),
        reverse("inventory:asset_list"),
        reverse("inventory:asset_detail", args=[world.assets_a[0].pk]),
        reverse("inventory:asset_create"),
        reverse("organisations:person_create"),
        reverse("catalogue:product_list"),
        reverse("catalogue:service_list"),
        reverse("catalogue:price_list"),
    ]
    for path in pages:
        response = page.goto(page.base_url + path)
        assert response.status == 200, path
        assert page.locator("h1").count() == 1, path
    # The overview's charts are drawn: every category bar has its label written out.
    page.goto(page.base_url + reverse("home"))
    assert page.locator("#chart-category text", has_text="Laptops").count() == 1
    assert page.locator("#chart-cost text", has_text="Fjordvik").count() == 1


def test_filter_open_and_reassign_an_asset(page, world, operator_user):
    sign_in(page, "op")
    page.click("nav.site-nav a[data-section=inventory]")
    # Wait for the load event: before it, htmx has not yet bound the search box, and
    # typing would go unnoticed.
    page.wait_for_url("**/assets/", wait_until="load")
    assert page.inner_text("[data-testid=count]") == "6 rows"
    # Typing in the search box filters the list in place (htmx) and updates the URL.
    page.fill("[data-testid=filters] input[name=q]", "T4601-001")
    expect(page.locator("[data-testid=count]")).to_have_text("1 row")
    assert "q=T4601-001" in page.url
    page.click("[data-testid=list-table] a:text('T4601-001')")
    page.wait_for_selector("[data-testid=timeline]")
    assert page.locator("[data-testid=timeline] .segment").count() == 1

    page.click("[data-testid=assign-asset]")
    # The municipality is preset to the current holder; choose another service area.
    page.select_option("#id_service_area", label="Helse og omsorg")
    page.fill("#id_valid_from", "2025-03-10")
    page.click("[data-testid=assign-submit]")
    page.wait_for_selector("[data-testid=timeline]")
    assert page.locator("[data-testid=timeline] .segment").count() == 2
    rows = page.locator("[data-testid=assignments] tbody tr")
    assert rows.count() == 2
    assert "2025-03-10" in rows.nth(0).inner_text()  # the first ends the day the second starts
    assert "Helse og omsorg" in rows.nth(1).inner_text()
    asset = world.assets_a[1]
    history = list(Assignment.objects.filter(asset=asset).order_by("valid_from"))
    assert [a.valid_to for a in history] == [datetime.date(2025, 3, 10), None]


def test_bad_assignment_date_is_refused_next_to_the_field(page, guard, world, operator_user):
    sign_in(page, "op")
    asset = world.assets_a[0]
    page.goto(page.base_url + reverse("inventory:asset_assign", args=[asset.pk]))
    page.fill("#id_valid_from", "2024-01-01")  # before the open assignment began
    guard.expect_error("400")  # the form comes back with status 400, as it should
    page.click("[data-testid=assign-submit]")
    error = page.locator("[data-field=valid_from] .field-errors")
    assert "Overlaps the assignment" in error.inner_text()
    assert Assignment.objects.filter(asset=asset).count() == 1


def test_language_switch_to_norwegian_persists(page, world, contact_user):
    sign_in(page, "kontakt")
    page.click("[data-testid=language-nb]")
    page.wait_for_selector("html[lang=nb]")
    assert page.locator("h1").inner_text().startswith("Oversikt")
    asset = world.assets_a[0]
    page.goto(page.base_url + reverse("inventory:asset_detail", args=[asset.pk]))
    assert page.locator("html").get_attribute("lang") == "nb"
    assert "1 234,50 kr" in page.inner_text("[data-testid=price-now]")
    assert re.search(r"\d\d\.\d\d\.\d{4}", page.inner_text("[data-testid=assignments]"))
    page.click("[data-testid=language-en]")
    page.wait_for_selector("html[lang=en]")
    assert "NOK 1,234.50" in page.inner_text("[data-testid=price-now]")


def test_contact_sees_only_their_municipality(page, guard, world, contact_user):
    sign_in(page, "kontakt")
    who = page.inner_text("[data-testid=who]")
    assert "Fjordvik" in who and "Municipality contact" in who
    page.click("nav.site-nav a[data-section=inventory]")
    page.wait_for_url("**/assets/", wait_until="load")
    table = page.inner_text("[data-testid=list-table]")
    assert "T4601-000" in table and "T4602" not in table
    guard.expect_error("404")
    for path in (
        reverse("organisations:municipality_detail", args=[world.municipality_b.pk]),
        reverse("inventory:asset_detail", args=[world.assets_b[0].pk]),
        reverse("organisations:person_detail", args=[world.person_b.pk]),
        reverse("inventory:asset_list") + f"?municipality={world.municipality_b.pk}",
    ):
        response = page.goto(page.base_url + path)
        assert response.status == 404, path
        assert page.locator("[data-testid=not-found]").count() == 1
    # No write pages for a contact.
    page.goto(page.base_url + reverse("inventory:asset_detail", args=[world.assets_a[0].pk]))
    assert page.locator("[data-testid=assign-asset]").count() == 0
