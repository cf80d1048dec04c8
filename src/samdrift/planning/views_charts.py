"""The charts of the planning pages, drawn on the server as SVG like ``ui.charts``.

``year_bars`` is ``ui.charts.bar_chart`` for amounts per year. ``month_columns`` draws a
forecast's months as columns, left to right, with the years marked under them and each
year's monthly average written out; every column carries its month and amount as a
tooltip, and the page shows the same numbers in a table beside it.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from samdrift.ui import formatting
from samdrift.ui.charts import BAR_COLOUR, CHART_FONT_SIZE, Bar, bar_chart


def year_bars(rows: Sequence[tuple[str, Decimal]], *, title: str, chart_id: str) -> SafeString:
    """One bar per year; a negative amount is written out, with no bar."""
    bars = [
        Bar(
            label=label,
            value=float(max(amount, Decimal("0"))),
            text=formatting.format_money(amount),
        )
        for label, amount in rows
    ]
    return bar_chart(bars, title=title, chart_id=chart_id, label_width=80)


def month_columns(
    months: Sequence[tuple[datetime.date, Decimal]],
    *,
    title: str,
    chart_id: str,
    width: int = 960,
    height: int = 240,
) -> SafeString:
    """A column per month (``(first day, amount)`` in order), years marked below."""
    left, right, top, bottom = 96, 8, 16, 44
    plot_width = max(width - left - right, 60)
    plot_height = height - top - bottom
    largest = max((amount for _month, amount in months), default=Decimal("0"))
    scale = float(largest) if largest > 0 else 1.0
    step = plot_width / max(len(months), 1)
    bar = max(step * 0.78, 1.0)
    parts = [
        format_html(
            '<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>'
            '<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}" stroke-dasharray="3 3"/>'
            '<text x="{}" y="{}" text-anchor="end">{}</text>'
            '<text x="{}" y="{}" text-anchor="end">{}</text>',
            left,
            top + plot_height,
            left + plot_width,
            top + plot_height,
            left,
            top,
            left + plot_width,
            top,
            left - 6,
            top + 4,
            formatting.format_money(largest.quantize(Decimal("1"))),
            left - 6,
            top + plot_height + 4,
            formatting.format_money(Decimal("0")),
        )
    ]
    years: dict[int, list[tuple[int, Decimal]]] = {}
    for index, (month, amount) in enumerate(months):
        years.setdefault(month.year, []).append((index, amount))
        length = plot_height * float(max(amount, Decimal("0"))) / scale
        x = left + index * step + (step - bar) / 2
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>',
                round(x, 2),
                round(top + plot_height - length, 2),
                round(bar, 2),
                round(length, 2),
                BAR_COLOUR,
                formatting.format_month(month),
                formatting.format_money(amount),
            )
        )
    for year, points in years.items():
        first, last = points[0][0], points[-1][0]
        average = sum((amount for _i, amount in points), start=Decimal("0")) / len(points)
        middle = left + (first + last + 1) * step / 2
        parts.append(
            format_html(
                '<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>'
                '<text x="{}" y="{}" text-anchor="middle">{}</text>'
                '<text class="value" x="{}" y="{}" text-anchor="middle">{}</text>',
                round(left + first * step, 2),
                top + plot_height,
                round(left + first * step, 2),
                top + plot_height + 30,
                round(middle, 2),
                top + plot_height + 16,
                year,
                round(middle, 2),
                top + plot_height + 32,
                formatting.format_money(average.quantize(Decimal("1"))),
            )
        )
    return format_html(
        '<svg class="chart" id="{}" role="img" aria-labelledby="{}-title" viewBox="0 0 {} {}" '
        'font-size="{}" xmlns="http://www.w3.org/2000/svg"><title id="{}-title">{}</title>{}</svg>',
        chart_id,
        chart_id,
        width,
        height,
        CHART_FONT_SIZE,
        chart_id,
        title,
        mark_safe("".join(parts)),  # noqa: S308 — each part built by format_html
    )
