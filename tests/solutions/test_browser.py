# ruff: noqa: F811 — the browser fixtures are imported, then asked for by name
"""The portfolio pages in a real browser: the operator's report and gap view, and a
municipality contact editing its own requirement, kept out of another's portfolio."""

from __future__ import annotations

import pytest
from django.urls import reverse

from samdrift.solutions.models import Requirement
from tests.ui.browser.conftest import (  # noqa: F401 — fixtures used by name
    browser,
    guard,
    live_server,
    page,
    sign_in,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def pages_world(transactional_db, portfolio, operator, contact_a):
    return portfolio


def test_operator_sees_the_portfolio_pages(page, pages_world, municipality_a):
    sign_in(page, "operator")
    for path in (
        reverse("solutions:solution_list"),
        reverse("solutions:solution_detail", args=[pages_world["arkivo"].pk]),
        reverse("solutions:usage_list"),
        reverse("solutions:requirement_list"),
        reverse("solutions:portfolio", args=[municipality_a.pk]),
        reverse("solutions:gaps"),
        reverse("solutions:standardisation"),
        reverse("solutions:usage_create"),
    ):
        response = page.goto(page.base_url + path)
        assert response.status == 200, path
        assert page.locator("h1").count() == 1, path
    page.goto(page.base_url + reverse("solutions:standardisation"))
    assert "10 000,00" in page.inner_text("[data-testid=function-summary]") or "10,000.00" in (
        page.inner_text("[data-testid=function-summary]")
    )
    assert page.locator("[data-testid=matrix] .common").count() >= 1
    page.click("a[data-section=solutions]")
    assert page.locator(".site-nav .pages a", has_text="Standardisation").count() == 1


def test_contact_edits_own_requirement_and_is_kept_out_of_another(
    page, guard, pages_world, municipality_a, municipality_b
):
    sign_in(page, "contact-a")
    page.click("a[data-section=solutions]")
    page.wait_for_selector("[data-testid=portfolio]")
    assert municipality_a.name in page.inner_text("h1")
    page.click("[data-testid=edit-requirement]")
    guard.expect_error("400")  # the form answers a refused value with 400
    page.fill("#id_availability_target", "101")
    page.click("button[type=submit].primary")
    assert "less than or equal to 100" in page.inner_text("[data-field=availability_target]")
    page.fill("#id_availability_target", "99.7")
    page.select_option("#id_service_hours", "always")
    page.fill("#id_risk_assessed_on", "2026-05-01")
    page.click("button[type=submit].primary")
    page.wait_for_selector("[data-testid=portfolio]")
    requirement = Requirement.objects.get(pk=pages_world["requirement_a"].pk)
    assert str(requirement.availability_target) == "99.70"
    guard.expect_error("404")
    response = page.goto(page.base_url + reverse("solutions:portfolio", args=[municipality_b.pk]))
    assert response.status == 404
