"""Engine-specific bulk writing and deleting, behind one small interface.

A billing run writes up to millions of charge rows. On PostgreSQL the fastest way in is
``COPY … FROM STDIN`` (psycopg's ``cursor.copy``); on SQLite it is ``executemany`` on the
raw connection inside the run's transaction. Both take plain tuples in column order and
skip the ORM (no model instances, no signals). Tested on both engines.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, models

# Rows per write batch and per read chunk: big enough to amortise round trips, small
# enough to keep memory flat. Module constants so a test can make them tiny, which
# interleaves reads and writes on one connection as a big run does.
WRITE_BATCH = 20000
READ_CHUNK = 20000


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
            if connection.vendor == "sqlite":
                # The plain sqlite3 connection: Django's cursor wrapper would copy each row.
                connection.connection.executemany(sql, rows)
            else:
                raw.executemany(sql, rows)
    return len(rows)


class RowWriter:
    """Collects rows and writes them in batches with :func:`insert_rows`."""

    def __init__(
        self, model: type[models.Model], fields: Sequence[str], *, batch_size: int | None = None
    ):
        self.model = model
        self.fields = list(fields)
        self.batch_size = batch_size or WRITE_BATCH
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


_cursor_numbers = iter(range(1, 1 << 62))


def rows_text(rows: list) -> bytes:
    """Rows as text for a hash, the same however the rows were split into chunks: the
    list's repr without its brackets, each chunk ending in ", " (computed in C)."""
    return (repr(rows)[1:-1] + ", ").encode()


def stream_rows(
    queryset: models.QuerySet,
    fields: Sequence[str],
    *,
    decimals: Sequence[int] = (),
    chunk_size: int | None = None,
    hasher=None,
):
    """Yield ``queryset.values_list(*fields)`` rows as plain tuples, fast.

    Skips Django's per-value converters (they cost more than the rating itself at a
    million rows). PostgreSQL streams through a named (server-side) cursor inside the
    caller's transaction; SQLite returns dates already parsed (the connection's declared
    types) but numbers as floats or ints, so the columns at ``decimals`` are turned back
    into ``Decimal`` through their shortest exact text (``repr``). With ``hasher``, each
    chunk of rows is fed to it (``repr`` of the chunk, computed in C).
    """
    from decimal import Decimal

    chunk_size = chunk_size or READ_CHUNK
    sql, params = queryset.values_list(*fields).query.sql_with_params()
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        name = f"samdrift_stream_{next(_cursor_numbers)}"
        with connection.connection.cursor(name=name) as cursor:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(chunk_size):
                if hasher is not None:
                    hasher.update(rows_text(rows))
                yield from rows
        return
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # Django's SQLite wrapper: turns %s into ?
        cursor.execute(sql, params)
        positions = tuple(decimals)
        while rows := cursor.fetchmany(chunk_size):
            if hasher is not None:
                hasher.update(rows_text(rows))
            if not positions:
                yield from rows
                continue
            for row in rows:
                row = list(row)
                for position in positions:
                    value = row[position]
                    if value is not None and not isinstance(value, Decimal):
                        row[position] = Decimal(repr(value))
                yield tuple(row)
