"""Keyset (cursor) pagination and cheap counts, shared by the API and the list pages.

An offset page (``LIMIT 50 OFFSET 500000``) makes the database walk past every row before
it; at a million assets that is most of a second. A keyset page starts where the last one
ended: ``WHERE (sort key, pk) > (the last row's)`` ``LIMIT 51``, which an index on the sort
key answers in the same time on page 1 and page 20,000.

The ordering must end on the primary key (``core.drf.StableOrderingFilter`` and
``ui.tables.Table.sort`` see to it; ``ordering_of`` adds it otherwise), so that the key is
unique and every row comes exactly once. Each term of the ordering is a field name or a
lookup through relations (``municipality__name``); a queryset ordered by an expression
has no keyset (``ordering_of`` answers ``None``) and is paged by offset.

A cursor is the last (or first) row's key values, with the ordering it belongs to, as
URL-safe base64 JSON. It is not signed and needs not be: it only says where to start
inside the queryset the user may see anyway (``restrict`` is applied before it), so a
forged cursor can skip rows but never reveal one. A cursor that does not decode, or was
made for another ordering, is a ``CursorError`` (the API answers 400, a list page shows
its first page).

NULLs: SQLite sorts them first in ascending order, PostgreSQL last. The conditions below
follow the engine's own order rather than forcing ``NULLS FIRST`` (which the indexes
would not serve on PostgreSQL).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import decimal
import json
import math
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist, FieldError, ValidationError
from django.db import connections
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.db.models.query import ModelIterable
from django.utils.translation import gettext as _

# Exact counts up to this many rows; beyond, an estimate (``count_rows``).
EXACT_COUNT_LIMIT = 10_000
KEY_PREFIX = "_keyset_"


class CursorError(ValueError):
    """A cursor that cannot be used: not one of ours, or made for another ordering."""


@dataclass(frozen=True)
class Term:
    """One term of an ordering: a field path and its direction."""

    path: str
    descending: bool

    @property
    def text(self) -> str:
        return f"-{self.path}" if self.descending else self.path


def ordering_of(queryset: QuerySet) -> list[Term] | None:
    """The queryset's ordering as terms ending on ``pk``, or ``None`` when a term is an
    expression (no keyset then)."""
    ordering = list(queryset.query.order_by or queryset.model._meta.ordering or [])
    terms: list[Term] = []
    pk_name = queryset.model._meta.pk.name
    for item in ordering:
        if isinstance(item, OrderBy) and isinstance(item.expression, F):
            terms.append(Term(item.expression.name, item.descending))
            continue
        if not isinstance(item, str) or item == "?" or "." in item:
            return None
        terms.append(Term(item.lstrip("-"), item.startswith("-")))
    terms = [Term("pk" if t.path in ("id", pk_name) else t.path, t.descending) for t in terms]
    # Terms after the primary key can never decide an order: drop them.
    for index, term in enumerate(terms):
        if term.path == "pk":
            return terms[: index + 1]
    return [*terms, Term("pk", False)]


def _nulls_sort_high(queryset: QuerySet) -> bool:
    """Whether the engine sorts NULL after every value in ascending order."""
    return connections[queryset.db].vendor != "sqlite"


def _may_be_null(model, path: str) -> bool:
    """Whether a term's value can be NULL: a nullable column, or one reached through a
    nullable relation (a LEFT JOIN). Unknown (an annotation): assume it can."""
    if path == "pk":
        return False
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return True
        if field.null or not field.concrete:
            return True
        if field.is_relation:
            model = field.related_model
    return False


def _storable(value: Any) -> bool:
    """A number a database can compare with: a 64-bit integer, a finite float (JSON lets
    through 10**30 and NaN, which SQLite refuses with an error, not a 400)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return -(2**63) <= value < 2**63
    if isinstance(value, float):
        return math.isfinite(value)
    return True


def _encode_value(value: Any) -> Any:
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()  # full precision: DjangoJSONEncoder drops microseconds
    if isinstance(value, decimal.Decimal):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


