"""EHF (Peppol BIS Billing 3.0): every invoice and credit note validates against the UBL
2.1 XSD, the official CEN EN 16931 Schematron and the Peppol/Norwegian rules we check."""

import datetime
from decimal import Decimal

import pytest
from lxml import etree

from samdrift.billing.ehf import credit_note_xml, invoice_xml
from samdrift.billing.ehf_rules import check_rules, check_schema
from samdrift.billing.models import Invoice
from samdrift.billing.services.credits import create_credit_note
from samdrift.billing.services.issuing import issue_period
from samdrift.billing.services.one_offs import add_one_off_charge
from samdrift.billing.services.runs import bill_period
from samdrift.leasing.models import AmountOwed
from tests.billing.schematron import EXAMPLES, SCHEMAS, cen_failures, fatal

D = datetime.date
NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


def assert_valid(document: bytes):
    assert check_schema(document, SCHEMAS) == []
    assert [str(f) for f in check_rules(document)] == []
    assert fatal(cen_failures(document)) == []


@pytest.fixture
def issued(world):
    add_one_off_charge(
        municipality=world.fjordvik,
        service_area=world.school,
        description="Course fee",
        date=D(2026, 11, 3),
        unit_price=Decimal("1000.00"),
        vat_rate=Decimal("0"),
        vat_exemption_reason="Education services, exempt (mval. § 3-5)",
    )
    AmountOwed.objects.create(
        municipality=world.elvdal,
        amount=Decimal("100.00"),
        due_month=D(2026, 11, 1),
        description="Buyout of old printers",
    )
    bill_period(month=D(2026, 11, 1))
    return issue_period(month=D(2026, 11, 1), issue_date=D(2026, 12, 1))


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.xml")))
def test_the_official_examples_pass_our_validator(name):
    document = (EXAMPLES / name).read_bytes()
    assert check_schema(document, SCHEMAS) == []
    foreign = [f for f in check_rules(document) if not f.rule.startswith("SAMDRIFT-")]
    assert foreign == []
    assert fatal(cen_failures(document)) == []


def test_every_issued_invoice_validates(issued):
    for invoice in issued:
        assert_valid(invoice_xml(invoice))


def test_the_invoice_carries_the_required_peppol_and_norwegian_fields(issued, world):
    invoice = issued[0]
    root = etree.fromstring(invoice_xml(invoice))
    seller = root.find("cac:AccountingSupplierParty/cac:Party", NS)
    orgnr = world.collaboration.organisation_number
    assert seller.find("cbc:EndpointID", NS).get("schemeID") == "0192"
    schemes = [e.text for e in seller.iterfind("cac:PartyTaxScheme/cbc:CompanyID", NS)]
    assert schemes == [f"NO{orgnr}MVA", "Foretaksregisteret"]
    assert root.findtext("cbc:BuyerReference", namespaces=NS) == world.fjordvik.invoice_reference
    assert root.findtext("cac:PaymentMeans/cbc:PaymentID", namespaces=NS) == invoice.kid
    assert (
        root.findtext("cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID", namespaces=NS)
        == world.collaboration.bank_account
    )
    (tax_total,) = root.findall("cac:TaxTotal", NS)
    categories = [
        (
            s.findtext("cac:TaxCategory/cbc:ID", namespaces=NS),
            s.findtext("cac:TaxCategory/cbc:TaxExemptionReason", namespaces=NS),
        )
        for s in tax_total.findall("cac:TaxSubtotal", NS)
    ]
    assert categories == [("E", "Education services, exempt (mval. § 3-5)"), ("S", None)]
    assert root.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS) == str(
        invoice.gross_total
    )


def test_a_credit_line_has_a_negative_quantity_and_a_positive_price(issued):
    elvdal = issued[1]
    root = etree.fromstring(invoice_xml(elvdal))
    credit = next(
        line
        for line in root.findall("cac:InvoiceLine", NS)
        if line.findtext("cac:Item/cbc:Name", namespaces=NS) == "Buyout of old printers"
    )
    assert credit.findtext("cbc:InvoicedQuantity", namespaces=NS) == "-1"
    assert credit.findtext("cac:Price/cbc:PriceAmount", namespaces=NS) == "100"
    assert credit.findtext("cbc:LineExtensionAmount", namespaces=NS) == "-100.00"


def test_full_and_partial_credit_notes_validate(issued):
    invoice = issued[0]
    line = invoice.lines.order_by("line_number").last()
    partial = create_credit_note(
        invoice=invoice, reason="Price error", amounts={line.pk: Decimal("10.00")}
    )
    full = create_credit_note(invoice=invoice, reason="Cancelled")
    for note in (partial, full):
        document = credit_note_xml(note)
        assert_valid(document)
        root = etree.fromstring(document)
        assert (
            root.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", namespaces=NS)
            == invoice.number
        )


def test_a_draft_has_no_ehf(world):
    bill_period(month=D(2026, 11, 1))
    with pytest.raises(ValueError):
        invoice_xml(Invoice.objects.first())


def test_the_rules_catch_a_broken_document(issued):
    document = invoice_xml(issued[0]).replace(b"<cbc:BuyerReference>", b"<cbc:BuyerReference>  ")
    root = etree.fromstring(document)
    root.find("cbc:BuyerReference", NS).text = ""
    amount = root.find("cac:InvoiceLine/cbc:LineExtensionAmount", NS)
    amount.text = str(Decimal(amount.text) + 1)
    broken = etree.tostring(root)
    rules = {f.rule for f in check_rules(broken)}
    assert {
        "PEPPOL-EN16931-R003",
        "PEPPOL-EN16931-R008",
        "PEPPOL-EN16931-R120",
        "BR-CO-10",
    } <= rules
    assert any(f[0] == "BR-CO-10" for f in fatal(cen_failures(broken)))
