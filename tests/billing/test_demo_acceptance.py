"""Acceptance on demo data: every municipality billed, invoices equal their charges, the
3,000,000.00 pool reconciles to the øre, every EHF validates, reruns are idempotent, and
a backdated reassignment into the closed month becomes adjustments next month."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from samdrift.billing.choices import ChargeSource, InvoiceStatus
from samdrift.billing.ehf import credit_note_xml, invoice_xml
from samdrift.billing.ehf_rules import check_rules, check_schema
from samdrift.billing.models import BillingPeriod, Charge, CreditNote, Invoice, InvoiceLine
from samdrift.billing.selectors import pool_summary
from samdrift.billing.services.runs import bill_period
from samdrift.demo.generator import generate
from samdrift.inventory.models import Assignment
from samdrift.inventory.services import assign_asset
from samdrift.organisations.models import Municipality
from tests.billing.schematron import SCHEMAS, cen_failures, fatal

TODAY = datetime.date(2026, 11, 27)
OCT, NOV = datetime.date(2026, 10, 1), datetime.date(2026, 11, 1)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield generate(size="small", seed=5, today=TODAY, password="demo-test-password")
        transaction.set_rollback(True)


def test_every_municipality_is_billed_and_invoices_equal_their_charges(demo, db):
    municipalities = set(Municipality.objects.values_list("pk", flat=True))
    for month, status in ((OCT, InvoiceStatus.ISSUED), (NOV, InvoiceStatus.DRAFT)):
        invoices = Invoice.objects.filter(period__month=month)
        assert set(invoices.values_list("municipality_id", flat=True)) == municipalities
        for invoice in invoices:
            assert invoice.status == status
            charges = sum(invoice.charges.values_list("amount", flat=True), Decimal(0))
            lines = list(InvoiceLine.objects.filter(invoice=invoice))
            assert charges == invoice.net_total == sum(line.net_amount for line in lines)
            assert invoice.net_total + invoice.vat_total == invoice.gross_total
    assert BillingPeriod.objects.get(month=OCT).is_closed


def test_the_pool_of_three_million_reconciles_to_the_ore(demo, db):
    for month in (OCT, NOV):
        period = BillingPeriod.objects.get(month=month)
        (summary,) = pool_summary(period=period)
        assert summary.month_amount == Decimal("3000000.00") == summary.allocated
        shares = dict(
            Charge.objects.filter(period=period, source=ChargeSource.COST_POOL).values_list(
                "municipality_id", "amount"
            )
        )
        population = dict(Municipality.objects.values_list("pk", "population"))
        total = sum(population.values())
        for municipality_id, share in shares.items():
            exact = (
                Decimal(1000000) / len(population)
                + Decimal(2000000) * population[municipality_id] / total
            )
            assert abs(share - exact) < Decimal("0.01")


def test_every_ehf_of_the_issued_month_validates(demo, db):
    documents = [invoice_xml(i) for i in Invoice.objects.filter(period__month=OCT)]
    documents += [credit_note_xml(note) for note in CreditNote.objects.all()]
    assert len(documents) == Municipality.objects.count() + 1
    for document in documents:
        assert check_schema(document, SCHEMAS) == []
        assert [str(f) for f in check_rules(document)] == []
        assert fatal(cen_failures(document)) == []


def test_rerunning_the_open_month_gives_the_same_hash(demo, db):
    first = BillingPeriod.objects.get(month=NOV).runs.order_by("-pk").first()
    again = bill_period(month=NOV)
    assert again.content_hash == first.content_hash
    assert again.charge_count == first.charge_count


def test_a_backdated_reassignment_into_the_closed_month(demo, db):
    closed = BillingPeriod.objects.get(month=OCT)
    before = sorted(Charge.objects.filter(period=closed).values_list("pk", "amount"))
    invoices_before = sorted(
        Invoice.objects.filter(period=closed).values_list("pk", "number", "net_total")
    )
    held = (
        Assignment.objects.filter(valid_from__lt=datetime.date(2026, 10, 5), valid_to__isnull=True)
        .exclude(service_area=None)
        .select_related("asset", "municipality")
        .order_by("pk")
        .first()
    )
    other_area = held.municipality.service_areas.exclude(pk=held.service_area_id).first()
    assign_asset(
        asset=held.asset,
        municipality=held.municipality,
        service_area=other_area,
        valid_from=datetime.date(2026, 10, 15),
    )
    bill_period(month=NOV)
    assert sorted(Charge.objects.filter(period=closed).values_list("pk", "amount")) == before
    assert (
        sorted(Invoice.objects.filter(period=closed).values_list("pk", "number", "net_total"))
        == invoices_before
    )
    adjustments = Charge.objects.filter(adjusts_period=closed, asset=held.asset)
    assert adjustments.count() == 2
    assert sum(adjustments.values_list("amount", flat=True), Decimal(0)) == 0
    assert {a.service_area_id for a in adjustments} == {held.service_area_id, other_area.pk}
    assert InvoiceLine.objects.filter(invoice__period__month=NOV, adjusts_period=closed).exists()
