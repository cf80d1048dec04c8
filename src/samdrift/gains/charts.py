"""The charts of common versus separate, drawn on the server with ``ui.charts`` (no chart
engine of their own).

Per member, one stacked bar per year for what it would pay alone (running costs and
investments, told apart by pattern) and one for what it paid the collaboration, each
labelled "<year> alone" / "<year> common" and with its amount written after it; and a
bar per year of the cumulative saving, a negative one written out with "paid more"
instead of a bar. The collaboration's total the same way, its common bar split into what
was invoiced and the unbilled costs. Readable without colour (labels, amounts, patterns
and a legend in words); the page shows the same numbers in a table beside them. Text is
12 px (``ui.charts.CHART_FONT_SIZE``, set on each chart, so a printed page reads the same).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from samdrift.finance.money import ZERO, round_to_ore
from samdrift.gains.comparison import MemberComparison, YearTotal
from samdrift.ui.charts import Bar, bar_chart, legend, stacked_bar_chart
from samdrift.ui.formatting import format_money


def _length(amount: Decimal) -> float:
    """A bar's length: ``ui.charts`` draws with floats."""
    return float(amount)


def _kroner(value: float) -> str:
    """A figure written on a chart, back from the float it was drawn with to the øre
    (exact for any amount below a billion billion øre)."""
    return format_money(round_to_ore(Decimal(repr(value))))


def _alone_label(year: int) -> str:
    return _("%(year)s alone") % {"year": year}


def _common_label(year: int) -> str:
    return _("%(year)s common") % {"year": year}


def _with_legend(svg: SafeString, series: Sequence[str], chart_id: str) -> SafeString:
    return format_html("{}{}", svg, legend(series, chart_id=chart_id))


def member_series() -> list[str]:
    return [
        _("Running costs alone (baseline carried forward by the index)"),
        _("Investments needed alone (replacement plan)"),
        _("Paid to the collaboration (invoices less credit notes)"),
    ]


def member_chart(member: MemberComparison, *, chart_id: str) -> SafeString:
    """Alone against common per year for one member: the SVG followed by its legend."""
    rows: list[tuple[str, Sequence[float]]] = []
    for year in member.years:
        rows.append((_alone_label(year.year), [_length(year.running), _length(year.renewal), 0.0]))
        rows.append((_common_label(year.year), [0.0, 0.0, _length(year.actual)]))
    title = _("%(municipality)s: what it would pay alone and what it pays together") % {
        "municipality": member.municipality.name
    }
    series = member_series()
    svg = stacked_bar_chart(
        rows, series, title=title, chart_id=chart_id, number=_kroner, value_room=140
    )
    return _with_legend(svg, series, chart_id)


def cumulative_chart(
    points: Sequence[tuple[int, Decimal]], *, title: str, chart_id: str
) -> SafeString:
    """The cumulative saving per year: a bar when positive; a negative saving is written
    out with "paid more", with no bar."""
    bars = [
        Bar(
            label=str(year),
            value=float(max(amount, ZERO)),
            text=format_money(amount)
            if amount >= 0
            else _("%(amount)s (paid more)") % {"amount": format_money(amount)},
        )
        for year, amount in points
    ]
    # Room for "NOK -1,234,567.89 (paid more)" after the bar.
    return bar_chart(
        bars, title=title, chart_id=chart_id, label_width=80, width=640, value_room=230
    )


def member_cumulative_chart(member: MemberComparison, *, chart_id: str) -> SafeString:
    title = _("%(municipality)s: saving since joining, cumulative") % {
        "municipality": member.municipality.name
    }
    points = [(year.year, year.cumulative_saving) for year in member.years]
    return cumulative_chart(points, title=title, chart_id=chart_id)


def collaboration_series() -> list[str]:
    return [
        _("What the members would pay alone"),
        _("Invoiced to the members (less credit notes)"),
        _("The collaboration's unbilled costs"),
    ]


def collaboration_chart(totals: Sequence[YearTotal], *, chart_id: str) -> SafeString:
    """The collaboration's years: all members alone against invoiced plus unbilled; the
    SVG followed by its legend."""
    rows: list[tuple[str, Sequence[float]]] = []
    for total in totals:
        rows.append((_alone_label(total.year), [_length(total.alone), 0.0, 0.0]))
        rows.append(
            (_common_label(total.year), [0.0, _length(total.actual), _length(total.unbilled)])
        )
    series = collaboration_series()
    svg = stacked_bar_chart(
        rows,
        series,
        title=_("The collaboration: its members alone against together"),
        chart_id=chart_id,
        number=_kroner,
        value_room=140,
    )
    return _with_legend(svg, series, chart_id)


def collaboration_cumulative_chart(totals: Sequence[YearTotal], *, chart_id: str) -> SafeString:
    return cumulative_chart(
        [(total.year, total.cumulative) for total in totals],
        title=_("The collaboration: saving, cumulative"),
        chart_id=chart_id,
    )
