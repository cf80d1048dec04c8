"""Extension points of pages: what a higher app shows on a lower app's page.

Dependencies point down (docs/architecture.md): the municipality page (organisations) may
not import the inventory or the dashboard, yet it shows the assets held and the monthly
cost. So the lower page names its extension points and a higher app fills them from its
``AppConfig.ready()``:

- **panels**: ``register_panel(page, slots={"cards": "inventory/panels/…html", …},
  context=fn)``. ``fn(request, obj, shared)`` returns the template context once (``shared``
  is what the page already loaded and offers, so a panel need not query it again); each
  slot's template is rendered with it. The page renders
  ``render_panels(page, request, obj, shared)``, a ``{slot: [html, …]}`` dict, and places
  each slot where it belongs.
- **counts**: ``register_count(page, name, fn)``. ``fn(user)`` returns a query expression
  (e.g. ``lists.count_of(Asset, "municipality", user)``) that the page's queryset is
  annotated with under ``name``: ``queryset.annotate(**counts(page, user))``.

``page`` is the URL name of the page (``"organisations:municipality_detail"``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Panel:
    slots: dict[str, str]
    context: Callable[[Any, Any, dict], dict]
    order: int = 100


_panels: dict[str, list[Panel]] = defaultdict(list)
_counts: dict[str, dict[str, Callable[[Any], Any]]] = defaultdict(dict)


def register_panel(
    page: str, *, slots: dict[str, str], context: Callable[[Any, Any, dict], dict], order: int = 100
) -> None:
    """Show ``slots`` (slot name → template) on ``page``, rendered with ``context``."""
    _panels[page].append(Panel(dict(slots), context, order))
    _panels[page].sort(key=lambda panel: panel.order)


def render_panels(
    page: str, request, obj, shared: dict | None = None
) -> dict[str, list[SafeString]]:
    """Every registered panel of ``page`` rendered for ``obj``, by slot."""
    rendered: dict[str, list[SafeString]] = defaultdict(list)
    for panel in _panels.get(page, ()):
        context = panel.context(request, obj, shared or {})
        for slot, template in panel.slots.items():
            rendered[slot].append(render_to_string(template, context, request=request))
    return dict(rendered)


def register_count(page: str, name: str, expression: Callable[[Any], Any]) -> None:
    """Annotate the rows of ``page`` with ``name`` = ``expression(user)``."""
    _counts[page][name] = expression


def counts(page: str, user) -> dict[str, Any]:
    """The annotations registered for ``page``, ready for ``queryset.annotate(**…)``."""
    return {name: expression(user) for name, expression in _counts.get(page, {}).items()}
