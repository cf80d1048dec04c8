"""The asset timeline (ui/timeline.py): an open-ended assignment runs on to the right edge
with an arrow and the word "ongoing"; what is still to come is hatched and dashed, and
the legend says so in words; labels stay inside the chart."""

import datetime
from types import SimpleNamespace

from django.utils import translation
from lxml import etree

from samdrift.ui.timeline import (
    CHAR_WIDTH,
    LABEL_WIDTH,
    RIGHT,
    Mark,
    Span,
    assignment_timeline,
)

D = datetime.date
SVG = "{http://www.w3.org/2000/svg}"
TODAY = D(2026, 6, 1)
WIDTH = 760


def _assignment(start, end, area="Oppvekst"):
    return SimpleNamespace(
        valid_from=start, valid_to=end, service_area=area, municipality="Fjordvik", person_id=None
    )


def _render(history, extra=()):
    with translation.override("en"):
        html = str(assignment_timeline(history, today=TODAY, width=WIDTH, extra=extra))
    svg_text, legend = html.split('<ul class="legend"')
    return etree.fromstring(svg_text.encode()), legend


def _rects(group, kind):
    return group.findall(f"{SVG}rect[@class='{kind}']")


def _right_end(rect) -> float:
    return float(rect.get("x")) + float(rect.get("width"))


def _today_x(root) -> float:
    line = next(line for line in root.iter(f"{SVG}line") if line.get("stroke-dasharray") == "3 3")
    return float(line.get("x1"))


def test_an_open_ended_assignment_runs_on_to_the_right_edge_as_ongoing():
    root, legend = _render(
        [_assignment(D(2025, 1, 1), D(2025, 7, 1)), _assignment(D(2025, 7, 1), None)]
    )
    closed, open_ = root.findall(f"{SVG}g")
    assert closed.get("data-ongoing") is None and not _rects(closed, "future")
    assert open_.get("class") == "segment" and open_.get("data-ongoing") == "1"
    (past,) = _rects(open_, "past")
    (future,) = _rects(open_, "future")
    today_x = _today_x(root)
    # Solid up to today, then dashed and hatched on to the arrow at the right edge.
    assert abs(_right_end(past) - today_x) < 0.2
    assert abs(float(future.get("x")) - today_x) < 0.2
    assert future.get("stroke-dasharray") and future.get("fill").startswith("url(#")
    (arrow,) = open_.findall(f"{SVG}path[@class='ongoing']")
    assert arrow.get("d").startswith(f"M{_right_end(future):g},")
    # The axis leaves room after today: the arrow is seen to run on past it.
    assert _right_end(future) > today_x + 20
    assert "2025-07-01 – ongoing" in "".join(open_.itertext())
    assert "ongoing: no end date" in legend


def test_a_future_segment_is_hatched_and_the_legend_says_so():
    lease_end = D(2027, 1, 1)
    root, legend = _render(
        [_assignment(D(2025, 1, 1), D(2026, 9, 1)), _assignment(D(2026, 9, 1), None, "Helse")],
        extra=[Span("Lease", D(2025, 1, 1), lease_end), Mark("Planned replacement", D(2027, 3, 1))],
    )
    held, planned, lease, replacement = root.findall(f"{SVG}g")
    today_x = _today_x(root)
    # A move dated after today: all of it to come, nothing solid, marked planned.
    assert planned.get("class") == "segment planned" and planned.get("data-ongoing") == "1"
    assert not _rects(planned, "past") and float(_rects(planned, "future")[0].get("x")) > today_x
    assert "(planned)" in "".join(planned.itertext())
    # A held assignment that ends after today: solid up to today, hatched after.
    assert abs(_right_end(_rects(held, "past")[0]) - today_x) < 0.2
    assert _rects(held, "future")
    # The lease ends in the future: its last part is hatched up to its end.
    (lease_future,) = _rects(lease, "future")
    assert _right_end(lease_future) < WIDTH - RIGHT
    assert replacement.get("class") == "milestone future"
    assert "to come (planned, or after today)" in legend and "held (up to today)" in legend


def test_labels_stay_inside_the_chart():
    long_name = "Oppvekst og kultur, skolesektoren nord og sør, avdeling for spesialundervisning"
    root, _legend = _render(
        [_assignment(D(2025, 1, 1), D(2026, 5, 20), long_name), _assignment(D(2026, 5, 20), None)]
    )
    for text in root.iter(f"{SVG}text"):
        content = "".join(text.itertext())
        x, anchor = float(text.get("x")), text.get("text-anchor") or "start"
        left = x - len(content) * CHAR_WIDTH if anchor == "end" else x
        right = x if anchor == "end" else x + len(content) * CHAR_WIDTH
        assert left >= 0 and right <= WIDTH, content
    # The long holder is shortened to its column (whole in the tooltip).
    first = root.findall(f"{SVG}g")[0]
    holder = first.findall(f"{SVG}text")[0]
    assert float(holder.get("x")) == LABEL_WIDTH - 6 and holder.text.endswith("…")
    assert long_name in first.find(f"{SVG}title").text
    # The dates of a row starting near the right edge end at the edge, not past it.
    last = root.findall(f"{SVG}g")[-1]
    dates = last.findall(f"{SVG}text")[-1]
    assert dates.get("text-anchor") == "end" and float(dates.get("x")) == WIDTH - RIGHT
