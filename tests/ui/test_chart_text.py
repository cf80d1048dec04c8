"""Every server-side chart is readable: no text under 12 px, by its own attributes (so a
printed page or a PDF reads the same) and by the stylesheet's rules for SVG text."""

import datetime
import re
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from lxml import etree

import samdrift
from samdrift.gains.benefit_map import benefit_map_svg
from samdrift.gains.charts import cumulative_chart
from samdrift.gains.choices import ActionStatus, GainType
from samdrift.gains.models import Action, Gain
from samdrift.planning.views_charts import month_columns, year_bars
from samdrift.ui.charts import Bar, bar_chart, legend, stacked_bar_chart
from samdrift.ui.timeline import Mark, Span, assignment_timeline

D = datetime.date
MINIMUM = 12
STYLESHEET = Path(samdrift.__file__).parent / "ui" / "static" / "web" / "samdrift.css"
SVG_SELECTOR = re.compile(r"\.chart|\.timeline|\.benefit-map|\bsvg\b|\btext\b")


def _charts() -> dict[str, str]:
    bars = [Bar("Oppvekst", 3, "3"), Bar("A very long service area name indeed", 1, "1")]
    history = [
        SimpleNamespace(
            valid_from=D(2025, 1, 1),
            valid_to=None,
            service_area="Oppvekst",
            municipality="Fjordvik",
            person_id=None,
        )
    ]
    return {
        "bar": bar_chart(bars, title="Bars", chart_id="c1"),
        "stacked": stacked_bar_chart(
            [("2025", [2, 3]), ("2026", [1, 0])],
            ["Running", "Investment"],
            title="S",
            chart_id="c2",
        ),
        "legend": legend(["Running", "Investment"], chart_id="c2"),
        "year bars": year_bars(
            [("2026", Decimal("100")), ("2027", Decimal("-5"))], title="Y", chart_id="c3"
        ),
        "month columns": month_columns(
            [(D(2026, m, 1), Decimal(m * 100)) for m in range(1, 13)], title="M", chart_id="c4"
        ),
        "cumulative": cumulative_chart(
            [(2025, Decimal("10")), (2026, Decimal("-3"))], title="C", chart_id="c5"
        ),
        "timeline": assignment_timeline(
            history,
            today=D(2026, 6, 1),
            extra=[Span("Lease", D(2025, 1, 1), D(2027, 1, 1)), Mark("Replacement", D(2027, 6, 1))],
        ),
    }


def _svgs(html: str) -> list[etree._Element]:
    root = etree.fromstring(f"<div>{html}</div>".encode())
    return [e for e in root.iter() if etree.QName(e).localname == "svg"]


def _size(element) -> float | None:
    """The font size an element sets: its attribute, or its style's (px only)."""
    if element.get("font-size"):
        return float(element.get("font-size").removesuffix("px"))
    match = re.search(r"font-size:\s*([\d.]+)px", element.get("style") or "")
    return float(match.group(1)) if match else None


def _text_sizes(svg) -> list[tuple[str, float | None]]:
    """(text, font size in force) of every text of ``svg``: its own or an ancestor's."""
    found = []
    for text in svg.iter():
        if etree.QName(text).localname != "text":
            continue
        size, node = None, text
        while node is not None and size is None:
            size, node = _size(node), node.getparent()
        found.append(("".join(text.itertext()), size))
    return found


def _assert_readable(name: str, html: str) -> None:
    svgs = _svgs(str(html))
    assert svgs, name
    for svg in svgs:
        sizes = [_size(e) for e in svg.iter() if _size(e) is not None]
        assert all(size >= MINIMUM for size in sizes), (name, sizes)
        for text, size in _text_sizes(svg):
            assert size is not None and size >= MINIMUM, (name, text, size)


@pytest.mark.parametrize("name", list(_charts()))
def test_every_chart_kind_draws_its_text_at_12px_or_more(name):
    _assert_readable(name, _charts()[name])


def test_the_benefit_map_draws_its_text_at_12px_or_more(db):
    action = Action.objects.create(
        title="Single sign-on",
        owner="ICT lead",
        start=D(2025, 1, 1),
        deadline=D(2025, 12, 31),
        status=ActionStatus.DONE,
    )
    Gain.objects.create(
        action=action,
        effect="Fewer password resets",
        type=GainType.BUDGET_SAVING,
        first_year=2026,
        last_year=2027,
    )
    _assert_readable("benefit map", benefit_map_svg(actions=Action.objects.all()))


def test_a_smaller_size_is_caught():
    """The check itself: a chart with an 11 px label fails it."""
    with pytest.raises(AssertionError):
        _assert_readable("small", '<svg font-size="12"><text font-size="11">x</text></svg>')
    with pytest.raises(AssertionError):
        _assert_readable("unset", "<svg><text>x</text></svg>")


def test_the_stylesheet_sets_no_svg_text_under_12px():
    css = re.sub(r"/\*.*?\*/", "", STYLESHEET.read_text(), flags=re.S)
    checked = 0
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        if not SVG_SELECTOR.search(selector):
            continue
        for value, unit in re.findall(r"font-size:\s*([\d.]+)(px|rem|em)", body):
            checked += 1
            # A rem or em is of the page's 15 px.
            px = float(value) * (1 if unit == "px" else 15)
            assert px >= MINIMUM, (selector.strip(), value + unit)
    assert checked >= 2
