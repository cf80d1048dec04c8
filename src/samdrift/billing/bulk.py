"""Engine-specific bulk writing and deleting, behind one small interface.

A billing run writes up to millions of charge rows. On PostgreSQL the fastest way in is
``COPY … FROM STDIN`` (psycopg's ``cursor.copy``); on SQLite it is ``executemany`` on the
raw connection inside the run's transaction. Both take plain tuples in column order and
skip the ORM (no model instances, no signals). Tested on both engines.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, models


def column_names(model: type[models.Model], fields: Sequence[str]) -> list[str]:
    """Database column names of ``fields`` (``"invoice"`` → ``"invoice_id"``)."""
    return [model._meta.get_field(name).column for name in fields]


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert ``rows`` (tuples of Python values in ``fields`` order) into ``model``'s table.

    Must run inside a transaction the caller owns. Returns how many rows were written.
    """
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return 0
    table = model._meta.db_table
    columns = column_names(model, fields)
    quote = connection.ops.quote_name
    column_sql = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if connection.vendor == "postgresql":
            with raw.copy(f"COPY {quote(table)} ({column_sql}) FROM STDIN") as copy:
                write = copy.write_row
                for row in rows:
                    write(row)
        else:
            marker = "?" if connection.vendor == "sqlite" else "%s"
            placeholders = ", ".join([marker] * len(columns))
            # Table and column names come from the model's meta, never from input.
            sql = f"INSERT INTO {quote(table)} ({column_sql}) VALUES ({placeholders})"  # noqa: S608
            raw.executemany(sql, rows)
    return len(rows)


class RowWriter:
    """Collects rows and writes them in batches with :func:`insert_rows`."""

    def __init__(
        self, model: type[models.Model], fields: Sequence[str], *, batch_size: int = 20000
    ):
        self.model = model
        self.fields = list(fields)
        self.batch_size = batch_size
        self.buffer: list[tuple] = []
        self.written = 0

    def add(self, row: tuple) -> None:
        self.buffer.append(row)
        if len(self.buffer) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.written += insert_rows(self.model, self.fields, self.buffer)
            self.buffer = []


def raw_delete(queryset: models.QuerySet) -> int:
    """Delete the rows of ``queryset`` in one statement, without loading them.

    ``QuerySet.delete()`` loads every row when any delete signal is connected (the change
    log connects one for all models), which for a million charges costs minutes and
    gigabytes. Charges and invoice lines have no signals and nothing cascades from them.
    """
    return queryset._raw_delete(queryset.db)
