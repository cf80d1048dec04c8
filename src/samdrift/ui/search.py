"""The global search: one box in the header, one results page grouped by kind.

The search page lives in ``ui`` (below every domain app), so it cannot know devices or
invoices. Each app registers what it can find from its ``AppConfig.ready()``::

    from samdrift.ui.search import register
    register("devices", _("Devices"), search.find_devices,
             more_url=lambda q: reverse("inventory:asset_list") + "?" + urlencode({"q": q}))

A provider is ``provider(user, query, limit) -> list[SearchHit]``: at most ``limit`` hits
the user may see (``core.permissions.restrict`` is the provider's first step), best first,
each ``SearchHit(title, detail, url, exact)``. ``exact`` marks a hit whose identifier (a
device's asset tag or serial number, an invoice's number or KID) equals the query: those
come first, and when there is exactly one such hit in all kinds the page goes straight
to it. The page asks each provider for one hit more than it shows, to know whether to
offer the link to the full list (``more_url``), instead of counting.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

MIN_LENGTH = 2
MAX_LENGTH = 100
PER_KIND = 5


class SearchHit(NamedTuple):
    """One found object: what to call it, a line about it, and where it lives."""

    title: str
    detail: str
    url: str
    exact: bool = False


@dataclass(frozen=True)
class SearchProvider:
    kind: str
    label: Any
    find: Callable[[Any, str, int], list[SearchHit]]
    more_url: Callable[[str], str] | None = None
    order: int = 100


@dataclass(frozen=True)
class SearchGroup:
    """The hits of one kind, as the results page shows them."""

    kind: str
    label: Any
    hits: list[SearchHit]
    more_url: str | None  # set only when there are more hits than shown


_providers: dict[str, SearchProvider] = {}


def register(
    kind: str,
    label: Any,
    provider: Callable[[Any, str, int], list[SearchHit]],
    *,
    more_url: Callable[[str], str] | None = None,
    order: int = 100,
) -> None:
    """Search ``kind`` with ``provider``; registering a kind again replaces it."""
    _providers[kind] = SearchProvider(kind, label, provider, more_url, order)


def providers() -> list[SearchProvider]:
    return sorted(_providers.values(), key=lambda p: (p.order, p.kind))


class QueryError(ValueError):
    """A query that cannot be searched for, with a message to show the user."""


def clean_query(raw: str | None) -> str:
    """The query as searched for: control characters dropped (a NUL byte is refused by
    PostgreSQL), whitespace collapsed, at most ``MAX_LENGTH`` characters; "" when nothing
    is left (no search, no complaint). Raises ``QueryError`` when too little is left."""
    text = "".join(
        " " if unicodedata.category(char).startswith(("C", "Z")) else char
        for char in (raw or "")[: MAX_LENGTH * 4]
    )
    text = " ".join(text.split())[:MAX_LENGTH].strip()
    if 0 < len(text) < MIN_LENGTH:
        raise QueryError(
            _("Type at least %(count)d characters to search for.") % {"count": MIN_LENGTH}
        )
    return text


def search(user, query: str, *, limit: int = PER_KIND) -> list[SearchGroup]:
    """Every registered kind's hits of (an already cleaned) ``query`` for ``user``,
    kinds without hits left out; exact hits first within each kind."""
    groups = []
    for provider in providers():
        hits = list(provider.find(user, query, limit + 1))
        if not hits:
            continue
        more = len(hits) > limit
        hits = sorted(hits, key=lambda hit: not hit.exact)[:limit]  # stable: keeps the order
        more_url = provider.more_url(query) if more and provider.more_url else None
        groups.append(SearchGroup(provider.kind, provider.label, hits, more_url))
    return groups


def only_exact_hit(groups: list[SearchGroup]) -> SearchHit | None:
    """The one exact hit of all kinds, if there is exactly one: the page goes there."""
    exact = [hit for group in groups for hit in group.hits if hit.exact]
    return exact[0] if len(exact) == 1 else None
