"""A buyout's valuation as an XLSX workbook: a heading block, one row per asset, a total.

The same layout is used for a draft's working copy and for the signed-off copy stored
when the buyout is agreed (``SignedValuation``). Text cells are written as text, never
as formulas (``core.exports.neutralise``); amounts are numbers with two decimals and the
total is the computed sum, written as a value.
"""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from samdrift.core.exports import XLSX_CONTENT_TYPE, neutralise
from samdrift.leasing.buyouts.valuation import Valuation, buyout_valuation
from samdrift.leasing.models import Buyout, SignedValuation

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"


def _text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", neutralise(value or ""))


def valuation_workbook(valuation: Valuation) -> bytes:
    """The valuation of ``valuation.buyout`` as XLSX bytes.

    Written in openpyxl's write-only mode, row by row: a buyout of thousands of assets
    is written when it is agreed, inside that transaction, and the ordinary mode (a cell
    object per cell, styles set afterwards) took about a second per 2,000 rows. Only the
    cells that carry a style (bold labels, dates, amounts) are cell objects here.
    """
    buyout = valuation.buyout
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Valuation")[:31])
    # Column widths must be set before the first row is written.
    widths = [14, 16, 28, 18, 14, 16, 14, 10, 30, 10, 10, 16]
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    bold = Font(bold=True)

    def styled(value, number_format: str | None = None, font: Font | None = None):
        cell = WriteOnlyCell(sheet, value=value)
        if number_format:
            cell.number_format = number_format
        if font is not None:
            cell.font = font
        return cell

    def text(value: str):
        # Text is always text: an error code such as "#N/A" is not made an error cell.
        value = _text(value)
        if value in ERROR_CODES:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            return cell
        return value

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
        if hasattr(value, "hour"):
            value = styled(value, "yyyy-mm-dd hh:mm:ss")
        elif hasattr(value, "year"):
            value = styled(value, DATE_FORMAT)
        elif isinstance(value, str):
            value = text(value)
        sheet.append([styled(str(label), font=bold), value])
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
    sheet.append([styled(str(h), font=bold) for h in headers])
    for line in valuation.lines:
        sheet.append(
            [
                text(line.asset_tag),
                text(line.serial_number),
                text(line.product),
                text(line.category),
                styled(line.acquisition_date, DATE_FORMAT),
                styled(line.acquisition_cost, MONEY_FORMAT),
                styled(line.residual_value, MONEY_FORMAT),
                line.useful_life_months,
                text(line.life_override_reason),
                line.age_months,
                line.remaining_months,
                styled(line.book_value, MONEY_FORMAT),
            ]
        )
    total = [
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
    sheet.append(
        [
            styled(value, MONEY_FORMAT if index in (5, 11) else None, bold)
            for index, value in enumerate(total)
        ]
    )

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_file_response(content: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


def valuation_file(buyout: Buyout) -> tuple[bytes, str]:
    """The signed-off copy once agreed (byte for byte), else a fresh working copy."""
    signed = SignedValuation.objects.filter(buyout=buyout).first()
    if signed is not None:
        return bytes(signed.content), signed.file_name
    content = valuation_workbook(buyout_valuation(buyout=buyout))
    return content, f"buyout-{buyout.pk}-{buyout.municipality.number}-draft.xlsx"
