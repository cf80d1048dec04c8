"""Billing files: EHF per invoice and credit note, the specification down to person and
device (CSV, XLSX), and the accounting export of a period (one CSV row per invoice line).

Every function takes querysets the caller restricted to what the user may see; the CSV
and XLSX writing (formula-injection safe, streamed) is ``core.exports``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from operator import itemgetter
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from samdrift.billing.choices import ChargeSource
from samdrift.billing.ehf import credit_note_xml, invoice_xml
from samdrift.billing.ehf_rules import Finding, check_document
from samdrift.billing.models import Charge, CreditNote, Invoice, InvoiceLine
from samdrift.billing.part_month import charge_part_month
from samdrift.billing.selectors import charge_rows
from samdrift.core.exports import (
    DATE_FORMAT,
    MONEY_FORMAT,
    NORWEGIAN_DATE_FORMAT,
    csv_lines,
    xlsx_chunks,
)

FORMATS = ("ehf", "xlsx", "csv", "accounting")
# Number formats of the specification's XLSX cells: Excel shows them with the reader's
# own separators (1 234,50 in Norwegian Excel). A unit price may need four decimals.
UNIT_PRICE_FORMAT = "#,##0.00##"


@dataclass(frozen=True)
class Column:
    """An export column over a dict row: ``name`` in the header, ``value(row)``.

    For people (the specification downloaded from the invoice page) the header is
    ``label`` in their language and the value ``shown(row)`` when given (a choice's
    label rather than its code). ``number_format``: of its numbers in XLSX (dates get
    the date format of the file)."""

    name: str
    get: Callable[[dict], Any]
    label: Any = ""
    shown: Callable[[dict], Any] | None = None
    number_format: str = ""

    @property
    def value(self) -> Callable[[dict], Any]:
        """``value(row)``: the getter itself (no call in between, per cell)."""
        return self.get

    def for_people(self) -> Column:
        """This column with its label as the header and its shown value."""
        return replace(self, name=str(self.label or self.name), get=self.shown or self.get)


def _key(name: str) -> Callable[[dict], Any]:
    return itemgetter(name)


def _item(row: dict) -> str:
    return (
        row["description"]
        or row["product__name"]
        or row["service__name"]
        or row["cost_pool__name"]
        or row["source"]
    )


def _month(name: str) -> Callable[[dict], Any]:
    return lambda row: f"{row[name]:%Y-%m}" if row[name] else ""


def _last_day(row: dict) -> datetime.date | None:
    """The last day of a charge's period, as people read one (stored with its end
    exclusive)."""
    end = row["valid_to"]
    return end - datetime.timedelta(days=1) if end else None


SOURCE_COLUMN = Column(
    "source",
    _key("source"),
    _("Source"),
    shown=lambda row: str(ChargeSource(row["source"]).label),
)
SPECIFICATION_COLUMNS = [
    Column("invoice", _key("invoice__number"), _("Invoice")),
    Column("municipality_number", _key("invoice__municipality__number"), _("Municipality number")),
    Column("municipality", _key("invoice__municipality__name"), _("Municipality")),
    Column("period", _month("period__month"), _("Month")),
    Column("cost_centre", _key("service_area__cost_centre"), _("Cost centre")),
    Column("service_area", _key("service_area__name"), _("Service area")),
    Column("username", _key("person__username"), _("Username")),
    Column(
        "person",
        lambda row: " ".join(filter(None, [row["person__first_name"], row["person__last_name"]])),
        _("Person"),
    ),
    Column("asset_tag", _key("asset__asset_tag"), _("Asset tag")),
    Column("serial_number", _key("asset__serial_number"), _("Serial number")),
    SOURCE_COLUMN,
    Column("source_id", _key("source_id"), _("Source id")),
    Column("item", _item, _("Item")),
    Column("from", _key("valid_from"), _("From")),
    Column(
        "to_exclusive",
        _key("valid_to"),
        _("To and including"),
        shown=_last_day,
    ),
    Column("days_active", _key("days_active"), _("Days")),
    Column("days_in_month", _key("days_in_month"), _("Days in the month")),
    Column("quantity", _key("quantity"), _("Quantity")),
    Column("unit_price", _key("unit_price"), _("Unit price"), number_format=UNIT_PRICE_FORMAT),
    Column("amount", _key("amount"), _("Amount"), number_format=MONEY_FORMAT),
    Column("part_month", charge_part_month, _("Part of the month")),
    Column("vat_rate", _key("vat_rate"), _("VAT rate")),
    Column("adjusts_period", _month("adjusts_period__month"), _("Adjusts month")),
]

ACCOUNTING_COLUMNS = [
    Column("period", _month("invoice__period__month")),
    Column("invoice", _key("invoice__number")),
    Column("issue_date", _key("invoice__issue_date")),
    Column("municipality_number", _key("invoice__municipality__number")),
    Column("municipality", _key("invoice__municipality__name")),
    Column("line", _key("line_number")),
    Column("cost_centre", _key("service_area__cost_centre")),
    Column("service_area", _key("service_area__name")),
    Column("item", _key("description")),
    Column("net", _key("net_amount")),
    Column("vat_rate", _key("vat_rate")),
    Column("vat_category", _key("vat_category")),
    Column("vat", _key("vat_amount")),
    Column("gross", lambda row: row["net_amount"] + row["vat_amount"]),
]


def specification_columns(*, for_people: bool) -> list[Column]:
    """The specification's columns: headers and values for people in their language, or
    the stable names and raw values that files for machines keep (API, CLI)."""
    if not for_people:
        return SPECIFICATION_COLUMNS
    # The source's label looked up once per export in the active language, not
    # translated again on each of twenty thousand rows.
    labels = {code: str(label) for code, label in ChargeSource.choices}
    source = replace(SOURCE_COLUMN, shown=lambda row: labels[row["source"]])
    return [
        (source if column is SOURCE_COLUMN else column).for_people()
        for column in SPECIFICATION_COLUMNS
    ]


def specification_csv(
    charges: QuerySet[Charge], *, for_people: bool = False, excel: bool = False
) -> Iterator[str]:
    """The specification of ``charges``: one row per charge (person, device, days).
    ``excel``: the form Norwegian Excel opens (``core.exports.csv_lines``)."""
    columns = specification_columns(for_people=for_people)
    return csv_lines(charge_rows(charges), columns, excel=excel)


def specification_xlsx_chunks(
    charges: QuerySet[Charge],
    *,
    title: str = "Specification",
    for_people: bool = False,
    norwegian: bool = False,
) -> Iterator[bytes]:
    """The specification as a workbook, streamed: amounts are number cells with two
    decimals (a unit price up to four), dates are date cells, dd.mm.yyyy when
    ``norwegian``."""
    return xlsx_chunks(
        charge_rows(charges),
        specification_columns(for_people=for_people),
        sheet_title=title,
        date_format=NORWEGIAN_DATE_FORMAT if norwegian else DATE_FORMAT,
    )


def specification_xlsx(charges: QuerySet[Charge], **options: Any) -> bytes:
    """``specification_xlsx_chunks`` in one piece (files the CLI writes)."""
    return b"".join(specification_xlsx_chunks(charges, **options))


def accounting_rows(lines: QuerySet[InvoiceLine]) -> QuerySet:
    return lines.order_by("invoice__municipality__number", "invoice_id", "line_number").values(
        "invoice__period__month",
        "invoice__number",
        "invoice__issue_date",
        "invoice__municipality__number",
        "invoice__municipality__name",
        "line_number",
        "service_area__cost_centre",
        "service_area__name",
        "description",
        "net_amount",
        "vat_rate",
        "vat_category",
        "vat_amount",
    )


def accounting_csv(lines: QuerySet[InvoiceLine]) -> Iterator[str]:
    """One row per invoice line: municipality, cost centre, item, net, VAT, gross."""
    return csv_lines(accounting_rows(lines), ACCOUNTING_COLUMNS)


def file_stem(invoice: Invoice) -> str:
    return invoice.number or f"draft-{invoice.period.label}-{invoice.municipality.number}"


def export_period(
    *,
    invoices: QuerySet[Invoice],
    credit_notes: QuerySet[CreditNote],
    charges: QuerySet[Charge],
    lines: QuerySet[InvoiceLine],
    fmt: str,
    out_dir: Path,
    check: bool = False,
) -> tuple[list[Path], list[tuple[Path, Finding]]]:
    """Write a period's files to ``out_dir``: (files written, EHF findings when ``check``).

    ``ehf``: one XML per issued invoice and per credit note; ``xlsx``/``csv``: one
    specification per invoice; ``accounting``: one CSV of every line. The querysets are
    the period's rows as the caller may see them.
    """
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format {fmt!r}; use one of {', '.join(FORMATS)}.")
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    findings: list[tuple[Path, Finding]] = []
    invoices = invoices.select_related("period", "municipality").order_by("municipality__number")
    if fmt == "ehf":
        documents = [
            (f"{invoice.number}.xml", invoice_xml(invoice))
            for invoice in invoices
            if invoice.is_issued
        ]
        documents += [
            (f"{note.number}.xml", credit_note_xml(note))
            for note in credit_notes.select_related("invoice__period", "invoice__municipality")
        ]
        for name, document in documents:
            path = out_dir / name
            path.write_bytes(document)
            written.append(path)
            if check:
                findings.extend((path, finding) for finding in check_document(document))
    elif fmt == "accounting":
        label = invoices.first().period.label if invoices.exists() else "empty"
        path = out_dir / f"accounting-{label}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            handle.writelines(accounting_csv(lines.filter(invoice__in=invoices)))
        written.append(path)
    else:
        for invoice in invoices:
            invoice_charges = charges.filter(invoice=invoice)
            path = out_dir / f"{file_stem(invoice)}-specification.{fmt}"
            if fmt == "csv":
                with path.open("w", encoding="utf-8", newline="") as handle:
                    handle.writelines(specification_csv(invoice_charges))
            else:
                path.write_bytes(specification_xlsx(invoice_charges, title=file_stem(invoice)))
            written.append(path)
    return written, findings
