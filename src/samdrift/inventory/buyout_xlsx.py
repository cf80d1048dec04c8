"""A buyout's valuation as an XLSX workbook: a heading block, one row per asset, a total.

The same layout is used for a draft's working copy and for the signed-off copy stored
when the buyout is agreed (``SignedValuation``). Text cells are written as text, never
as formulas (``core.exports.neutralise``); amounts are numbers with two decimals and the
total is the computed sum, written as a value.
"""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from samdrift.core.exports import neutralise
from samdrift.inventory.buyout_selectors import Valuation

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"


def _text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", neutralise(value or ""))


def valuation_workbook(valuation: Valuation) -> bytes:
    """The valuation of ``valuation.buyout`` as XLSX bytes."""
    buyout = valuation.buyout
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Valuation")[:31]
    bold = Font(bold=True)

    status = buyout.get_status_display()
    heading = [
        (_("Buyout"), _text(buyout.name)),
        (_("Municipality"), _text(f"{buyout.municipality.number} {buyout.municipality.name}")),
        (_("Valuation date"), valuation.valuation_date),
        (_("Status"), str(status)),
    ]
    if buyout.agreed_on:
        heading.append((_("Agreed on"), buyout.agreed_on))
        heading.append(
            (_("Agreed by"), _text(buyout.agreed_by.get_username() if buyout.agreed_by else ""))
        )
    heading.append((_("Method"), _("Straight-line book value by whole months, at most 60 months")))
    heading.append((_("Printed"), timezone.localtime().replace(tzinfo=None, microsecond=0)))
    for label, value in heading:
        sheet.append([str(label), value])
        sheet.cell(row=sheet.max_row, column=1).font = bold
        cell = sheet.cell(row=sheet.max_row, column=2)
        if hasattr(value, "year") and not hasattr(value, "hour"):
            cell.number_format = DATE_FORMAT
        elif hasattr(value, "hour"):
            cell.number_format = "yyyy-mm-dd hh:mm:ss"
    sheet.append([])

    headers = [
        _("Asset tag"),
        _("Serial number"),
        _("Product"),
        _("Category"),
        _("Acquisition date"),
        _("Acquisition cost"),
        _("Residual value"),
        _("Useful life (months)"),
        _("Reason for the useful life"),
        _("Age (months)"),
        _("Remaining (months)"),
        _("Book value"),
    ]
    sheet.append([str(h) for h in headers])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    first_data_row = sheet.max_row + 1
    for line in valuation.lines:
        sheet.append(
            [
                _text(line.asset_tag),
                _text(line.serial_number),
                _text(line.product),
                _text(line.category),
                line.acquisition_date,
                line.acquisition_cost,
                line.residual_value,
                line.useful_life_months,
                _text(line.life_override_reason),
                line.age_months,
                line.remaining_months,
                line.book_value,
            ]
        )
    for row in sheet.iter_rows(min_row=first_data_row, max_row=sheet.max_row):
        row[4].number_format = DATE_FORMAT
        for index in (5, 6, 11):
            row[index].number_format = MONEY_FORMAT
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    sheet.append(
        [
            str(_("Total")),
            len(valuation.lines),
            None,
            None,
            None,
            valuation.total_cost,
            None,
            None,
            None,
            None,
            None,
            valuation.total,
        ]
    )
    total_row = sheet[sheet.max_row]
    for cell in total_row:
        cell.font = bold
    total_row[5].number_format = MONEY_FORMAT
    total_row[11].number_format = MONEY_FORMAT
    widths = [14, 16, 28, 18, 14, 16, 14, 10, 30, 10, 10, 16]
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
