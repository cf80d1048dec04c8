"""EHF: invoices and credit notes as Peppol BIS Billing 3.0 UBL 2.1 documents (lxml).

Mapping (docs/billing.md has the table): the collaboration is the seller (EndpointID and
legal entity with scheme 0192 = the Norwegian organisation number, VAT id
``NO<orgnr>MVA``, the "Foretaksregisteret" tax-scheme entry), the municipality the buyer
(its Peppol endpoint, BuyerReference = its invoice reference); payment by credit transfer
(code 30) to the collaboration's account with the KID as PaymentID; one TaxTotal with a
subtotal per VAT category and rate; lines per service area × item with the cost centre as
the line's AccountingCost. Elements are written in the order the UBL schema requires and
never empty.
"""

from __future__ import annotations

import calendar
from decimal import Decimal

from lxml import etree

from samdrift.billing.choices import VatCategory
from samdrift.billing.models import CreditNote, Invoice
from samdrift.organisations.models import Collaboration, Municipality

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
ORGNR_SCHEME = "0192"
NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CURRENCY = "NOK"
COUNTRY = "NO"
CREDIT_TRANSFER = "30"


def amount_text(value: Decimal) -> str:
    """An amount with exactly two decimals (BR-DEC: at most two)."""
    return f"{value.quantize(Decimal('0.01')):f}"


def number_text(value: Decimal) -> str:
    """A quantity or price without trailing zeros (``1.5000`` → ``1.5``)."""
    text = f"{value.normalize():f}"
    return text if text not in ("-0",) else "0"


def percent_text(value: Decimal) -> str:
    return number_text(Decimal(value))


class _Builder:
    def __init__(self, root_ns: str, root_name: str):
        self.root = etree.Element(
            f"{{{root_ns}}}{root_name}", nsmap={None: root_ns, "cac": CAC, "cbc": CBC}
        )

    @staticmethod
    def cbc(parent, name: str, text, **attributes):
        """A basic element, left out when it would be empty (PEPPOL-EN16931-R008)."""
        if text is None or str(text).strip() == "":
            return None
        element = etree.SubElement(parent, f"{{{CBC}}}{name}", **attributes)
        element.text = str(text)
        return element

    @staticmethod
    def cac(parent, name: str):
        return etree.SubElement(parent, f"{{{CAC}}}{name}")

    def amount(self, parent, name: str, value: Decimal):
        return self.cbc(parent, name, amount_text(value), currencyID=CURRENCY)


def _postal_address(b: _Builder, parent, *, street: str, city: str, postal_code: str) -> None:
    address = b.cac(parent, "PostalAddress")
    b.cbc(address, "StreetName", street)
    b.cbc(address, "CityName", city)
    b.cbc(address, "PostalZone", postal_code)
    country = b.cac(address, "Country")
    b.cbc(country, "IdentificationCode", COUNTRY)


def _seller(b: _Builder, collaboration: Collaboration) -> None:
    party = b.cac(b.cac(b.root, "AccountingSupplierParty"), "Party")
    orgnr = collaboration.organisation_number
    b.cbc(party, "EndpointID", orgnr, schemeID=ORGNR_SCHEME)
    b.cbc(b.cac(party, "PartyName"), "Name", collaboration.name)
    _postal_address(
        b,
        party,
        street=collaboration.street,
        city=collaboration.city,
        postal_code=collaboration.postal_code,
    )
    if collaboration.vat_registered:
        scheme = b.cac(party, "PartyTaxScheme")
        b.cbc(scheme, "CompanyID", f"NO{orgnr}MVA")
        b.cbc(b.cac(scheme, "TaxScheme"), "ID", "VAT")
    # Norwegian rule NO-R-002: registered enterprises state "Foretaksregisteret".
    scheme = b.cac(party, "PartyTaxScheme")
    b.cbc(scheme, "CompanyID", "Foretaksregisteret")
    b.cbc(b.cac(scheme, "TaxScheme"), "ID", "TAX")
    legal = b.cac(party, "PartyLegalEntity")
    b.cbc(legal, "RegistrationName", collaboration.name)
    b.cbc(legal, "CompanyID", orgnr, schemeID=ORGNR_SCHEME)
    if collaboration.email:
        contact = b.cac(party, "Contact")
        b.cbc(contact, "ElectronicMail", collaboration.email)


