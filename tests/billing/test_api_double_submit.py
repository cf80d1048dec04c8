"""The API's operations sent twice act once: issuing, closing, crediting in full,
publishing, agreeing and completing refuse the second time with a 400 that says why
(and change nothing); a partial credit sent twice with the same Idempotency-Key makes one
credit note and answers the second time with it."""

from __future__ import annotations

import datetime
from decimal import Decimal

from samdrift.billing.models import BillingPeriod, CreditNote, DocumentCounter, Invoice
from samdrift.billing.services.issuing import issue_period
from samdrift.billing.services.runs import bill_period
from samdrift.catalogue.models import PriceVersion
from samdrift.leasing.buyouts.drafting import create_buyout, register_equipment
from samdrift.leasing.models import AmountOwed, PriceListPublication, SignedValuation
from tests import factories
from tests.factories import api_as

D = datetime.date


def test_issuing_a_month_twice_issues_once(world, finance_user):
    bill_period(month=D(2026, 11, 1))
    period = BillingPeriod.objects.get()
    client = api_as(finance_user)
    url = f"/api/billing-periods/{period.pk}/issue/"
    first = client.post(url, {"issue_date": "2026-12-01"})
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    second = client.post(url, {"issue_date": "2026-12-01"})
    assert first.status_code == 200 and second.status_code == 400
    assert "no draft invoices" in second.json()["month"][0]
    assert sorted(Invoice.objects.values_list("number", flat=True)) == numbers
    assert DocumentCounter.objects.get(series=world.collaboration.invoice_series).last_number == 2
    invoice = Invoice.objects.first()
    again = client.post(f"/api/invoices/{invoice.pk}/issue/")
    assert again.status_code == 400 and "issued once" in str(again.json())


def test_closing_twice_closes_once(world, finance_user):
    bill_period(month=D(2026, 11, 1))
    issue_period(month=D(2026, 11, 1), issue_date=D(2026, 12, 1))
    period = BillingPeriod.objects.get()
    client = api_as(finance_user)
    assert client.post(f"/api/billing-periods/{period.pk}/close/").status_code == 200
    closed_at = BillingPeriod.objects.get().closed_at
    second = client.post(f"/api/billing-periods/{period.pk}/close/")
    assert second.status_code == 400 and "closed already" in second.json()["month"][0]
    assert BillingPeriod.objects.get().closed_at == closed_at


def test_crediting_twice(world, finance_user):
    bill_period(month=D(2026, 11, 1))
    issue_period(month=D(2026, 11, 1), issue_date=D(2026, 12, 1))
    invoice = Invoice.objects.get(municipality=world.fjordvik)
    line = invoice.lines.order_by("line_number").first()
    client = api_as(finance_user)
    url = f"/api/invoices/{invoice.pk}/credit/"
    body = {"reason": "Price error", "amounts": {str(line.pk): "10.00"}}
    first = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="req-1")
    second = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="req-1")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["number"] == second.json()["number"]
    assert CreditNote.objects.count() == 1
    # Another key is another credit note.
    assert client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="req-2").status_code == 201
    assert CreditNote.objects.count() == 2
    # In full: the second time nothing remains, and it says so.
    assert client.post(url, {"reason": "Cancelled"}, format="json").status_code == 201
    again = client.post(url, {"reason": "Cancelled"}, format="json")
    assert again.status_code == 400 and "credited in full already" in str(again.json())
    assert sum(n.net_total for n in CreditNote.objects.all()) == invoice.net_total


def test_publishing_twice_publishes_once(finance_user, municipality_a):
    lease = factories.make_lease_model(
        term_months=36,
        annual_rate=Decimal("0.05"),
        residual_percent=Decimal("10"),
        monthly_service_fee=Decimal("50"),
    )
    laptop = factories.make_product(factories.make_category(lease_model=lease), name="Laptop")
    factories.make_price(amount="350.00", valid_from=D(2025, 1, 1), product=laptop)
    client = api_as(finance_user)
    assert client.post("/api/price-list/publish/", {"year": 2027}).status_code == 201
    second = client.post("/api/price-list/publish/", {"year": 2027})
    assert second.status_code == 400 and "already published" in str(second.json())
    assert PriceListPublication.objects.count() == 1
    assert PriceVersion.objects.filter(product=laptop).count() == 2


def test_agreeing_and_completing_twice_act_once(finance_user, municipality_a):
    lease = factories.make_lease_model(term_months=36)
    laptop = factories.make_product(
        factories.make_category(lease_model=lease, useful_life_months=60)
    )
    buyout = create_buyout(
        municipality=municipality_a, name="Takeover", valuation_date=D(2026, 1, 1)
    )
    register_equipment(
        buyout=buyout,
        rows=[
            {
                "product": laptop,
                "asset_tag": "T-1",
                "acquisition_date": D(2024, 3, 1),
                "acquisition_cost": Decimal("10000.00"),
            }
        ],
    )
    client = api_as(finance_user)
    url = f"/api/buyouts/{buyout.pk}/"
    assert client.post(f"{url}agree/", {"agreed_on": "2026-01-05"}).status_code == 200
    second = client.post(f"{url}agree/", {"agreed_on": "2026-01-05"})
    assert second.status_code == 400 and "cannot be changed" in str(second.json())
    assert SignedValuation.objects.count() == 1
    assert client.post(f"{url}complete/", {"completed_on": "2026-02-01"}).status_code == 200
    second = client.post(f"{url}complete/", {"completed_on": "2026-02-01"})
    assert second.status_code == 400 and "completed" in str(second.json())
    assert AmountOwed.objects.count() == 1
