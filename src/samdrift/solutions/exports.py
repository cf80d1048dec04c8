"""The standardisation report as an XLSX workbook, one sheet per part of the page.

Text is always written as text (never a formula: ``core.exports.plain`` with the XLSX
guard); amounts are numbers with two decimals, shares are fractions formatted as percent.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from samdrift.core.exports import append_sheet, money
from samdrift.finance.money import round_to_ore
from samdrift.solutions.report import StandardisationReport


def _functions_sheet(workbook: Workbook, report: StandardisationReport) -> None:
    """One row a function: its figures, candidate, saving and the saving's formula."""
    append_sheet(
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
                money(f.cost),
                f.candidate.name if f.candidate else "",
                f.chosen,
                money(round_to_ore(f.candidate.cost_per_user))
                if f.candidate and f.candidate.cost_per_user is not None
                else None,
                money(f.saving),
                f.formula,
            ]
            for f in report.functions
        ),
    )


def _solutions_sheet(workbook: Workbook, report: StandardisationReport) -> None:
    """One row a solution in use, under its function."""
    append_sheet(
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
                money(s.cost),
                money(round_to_ore(s.cost_per_user)) if s.cost_per_user is not None else None,
                f.candidate is s,
            ]
            for f in report.functions
            for s in f.solutions
        ),
    )


def _windows_sheet(workbook: Workbook, report: StandardisationReport) -> None:
    """Contracts ending or free to end in the window, with the day to give notice by."""
    append_sheet(
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
    append_sheet(
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
    append_sheet(
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
