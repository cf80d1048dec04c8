"""An asset's assignment history drawn as a timeline (server-side SVG).

Each assignment is a segment from its start to its end (or today, when still open),
labelled with the holder and dates in text, so the split made by a reassignment is
visible without relying on colour.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from samdrift.ui.formatting import format_day

FILLS = ["#1f4e79", "#2e8b57", "#c77c0e", "#8e44ad", "#5a6470"]


LABEL_WIDTH, ROW_HEIGHT, GAP, TOP = 230, 20, 18, 16


@dataclass(frozen=True)
class _Axis:
    """The time axis: ``start`` at the end of the labels, ``end`` at the right edge."""

    start: datetime.date
    end: datetime.date
    width: int

    def x(self, day: datetime.date) -> float:
        plot = self.width - LABEL_WIDTH - 10
        span = (self.end - self.start).days or 1
        return LABEL_WIDTH + plot * (day - self.start).days / span


def assignment_timeline(history: Sequence, *, today: datetime.date, width: int = 760) -> SafeString:
    """One row per assignment on a shared time axis; empty when there is no history."""
    if not history:
        return mark_safe("")
    axis = _axis(history, today, width)
    rows = [_segment(index, assignment, axis, today) for index, assignment in enumerate(history)]
    axis_y = TOP + len(history) * (ROW_HEIGHT + GAP)
    return format_html(
        '<svg class="chart timeline" role="img" aria-label="{}" viewBox="0 0 {} {}" '
        'xmlns="http://www.w3.org/2000/svg" data-testid="timeline">{}{}</svg>',
        _("Assignment timeline"),
        width,
        axis_y + 20,
        _axis_lines(axis, axis_y, today),
        mark_safe("".join(rows)),  # noqa: S308 — format_html pieces
    )


def _axis(history: Sequence, today: datetime.date, width: int) -> _Axis:
    """From the first start to today or the last end, at least a day long."""
    start = min(a.valid_from for a in history)
    # A move dated in the future is drawn as planned: the axis runs a month past its start.
    planned_open = [
        a.valid_from + datetime.timedelta(days=30)
        for a in history
        if a.valid_to is None and a.valid_from >= today
    ]
    end = max([today, *(a.valid_to or today for a in history), *planned_open])
    end = max(end, start + datetime.timedelta(days=1))
    return _Axis(start=start, end=end, width=width)


def _segment(index: int, assignment, axis: _Axis, today: datetime.date) -> SafeString:
    """One assignment's row: holder on the left, its bar, its dates over the bar. An
    open or planned assignment is dashed, so it reads without relying on colour."""
    y = TOP + index * (ROW_HEIGHT + GAP)
    until = assignment.valid_to or axis.end
    holder = assignment.service_area or assignment.municipality
    who = str(holder)
    if assignment.person_id:
        who = f"{who} · {assignment.person.username}"
    dates = f"{format_day(assignment.valid_from)} – {format_day(assignment.valid_to) or '…'}"
    planned = assignment.valid_from > today
    if planned:
        dates = f"{dates} ({_('planned')})"
    return format_html(
        '<g class="segment{}" data-from="{}"><title>{}: {}</title>'
        '<text x="{}" y="{}" text-anchor="end" class="segment-label">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"{}/>'
        '<text x="{}" y="{}" class="segment-label">{}</text></g>',
        " planned" if planned else "",
        assignment.valid_from.isoformat(),
        who,
        dates,
        LABEL_WIDTH - 6,
        y + ROW_HEIGHT * 0.7,
        who[:36],
        axis.x(assignment.valid_from),
        y,
        max(axis.x(until) - axis.x(assignment.valid_from), 2.0),
        ROW_HEIGHT,
        FILLS[index % len(FILLS)],
        mark_safe(' stroke-dasharray="4 2" stroke="#1b1f24" fill-opacity="0.55"')
        if assignment.valid_to is None or planned
        else "",
        axis.x(assignment.valid_from) + 4,
        y - 2,
        dates,
    )


def _axis_lines(axis: _Axis, axis_y: int, today: datetime.date) -> SafeString:
    """The axis with its first and last day, and a line at today."""
    today_x = axis.x(today)
    return format_html(
        '<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>'
        '<text x="{}" y="{}">{}</text><text x="{}" y="{}" text-anchor="end">{}</text>'
        '<line x1="{}" y1="4" x2="{}" y2="{}" stroke="#b3261e" stroke-dasharray="3 3"/>'
        '<text x="{}" y="{}" text-anchor="end" fill="#b3261e">{}</text>',
        LABEL_WIDTH,
        axis_y,
        axis.width - 10,
        axis_y,
        LABEL_WIDTH,
        axis_y + 15,
        format_day(axis.start),
        axis.width - 10,
        axis_y + 15,
        format_day(axis.end),
        today_x,
        today_x,
        axis_y,
        today_x - 4,
        12,
        _("today"),
    )
