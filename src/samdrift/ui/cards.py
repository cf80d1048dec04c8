"""Number cards: a count that links to the list of exactly those rows.

A card is defined by a list's own filter parameters and counted through the list's
FilterSet on the same restricted queryset the list starts from, so "1 204 due for
replacement" opens a list of 1 204. The app that owns a list says which parameters a card
uses (e.g. ``inventory.filtersets.in_service``); a page only picks them.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

from django.http import QueryDict
from django.urls import reverse

from samdrift.core.permissions import restrict


@dataclass(frozen=True)
class Card:
    """A card's number and the link to its rows."""

    count: int
    url: str


def card(
    *, user, url_name: str, filterset_class, params: dict, filterset_kwargs: dict | None = None
) -> Card:
    """Count the list at ``url_name`` filtered by ``params`` (what the list shows there).
    ``filterset_kwargs`` go to the FilterSet (e.g. rules read once for several cards)."""
    model = filterset_class._meta.model
    data = _query(params)
    filterset = filterset_class(
        data,
        queryset=restrict(model._default_manager.all(), user),
        request=SimpleNamespace(user=user),
        **(filterset_kwargs or {}),
    )
    return Card(count=filterset.filter_or_raise().count(), url=link(url_name, params))


def counted_card(*, count: int, url_name: str, params: dict) -> Card:
    """A card whose number is counted elsewhere — a summary kept of the same rows
    (e.g. ``planning.figures``), which tests compare with ``card``'s count — linking to
    the list at ``url_name`` filtered by ``params``, as ``card`` links."""
    return Card(count=count, url=link(url_name, params))


def _query(params: dict) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, value in params.items():
        values = value if isinstance(value, list | tuple) else [value]
        data.setlist(name, [v.isoformat() if hasattr(v, "isoformat") else str(v) for v in values])
    return data


def link(url_name: str, params: dict) -> str:
    """The list at ``url_name`` filtered by ``params``."""
    query = _query(params).urlencode()
    return f"{reverse(url_name)}?{query}" if query else reverse(url_name)
