"""A list of values as one bound parameter: an array on PostgreSQL, a JSON list on SQLite.

``queryset.filter(pk__in=one_parameter(ids))`` instead of ``pk__in=ids``: Django prepares
an ``IN (…)`` list value by value, and SQLite bounds how many there may be. For the
100,000 asset tags of an import file the preparing took longer than the queries; for the
15,000 devices a search found, one parameter is planned as quickly as ten."""

from __future__ import annotations

import json

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL


def one_parameter(values: list) -> RawSQL:
    """A subquery of ``values`` (all texts, or all whole numbers; at least one)."""
    # Fixed SQL; the values are one bound parameter.
    if connection.vendor != "postgresql":
        return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(values)])
    if isinstance(values[0], str):
        return RawSQL("SELECT unnest(%s::text[])", [values])
    return RawSQL("SELECT unnest(%s::bigint[])", [values])


def any_of(column_sql: str, ids: list[int]) -> tuple[str, list]:
    """(sql, params): ``column_sql`` is one of ``ids`` (whole numbers; may be none), a
    condition tested on each row. On PostgreSQL an array compared with ``= ANY``: a
    constant the planner weighs with the column's statistics, and looks up in a hash
    table per row (an ``IN (subquery)`` under an ``OR`` it guessed to hold half of all
    rows)."""
    if not ids:
        return "1 = 0", []
    if connection.vendor != "postgresql":
        return f"{column_sql} IN (SELECT value FROM json_each(%s))", [json.dumps(ids)]  # noqa: S608
    return f"{column_sql} = ANY(%s::bigint[])", [ids]


def pk_among(model, ids: list[int]) -> Q:
    """Rows of ``model`` whose primary key is one of ``ids`` (``any_of``): for the ids a
    search collected."""
    meta = model._meta
    sql, params = any_of(f'"{meta.db_table}"."{meta.pk.column}"', ids)
    return Q(RawSQL(sql, params, output_field=BooleanField()))  # noqa: S611
