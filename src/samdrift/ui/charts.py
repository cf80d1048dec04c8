"""Charts drawn on the server as SVG: nothing to load, nothing external.

Readable without colour: every bar carries its label and its value as text, and the
series of a stacked chart differ by pattern (hatching, dots, cross-hatching …) as well as
by colour, with a legend. Each chart is shown next to a table of the same numbers.
All text is escaped with ``format_html``. Text is never smaller than
``CHART_FONT_SIZE`` (12 px): the root ``<svg>`` sets it, so a chart reads the same outside
the page's stylesheet (a print, a PDF), and the stylesheet's ``.chart text`` agrees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

# (fill colour, pattern id): colour plus a distinct pattern for each series.
SERIES_STYLES = [
    ("#1f4e79", "solid"),
    ("#2e8b57", "hatch"),
    ("#c77c0e", "dots"),
    ("#8e44ad", "cross"),
    ("#b3261e", "vertical"),
    ("#5a6470", "horizontal"),
]
BAR_COLOUR = "#1f4e79"
# The smallest text of any chart, in px (the SVG's user units, one to a CSS pixel).
CHART_FONT_SIZE = 12


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | int  # only the bar's length; the figure shown is ``text``
    text: str
    url: str | None = None


def _pattern_defs(prefix: str) -> SafeString:
    parts = []
    for index, (colour, kind) in enumerate(SERIES_STYLES):
        pid = f"{prefix}-p{index}"
        if kind == "solid":
            body = format_html('<rect width="8" height="8" fill="{}"/>', colour)
        elif kind == "hatch":
            body = format_html(
                '<rect width="8" height="8" fill="#fff"/>'
                '<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="{}" stroke-width="2.2"/>',
                colour,
            )
        elif kind == "dots":
            body = format_html(
                '<rect width="8" height="8" fill="#fff"/><circle cx="4" cy="4" r="2.1" fill="{}"/>',
                colour,
            )
        elif kind == "cross":
            body = format_html(
                '<rect width="8" height="8" fill="#fff"/><path d="M0,0 l8,8 M8,0 l-8,8" '
                'stroke="{}" stroke-width="1.6"/>',
                colour,
            )
        elif kind == "vertical":
            body = format_html(
                '<rect width="8" height="8" fill="#fff"/><path d="M2,0 v8 M6,0 v8" '
                'stroke="{}" stroke-width="2"/>',
                colour,
            )
        else:
            body = format_html(
                '<rect width="8" height="8" fill="#fff"/><path d="M0,2 h8 M0,6 h8" '
                'stroke="{}" stroke-width="2"/>',
                colour,
            )
        parts.append(
            format_html(
                '<pattern id="{}" width="8" height="8" patternUnits="userSpaceOnUse">{}</pattern>',
                pid,
                body,
            )
        )
    return mark_safe("".join(parts))  # noqa: S308 — built from format_html pieces only


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    chart_id: str,
    width: int = 640,
    label_width: int = 170,
    value_room: int = 120,
) -> SafeString:
    """Horizontal bars, one per row, label on the left and the figure after the bar
    (``value_room``: the width kept for the figure)."""
    row_height, gap, top = 22, 6, 4
    plot = max(width - label_width - value_room, 60)
    largest = max((bar.value for bar in bars), default=0) or 1
    height = top * 2 + len(bars) * (row_height + gap)
    rows = []
    for index, bar in enumerate(bars):
        y = top + index * (row_height + gap)
        length = 0 if bar.value <= 0 else max(2.0, plot * bar.value / largest)
        label = format_html(
            '<text x="{}" y="{}" text-anchor="end">{}</text>',
            label_width - 8,
            y + row_height * 0.68,
            _shorten(bar.label, 26),
        )
        if bar.url:
            label = format_html('<a href="{}">{}</a>', bar.url, label)
        rows.append(
            format_html(
                '<g><title>{}: {}</title>{}<rect x="{}" y="{}" width="{}" height="{}" '
                'fill="{}"/><text class="value" x="{}" y="{}">{}</text></g>',
                bar.label,
                bar.text,
                label,
                label_width,
                y,
                length,
                row_height,
                BAR_COLOUR,
                label_width + length + 6,
                y + row_height * 0.68,
                bar.text,
            )
        )
    return format_html(
        '<svg class="chart" id="{}" role="img" aria-labelledby="{}-title" viewBox="0 0 {} {}" '
        'font-size="{}" xmlns="http://www.w3.org/2000/svg"><title id="{}-title">{}</title>'
        '<line class="axis" x1="{}" y1="0" x2="{}" y2="{}"/>{}</svg>',
        chart_id,
        chart_id,
        width,
        max(height, 30),
        CHART_FONT_SIZE,
        chart_id,
        title,
        label_width,
        label_width,
        height,
        mark_safe("".join(rows)),  # noqa: S308 — each row built by format_html
    )


def stacked_bar_chart(
    rows: Sequence[tuple[str, Sequence[int]]],
    series: Sequence[str],
    *,
    title: str,
    chart_id: str,
    width: int = 640,
    label_width: int = 170,
    number=str,
    value_room: int = 90,
) -> SafeString:
    """One horizontal bar per row, split into series told apart by pattern and colour.
    The row's total is written after the bar (``value_room`` wide: more for kroner
    amounts); each segment has a tooltip."""
    row_height, gap, top = 22, 6, 4
    plot = max(width - label_width - value_room, 60)
    largest = max((sum(values) for _label, values in rows), default=0) or 1
    height = top * 2 + len(rows) * (row_height + gap)
    parts = []
    for index, (label, values) in enumerate(rows):
        y = top + index * (row_height + gap)
        segments, x = _stacked_segments(
            label,
            values,
            series,
            x=float(label_width),
            y=y,
            height=row_height,
            plot=plot,
            largest=largest,
            chart_id=chart_id,
            number=number,
        )
        parts.append(
            format_html(
                '<g><text x="{}" y="{}" text-anchor="end">{}</text>{}'
                '<text class="value" x="{}" y="{}">{}</text></g>',
                label_width - 8,
                y + row_height * 0.68,
                _shorten(label, 26),
                segments,
                x + 6,
                y + row_height * 0.68,
                number(sum(values)),
            )
        )
    return format_html(
        '<svg class="chart" id="{}" role="img" aria-labelledby="{}-title" viewBox="0 0 {} {}" '
        'font-size="{}" xmlns="http://www.w3.org/2000/svg"><title id="{}-title">{}</title>'
        "<defs>{}</defs>{}</svg>",
        chart_id,
        chart_id,
        width,
        max(height, 30),
        CHART_FONT_SIZE,
        chart_id,
        title,
        _pattern_defs(chart_id),
        mark_safe("".join(parts)),  # noqa: S308 — format_html pieces
    )


def _stacked_segments(
    label,
    values,
    series,
    *,
    x: float,
    y: float,
    height: int,
    plot: int,
    largest: int,
    chart_id: str,
    number,
) -> tuple[SafeString, float]:
    """One row's segments, left to right from ``x``; and where the last one ends."""
    segments = []
    for series_index, value in enumerate(values):
        if value <= 0:
            continue
        length = plot * value / largest
        segments.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="url(#{}-p{})" '
                'stroke="#fff" stroke-width="0.5"><title>{} – {}: {}</title></rect>',
                x,
                y,
                length,
                height,
                chart_id,
                series_index % len(SERIES_STYLES),
                label,
                series[series_index],
                number(value),
            )
        )
        x += length
    return mark_safe("".join(segments)), x  # noqa: S308 — format_html pieces


def legend(series: Sequence[str], *, chart_id: str) -> SafeString:
    """The key of a stacked chart: a swatch with the series' pattern, and its name."""
    prefix = f"{chart_id}-legend"
    # The patterns are defined in the first swatch (a url(#…) reaches across the page's
    # SVGs), not in a hidden SVG of their own: hiding one would take a style attribute,
    # which the Content-Security-Policy refuses.
    defs = format_html("<defs>{}</defs>", _pattern_defs(prefix))
    items = format_html_join(
        "",
        '<li><svg width="16" height="16" aria-hidden="true">{}'
        '<rect width="16" height="16" fill="url(#{}-p{})" stroke="#5a6470"/></svg>{}</li>',
        (
            (defs if index == 0 else "", prefix, index % len(SERIES_STYLES), name)
            for index, name in enumerate(series)
        ),
    )
    return format_html('<ul class="legend">{}</ul>', items)


def _shorten(text: str, length: int) -> str:
    text = str(text)
    return text if len(text) <= length else text[: length - 1] + "…"
