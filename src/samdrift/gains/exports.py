"""The action plan and its gains as one XLSX workbook: actions, milestones, gains,
gains per municipality, measurements, and planned vs realised per action, municipality
and year. Every sheet is built from rows restricted to the user (the caller passes
them), so the file shows exactly what the pages show.

Text is always written as text (never a formula: ``core.exports.plain``); amounts are
numbers with two decimals.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from samdrift.core.exports import append_sheet, money
from samdrift.gains.realisation import Realisation


def _yes(value: bool) -> str:
    return _("yes") if value else _("no")


def plan_workbook(
    *,
    actions: Sequence,
    milestones: Iterable,
    gains: Iterable,
    shares: Iterable,
    measurements: Iterable,
    figures: Realisation,
    municipality_names: dict[int, str],
) -> bytes:
    """The workbook. ``actions`` with their municipalities prefetched; ``gains`` with
    their action and indicator; ``shares`` and ``measurements`` with their gain (and its
    action) and municipality; ``figures`` planned vs realised of the same rows."""
    workbook = Workbook(write_only=True)
    titles = {a.pk: a.title for a in actions}
    gains = list(gains)
    effects = {g.pk: g.effect for g in gains}
    append_sheet(
        workbook,
        pgettext("improvement plan", "Actions"),
        [
            _("Id"),
            _("Title"),
            _("Owner"),
            _("Municipalities"),
            _("Start"),
            _("Deadline"),
            _("Status"),
            _("Budget"),
            _("Cost so far"),
            _("Description"),
        ],
        (
            [
                a.pk,
                a.title,
                a.owner,
                _("All members")
                if a.all_municipalities
                else ", ".join(m.name for m in a.municipalities.all()),
                a.start,
                a.deadline,
                a.get_status_display(),
                money(a.budget),
                money(a.cost_to_date),
                a.description,
            ]
            for a in actions
        ),
    )
    append_sheet(
        workbook,
        _("Milestones"),
        [pgettext("improvement plan", "Action"), _("Milestone"), _("Due"), _("Done on")],
        ([titles.get(m.action_id, ""), m.title, m.due, m.done_on] for m in milestones),
    )
    append_sheet(
        workbook,
        _("Gains"),
        [
            _("Id"),
            pgettext("improvement plan", "Action"),
            _("Effect"),
            _("Type"),
            _("Indicator"),
            _("Baseline value"),
            _("Baseline date"),
            _("Target value"),
            _("Target date"),
            _("Hourly rate"),
            _("Expected from year"),
            _("Expected until year"),
        ],
        (
            [
                g.pk,
                g.action.title,
                g.effect,
                g.get_type_display(),
                g.indicator.name if g.indicator_id else "",
                g.baseline_value,
                g.baseline_date,
                g.target_value,
                g.target_date,
                money(g.hourly_rate),
                g.first_year,
                g.last_year,
            ]
            for g in gains
        ),
    )
    append_sheet(
        workbook,
        _("Gains per municipality"),
        [
            pgettext("improvement plan", "Action"),
            _("Gain"),
            _("Municipality"),
            _("Gains owner"),
            _("Hours saved per year"),
            _("Expected per year"),
            _("Taken out of the budget"),
            _("Budget note"),
        ],
        (
            [
                s.gain.action.title,
                s.gain.effect,
                s.municipality.name,
                s.owner,
                s.expected_hours,
                money(s.expected_amount),
                _yes(s.taken_out_of_budget),
                s.budget_note,
            ]
            for s in shares
        ),
    )
    append_sheet(
        workbook,
        _("Measurements"),
        [
            pgettext("improvement plan", "Action"),
            _("Gain"),
            _("Municipality"),
            _("Measured on"),
            _("Indicator value"),
            _("Hours saved"),
            _("Amount realised"),
            _("Source"),
            _("Note"),
        ],
        (
            [
                m.gain.action.title,
                m.gain.effect,
                m.municipality.name,
                m.measured_on,
                m.value,
                m.hours,
                money(m.amount),
                m.source,
                m.note,
            ]
            for m in measurements
        ),
    )
    rows = [
        [
            titles.get(c.action_id, ""),
            effects.get(c.gain_id, ""),
            municipality_names.get(c.municipality_id, ""),
            c.year,
            money(c.planned),
            money(c.realised),
            money(c.difference),
        ]
        for c in sorted(
            figures.cells, key=lambda c: (c.action_id, c.municipality_id, c.year, c.gain_id)
        )
    ]
    total = figures.total
    rows.append(
        [
            _("Total"),
            "",
            "",
            "",
            money(total.planned),
            money(total.realised),
            money(total.difference),
        ]
    )
    append_sheet(
        workbook,
        _("Planned vs realised"),
        [
            pgettext("improvement plan", "Action"),
            _("Gain"),
            _("Municipality"),
            _("Year"),
            _("Planned"),
            _("Realised"),
            _("Difference"),
        ],
        rows,
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