def _buyer(b: _Builder, municipality: Municipality) -> None:
    party = b.cac(b.cac(b.root, "AccountingCustomerParty"), "Party")
    scheme_id = ORGNR_SCHEME
    if municipality.peppol_endpoint and ":" in municipality.peppol_endpoint:
        scheme_id = municipality.peppol_endpoint.split(":", 1)[0]
    b.cbc(party, "EndpointID", municipality.peppol_endpoint_id, schemeID=scheme_id)
    b.cbc(b.cac(party, "PartyName"), "Name", municipality.name)
    _postal_address(
        b,
        party,
        street=municipality.street,
        city=municipality.city,
        postal_code=municipality.postal_code,
    )
    legal = b.cac(party, "PartyLegalEntity")
    b.cbc(legal, "RegistrationName", municipality.name)
    b.cbc(legal, "CompanyID", municipality.organisation_number, schemeID=ORGNR_SCHEME)
    if municipality.contact_email:
        b.cbc(b.cac(party, "Contact"), "ElectronicMail", municipality.contact_email)


def _payment_means(b: _Builder, collaboration: Collaboration, kid: str, due_date=None) -> None:
    means = b.cac(b.root, "PaymentMeans")
    b.cbc(means, "PaymentMeansCode", CREDIT_TRANSFER)
    if due_date is not None:
        b.cbc(means, "PaymentDueDate", due_date.isoformat())
    b.cbc(means, "PaymentID", kid)
    account = b.cac(means, "PayeeFinancialAccount")
    b.cbc(account, "ID", collaboration.bank_account)
    b.cbc(account, "Name", collaboration.name)


def _tax_category(b: _Builder, parent, name: str, category: str, rate, reason: str = "") -> None:
    element = b.cac(parent, name)
    b.cbc(element, "ID", category)
    b.cbc(element, "Percent", percent_text(rate))
    if category != VatCategory.STANDARD:
        b.cbc(element, "TaxExemptionReason", reason or "Exempt from VAT")
    b.cbc(b.cac(element, "TaxScheme"), "ID", "VAT")


def _tax_total(b: _Builder, lines) -> Decimal:
    """One TaxTotal with a subtotal per VAT category and rate (PEPPOL-EN16931-R053)."""
    groups: dict[tuple, list] = {}
    for line in lines:
        groups.setdefault((line.vat_category, line.vat_rate), []).append(line)
    total = b.cac(b.root, "TaxTotal")
    tax = sum((line.vat_amount for line in lines), Decimal("0"))
    b.amount(total, "TaxAmount", tax)
    for (category, rate), members in sorted(
        groups.items(), key=lambda item: (item[0][0], -item[0][1])
    ):
        subtotal = b.cac(total, "TaxSubtotal")
        b.amount(subtotal, "TaxableAmount", sum((m.net_amount for m in members), Decimal("0")))
        b.amount(subtotal, "TaxAmount", sum((m.vat_amount for m in members), Decimal("0")))
        reasons = sorted({m.vat_exemption_reason for m in members if m.vat_exemption_reason})
        _tax_category(b, subtotal, "TaxCategory", category, rate, reasons[0] if reasons else "")
    return tax


def _monetary_total(b: _Builder, net: Decimal, vat: Decimal) -> None:
    total = b.cac(b.root, "LegalMonetaryTotal")
    b.amount(total, "LineExtensionAmount", net)
    b.amount(total, "TaxExclusiveAmount", net)
    b.amount(total, "TaxInclusiveAmount", net + vat)
    b.amount(total, "PayableAmount", net + vat)


def _line(b: _Builder, line, *, element: str, quantity_name: str, areas, period_label: str) -> None:
    node = b.cac(b.root, element)
    b.cbc(node, "ID", str(line.line_number))
    b.cbc(node, quantity_name, number_text(line.quantity), unitCode=line.unit_code)
    b.amount(node, "LineExtensionAmount", line.net_amount)
    area = areas.get(line.service_area_id) if line.service_area_id else None
    if area is not None:
        b.cbc(node, "AccountingCost", area[1])
    item = b.cac(node, "Item")
    description = f"{area[0]} ({area[1]}), {period_label}" if area is not None else period_label
    b.cbc(item, "Description", description)
    b.cbc(item, "Name", line.description)
    _tax_category(
        b,
        item,
        "ClassifiedTaxCategory",
        line.vat_category,
        line.vat_rate,
        line.vat_exemption_reason,
    )
    price = b.cac(node, "Price")
    b.cbc(price, "PriceAmount", number_text(line.unit_price), currencyID=CURRENCY)


