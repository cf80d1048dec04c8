"""A computed scenario as an XLSX workbook: its assumptions, the comparison with the
baseline per municipality and year, and every month.

Text is always written as text (never a formula: ``core.exports.plain``); amounts are
numbers with two decimals, percentages numbers with two decimals.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from samdrift.core.exports import append_sheet, money
from samdrift.planning.choices import MemberChange
from samdrift.planning.models import Scenario, ScenarioMember, ScenarioPoolChange, ScenarioResult
from samdrift.planning.scenarios import comparison, comparison_total

PERCENT_FORMAT = "0.00"


def _percent(value):
    return (value, PERCENT_FORMAT) if value is not None else None


def _assumptions_sheet(workbook: Workbook, scenario: Scenario) -> None:
    blank = _("each lease model's")
    rows: list[list] = [
        [_("Scenario"), scenario.name],
        [_("Description"), scenario.description],
        [_("First month"), scenario.computed_from],
        [_("Computed at"), scenario.computed_at],
        [_("Years"), scenario.years],
        [_("Yearly price index (%)"), _percent(scenario.index_percent)],
        [_("Yearly growth in devices (%)"), _percent(scenario.growth_percent)],
        [_("Lease term (months)"), scenario.lease_term_months or blank],
        [
            _("Interest rate (% a year)"),
            _percent(scenario.annual_rate_percent)
            if scenario.annual_rate_percent is not None
            else blank,
        ],
        [_("Yearly growth of cost pools (%)"), _percent(scenario.pool_growth_percent)],
    ]
    for change in ScenarioPoolChange.objects.filter(scenario=scenario).select_related("pool"):
        rows.append(
            [
                _("Growth of %(pool)s (%%)") % {"pool": change.pool.name},
                _percent(change.growth_percent),
            ]
        )
    for member in ScenarioMember.objects.filter(scenario=scenario).select_related("municipality"):
        who = member.municipality.name if member.municipality_id else member.name
        text = f"{who}: {member.get_change_display()} {member.on.isoformat()}"
        if member.change == MemberChange.JOINS:
            figures = [
                f"{label} {value}"
                for label, value in (
                    (_("population"), member.population),
                    (_("persons"), member.persons),
                    (_("devices"), member.devices),
                )
                if value is not None
            ]
            if figures:
                text += " (" + ", ".join(figures) + ")"
        rows.append([_("Member change"), text])
    append_sheet(workbook, _("Assumptions"), [_("Assumption"), _("Value")], rows)


def _comparison_sheet(workbook: Workbook, scenario: Scenario) -> None:
    rows = comparison(scenario)
    years = sorted({year.year for row in rows for year in row.years})
    header = [
        _("Municipality"),
        _("Baseline"),
        _("Scenario"),
        _("Difference"),
        _("Difference (%)"),
        _("Settlement"),
    ]
    for year in years:
        header += [
            _("%(year)s baseline") % {"year": year},
            _("%(year)s scenario") % {"year": year},
            _("%(year)s difference (%%)") % {"year": year},
        ]

    def line(row):
        by_year = {year.year: year for year in row.years}
        cells = [
            row.name,
            money(row.baseline_total),
            money(row.scenario_total),
            money(row.difference),
            _percent(row.difference_percent),
            money(row.settlement),
        ]
        for year in years:
            figures = by_year.get(year)
            cells += (
                [
                    money(figures.baseline),
                    money(figures.scenario),
                    _percent(figures.difference_percent),
                ]
                if figures
                else [None, None, None]
            )
        return cells

    append_sheet(
        workbook,
        _("Comparison"),
        header,
        [*(line(row) for row in rows), line(comparison_total(rows))] if rows else [],
    )


def _months_sheet(workbook: Workbook, scenario: Scenario) -> None:
    append_sheet(
        workbook,
        _("Months"),
        [
            _("Municipality"),
            _("Month"),
            _("Baseline"),
            _("Scenario"),
            _("Difference"),
            _("Settlement"),
        ],
        (
            [name, month, money(base), money(amount), money(amount - base), money(settlement)]
            for name, month, base, amount, settlement in ScenarioResult.objects.filter(
                scenario=scenario
            )
            .order_by("name", "month")
            .values_list("name", "month", "baseline", "amount", "settlement")
            .iterator(chunk_size=2000)
        ),
    )


def scenario_xlsx(scenario: Scenario) -> bytes:
    """The workbook of a scenario's stored results (compute it first)."""
    workbook = Workbook(write_only=True)
    _assumptions_sheet(workbook, scenario)
    _comparison_sheet(workbook, scenario)
    _months_sheet(workbook, scenario)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
