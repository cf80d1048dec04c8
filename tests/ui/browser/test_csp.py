"""The strict Content-Security-Policy in a real browser (issue #19): every page the
operator may open — overview, lists, details, charts, forms, billing and its printable
invoice, the buyout financing chart, the SLA report, the board report, the agreement
document —, a municipality contact's portal, every page a service-area manager may open,
the admin and the API docs, with zero policy violations; and htmx still filters and pages
a list without reloading it. The page fixture's guard (conftest.py) records each violation
and fails any browser test that has one; the server side is tests/core/test_csp.py."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from samdrift.core.choices import Role
from tests import factories
from tests.core.matrix import world_extensions
from tests.core.test_ui_matrix import EXPECTED, OK, ROLES, ui_pages, url_args
from tests.ui.browser.conftest import sign_in
from tests.worlds import build_matrix_world, build_small_world, grow_small_world

pytestmark = pytest.mark.browser

# Playwright's wait_for_function evaluates a string, which the policy refuses (no eval):
# browser tests wait with locators and expect() instead.
MARK_PAGE = "window.__notReloaded = true"
STILL_SAME_PAGE = "window.__notReloaded === true"


def role_pages(world, role: str = "operator") -> dict[str, str]:
    """URL name -> URL of every HTML page of the UI matrix ``role`` may open
    (downloads, PDFs and files are left to the server-side test)."""
    column = ROLES.index(role)
    client = Client()
    client.force_login(world.users[role])
    args = url_args(world)
    urls = {}
    for name in sorted(ui_pages()):
        if EXPECTED[name][column] != OK:
            continue
        url = reverse(name, kwargs=args.get(name))
        response = client.get(url)
        if response.get("Content-Type", "").startswith("text/html"):
            urls[name] = url
    return urls


def test_the_guard_catches_a_violation(page, guard, transactional_db):
    """The guard is real: a style attribute set by a script is refused and recorded.
    (A style set through the CSSOM, as htmx and samdrift.js do, is allowed.)"""
    factories.make_user(Role.OPERATOR, username="op")
    sign_in(page, "op")
    page.evaluate("document.body.style.color = 'rgb(1, 2, 3)'")
    assert guard.csp_violations == []
    page.evaluate("document.querySelector('main').setAttribute('style', 'color: red')")
    assert page.evaluate("getComputedStyle(document.querySelector('main')).color") == "rgb(1, 2, 3)"
    page.wait_for_timeout(200)  # the report travels from the page to the test
    assert any("style-src" in violation for violation in guard.csp_violations)
    guard.csp_violations.clear()
    guard.console_errors.clear()  # the browser's own line about the same refusal


def test_every_operator_page_has_no_violation(page, transactional_db):
    world = build_matrix_world(world_extensions())
    urls = role_pages(world)
    assert len(urls) > 100
    sign_in(page, "operator")
    for url in urls.values():
        # goto waits for the load event: the page is parsed, its styles applied and its
        # scripts run, so any refusal has been reported by then.
        response = page.goto(page.base_url + url)
        assert response.status == 200, url
    # The SLA report's print button (data-print, samdrift.js; no onclick) prints.
    page.goto(page.base_url + urls["servicedesk:sla_report"])
    page.evaluate("window.print = () => { window.__printed = true; }")
    page.click("[data-print]")
    assert page.evaluate("window.__printed === true")
    # The municipality's portal as its contact sees it: their home and their municipality.
    page.context.clear_cookies()
    sign_in(page, "contact-a")
    for url in (
        reverse("home"),
        reverse("organisations:municipality_detail", args=[world.municipality_a.pk]),
    ):
        assert page.goto(page.base_url + url).status == 200, url
    # htmx is configured for the policy: it injected no <style> of its own and may not eval.
    config = page.evaluate(
        "({eval: htmx.config.allowEval, styles: htmx.config.includeIndicatorStyles,"
        " inline: document.querySelectorAll('style').length})"
    )
    assert config == {"eval": False, "styles": False, "inline": 0}


def test_every_service_area_manager_page_has_no_violation(page, transactional_db):
    """The narrowest role's own pages (their area's lists, details, reports and own pages)
    under the policy too."""
    world = build_matrix_world(world_extensions())
    urls = role_pages(world, "manager_a")
    assert {"home", "inventory:asset_list", "token_list", "export_list"} <= set(urls)
    sign_in(page, "manager-a")
    for url in urls.values():
        assert page.goto(page.base_url + url).status == 200, url


def test_the_admin_and_the_api_docs_have_no_violation(page, transactional_db):
    world = build_small_world()
    factories.make_user(Role.OPERATOR, username="admin", is_staff=True, is_superuser=True)
    sign_in(page, "admin")
    municipality = world.municipality_a.pk
    for url in (
        "/admin/",
        "/admin/organisations/municipality/",
        "/admin/organisations/municipality/?q=Fjord",
        f"/admin/organisations/municipality/{municipality}/change/",
        "/admin/organisations/municipality/add/",
        "/admin/core/user/",
        "/api/",
        f"/api/municipalities/{municipality}/",
    ):
        response = page.goto(page.base_url + url)
        assert response.status == 200, url
        page.wait_for_load_state("networkidle")
    # The API docs: Swagger UI draws the schema's operations from its files alone.
    page.goto(page.base_url + "/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
    assert "Samdrift API" in page.inner_text(".swagger-ui .info .title")
    # Open one operation: Swagger UI draws it (React, from files) under the policy too.
    page.locator(".swagger-ui .opblock-summary").first.click()
    page.wait_for_selector(".swagger-ui .opblock.is-open")


def test_htmx_still_filters_and_pages_a_list(page, transactional_db):
    world = build_small_world()
    grow_small_world(world, 30)  # 36 persons: two pages of 25
    factories.make_user(Role.OPERATOR, username="op")
    sign_in(page, "op")
    page.goto(page.base_url + reverse("organisations:person_list") + "?per_page=25")
    assert page.inner_text("[data-testid=count]") == "36 rows"
    page.evaluate(MARK_PAGE)

    # Paging through the jump form: htmx swaps the results in place.
    page.fill("[data-testid=jump] input[name=page]", "2")
    page.click("[data-testid=jump] button")
    page.wait_for_selector(".pagination .current:has-text('Page 2 of 2')")
    assert "page=2" in page.url
    assert page.evaluate(STILL_SAME_PAGE)

    # Filtering: typing in the search box submits it (samdrift.js) and htmx swaps the rows.
    page.fill("[data-testid=filters] input[name=q]", "g1")
    expect(page.locator("[data-testid=count]")).to_have_text("11 rows")  # g1, g10 … g19
    assert "q=g1" in page.url
    assert page.evaluate(STILL_SAME_PAGE)
