"""Publishing next year's prices never changes what was billed.

Months are billed, issued and closed; then a new price list and an indexation are
published from a later date, the billing is run again (the closed months are refused,
the next months billed). Every issued invoice's EHF, its lines, its charges and the
closed periods must be byte-for-byte what they were, and the new prices must be in use
from their date on — so the test would notice a publication that rewrote the past as
well as one that did nothing.
"""

import datetime
import hashlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from samdrift.billing.choices import InvoiceStatus
from samdrift.billing.ehf import invoice_xml
from samdrift.billing.models import BillingPeriod, Charge, Invoice, InvoiceLine
from samdrift.billing.services.issuing import issue_period
from samdrift.billing.services.periods import close_period
from samdrift.billing.services.runs import bill_period
from samdrift.catalogue.choices import ServiceUnit
from samdrift.catalogue.models import PriceVersion
from samdrift.inventory.services import assign_asset, subscribe
from samdrift.leasing.buyouts.agreeing import agree_buyout
from samdrift.leasing.buyouts.completion import complete_buyout
from samdrift.leasing.pricing.indexation import publish_indexation
from samdrift.leasing.pricing.price_list import publish_price_list
from tests import factories

OCT, NOV, DEC = datetime.date(2026, 10, 1), datetime.date(2026, 11, 1), datetime.date(2026, 12, 1)
JAN = datetime.date(2027, 1, 1)


@pytest.fixture
def billed_world(db, collaboration, municipality_a, municipality_b, service_area_a):
    lease = factories.make_lease_model(
        name="Standard 36",
        term_months=36,
        annual_rate=Decimal("0.05"),
        residual_percent=Decimal("10"),
        monthly_service_fee=Decimal("50.00"),
    )
    category = factories.make_category(name="Laptops", code="laptop", lease_model=lease)
    laptop = factories.make_product(category, name="Laptop 14in", standard_cost=Decimal("12000.00"))
    factories.make_price(amount="350.00", valid_from=datetime.date(2025, 1, 1), product=laptop)
    workplace = factories.make_service(name="User workplace", unit=ServiceUnit.PER_USER)
    factories.make_price(amount="450.00", valid_from=datetime.date(2025, 1, 1), service=workplace)
    for municipality, area in ((municipality_a, service_area_a), (municipality_b, None)):
        for _ in range(2):
            person = factories.make_person(municipality, area)
            asset = factories.make_asset(laptop)
            assign_asset(
                asset=asset,
                municipality=municipality,
                service_area=area,
                person=person,
                valid_from=datetime.date(2026, 1, 1),
            )
            subscribe(
                service=workplace,
                municipality=municipality,
                service_area=area,
                person=person,
                valid_from=datetime.date(2026, 1, 1),
            )
    # A completed buyout: its assets are billed at their own prices, its sum credited.
    buyout = factories.make_buyout_draft(
        municipality_a,
        laptop,
        [f"OLD-{n}" for n in range(2)],
        valuation_date=datetime.date(2026, 9, 1),
        acquired=datetime.date(2023, 3, 1),
        cost=Decimal("9000.00"),
    )
    agree_buyout(buyout=buyout, agreed_on=datetime.date(2026, 9, 15))
    complete_buyout(buyout=buyout, completed_on=OCT)
    return laptop, workplace


def bill_issue_close(month):
    bill_period(month=month)
    issue_period(month=month, issue_date=month + datetime.timedelta(days=31))
    close_period(month=month)


def billed_record(months):
    """Everything billed in ``months``: the periods, invoices, lines and charges as stored,
    each issued invoice's EHF bytes, and one hash over all of it."""
    periods = BillingPeriod.objects.filter(month__in=months)
    invoices = Invoice.objects.filter(period__in=periods).order_by("pk")
    record = {
        "periods": list(periods.order_by("month").values()),
        "invoices": list(invoices.values()),
        "lines": list(InvoiceLine.objects.filter(invoice__in=invoices).order_by("pk").values()),
        "charges": list(Charge.objects.filter(period__in=periods).order_by("pk").values()),
        "ehf": {invoice.number: invoice_xml(invoice) for invoice in invoices},
    }
    record["hash"] = hashlib.sha256(repr(record).encode()).hexdigest()
    return record


def test_publishing_later_prices_leaves_issued_invoices_and_closed_periods_unchanged(billed_world):
    laptop, workplace = billed_world
    bill_issue_close(OCT)
    bill_issue_close(NOV)
    before = billed_record([OCT, NOV])
    assert len(before["ehf"]) == 4  # two municipalities, two months
    assert all(i["status"] == InvoiceStatus.ISSUED for i in before["invoices"])
    assert before["charges"] and all(i["content_hash"] for i in before["invoices"])
    # The buyout's sum was credited in October, its assets billed at their own price.
    assert any(c["amount"] < 0 for c in before["charges"])

    prices = publish_price_list(year=2027)
    indexed = publish_indexation(year=2027, old_index=Decimal("100"), new_index=Decimal("104.3"))
    assert prices.versions_created == 1 and indexed.versions_created == 1

    # The closed months cannot be billed again; the next month is billed at the old
    # prices (the new ones start in January) and January at the new ones.
    for month in (OCT, NOV):
        with pytest.raises(ValidationError):
            bill_period(month=month)
    bill_issue_close(DEC)
    bill_period(month=JAN)

    # Nothing published reaches into a billed month: re-rating the closed months from
    # history found nothing to adjust.
    assert not Charge.objects.filter(adjusts_period__isnull=False).exists()
    after = billed_record([OCT, NOV])
    assert after["hash"] == before["hash"]
    assert after["ehf"] == before["ehf"]  # byte for byte
    assert after == before

    new_laptop = PriceVersion.objects.get(product=laptop, valid_from=JAN)
    new_workplace = PriceVersion.objects.get(service=workplace, valid_from=JAN)
    assert new_laptop.amount == Decimal("378.69") and new_workplace.amount == Decimal("469.35")
    december = Charge.objects.filter(period__month=DEC)
    january = Charge.objects.filter(period__month=JAN)
    assert {c.amount for c in december.filter(product=laptop, asset__prices__isnull=True)} == {
        Decimal("350.00")
    }
    assert {c.amount for c in january.filter(product=laptop, asset__prices__isnull=True)} == {
        Decimal("378.69")
    }
    assert {c.amount for c in december.filter(service=workplace)} == {Decimal("450.00")}
    assert {c.amount for c in january.filter(service=workplace)} == {Decimal("469.35")}
