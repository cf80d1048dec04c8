"""An asset's assignment history drawn as a timeline (server-side SVG).

Each assignment is a segment from its start to its end (or today, when still open),
labelled with the holder and dates in text, so the split made by a reassignment is
visible without relying on colour.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from samdrift.ui.formatting import format_day

FILLS = ["#1f4e79", "#2e8b57", "#c77c0e", "#8e44ad", "#5a6470"]


def assignment_timeline(history: Sequence, *, today: datetime.date, width: int = 760) -> SafeString:
    """One row per assignment on a shared time axis; empty when there is no history."""
    if not history:
        return mark_safe("")
    start = min(a.valid_from for a in history)
    # A move dated in the future is drawn as planned: the axis runs a month past its start.
    planned_open = [
        a.valid_from + datetime.timedelta(days=30)
        for a in history
        if a.valid_to is None and a.valid_from >= today
    ]
    end = max([today, *(a.valid_to or today for a in history), *planned_open])
    end = max(end, start + datetime.timedelta(days=1))
    span = (end - start).days or 1
    label_width, row_height, gap, top = 230, 20, 18, 16
    plot = width - label_width - 10

    def x(day: datetime.date) -> float:
        return label_width + plot * (day - start).days / span

    rows = []
    for index, assignment in enumerate(history):
        y = top + index * (row_height + gap)
        until = assignment.valid_to or end
        holder = assignment.service_area or assignment.municipality
        who = str(holder)
        if assignment.person_id:
            who = f"{who} · {assignment.person.username}"
        dates = f"{format_day(assignment.valid_from)} – {format_day(assignment.valid_to) or '…'}"
        planned = assignment.valid_from > today
        if planned:
            dates = f"{dates} ({_('planned')})"
        rows.append(
            format_html(
                '<g class="segment{}" data-from="{}"><title>{}: {}</title>'
                '<text x="{}" y="{}" text-anchor="end" class="segment-label">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"{}/>'
                '<text x="{}" y="{}" class="segment-label">{}</text></g>',
                " planned" if planned else "",
                assignment.valid_from.isoformat(),
                who,
                dates,
                label_width - 6,
                y + row_height * 0.7,
                who[:36],
                x(assignment.valid_from),
                y,
                max(x(until) - x(assignment.valid_from), 2.0),
                row_height,
                FILLS[index % len(FILLS)],
                mark_safe(' stroke-dasharray="4 2" stroke="#1b1f24" fill-opacity="0.55"')
                if assignment.valid_to is None or planned
                else "",
                x(assignment.valid_from) + 4,
                y - 2,
                dates,
            )
        )
    axis_y = top + len(history) * (row_height + gap)
    height = axis_y + 20
    today_x = x(today)
    axis = format_html(
        '<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>'
        '<text x="{}" y="{}">{}</text><text x="{}" y="{}" text-anchor="end">{}</text>'
        '<line x1="{}" y1="4" x2="{}" y2="{}" stroke="#b3261e" stroke-dasharray="3 3"/>'
        '<text x="{}" y="{}" text-anchor="end" fill="#b3261e">{}</text>',
        label_width,
        axis_y,
        width - 10,
        axis_y,
        label_width,
        axis_y + 15,
        format_day(start),
        width - 10,
        axis_y + 15,
        format_day(end),
        today_x,
        today_x,
        axis_y,
        today_x - 4,
        12,
        _("today"),
    )
    return format_html(
        '<svg class="chart timeline" role="img" aria-label="{}" viewBox="0 0 {} {}" '
        'xmlns="http://www.w3.org/2000/svg" data-testid="timeline">{}{}</svg>',
        _("Assignment timeline"),
        width,
        height,
        axis,
        mark_safe("".join(rows)),  # noqa: S308 — format_html pieces
    )
