"""Checking EHF documents: the UBL 2.1 schema (XSD) and the key business rules.

The official OpenPeppol Schematron is not available from a package registry here, so the
Peppol BIS Billing 3.0 and Norwegian rules that matter for what Samdrift writes are checked
explicitly below, each under its official rule id. The CEN EN 16931 Schematron itself is
run in the test suite (tests/data/en16931-ubl). ``RULES`` lists what is checked;
docs/billing.md lists what is not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from lxml import etree
from stdnum.no import orgnr

from samdrift.billing.ehf import CAC, CBC, CUSTOMIZATION_ID, PROFILE_ID
from samdrift.billing.kid import is_valid_kid
from samdrift.finance.money import ORE, round_to_ore

NS = {"cac": CAC, "cbc": CBC}

RULES = {
    "PEPPOL-EN16931-R001/R007": "Business process (ProfileID) given in the Peppol format",
    "PEPPOL-EN16931-R004": "Specification identifier (CustomizationID) is BIS Billing 3.0",
    "PEPPOL-EN16931-R003": "A buyer reference is given",
    "PEPPOL-EN16931-R008": "No empty elements",
    "PEPPOL-EN16931-R010/R020": "Buyer and seller electronic addresses (EndpointID) given",
    "PEPPOL-COMMON-R043": "Scheme 0192 identifiers are mod-11-valid organisation numbers",
    "PEPPOL-EN16931-R053": "Exactly one TaxTotal, with tax subtotals",
    "PEPPOL-EN16931-R120": "Line amount = quantity × price (exactly, at most two decimals)",
    "NO-R-001": "Norwegian seller: VAT id is NO + organisation number + MVA",
    "NO-R-002": "Norwegian seller: states “Foretaksregisteret” (TAX scheme)",
    "BR-27": "Item net price is not negative",
    "BR-CO-10": "Sum of line amounts = LineExtensionAmount",
    "BR-CO-13": "TaxExclusiveAmount = line sum − document allowances + document charges",
    "BR-CO-14": "TaxAmount = sum of subtotal tax amounts",
    "BR-CO-15": "TaxInclusiveAmount = TaxExclusiveAmount + TaxAmount",
    "BR-CO-16": "PayableAmount = TaxInclusiveAmount − prepaid + rounding",
    "BR-CO-17": "Subtotal tax = taxable amount × rate, rounded to two decimals",
    "BR-S-08/BR-E-08": "Taxable amount per category and rate = sum of its line amounts",
    "BR-E-10": "An exempt (E) subtotal states its exemption reason",
    "BR-DEC": "Amounts have at most two decimals",
    # Samdrift's own rules, stricter than Peppol's (not applied to others' documents):
    "SAMDRIFT-KID": "PaymentID is a KID with a valid MOD10 or MOD11 check digit",
    "SAMDRIFT-BILLING-REF": "A credit note refers to the invoice it credits",
}


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


def default_schema_dir() -> Path | None:
    """tests/data/ubl-2.1 of a source checkout, when present (it is not installed)."""
    candidate = Path(__file__).resolve().parents[3] / "tests" / "data" / "ubl-2.1"
    return candidate if candidate.is_dir() else None


@cache
def _schema(schema_dir: str, root_name: str) -> etree.XMLSchema:
    name = "UBL-Invoice-2.1.xsd" if root_name == "Invoice" else "UBL-CreditNote-2.1.xsd"
    return etree.XMLSchema(etree.parse(str(Path(schema_dir) / "maindoc" / name)))


def check_schema(document: bytes, schema_dir: Path) -> list[Finding]:
    """UBL 2.1 XSD validation (element order, types, cardinalities)."""
    root = etree.fromstring(document)
    schema = _schema(str(schema_dir), etree.QName(root).localname)
    if schema.validate(root):
        return []
    return [Finding("UBL-XSD", f"line {e.line}: {e.message}") for e in schema.error_log]


def _decimal(text: str | None) -> Decimal | None:
    try:
        return Decimal(text) if text is not None else None
    except InvalidOperation:
        return None


def _text(node, path: str) -> str | None:
    found = node.find(path, NS)
    return found.text if found is not None else None


def _amount(node, path: str) -> Decimal | None:
    return _decimal(_text(node, path))


Add = Callable[[str, str], None]


def check_rules(document: bytes) -> list[Finding]:
    """The business rules in ``RULES``; an empty list means none is broken."""
    root = etree.fromstring(document)
    kind = etree.QName(root).localname
    findings: list[Finding] = []

    def add(rule: str, message: str) -> None:
        findings.append(Finding(rule, message))

    # The checks run in document order so that findings read top to bottom.
    _check_header(root, add)
    _check_parties(root, add)
    tax_totals = root.findall("cac:TaxTotal", NS)
    if len(tax_totals) != 1 or tax_totals[0].find("cac:TaxSubtotal", NS) is None:
        add("PEPPOL-EN16931-R053", f"{len(tax_totals)} TaxTotal elements (one with subtotals).")
    _check_decimals(root, add)
    line_sum, per_category = _check_lines(root, kind, add)
    _add_document_allowances(root, per_category)
    totals = root.find("cac:LegalMonetaryTotal", NS)
    if totals is not None:
        _check_line_totals(totals, line_sum, add)
    if tax_totals:
        _check_tax(tax_totals[0], totals, per_category, add)
    _check_samdrift_rules(root, kind, add)
    return findings


def _check_header(root, add: Add) -> None:
    """Specification, process and buyer reference; no empty elements anywhere."""
    if _text(root, "cbc:CustomizationID") != CUSTOMIZATION_ID:
        add("PEPPOL-EN16931-R004", f"CustomizationID is {_text(root, 'cbc:CustomizationID')!r}.")
    if _text(root, "cbc:ProfileID") != PROFILE_ID:
        add("PEPPOL-EN16931-R001/R007", f"ProfileID is {_text(root, 'cbc:ProfileID')!r}.")
    if not (_text(root, "cbc:BuyerReference") or "").strip():
        add("PEPPOL-EN16931-R003", "No BuyerReference.")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if len(element) == 0 and not (element.text or "").strip():
            add("PEPPOL-EN16931-R008", f"Empty element {etree.QName(element).localname}.")


def _check_parties(root, add: Add) -> None:
    """Endpoints, organisation numbers and a Norwegian seller's VAT and register."""
    for role in ("AccountingSupplierParty", "AccountingCustomerParty"):
        endpoint = root.find(f"cac:{role}/cac:Party/cbc:EndpointID", NS)
        if endpoint is None or not (endpoint.text or "").strip():
            add("PEPPOL-EN16931-R010/R020", f"{role} has no EndpointID.")
    for element in root.iterfind(".//*[@schemeID='0192']"):
        if not orgnr.is_valid(element.text or ""):
            add("PEPPOL-COMMON-R043", f"{element.text!r} is not a valid organisation number.")
    seller = root.find("cac:AccountingSupplierParty/cac:Party", NS)
    norwegian = (
        seller is not None
        and _text(seller, "cac:PostalAddress/cac:Country/cbc:IdentificationCode") == "NO"
    )
    if not norwegian:
        return
    schemes = {}
    for scheme in seller.iterfind("cac:PartyTaxScheme", NS):
        schemes[_text(scheme, "cac:TaxScheme/cbc:ID")] = _text(scheme, "cbc:CompanyID")
    seller_orgnr = _text(seller, "cac:PartyLegalEntity/cbc:CompanyID")
    vat_id = schemes.get("VAT")
    if vat_id is not None and vat_id != f"NO{seller_orgnr}MVA":
        add("NO-R-001", f"Seller VAT id {vat_id!r} is not NO{seller_orgnr}MVA.")
    if schemes.get("TAX") != "Foretaksregisteret":
        add("NO-R-002", "The seller does not state “Foretaksregisteret”.")


