"""The benefit map ("gevinstkart"): the action plan drawn as SVG on the server, from the
data — actions → the effects they cause → the gains those bring.

Three columns, left to right: each action (a plain rectangle, its status written in it),
the distinct effects of its gains (rounded boxes), and each gain (a box with a double
border: its type and expected yearly total). Solid arrows lead from an action to its
effects and from an effect to its gains; a dashed arrow on the left joins an action to an
action that requires it (``Action.prerequisites``). Readable without colour: shapes, line
styles and words tell everything, every node has a ``<title>`` with its full text, and a
legend under the map explains the marks. No script, no external resource, all text
translated and escaped, and the same data always gives the same bytes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet, Sum
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from samdrift.finance.money import ZERO
from samdrift.gains.choices import ActionStatus, GainType
from samdrift.gains.models import Action, Gain, GainShare
from samdrift.ui.formatting import format_day, format_money

WIDTH = 1000
COLUMNS = {"action": 56, "effect": 392, "gain": 696}  # left edge of each column
BOX_WIDTH = {"action": 276, "effect": 248, "gain": 296}
BOX_HEIGHT = 62
ROW = 74  # vertical pitch of one gain (row)
TOP = 44  # below the column heads
FONT = 13
SMALL = 12
LINE = 17  # between the baselines of a node's lines
DASHED = "6 4"
# Border of an action by status: the status is also written in the box.
STATUS_BORDER = {
    ActionStatus.PLANNED: ("1.5", ""),
    ActionStatus.IN_PROGRESS: ("2.5", ""),
    ActionStatus.DONE: ("4", ""),
    ActionStatus.CANCELLED: ("1.5", "2 3"),
}


@dataclass
class _Effect:
    text: str
    gains: list[Gain] = field(default_factory=list)


@dataclass
class _ActionBlock:
    action: Action
    effects: list[_Effect]
    top: int  # first row
    rows: int

    def centre(self) -> float:
        return _centre(self.top, self.rows)


def _centre(first_row: int, rows: int) -> float:
    """The middle of ``rows`` gain boxes from ``first_row``."""
    return TOP + first_row * ROW + ((rows - 1) * ROW + BOX_HEIGHT) / 2


def _shorten(text: str, length: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _load(actions: QuerySet[Action], shares: QuerySet[GainShare] | None) -> list[Action]:
    """The actions in plan order with their gains (each with ``expected_total``) and their
    prerequisites: three queries, or four with ``shares`` given."""
    gains = Gain.objects.select_related("indicator").order_by("pk")
    if shares is None:
        gains = gains.annotate(expected_total=Sum("shares__expected_amount"))
    loaded = list(
        actions.order_by("deadline", "pk").prefetch_related(
            Prefetch("gains", queryset=gains),
            Prefetch("prerequisites", queryset=Action.objects.order_by("pk").only("pk")),
        )
    )
    if shares is not None:
        totals = dict(
            shares.filter(gain__action__in=[a.pk for a in loaded])
            .values("gain_id")
            .annotate(total=Sum("expected_amount"))
            .order_by()
            .values_list("gain_id", "total")
        )
        for action in loaded:
            for gain in action.gains.all():
                gain.expected_total = totals.get(gain.pk)
    return loaded


def _blocks(actions: list[Action]) -> list[_ActionBlock]:
    blocks, row = [], 0
    for action in actions:
        effects: dict[str, _Effect] = {}
        for gain in action.gains.all():
            key = " ".join(gain.effect.split()).casefold()
            effects.setdefault(key, _Effect(text=gain.effect)).gains.append(gain)
        rows = max(1, sum(len(effect.gains) for effect in effects.values()))
        blocks.append(_ActionBlock(action, list(effects.values()), row, rows))
        row += rows
    return blocks


def _box(
    kind: str,
    *,
    node_id: str,
    y: float,
    lines: list[str],
    title: str,
    rx: int = 0,
    stroke_width: str = "1.5",
    dash: str = "",
    double: bool = False,
    bold: int = 1,
) -> SafeString:
    """A node: a box of ``kind``'s column, its ``lines`` centred vertically (the first
    ``bold`` of them larger and bold), and its full text as a ``<title>``."""
    x, width = COLUMNS[kind], BOX_WIDTH[kind]
    inner = (
        format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="#222" '
            'stroke-width="1"/>',
            x + 4,
            y + 4,
            width - 8,
            BOX_HEIGHT - 8,
        )
        if double
        else ""
    )
    texts = mark_safe(  # noqa: S308 — format_html pieces
        "".join(
            format_html(
                '<text x="{}" y="{}" font-size="{}" font-weight="{}">{}</text>',
                x + 10,
                round(y + (BOX_HEIGHT - LINE * (len(lines) - 1)) / 2 + 4 + LINE * index, 1),
                FONT if index < bold else SMALL,
                600 if index < bold else 400,
                line,
            )
            for index, line in enumerate(lines)
        )
    )
    return format_html(
        '<g class="node {}" id="{}"><title>{}</title>'
        '<rect x="{}" y="{}" width="{}" height="{}" rx="{}" fill="#fff" stroke="#222" '
        'stroke-width="{}"{}/>{}{}</g>',
        kind,
        node_id,
        title,
        x,
        y,
        width,
        BOX_HEIGHT,
        rx,
        stroke_width,
        format_html(' stroke-dasharray="{}"', dash) if dash else "",
        inner,
        texts,
    )


def _arrow(x1: float, y1: float, x2: float, y2: float, *, kind: str) -> SafeString:
    middle = (x1 + x2) / 2
    return format_html(
        '<path class="edge {}" d="M{},{} C{},{} {},{} {},{}" fill="none" stroke="#222" '
        'stroke-width="1.5" marker-end="url(#bm-arrow)"/>',
        kind,
        x1,
        y1,
        middle,
        y1,
        middle,
        y2,
        x2 - 2,
        y2,
    )


def _gain_lines(gain: Gain) -> tuple[list[str], str]:
    kind = gain.get_type_display()
    if gain.type == GainType.QUALITY:
        second = _("Indicator: %(indicator)s") % {"indicator": gain.indicator or "—"}
    else:
        total = getattr(gain, "expected_total", None) or ZERO
        second = _("Expected per year: %(amount)s") % {"amount": format_money(Decimal(total))}
    years = f"{gain.first_year}–{gain.last_year}"
    return [_shorten(kind, 34), _shorten(second, 40), years], f"{kind}. {second}. {years}"


def _wrap(text: str, length: int, lines: int = 2) -> list[str]:
    """``text`` in at most ``lines`` lines of about ``length`` characters, the last one
    shortened with an ellipsis when it does not fit."""
    words, out, line = " ".join(str(text).split()).split(" "), [], ""
    for index, word in enumerate(words):
        candidate = f"{line} {word}".strip()
        if len(candidate) <= length or not line:
            line = candidate
            continue
        out.append(line)
        line = word
        if len(out) == lines - 1:
            line = " ".join(words[index:])
            break
    out.append(_shorten(line, length))
    return out


def benefit_map_svg(
    *, actions: QuerySet[Action], shares: QuerySet[GainShare] | None = None
) -> SafeString:
    """The benefit map of ``actions`` (restricted to the user) as an inline SVG.

    A gain's expected yearly total is the sum of its shares: pass ``shares`` (restricted
    to the user, e.g. ``restrict(GainShare.objects.all(), user)``) so that a
    municipality's user sees only its own; without it every share counts. Prerequisites
    outside ``actions`` are not drawn. Three or four queries, whatever the size."""
    blocks = _blocks(_load(actions, shares))
    effect_count = sum(len(block.effects) for block in blocks)
    gain_count = sum(len(effect.gains) for block in blocks for effect in block.effects)
    rows = sum(block.rows for block in blocks)
    legend_top = TOP + max(rows, 1) * ROW + 12
    height = legend_top + 5 * 24 + 8
    label = _("Benefit map: %(actions)s, %(effects)s, %(gains)s.") % {
        "actions": ngettext("%(n)s action", "%(n)s actions", len(blocks)) % {"n": len(blocks)},
        "effects": ngettext("%(n)s effect", "%(n)s effects", effect_count) % {"n": effect_count},
        "gains": ngettext("%(n)s gain", "%(n)s gains", gain_count) % {"n": gain_count},
    }

    parts: list[SafeString] = [
        format_html(
            '<text x="{}" y="24" font-size="{}" font-weight="700">{}</text>',
            COLUMNS[kind],
            FONT + 1,
            head,
        )
        for kind, head in (
            ("action", pgettext("improvement plan", "Actions")),
            ("effect", _("Effects")),
            ("gain", _("Gains")),
        )
    ]
    if not blocks:
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="{}">{}</text>',
                COLUMNS["action"],
                TOP + 28,
                FONT,
                _("No actions in the plan yet."),
            )
        )
    action_y: dict[int, float] = {}
    for block in blocks:
        action = block.action
        y = block.centre() - BOX_HEIGHT / 2
        action_y[action.pk] = y + BOX_HEIGHT / 2
        width, dash = STATUS_BORDER.get(action.status, ("1.5", ""))
        status = action.get_status_display()
        deadline = _("deadline %(date)s") % {"date": format_day(action.deadline)}
        parts.append(
            _box(
                "action",
                node_id=f"bm-action-{action.pk}",
                y=y,
                lines=[*(title_lines := _wrap(action.title, 36)), f"{status} · {deadline}"],
                bold=len(title_lines),
                title=f"{action.title}. {_('Status')}: {status}, {deadline}. "
                f"{_('Owner')}: {action.owner}",
                stroke_width=width,
                dash=dash,
            )
        )
        row = block.top
        for index, effect in enumerate(block.effects):
            ey_mid = _centre(row, len(effect.gains))
            ey = ey_mid - BOX_HEIGHT / 2
            parts.append(
                _box(
                    "effect",
                    node_id=f"bm-effect-{action.pk}-{index}",
                    y=ey,
                    lines=(effect_lines := _wrap(effect.text, 32)),
                    bold=len(effect_lines),
                    title=_("Effect: %(effect)s") % {"effect": effect.text},
                    rx=18,
                )
            )
            parts.append(
                _arrow(
                    COLUMNS["action"] + BOX_WIDTH["action"],
                    action_y[action.pk],
                    COLUMNS["effect"],
                    ey_mid,
                    kind="leads-to",
                )
            )
            for gain in effect.gains:
                gy = TOP + row * ROW
                lines, title = _gain_lines(gain)
                parts.append(
                    _box(
                        "gain",
                        node_id=f"bm-gain-{gain.pk}",
                        y=gy,
                        lines=lines,
                        title=title,
                        double=True,
                    )
                )
                parts.append(
                    _arrow(
                        COLUMNS["effect"] + BOX_WIDTH["effect"],
                        ey_mid,
                        COLUMNS["gain"],
                        gy + BOX_HEIGHT / 2,
                        kind="leads-to",
                    )
                )
                row += 1
    parts.extend(_prerequisite_arrows(blocks, action_y))
    parts.append(_legend(legend_top))
    return format_html(
        '<svg class="benefit-map" xmlns="http://www.w3.org/2000/svg" role="img" '
        'aria-label="{}" viewBox="0 0 {} {}" width="{}" height="{}" '
        'font-family="system-ui, sans-serif"><title>{}</title>'
        '<defs><marker id="bm-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#222"/></marker></defs>{}</svg>',
        label,
        WIDTH,
        height,
        WIDTH,
        height,
        label,
        mark_safe("".join(parts)),  # noqa: S308 — each part built by format_html
    )


def _prerequisite_arrows(
    blocks: list[_ActionBlock], action_y: dict[int, float]
) -> list[SafeString]:
    """A dashed arrow on the left of the actions from each prerequisite to the action
    that requires it; nested further left the more there are, so none overlap."""
    edges = [
        (required.pk, block.action.pk)
        for block in blocks
        for required in block.action.prerequisites.all()
        if required.pk in action_y
    ]
    per_action: dict[int, int] = defaultdict(int)
    arrows = []
    left = COLUMNS["action"]
    for index, (required, action) in enumerate(edges):
        per_action[action] += 1
        offset = per_action[action] * 4  # arrive a little apart when several
        y1, y2 = action_y[required] - 8, action_y[action] + offset - 8
        bulge = left - 14 - 8 * (index % 5)
        arrows.append(
            format_html(
                '<path class="edge prerequisite" data-from="bm-action-{}" data-to="bm-action-{}" '
                'd="M{},{} C{},{} {},{} {},{}" fill="none" stroke="#222" stroke-width="1.5" '
                'stroke-dasharray="{}" marker-end="url(#bm-arrow)"><title>{}</title></path>',
                required,
                action,
                left,
                y1,
                bulge,
                y1,
                bulge,
                y2,
                left - 2,
                y2,
                DASHED,
                _("Required first"),
            )
        )
    return arrows


def _legend(top: float) -> SafeString:
    """What the shapes and lines mean, in words: one row each."""
    x = COLUMNS["action"]
    marks = [
        (
            '<rect x="{x}" y="{y}" width="28" height="16" fill="#fff" stroke="#222" '
            'stroke-width="1.5"/>',
            _(
                "Action — its border thicker when in progress, thickest "
                "when done, dotted when cancelled; its status is written in it"
            ),
        ),
        (
            '<rect x="{x}" y="{y}" width="28" height="16" rx="8" fill="#fff" stroke="#222" '
            'stroke-width="1.5"/>',
            _("Effect of an action"),
        ),
        (
            '<rect x="{x}" y="{y}" width="28" height="16" fill="#fff" stroke="#222" '
            'stroke-width="1.5"/><rect x="{x3}" y="{y3}" width="22" height="10" fill="none" '
            'stroke="#222"/>',
            _("Gain — its type, expected yearly amount and years"),
        ),
        (
            '<path d="M{x},{y8} h26" stroke="#222" stroke-width="1.5" '
            'marker-end="url(#bm-arrow)"/>',
            _("Solid arrow: leads to"),
        ),
        (
            '<path d="M{x},{y8} h26" stroke="#222" stroke-width="1.5" stroke-dasharray="6 4" '
            'marker-end="url(#bm-arrow)"/>',
            _(
                "Dashed arrow: required first — the action at its "
                "tail must be done before the one it points to"
            ),
        ),
    ]
    rows = []
    for index, (mark, text) in enumerate(marks):
        y = top + 24 * index
        shape = mark.format(x=x, y=y, x3=x + 3, y3=y + 3, y8=y + 8)
        rows.append(
            format_html(
                '{}<text x="{}" y="{}" font-size="{}">{}</text>',
                mark_safe(shape),  # noqa: S308 — constant markup and numbers only
                x + 40,
                y + 13,
                SMALL,
                text,
            )
        )
    return format_html(
        '<g class="legend">{}</g>',
        mark_safe("".join(rows)),  # noqa: S308 — format_html pieces
    )
