"""Looking up what a file's rows refer to in as few queries as the database allows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import models

from samdrift.core.importing.parsing import (
    squash,
)
from samdrift.core.listparam import one_parameter


def other_municipalities(municipality) -> dict[str, str]:
    """The other municipalities by their names and numbers (squashed), for a message
    telling a row for another municipality from a name nobody knows. One query."""
    names: dict[str, str] = {}
    for other in type(municipality).objects.exclude(pk=municipality.pk):
        for text in (other.name, other.number, f"{other.name} kommune"):
            names.setdefault(squash(text), str(other))
    return names


def max_in_params() -> int:
    """How many values one ``IN (…)`` may carry on this database."""
    from django.db import connection

    if connection.vendor == "sqlite":
        # Django assumes SQLite's old default of 999 bound values per statement.
        return connection.features.max_query_params - 9
    return 20000  # PostgreSQL's wire protocol allows 65,535 parameters


def fetch_in(queryset: models.QuerySet, field_name: str, values: Iterable[Any]) -> Iterator[Any]:
    """``queryset.filter(field__in=values)`` in as few queries as the database allows.

    Texts and whole numbers go in as one parameter, in one query: an array on
    PostgreSQL, a JSON list on SQLite. Django prepares an ``IN (…)`` list value by
    value, which for the 100,000 asset tags and serial numbers of a file took longer
    than the queries themselves.
    """
    values = list(dict.fromkeys(v for v in values if v is not None and v != ""))
    if not values:
        return
    kinds = set(map(type, values))
    if kinds == {str} or kinds == {int}:
        yield from queryset.filter(**{f"{field_name}__in": one_parameter(values)})
        return
    size = max_in_params()
    for start in range(0, len(values), size):
        yield from queryset.filter(**{f"{field_name}__in": values[start : start + size]})