class Keyset:
    """The key of one ordering: reads it from rows and turns a cursor into a filter."""

    def __init__(self, queryset: QuerySet, terms: list[Term]):
        self.terms = terms
        # The key values are read in the page's own query, by annotation: a key through
        # a relation (``municipality__name``) costs no query per row.
        self.names = [f"{KEY_PREFIX}{i}" for i in range(len(terms))]
        self.queryset = queryset.annotate(
            **{name: F(term.path) for name, term in zip(self.names, terms, strict=True)}
        )
        self.nulls_high = _nulls_sort_high(queryset)
        self.nullable = [_may_be_null(queryset.model, term.path) for term in terms]

    @property
    def signature(self) -> str:
        return ",".join(t.text for t in self.terms)

    def values(self, row: Any) -> list[Any]:
        return [getattr(row, name) for name in self.names]

    def cursor(self, row: Any, *, backwards: bool = False) -> str:
        """A cursor for the rows after ``row`` (or before it, ``backwards``)."""
        payload = {
            "o": self.signature,
            "k": [_encode_value(v) for v in self.values(row)],
            "b": backwards,
        }
        raw = json.dumps(payload, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, token: str) -> tuple[list[Any], bool]:
        """The key values and direction a cursor names; ``CursorError`` if it is not a
        cursor of this ordering."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            payload = json.loads(raw)
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise CursorError(_("This is not a valid cursor.")) from None
        if (
            not isinstance(payload, dict)
            or not isinstance(payload.get("k"), list)
            or not isinstance(payload.get("b"), bool)
            or len(payload["k"]) != len(self.terms)
        ):
            raise CursorError(_("This is not a valid cursor."))
        if payload.get("o") != self.signature:
            raise CursorError(_("This cursor belongs to another ordering; start again."))
        values = []
        for name, value in zip(self.names, payload["k"], strict=True):
            if value is None:
                values.append(None)
                continue
            if not isinstance(value, (str, int, float, bool)) or not _storable(value):
                raise CursorError(_("This is not a valid cursor."))
            field = self.queryset.query.annotations[name].output_field
            try:
                values.append(field.to_python(value))
            except (ValidationError, TypeError, ValueError, OverflowError):
                raise CursorError(_("This is not a valid cursor.")) from None
        return values, payload["b"]

    def _beyond(self, term: Term, name: str, value: Any, forward: bool, nullable: bool) -> Q | None:
        """Rows whose ``term`` comes strictly after ``value`` in the walking direction
        (``None``: no row can)."""
        # Walking forward in descending order (or backwards in ascending) means smaller.
        greater = forward != term.descending
        null_is_beyond = nullable and greater == self.nulls_high
        if value is None:
            # Past NULL lie the non-NULLs only if NULLs come first in this direction.
            return None if null_is_beyond else Q(**{f"{name}__isnull": False})
        condition = Q(**{f"{name}__{'gt' if greater else 'lt'}": value})
        if null_is_beyond:
            condition |= Q(**{f"{name}__isnull": True})
        return condition

    def _bound(self, term: Term, name: str, value: Any, forward: bool, nullable: bool) -> Q | None:
        """A plain range on the leading term (``a >= x``) that the condition implies:
        it lets the database seek in the index instead of walking it from the start."""
        greater = forward != term.descending
        if value is None or (nullable and greater == self.nulls_high):
            return None  # NULLs lie ahead too: no simple range
        return Q(**{f"{name}__{'gte' if greater else 'lte'}": value})

    def after(self, values: list[Any], *, forward: bool = True) -> QuerySet:
        """The rows strictly after (``forward``) or before the row with key ``values``,
        in walking order (backwards: reversed)."""
        # (a > x) OR (a = x AND b > y) OR (a = x AND b = y AND pk > z) …
        alternatives = []
        equal = Q()
        for term, name, value, nullable in zip(
            self.terms, self.names, values, self.nullable, strict=True
        ):
            beyond = self._beyond(term, name, value, forward, nullable)
            if beyond is not None:
                alternatives.append(equal & beyond)
            equal &= Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})
        if not alternatives:
            return self.queryset.none()
        condition = alternatives[0]
        for alternative in alternatives[1:]:
            condition |= alternative
        queryset = self.queryset.filter(condition)
        bound = self._bound(self.terms[0], self.names[0], values[0], forward, self.nullable[0])
        if bound is not None:
            queryset = queryset.filter(bound)
        return self.ordered(queryset, forward=forward)

    def ordered(self, queryset: QuerySet | None = None, *, forward: bool = True) -> QuerySet:
        queryset = self.queryset if queryset is None else queryset
        terms = [t.text if forward else Term(t.path, not t.descending).text for t in self.terms]
        return queryset.order_by(*terms)


def keyset_for(queryset: QuerySet) -> Keyset | None:
    """The keyset of the queryset's ordering, or ``None`` when it has none."""
    query = queryset.query
    # Rows as dicts or tuples, a union, a slice: nothing to annotate or filter; by offset.
    if queryset._iterable_class is not ModelIterable or query.combinator or query.is_sliced:
        return None
    terms = ordering_of(queryset)
    if terms is None:
        return None
    try:
        return Keyset(queryset, terms)
    except FieldError:
        return None


