"""An asset's assignment history drawn as a timeline (server-side SVG).

One row per assignment on a shared time axis, labelled with the holder and dates in
text, so the split made by a reassignment is visible without relying on colour; the
caller may add rows of its own (the lease, a planned replacement: ``Span``, ``Mark``).

What is past and what is to come read apart without colour: the part of a row up to
today is solid; the part after today (a planned move, a lease that ends next year) is
hatched with a dashed edge; a row with no end runs on to the right edge with an arrow
and the word "ongoing". A legend under the chart says this in words. Labels never run
off the chart: a holder is shortened to fit its column (whole in the tooltip), and a
row's dates are written leftwards from the right edge when they would not fit after
the row's start.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from samdrift.ui.charts import CHART_FONT_SIZE
from samdrift.ui.formatting import format_day

FILLS = ["#1f4e79", "#2e8b57", "#c77c0e", "#8e44ad", "#5a6470"]
FUTURE_INK = "#1b1f24"
TODAY_INK = "#b3261e"
HATCH_ID = "timeline-future"

LABEL_WIDTH, ROW_HEIGHT, GAP, TOP, RIGHT = 230, 20, 20, 36, 10
ARROW = 9  # length of the arrowhead of an ongoing row
# Average advance of a character at the chart's font size (system sans-serif, digits and
# lower case): enough to keep estimated text inside the chart.
CHAR_WIDTH = CHART_FONT_SIZE * 0.6
HOLDER_CHARS = int((LABEL_WIDTH - 12) / CHAR_WIDTH)
# Room to the right of today on an axis with an ongoing row, so its arrow is seen to run on.
ONGOING_ROOM = 0.08
MIN_ONGOING_DAYS = 10


@dataclass(frozen=True)
class Span:
    """A row from ``start`` to ``end`` (exclusive; None: ongoing), named ``label``."""

    label: str
    start: datetime.date
    end: datetime.date | None
    css: str = "span"
    title: str = ""


@dataclass(frozen=True)
class Mark:
    """A row with one day marked on it (a planned replacement), named ``label``."""

    label: str
    day: datetime.date


@dataclass(frozen=True)
class _Axis:
    """The time axis: ``start`` at the end of the labels, ``end`` at the right edge."""

    start: datetime.date
    end: datetime.date
    width: int

    @property
    def right(self) -> float:
        return self.width - RIGHT

    def x(self, day: datetime.date) -> float:
        plot = self.right - LABEL_WIDTH
        span = (self.end - self.start).days or 1
        return LABEL_WIDTH + plot * (day - self.start).days / span


def assignment_timeline(
    history: Sequence,
    *,
    today: datetime.date,
    width: int = 760,
    extra: Sequence[Span | Mark] = (),
) -> SafeString:
    """One row per assignment (then the ``extra`` rows) on a shared time axis, and its
    legend; empty when there is no history and nothing extra."""
    rows: list[Span | Mark] = [_assignment_span(a) for a in history] + list(extra)
    if not rows:
        return mark_safe("")
    axis = _axis(rows, today, width)
    drawn = [
        _mark(index, row, axis, today)
        if isinstance(row, Mark)
        else _span(index, row, axis, today, FILLS[index % len(FILLS)])
        for index, row in enumerate(rows)
    ]
    axis_y = TOP + len(rows) * (ROW_HEIGHT + GAP) - GAP + 8
    svg = format_html(
        '<svg class="chart timeline" role="img" aria-label="{}" viewBox="0 0 {} {}" '
        'font-size="{}" xmlns="http://www.w3.org/2000/svg" data-testid="timeline">'
        "<defs>{}</defs>{}{}</svg>",
        _("Assignment timeline"),
        width,
        axis_y + 22,
        CHART_FONT_SIZE,
        _hatch(),
        _axis_lines(axis, axis_y, today),
        mark_safe("".join(drawn)),  # noqa: S308 — format_html pieces
    )
    return format_html("{}{}", svg, _legend())


def _assignment_span(assignment) -> Span:
    """An assignment as a row: its holder (and person) as the label."""
    holder = assignment.service_area or assignment.municipality
    who = str(holder)
    if assignment.person_id:
        who = f"{who} · {assignment.person.username}"
    return Span(
        label=who, start=assignment.valid_from, end=assignment.valid_to, css="segment", title=who
    )


def _axis(rows: Sequence[Span | Mark], today: datetime.date, width: int) -> _Axis:
    """From the first day to today or the last day drawn, at least a day long; with room
    after that for the arrow of an ongoing row."""
    days = [today]
    for row in rows:
        if isinstance(row, Mark):
            days.append(row.day)
            continue
        days.append(row.start)
        if row.end is not None:
            days.append(row.end)
        elif row.start >= today:
            # A move dated in the future is drawn as planned: a month past its start.
            days.append(row.start + datetime.timedelta(days=30))
    start, end = min(days), max(days)
    if any(isinstance(row, Span) and row.end is None for row in rows):
        room = max(int((end - start).days * ONGOING_ROOM), MIN_ONGOING_DAYS)
        end += datetime.timedelta(days=room)
    end = max(end, start + datetime.timedelta(days=1))
    return _Axis(start=start, end=end, width=width)


def _holder_label(text: str, y: float) -> SafeString:
    shown = text if len(text) <= HOLDER_CHARS else text[: HOLDER_CHARS - 1] + "…"
    return format_html(
        '<text x="{}" y="{}" text-anchor="end" class="segment-label">{}</text>',
        LABEL_WIDTH - 6,
        y + ROW_HEIGHT * 0.7,
        shown,
    )


def _dates_label(text: str, x: float, y: float, axis: _Axis) -> SafeString:
    """The row's dates just over its start, or ending at the right edge when they would
    run past it."""
    if x + 4 + len(text) * CHAR_WIDTH <= axis.right:
        return format_html(
            '<text x="{}" y="{}" class="segment-label">{}</text>', round(x + 4, 1), y - 4, text
        )
    return format_html(
        '<text x="{}" y="{}" text-anchor="end" class="segment-label">{}</text>',
        axis.right,
        y - 4,
        text,
    )


def _span(index: int, row: Span, axis: _Axis, today: datetime.date, fill: str) -> SafeString:
    """A row: solid up to today, hatched after it, and an arrow to the right edge when it
    has no end."""
    y = TOP + index * (ROW_HEIGHT + GAP)
    ongoing = row.end is None
    planned = row.start > today
    stop = axis.right - ARROW if ongoing else axis.x(row.end)
    x0 = axis.x(row.start)
    parts = []
    if not planned:
        solid_to = stop if row.end is not None and row.end <= today else axis.x(today)
        solid_to = min(solid_to, stop)
        parts.append(
            format_html(
                '<rect class="past" x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                round(x0, 1),
                y,
                round(max(solid_to - x0, 2.0), 1),
                ROW_HEIGHT,
                fill,
            )
        )
    future_from = x0 if planned else axis.x(today)
    if ongoing or row.end > today:
        parts.append(
            format_html(
                '<rect class="future" x="{}" y="{}" width="{}" height="{}" fill="url(#{})" '
                'stroke="{}" stroke-dasharray="4 2"/>',
                round(future_from, 1),
                y,
                round(max(stop - future_from, 2.0), 1),
                ROW_HEIGHT,
                HATCH_ID,
                FUTURE_INK,
            )
        )
    if ongoing:
        parts.append(
            format_html(
                '<path class="ongoing" d="M{},{} l{},{} l-{},{} z" fill="{}"/>',
                round(stop, 1),
                y,
                ARROW,
                ROW_HEIGHT / 2,
                ARROW,
                ROW_HEIGHT / 2,
                FUTURE_INK,
            )
        )
    until = _("ongoing") if ongoing else format_day(row.end)
    dates = f"{format_day(row.start)} – {until}"
    if planned:
        dates = f"{dates} ({_('planned')})"
    return format_html(
        '<g class="{}{}" data-from="{}"{}><title>{}: {}</title>{}{}{}</g>',
        row.css,
        " planned" if planned else "",
        row.start.isoformat(),
        mark_safe(' data-ongoing="1"') if ongoing else "",
        row.title or row.label,
        dates,
        _holder_label(row.label, y),
        mark_safe("".join(parts)),  # noqa: S308 — format_html pieces
        _dates_label(dates, x0, y, axis),
    )


def _mark(index: int, row: Mark, axis: _Axis, today: datetime.date) -> SafeString:
    """A row with a diamond on its day, hollow and dashed when the day is to come."""
    y = TOP + index * (ROW_HEIGHT + GAP)
    x = axis.x(row.day)
    half = ROW_HEIGHT / 2
    future = row.day > today
    text = format_day(row.day)
    if future:
        text = f"{text} ({_('planned')})"
    return format_html(
        '<g class="milestone{}" data-on="{}"><title>{}: {}</title>{}'
        '<path d="M{},{} l{},{} l-{},{} l-{},-{} z" fill="{}" stroke="{}"{}/>{}</g>',
        " future" if future else "",
        row.day.isoformat(),
        row.label,
        text,
        _holder_label(row.label, y),
        round(x, 1),
        y,
        half,
        half,
        half,
        half,
        half,
        half,
        f"url(#{HATCH_ID})" if future else FUTURE_INK,
        FUTURE_INK,
        mark_safe(' stroke-dasharray="3 2"') if future else "",
        _dates_label(text, x - half, y, axis),
    )


def _hatch() -> SafeString:
    return format_html(
        '<pattern id="{}" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
        '<path d="M0,0 v6" stroke="{}" stroke-width="2"/></pattern>',
        HATCH_ID,
        FUTURE_INK,
    )


def _legend() -> SafeString:
    """What the solid, hatched and arrowed parts mean, in words."""
    swatches = [
        (f'<rect width="16" height="12" y="2" fill="{FILLS[0]}"/>', _("held (up to today)")),
        (
            f'<rect width="15" height="11" x="0.5" y="2.5" fill="url(#{HATCH_ID})" '
            f'stroke="{FUTURE_INK}" stroke-dasharray="4 2"/>',
            _("to come (planned, or after today)"),
        ),
        (
            f'<path d="M0,8 h9" stroke="{FUTURE_INK}" stroke-width="2"/>'
            f'<path d="M8,2 l8,6 l-8,6 z" fill="{FUTURE_INK}"/>',
            _("ongoing: no end date"),
        ),
        (
            f'<path d="M8,0 v16" stroke="{TODAY_INK}" stroke-dasharray="3 3"/>',
            _("today"),
        ),
    ]
    items = format_html_join(
        "",
        '<li><svg width="16" height="16" aria-hidden="true">{}</svg>{}</li>',
        ((mark_safe(shape), text) for shape, text in swatches),  # noqa: S308 — constants
    )
    return format_html('<ul class="legend" data-testid="timeline-legend">{}</ul>', items)


def _axis_lines(axis: _Axis, axis_y: int, today: datetime.date) -> SafeString:
    """The axis with its first and last day, and a line at today labelled over the rows
    (above the first row's dates, so the two never overlap)."""
    today_x = axis.x(today)
    # "today" ends at its line, unless that would run it into the labels' column.
    anchor, label_x = ("end", today_x - 4)
    if today_x - 4 - len(_("today")) * CHAR_WIDTH < LABEL_WIDTH:
        anchor, label_x = ("start", today_x + 4)
    return format_html(
        '<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>'
        '<text x="{}" y="{}">{}</text><text x="{}" y="{}" text-anchor="end">{}</text>'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-dasharray="3 3"/>'
        '<text x="{}" y="{}" text-anchor="{}" fill="{}">{}</text>',
        LABEL_WIDTH,
        axis_y,
        axis.right,
        axis_y,
        LABEL_WIDTH,
        axis_y + 16,
        format_day(axis.start),
        axis.right,
        axis_y + 16,
        format_day(axis.end),
        round(today_x, 1),
        TOP - 16,
        round(today_x, 1),
        axis_y,
        TODAY_INK,
        round(label_x, 1),
        14,
        anchor,
        TODAY_INK,
        _("today"),
    )
