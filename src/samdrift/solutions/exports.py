"""The standardisation report as an XLSX workbook, one sheet per part of the page.

Text is always written as text (never a formula: ``core.exports.plain`` with the XLSX
guard); amounts are numbers with two decimals, shares are fractions formatted as percent.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from samdrift.core.exports import plain
from samdrift.finance.money import round_to_ore
from samdrift.solutions.report import StandardisationReport

MONEY_FORMAT = "#,##0.00"


def _sheet(workbook: Workbook, title: str, header: Sequence[str], rows: Iterable[Sequence]):
    sheet = workbook.create_sheet(title=title[:31])
    bold = Font(bold=True)
    cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])


def _cell(sheet, value: Any):
    if isinstance(value, tuple):  # (value, number format)
        value, number_format = value
    else:
        number_format = None
    value = plain(value, guard=False)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    elif number_format:
        cell.number_format = number_format
    elif hasattr(value, "isoformat"):
        cell.number_format = "yyyy-mm-dd"
    return cell


def _money(value):
    return (value, MONEY_FORMAT) if value is not None else None


def _functions_sheet(workbook: Workbook, report: StandardisationReport) -> None:
    """One row a function: its figures, candidate, saving and the saving's formula."""
    _sheet(
        workbook,
        _("Functions"),
        [
            _("Function"),
            _("Distinct solutions"),
            _("Members"),
            _("Users"),
            _("Licence cost per year"),
            _("Harmonisation candidate"),
            _("Chosen by the operator"),
            _("Candidate cost per user"),
            _("Estimated yearly saving"),
            _("Formula"),
        ],
        (
            [
                f.name,
                f.distinct,
                f.members,
                f.users,
                _money(f.cost),
                f.candidate.name if f.candidate else "",
                f.chosen,
                _money(round_to_ore(f.candidate.cost_per_user))
                if f.candidate and f.candidate.cost_per_user is not None
                else None,
                _money(f.saving),
                f.formula,
            ]
            for f in report.functions
        ),
    )


def _solutions_sheet(workbook: Workbook, report: StandardisationReport) -> None:
    """One row a solution in use, under its function."""
    _sheet(
        workbook,
        _("Solutions"),
        [
            _("Function"),
            _("Solution"),
            _("Vendor"),
            _("Members"),
            _("Users"),
            _("Licence cost per year"),
            _("Cost per user"),
            _("Candidate"),
        ],
        (
            [
                f.name,
                s.name,
                s.vendor,
                len(s.members),
                s.users,
                _money(s.cost),
                _money(round_to_ore(s.cost_per_user)) if s.cost_per_user is not None else None,
                f.candidate is s,
            ]
            for f in report.functions
            for s in f.solutions
        ),
    )


def _windows_sheet(workbook: Workbook, report: StandardisationReport) -> None:
    """Contracts ending or free to end in the window, with the day to give notice by."""
    _sheet(
        workbook,
        _("Contract windows"),
        [
            _("Function"),
            _("Municipality"),
            _("Solution"),
            _("Contract end"),
            _("Notice period (months)"),
            _("Free from"),
            _("Give notice by"),
        ],
        (
            [
                f.name,
                w.municipality,
                w.solution,
                w.contract_end,
                w.notice_months,
                w.free_from,
                w.notice_by,
            ]
            for f in report.functions
            for w in f.windows
        ),
    )


def _progress_sheet(workbook: Workbook, report: StandardisationReport) -> None:
    """The share of members on the candidate, by quarter."""
    _sheet(
        workbook,
        _("Progress"),
        [_("Function"), *[q.isoformat() for q in report.quarters]],
        (
            [f.name, *[(s, "0%") if s is not None else None for s in f.shares]]
            for f in report.functions
        ),
    )


def _matrix_sheet(workbook: Workbook, report: StandardisationReport) -> None:
    """Function × municipality, the solutions in each cell; common ones marked in text."""
    _sheet(
        workbook,
        _("Matrix"),
        [_("Function"), *[name for _mid, name in report.municipalities]],
        (
            [
                function.name,
                *[
                    "; ".join(
                        f"{name} ({_('common')})" if common else name for name, common in cell
                    )
                    for cell in cells
                ],
            ]
            for function, cells in report.rows()
        ),
    )


def report_workbook(report: StandardisationReport) -> bytes:
    workbook = Workbook(write_only=True)
    _functions_sheet(workbook, report)
    _solutions_sheet(workbook, report)
    _windows_sheet(workbook, report)
    _progress_sheet(workbook, report)
    _matrix_sheet(workbook, report)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