@dataclass(frozen=True)
class KeysetPage:
    rows: list
    next_cursor: str | None
    previous_cursor: str | None


def rows_of(queryset: QuerySet, start: int, stop: int) -> list:
    """``queryset[start:stop]``, in two steps when its rows are joined to others
    (``select_related``): the ids first, found by what orders and filters them alone,
    then just those rows with their joins.

    One query more, but the database no longer joins every row it passes: an offset
    walks past its rows on the sort's index alone, and a sort no index serves (the
    operator's 1.1 million assets by acquisition date) sorts the ids without joining each
    row first (0.94 s joined, 0.13 s by id on SQLite)."""
    if not queryset.query.select_related:
        return list(queryset[start:stop])
    pks = list(queryset.values_list("pk", flat=True)[start:stop])
    found = {row.pk: row for row in queryset.filter(pk__in=pks).order_by()}
    return [found[pk] for pk in pks if pk in found]


def keyset_page(
    keyset: Keyset, size: int, cursor: str | None, *, deferred: bool = False
) -> KeysetPage:
    """One page of ``size`` rows from ``cursor`` (``None``: the first page). Raises
    ``CursorError`` for a cursor that is not this ordering's. ``deferred``: read the
    page's ids first (``rows_of``), for pages whose rows are joined to many others."""
    if cursor:
        values, backwards = keyset.decode(cursor)
        queryset = keyset.after(values, forward=not backwards)
    else:
        backwards = False
        queryset = keyset.ordered()
    rows = rows_of(queryset, 0, size + 1) if deferred else list(queryset[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    if not rows:
        return KeysetPage(rows, None, None)
    # Forward: a next page if more rows came; a previous one if we started from a cursor.
    # Backwards: the mirror image.
    has_next = more if not backwards else bool(cursor)
    has_previous = bool(cursor) if not backwards else more
    return KeysetPage(
        rows,
        keyset.cursor(rows[-1]) if has_next else None,
        keyset.cursor(rows[0], backwards=True) if has_previous else None,
    )


def count_rows(queryset: QuerySet, *, limit: int = EXACT_COUNT_LIMIT) -> tuple[int, bool]:
    """How many rows ``queryset`` has, and whether that is an estimate.

    Exact up to ``limit`` rows (a count stopped after ``limit + 1``, cheap through any
    index). Beyond, PostgreSQL answers the planner's estimate (``EXPLAIN``), never
    lower than ``limit``; SQLite counts exactly, which its covering indexes answer in a
    few tens of milliseconds at the design scale (measured in docs/ui.md), so it never
    estimates.
    """
    queryset = queryset.order_by()
    if connections[queryset.db].vendor == "sqlite":
        return queryset.count(), False
    capped = queryset.values("pk")[: limit + 1].count()
    if capped <= limit:
        return capped, False
    return max(_planner_estimate(queryset), limit + 1), True


def _planner_estimate(queryset: QuerySet) -> int:
    """PostgreSQL's estimate of the queryset's row count, from its plan."""
    sql, params = queryset.values("pk").query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])
