"""What the demo generator adds to the bulk writer for its big tables.

Django's ``bulk_create`` builds a model instance and an SQL parameter list per row, which
is fine for thousands of rows and slow for millions. The generator therefore assigns
primary keys itself (:class:`IdAllocator`) and writes plain tuples through the one bulk
writer (:func:`insert_rows`); afterwards the id sequences are moved past them. This is
the one engine-specific corner of the generator; tests/demo run it on both.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

from samdrift.core import bulk

# Rows per statement: the demo's rows are narrow, and fewer round trips pay.
BATCH_SIZE = 20_000


def db_timestamp(moment: datetime.datetime | None = None) -> Any:
    """A ``created``/``last_updated`` value as the backend stores it (SQLite: naive UTC)."""
    return connection.ops.adapt_datetimefield_value(moment or timezone.now())


class IdAllocator:
    """Hands out primary keys per model, continuing after the highest one stored.

    Knowing the keys before inserting lets related rows (assignments of an asset) be built
    in the same pass, without reading anything back.
    """

    def __init__(self) -> None:
        self._next: dict[type[models.Model], int] = {}

    def take(self, model: type[models.Model], count: int = 1) -> int:
        """Reserve ``count`` consecutive ids; returns the first."""
        if model not in self._next:
            highest = model._base_manager.aggregate(highest=Max("pk"))["highest"] or 0
            self._next[model] = highest + 1
        first = self._next[model]
        self._next[model] = first + count
        return first

    def models(self) -> list[type[models.Model]]:
        return list(self._next)


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    batch_size: int = BATCH_SIZE,
) -> int:
    """Insert ``rows`` (tuples in the order of ``columns``, attribute names such as
    ``municipality_id``) with ``core.bulk.insert_rows``, a batch at a time as they are
    generated. No change-log row per row: the step logs one summary row standing for the
    batch (``DemoContext.summary``) — a million generated rows nobody edited would make
    the change log mostly noise, and would double the time it takes to generate them."""
    return bulk.insert_rows(model, columns, rows, batch_size=batch_size, changelog=False)


def reset_sequences(model_list: Iterable[type[models.Model]]) -> None:
    """After inserting explicit ids, move PostgreSQL's id sequences past them (SQLite
    tracks AUTOINCREMENT by itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_list))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


@contextmanager
def foreign_keys_checked_at_end(model_list: Iterable[type[models.Model]]) -> Iterator[None]:
    """PostgreSQL: load these tables without their foreign keys, then add the keys back.

    Django's foreign keys are checked at commit, row by row: for a million rows that is
    millions of queued checks, each locking the row it points to. Adding a key back
    validates the whole table in one query (a join), and inside the same transaction,
    so every row is still checked and a bad one still rolls everything back. SQLite checks
    deferred keys cheaply by itself, so there nothing changes.
    """
    if connection.vendor != "postgresql":
        yield
        return
    quote = connection.ops.quote_name
    dropped: list[tuple[str, str, str]] = []
    with connection.cursor() as cursor:
        for model in model_list:
            table = model._meta.db_table
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
                [table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
                dropped.append((table, name, definition))
    yield
    with connection.cursor() as cursor:
        for table, name, definition in dropped:
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
