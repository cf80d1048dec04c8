"""Billing's reads and deletes of many rows, past the ORM; its writes go through the one
bulk writer, ``core.bulk.TableWriter``.

A billing run writes up to millions of charge rows (``TableWriter`` with COPY text on
PostgreSQL, which keeps one COPY open while the run rates the next rows: the run hashes
the same text) and reads its input in large chunks (:func:`stream_rows`). A connection
in COPY can do nothing else, so the COPY is ended (``core.bulk.pause_writers``) before
every read of an input stream. Tested on both engines (tests/billing/test_bulk.py)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models

from samdrift.core.bulk import pause_writers

# Rows per write batch and per read chunk: big enough to amortise round trips, small
# enough to keep memory flat. Module constants so a test can make them tiny, which
# interleaves reads and writes on one connection as a big run does. A read ends the open
# COPY (the server finishes what it was sent before the read starts), so reads come in
# large chunks: 100,000 input rows hold about 40 MB.
WRITE_BATCH = 5000
READ_CHUNK = 100000


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

    chunk_size = chunk_size or READ_CHUNK
    sql, params = queryset.values_list(*fields).query.sql_with_params()
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        yield from _stream_postgresql(sql, params, chunk_size, hasher)
    else:
        yield from _stream_sqlite(sql, params, chunk_size, hasher, tuple(decimals))


def _stream_postgresql(sql: str, params, chunk_size: int, hasher):
    """Through a named (server-side) cursor, ending any open COPY before each fetch."""
    name = f"samdrift_stream_{next(_cursor_numbers)}"
    pause_writers()
    with connection.connection.cursor(name=name) as cursor:
        try:
            cursor.execute(sql, params)
            while True:
                pause_writers()
                rows = cursor.fetchmany(chunk_size)
                if not rows:
                    break
                if hasher is not None:
                    hasher.update(rows_text(rows))
                yield from rows
        finally:
            pause_writers()  # closing the cursor needs the connection too


def _stream_sqlite(sql: str, params, chunk_size: int, hasher, positions: tuple[int, ...]):
    """On the plain sqlite3 cursor; the columns at ``positions`` back to ``Decimal``."""
    from decimal import Decimal

    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # Django's SQLite wrapper: turns %s into ?
        cursor.execute(sql, params)
        as_decimal: dict = {}
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
                        # A few distinct numbers (quantities, prices) recur a million times.
                        key = (value, value.__class__)  # 1 and 1.0 give different text
                        exact = as_decimal.get(key)
                        if exact is None:
                            exact = as_decimal[key] = Decimal(repr(value))
                        row[position] = exact
                yield tuple(row)