def _check_decimals(root, add: Add) -> None:
    """Every amount (a currencyID) has at most two decimals; unit prices may have more."""
    for element in root.iter(f"{{{CBC}}}*"):
        if element.get("currencyID") and etree.QName(element).localname != "PriceAmount":
            value = _decimal(element.text)
            if value is None or value != value.quantize(ORE):
                add("BR-DEC", f"{etree.QName(element).localname} {element.text!r} has >2 decimals.")


def _check_lines(root, kind: str, add: Add) -> tuple[Decimal, dict[tuple, Decimal]]:
    """Each line's price and amount; returns the line sum and the sum per VAT category."""
    line_name = "InvoiceLine" if kind == "Invoice" else "CreditNoteLine"
    quantity_name = "InvoicedQuantity" if kind == "Invoice" else "CreditedQuantity"
    line_sum = Decimal("0")
    per_category: dict[tuple, Decimal] = {}
    for line in root.iterfind(f"cac:{line_name}", NS):
        line_id = _text(line, "cbc:ID")
        quantity = _amount(line, f"cbc:{quantity_name}")
        price = _amount(line, "cac:Price/cbc:PriceAmount")
        base = _amount(line, "cac:Price/cbc:BaseQuantity") or Decimal(1)
        amount = _amount(line, "cbc:LineExtensionAmount") or Decimal(0)
        line_sum += amount
        if price is not None and price < 0:
            add("BR-27", f"Line {line_id}: negative price {price}.")
        if quantity is None or price is None or quantity * price / base != amount:
            add("PEPPOL-EN16931-R120", f"Line {line_id}: {quantity} × {price} ≠ {amount}.")
        category = (
            _text(line, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID"),
            _amount(line, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"),
        )
        per_category[category] = per_category.get(category, Decimal(0)) + amount
    return line_sum, per_category


def _add_document_allowances(root, per_category: dict[tuple, Decimal]) -> None:
    """Document-level allowances (−) and charges (+) count in their VAT category too."""
    for allowance in root.iterfind("cac:AllowanceCharge", NS):
        sign = 1 if _text(allowance, "cbc:ChargeIndicator") == "true" else -1
        category = (
            _text(allowance, "cac:TaxCategory/cbc:ID"),
            _amount(allowance, "cac:TaxCategory/cbc:Percent"),
        )
        value = sign * (_amount(allowance, "cbc:Amount") or Decimal(0))
        per_category[category] = per_category.get(category, Decimal(0)) + value


def _check_line_totals(totals, line_sum: Decimal, add: Add) -> None:
    """LineExtensionAmount and TaxExclusiveAmount against the lines."""
    line_total = _amount(totals, "cbc:LineExtensionAmount")
    if line_total != line_sum:
        add("BR-CO-10", f"Lines sum to {line_sum}, LineExtensionAmount {line_total}.")
    allowances = _amount(totals, "cbc:AllowanceTotalAmount") or Decimal(0)
    charges = _amount(totals, "cbc:ChargeTotalAmount") or Decimal(0)
    if _amount(totals, "cbc:TaxExclusiveAmount") != line_total - allowances + charges:
        add("BR-CO-13", "TaxExclusiveAmount ≠ lines − allowances + charges.")


def _check_tax(tax_total, totals, per_category: dict[tuple, Decimal], add: Add) -> None:
    """Each VAT subtotal against its lines, and the tax-inclusive and payable totals."""
    tax_amount = _amount(tax_total, "cbc:TaxAmount") or Decimal(0)
    subtotal_sum = Decimal(0)
    for subtotal in tax_total.iterfind("cac:TaxSubtotal", NS):
        taxable = _amount(subtotal, "cbc:TaxableAmount") or Decimal(0)
        tax = _amount(subtotal, "cbc:TaxAmount") or Decimal(0)
        subtotal_sum += tax
        category = _text(subtotal, "cac:TaxCategory/cbc:ID")
        rate = _amount(subtotal, "cac:TaxCategory/cbc:Percent") or Decimal(0)
        expected = round_to_ore(taxable * rate / 100)
        if tax != expected:
            add("BR-CO-17", f"Category {category} {rate} %: tax {tax}, expected {expected}.")
        if per_category.get((category, rate), Decimal(0)) != taxable:
            add("BR-S-08/BR-E-08", f"Category {category} {rate} %: taxable {taxable} ≠ lines.")
        if category == "E" and not (
            _text(subtotal, "cac:TaxCategory/cbc:TaxExemptionReason")
            or _text(subtotal, "cac:TaxCategory/cbc:TaxExemptionReasonCode")
        ):
            add("BR-E-10", "An exempt subtotal has no exemption reason.")
    if subtotal_sum != tax_amount:
        add("BR-CO-14", f"TaxAmount {tax_amount} ≠ subtotals {subtotal_sum}.")
    if totals is None:
        return
    inclusive = _amount(totals, "cbc:TaxInclusiveAmount")
    if inclusive != _amount(totals, "cbc:TaxExclusiveAmount") + tax_amount:
        add("BR-CO-15", "TaxInclusiveAmount ≠ TaxExclusiveAmount + TaxAmount.")
    prepaid = _amount(totals, "cbc:PrepaidAmount") or Decimal(0)
    rounding = _amount(totals, "cbc:PayableRoundingAmount") or Decimal(0)
    if _amount(totals, "cbc:PayableAmount") != inclusive - prepaid + rounding:
        add("BR-CO-16", "PayableAmount ≠ TaxInclusiveAmount − prepaid + rounding.")


def _check_samdrift_rules(root, kind: str, add: Add) -> None:
    """Samdrift's own rules: a valid KID, and a credit note naming its invoice."""
    kid = _text(root, "cac:PaymentMeans/cbc:PaymentID")
    if kid is not None and not is_valid_kid(kid):
        add("SAMDRIFT-KID", f"PaymentID {kid!r} is not a valid KID.")
    if kind == "CreditNote" and not _text(
        root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"
    ):
        add("SAMDRIFT-BILLING-REF", "The credit note does not name the invoice it credits.")


def check_document(document: bytes, schema_dir: Path | None = None) -> list[Finding]:
    """Schema (when a schema directory is known) and business rules together."""
    findings = []
    schema_dir = schema_dir or default_schema_dir()
    if schema_dir is not None:
        findings.extend(check_schema(document, schema_dir))
    findings.extend(check_rules(document))
    return findings
