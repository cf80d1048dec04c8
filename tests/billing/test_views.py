"""Billing pages: finance runs, issues, credits and closes; each municipality sees only
its own invoices (another's is a 404), with drill-down to persons and devices."""

import datetime
from decimal import Decimal

import pytest

from samdrift.billing.models import BillingPeriod, CreditNote, Invoice
from samdrift.billing.selectors import line_charges
from samdrift.billing.services.issuing import issue_period
from samdrift.billing.services.runs import bill_period
from tests.confirming import confirm
from tests.factories import client_for

D = datetime.date


@pytest.fixture
def issued(world):
    bill_period(month=D(2026, 11, 1))
    issue_period(month=D(2026, 11, 1), issue_date=D(2026, 12, 1))
    return {i.municipality_id: i for i in Invoice.objects.all()}


def test_finance_rates_issues_and_closes_a_month_from_the_pages(world, finance_user):
    client = client_for(finance_user)
    assert client.get("/billing/").status_code == 200
    response = client.post("/billing/run/", {"month": "2026-11"})
    assert response.status_code == 302 and response["Location"].endswith("/billing/2026-11/")
    page = client.get("/billing/2026-11/")
    assert b"Fjordvik" in page.content and b"Elvdal" in page.content
    confirm(client, "/billing/2026-11/issue/confirm/")
    assert set(Invoice.objects.values_list("status", flat=True)) == {"issued"}
    confirm(client, "/billing/2026-11/close/confirm/")
    assert BillingPeriod.objects.get().is_closed
    response = client.post("/billing/run/", {"month": "2026-11"}, follow=True)
    assert b"closed" in response.content


def test_the_months_sum_row_has_its_vat_total(issued, finance_user):
    page = client_for(finance_user).get("/billing/2026-11/")
    vat = sum((invoice.vat_total for invoice in issued.values()), Decimal(0))
    assert vat > 0
    assert page.context["vat"] == vat
    assert b'data-testid="vat-sum"' in page.content


def test_the_invoice_page_drills_down_to_persons_and_devices(issued, world, contact_a):
    client = client_for(contact_a)
    invoice = issued[world.fjordvik.pk]
    page = client.get(f"/billing/invoices/{invoice.pk}/")
    assert page.status_code == 200
    assert world.school.name.encode() in page.content and world.health.name.encode() in page.content
    line = invoice.lines.filter(service_area=world.school, source="asset").get()
    charges = client.get(f"/billing/lines/{line.pk}/")
    assert world.assets[0].asset_tag.encode() in charges.content
    assert world.persons[0].username.encode() in charges.content
    # The charge period is shown to its last day (stored with an exclusive end).
    charge = line_charges(line=line).exclude(valid_to=None).order_by("valid_to").first()
    last = (charge.valid_to - datetime.timedelta(days=1)).isoformat()
    assert last.encode() in charges.content
    assert b"To and including" in charges.content
    printed = client.get(f"/billing/invoices/{invoice.pk}/print/")
    assert invoice.number.encode() in printed.content and invoice.kid.encode() in printed.content
    ehf = client.get(f"/billing/invoices/{invoice.pk}/ehf.xml")
    assert ehf.status_code == 200 and ehf["Content-Type"] == "application/xml"
    xlsx = client.get(f"/billing/invoices/{invoice.pk}/specification.xlsx")
    assert xlsx.status_code == 200 and b"".join(xlsx.streaming_content)[:2] == b"PK"


def test_another_municipalitys_invoice_is_a_404(issued, world, contact_a):
    client = client_for(contact_a)
    other = issued[world.elvdal.pk]
    line = other.lines.first()
    for url in (
        f"/billing/invoices/{other.pk}/",
        f"/billing/invoices/{other.pk}/print/",
        f"/billing/invoices/{other.pk}/ehf.xml",
        f"/billing/invoices/{other.pk}/specification.csv",
        f"/billing/lines/{line.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    month = client.get("/billing/2026-11/")
    assert b"Elvdal" not in month.content and b"Fjordvik" in month.content


def test_a_municipality_contact_may_not_operate(issued, world, contact_a):
    client = client_for(contact_a)
    invoice = issued[world.fjordvik.pk]
    assert client.post("/billing/run/", {"month": "2026-12"}).status_code == 403
    assert (
        client.post(f"/billing/invoices/{invoice.pk}/credit/", {"reason": "x"}).status_code == 403
    )
    assert not CreditNote.objects.exists()


def test_crediting_from_the_page_in_part_and_in_full(issued, world, finance_user):
    client = client_for(finance_user)
    invoice = issued[world.fjordvik.pk]
    line = invoice.lines.order_by("line_number").first()
    url = f"/billing/invoices/{invoice.pk}/credit/confirm/"
    confirm(client, url, {"reason": "Price error", f"amount_{line.pk}": "10,00"})
    assert CreditNote.objects.get().net_total == 10
    response = client.get(url, {"reason": "Too much", f"amount_{line.pk}": "99999"})
    assert response.status_code == 400 and b"more than remains" in response.content
    confirm(client, url, {"reason": "Cancelled"})
    assert sum(n.net_total for n in CreditNote.objects.all()) == invoice.net_total
