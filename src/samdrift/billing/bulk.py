"""Engine-specific bulk writing and deleting, behind one small interface.

A billing run writes up to millions of charge rows. On PostgreSQL the fastest way in is
``COPY … FROM STDIN``; on SQLite it is ``executemany`` on the raw connection inside the
run's transaction (``core.bulk``, which the imports and the change log use too). Both
skip the ORM (no model instances, no signals). Tested on both engines
(tests/billing/test_bulk.py).

:class:`TableWriter` is what a run uses: on PostgreSQL it takes each row as a line of COPY
text (:func:`copy_text` and ``FORMAT % row`` make it; the run hashes the same text) and
keeps one COPY open while the run rates the next rows, so the database stores rows while
Python makes more. A connection in COPY can do nothing else, so the COPY is ended
(:func:`pause_writers`) before every read of an input stream and, through a Django execute
wrapper, before any other query; the next row opens a new one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from django.db import connection, models

# Shared with the imports and the change log (and imported from here by billing's code).
from samdrift.core.bulk import column_names, copy_text, insert_rows

__all__ = [
    "READ_CHUNK",
    "WRITE_BATCH",
    "TableWriter",
    "column_names",
    "copy_text",
    "insert_rows",
    "pause_writers",
    "raw_delete",
    "stream_rows",
]

# Rows per write batch and per read chunk: big enough to amortise round trips, small
# enough to keep memory flat. Module constants so a test can make them tiny, which
# interleaves reads and writes on one connection as a big run does. A read ends the open
# COPY (the server finishes what it was sent before the read starts), so reads come in
# large chunks: 100,000 input rows hold about 40 MB.
WRITE_BATCH = 5000
READ_CHUNK = 100000

_open_writers: list[TableWriter] = []


def pause_writers() -> None:
    """End every open COPY, so that the connection can be used for something else."""
    for writer in list(_open_writers):
        writer.pause()


class TableWriter:
    """Writes rows into ``model``'s table in the caller's transaction, in batches.

    ``text`` says what :meth:`add` takes: a line of COPY text (``\\n``-terminated, fields
    in ``fields`` order, see :func:`copy_text`) on PostgreSQL, a tuple of Python values
    on SQLite. Use it as a context manager: leaving it writes what is left and ends the
    COPY (or abandons it, on an error, so that the transaction can roll back).
    """

    def __init__(
        self, model: type[models.Model], fields: Sequence[str], *, batch_size: int | None = None
    ):
        self.model = model
        self.fields = list(fields)
        self.batch_size = batch_size or WRITE_BATCH
        self.text = connection.vendor == "postgresql"
        self.buffer: list = []
        self.written = 0
        self._copy = None
        self._stack: contextlib.ExitStack | None = None
        self._wrapper = None

    def __enter__(self) -> TableWriter:
        _open_writers.append(self)
        if self.text:
            self._wrapper = connection.execute_wrapper(self._pause_before_query)
            self._wrapper.__enter__()
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        try:
            if exc_type is None:
                self.flush()
            self.pause(exc_type, exc, traceback)
        finally:
            _open_writers.remove(self)
            if self._wrapper is not None:
                self._wrapper.__exit__(exc_type, exc, traceback)

    def _pause_before_query(self, execute, sql, params, many, context):
        self.pause()
        return execute(sql, params, many, context)

    def add(self, row) -> None:
        self.buffer.append(row)
        if len(self.buffer) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        if self.text:
            if self._copy is None:
                table = self.model._meta.db_table
                quote = connection.ops.quote_name
                columns = ", ".join(quote(c) for c in column_names(self.model, self.fields))
                # Table and column names come from the model's meta, never from input.
                sql = f"COPY {quote(table)} ({columns}) FROM STDIN"
                self._stack = contextlib.ExitStack()
                cursor = self._stack.enter_context(connection.connection.cursor())
                self._copy = self._stack.enter_context(cursor.copy(sql))
            self._copy.write("".join(self.buffer).encode())
            self.written += len(self.buffer)
        else:
            self.written += insert_rows(self.model, self.fields, self.buffer)
        self.buffer = []

    def pause(self, exc_type=None, exc=None, traceback=None) -> None:
        """End the open COPY (the server stores the rest of what it was sent)."""
        if self._stack is not None:
            stack, self._stack, self._copy = self._stack, None, None
            stack.__exit__(exc_type, exc, traceback)


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
        return
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # Django's SQLite wrapper: turns %s into ?
        cursor.execute(sql, params)
        positions = tuple(decimals)
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
