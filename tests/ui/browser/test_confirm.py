"""In a real browser: "Issue all drafts" opens a confirmation with the count, the sum and
the numbers; a double click on its button issues once."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from samdrift.billing.models import DocumentCounter, Invoice
from samdrift.billing.services.runs import bill_period
from samdrift.core.choices import Role
from samdrift.inventory.services import assign_asset
from tests import factories
from tests.ui.browser.conftest import sign_in

pytestmark = pytest.mark.browser
D = datetime.date


@pytest.fixture
def drafted(transactional_db):
    collaboration = factories.make_collaboration()
    laptop = factories.make_product(name="Laptop")
    factories.make_price(amount="328.6900", valid_from=D(2025, 1, 1), product=laptop)
    for name, number in (("Fjordvik", "4601"), ("Elvdal", "3401"), ("Sjøby", "1101")):
        municipality = factories.make_municipality(name=name, number=number)
        area = factories.make_service_area(municipality)
        assign_asset(
            asset=factories.make_asset(laptop),
            municipality=municipality,
            service_area=area,
            valid_from=D(2026, 1, 1),
        )
    bill_period(month=D(2026, 11, 1))
    factories.make_user(Role.FINANCE, username="finance")
    return collaboration


def test_issue_all_drafts_asks_first_and_a_double_click_issues_once(page, guard, drafted):
    series, year = drafted.invoice_series, timezone.localdate().year
    net = sum((i.net_total for i in Invoice.objects.all()), Decimal(0))
    sign_in(page, "finance")
    page.goto(f"{page.base_url}/billing/2026-11/")
    page.click("[data-testid=issue-all]")
    summary = page.inner_text("[data-testid=confirm-summary]")
    assert summary.startswith(f"Issue 3 invoices, NOK {net:,.2f} net")
    assert f"numbers {series}-{year}-000001 to -000003." in summary
    assert Invoice.objects.filter(status="draft").count() == 3  # looking changed nothing

    page.dblclick("[data-testid=confirm]")
    page.wait_for_selector("[data-testid=period-status]")
    assert page.url.endswith("/billing/2026-11/")
    assert "Issued 3 invoices" in page.inner_text(".messages")
    assert Invoice.objects.filter(status="issued").count() == 3
    assert DocumentCounter.objects.get(series=series, year=year).last_number == 3
