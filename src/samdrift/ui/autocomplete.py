"""Picking one of thousands (a person, an asset) without a <select> of thousands.

An app registers a **source** from its ``AppConfig.ready()``: the model's rows to offer,
the fields a typed text is looked for in, a label, and the filters a form may pin
(``municipality``)::

    autocomplete.register("person", queryset=Person.objects.order_by("last_name"),
                          search_fields=("first_name", "last_name", "username"),
                          filters={"municipality": "municipality_id"})

A form field keeps its ``ModelChoiceField`` (whose queryset, restricted to the user, is
what validates the posted id) and takes the widget ``ui.forms.AutocompleteSelect(source)``.
The widget renders a text box, a hidden input holding the chosen id, and an empty list;
``samdrift.js`` asks ``ui:autocomplete`` for matches as one types (htmx, at least
``MIN_LENGTH`` characters, at most ``LIMIT`` matches) and fills the hidden input on a pick
(arrows, Enter, Escape, or a click). Without JavaScript the id is typed in a plain box.

The endpoint starts from ``core.permissions.restrict``: a municipality's user is never
offered another municipality's rows — and the form would refuse such an id anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.shortcuts import render

from samdrift.core.permissions import restrict
from samdrift.core.validators import parse_id

MIN_LENGTH = 2
LIMIT = 20


@dataclass(frozen=True)
class Source:
    key: str
    queryset: QuerySet
    search_fields: tuple[str, ...]
    label: Callable[[Model], str] = str
    filters: dict[str, str] = field(default_factory=dict)  # GET parameter → lookup


_sources: dict[str, Source] = {}


def register(
    key: str,
    *,
    queryset: QuerySet,
    search_fields: tuple[str, ...],
    label: Callable[[Model], str] = str,
    filters: dict[str, str] | None = None,
) -> None:
    _sources[key] = Source(key, queryset, tuple(search_fields), label, dict(filters or {}))


def source(key: str) -> Source:
    try:
        return _sources[key]
    except KeyError:
        raise LookupError(f"No autocomplete source {key!r} is registered.") from None


def matches(user, key: str, query: str, params=None) -> list[tuple[int, str]]:
    """(id, label) of at most ``LIMIT`` rows the user may see whose search fields hold
    every word of ``query``; none for fewer than ``MIN_LENGTH`` characters. ``params``:
    the source's filters, each an id (anything else matches nothing)."""
    found = source(key)
    query = " ".join(query.split())
    if len(query) < MIN_LENGTH:
        return []
    rows = restrict(found.queryset.all(), user)
    for name, lookup in found.filters.items():
        value = (params or {}).get(name, "")
        if value == "":
            continue
        if parse_id(value) is None:
            return []
        rows = rows.filter(**{lookup: parse_id(value)})
    for word in query.split():
        condition = Q()
        for name in found.search_fields:
            condition |= Q(**{f"{name}__icontains": word})
        if parse_id(word) is not None:
            condition |= Q(pk=parse_id(word))
        rows = rows.filter(condition)
    return [(row.pk, found.label(row)) for row in rows[:LIMIT]]


@login_required
def autocomplete_view(request, key: str):
    """The matches as the list's <li role="option">s (an htmx fragment)."""
    if key not in _sources:
        raise Http404("No such list.")
    query = request.GET.get("q", "")
    return render(
        request,
        "web/includes/autocomplete_options.html",
        {
            "options": matches(request.user, key, query, request.GET),
            "too_short": len(" ".join(query.split())) < MIN_LENGTH,
            "min_length": MIN_LENGTH,
        },
    )