def _areas(lines) -> dict[int, tuple[str, str]]:
    from samdrift.organisations.models import ServiceArea

    ids = {line.service_area_id for line in lines if line.service_area_id}
    return {
        pk: (name, centre)
        for pk, name, centre in ServiceArea.objects.filter(pk__in=ids).values_list(
            "pk", "name", "cost_centre"
        )
    }


def _serialise(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def invoice_xml(invoice: Invoice) -> bytes:
    """The EHF (Peppol BIS Billing 3.0) UBL Invoice of an issued invoice."""
    if not invoice.is_issued:
        raise ValueError(f"Invoice {invoice.pk} is a draft; only issued invoices have an EHF.")
    collaboration = Collaboration.get()
    lines = list(invoice.lines.order_by("line_number"))
    period = invoice.period
    last_day = period.month.replace(
        day=calendar.monthrange(period.month.year, period.month.month)[1]
    )
    b = _Builder(NS_INVOICE, "Invoice")
    b.cbc(b.root, "CustomizationID", CUSTOMIZATION_ID)
    b.cbc(b.root, "ProfileID", PROFILE_ID)
    b.cbc(b.root, "ID", invoice.number)
    b.cbc(b.root, "IssueDate", invoice.issue_date.isoformat())
    b.cbc(b.root, "DueDate", invoice.due_date.isoformat())
    b.cbc(b.root, "InvoiceTypeCode", "380")
    b.cbc(b.root, "DocumentCurrencyCode", CURRENCY)
    b.cbc(b.root, "BuyerReference", invoice.buyer_reference or invoice.municipality.number)
    invoice_period = b.cac(b.root, "InvoicePeriod")
    b.cbc(invoice_period, "StartDate", period.month.isoformat())
    b.cbc(invoice_period, "EndDate", last_day.isoformat())
    _seller(b, collaboration)
    _buyer(b, invoice.municipality)
    _payment_means(b, collaboration, invoice.kid)
    terms = b.cac(b.root, "PaymentTerms")
    b.cbc(terms, "Note", f"{collaboration.payment_terms_days} dager netto")
    _tax_total(b, lines)
    _monetary_total(b, invoice.net_total, invoice.vat_total)
    areas = _areas(lines)
    for line in lines:
        _line(
            b,
            line,
            element="InvoiceLine",
            quantity_name="InvoicedQuantity",
            areas=areas,
            period_label=period.label,
        )
    return _serialise(b.root)


def credit_note_xml(note: CreditNote) -> bytes:
    """The EHF (Peppol BIS Billing 3.0) UBL CreditNote of a credit note, referring to the
    invoice it credits (BillingReference)."""
    collaboration = Collaboration.get()
    invoice = note.invoice
    lines = list(note.lines.select_related("invoice_line").order_by("line_number"))
    for line in lines:
        line.service_area_id = line.invoice_line.service_area_id
    period = invoice.period
    b = _Builder(NS_CREDIT_NOTE, "CreditNote")
    b.cbc(b.root, "CustomizationID", CUSTOMIZATION_ID)
    b.cbc(b.root, "ProfileID", PROFILE_ID)
    b.cbc(b.root, "ID", note.number)
    b.cbc(b.root, "IssueDate", note.issue_date.isoformat())
    b.cbc(b.root, "CreditNoteTypeCode", "381")
    b.cbc(b.root, "Note", note.reason)
    b.cbc(b.root, "DocumentCurrencyCode", CURRENCY)
    b.cbc(b.root, "BuyerReference", invoice.buyer_reference or invoice.municipality.number)
    reference = b.cac(b.cac(b.root, "BillingReference"), "InvoiceDocumentReference")
    b.cbc(reference, "ID", invoice.number)
    b.cbc(reference, "IssueDate", invoice.issue_date.isoformat())
    _seller(b, collaboration)
    _buyer(b, invoice.municipality)
    _payment_means(b, collaboration, invoice.kid)
    _tax_total(b, lines)
    _monetary_total(b, note.net_total, note.vat_total)
    areas = _areas(lines)
    for line in lines:
        _line(
            b,
            line,
            element="CreditNoteLine",
            quantity_name="CreditedQuantity",
            areas=areas,
            period_label=period.label,
        )
    return _serialise(b.root)
