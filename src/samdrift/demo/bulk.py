"""Fast inserts for the demo generator's big tables.

Django's ``bulk_create`` builds a model instance and an SQL parameter list per row, which
is fine for thousands of rows and slow for millions. The generator therefore assigns
primary keys itself and writes plain tuples: PostgreSQL gets them through ``COPY`` (one
stream, the fastest way in), SQLite through ``executemany`` on one prepared statement.
This is the one engine-specific corner of the generator; tests/demo run it on both.
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
    """Insert ``rows`` (tuples in the order of ``columns``, given as attribute names such as
    ``municipality_id``) into ``model``'s table. Sends no signals and runs no validation:
    the caller builds valid rows. Returns how many rows were written."""
    by_attname = {field.attname: field.column for field in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column_list = ", ".join(quote(by_attname[name]) for name in columns)
    connection.ensure_connection()
    raw = connection.connection
    written = 0
    if connection.vendor == "postgresql":
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
                written += 1
        return written
    if connection.vendor != "sqlite":
        raise NotImplementedError(
            f"The demo generator supports SQLite and PostgreSQL, not {connection.vendor}."
        )
    placeholders = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})"  # noqa: S608 (names are quoted model metadata)
    cursor = raw.cursor()
    try:
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= batch_size:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    finally:
        cursor.close()
    return written


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
