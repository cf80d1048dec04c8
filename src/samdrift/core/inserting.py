"""The statements behind the bulk writer (``core.bulk``) and the change log's bulk rows:
many rows fast, on both engines, without the ORM (no instances, no signals).

On PostgreSQL rows go in with ``COPY … FROM STDIN`` as text (:func:`copy_text` makes a
value's field of it); on SQLite with ``executemany`` of a multi-row ``INSERT``. The
caller owns the transaction.

:func:`background_writing` lets a big write (an import) on PostgreSQL go on in a thread
of its own: while the server stores one batch, the caller's thread prepares the next
(waiting on the server, psycopg lets go of Python's lock, so on a machine with two cores
an import's Python work and the server's work overlap). The thread uses the caller's
connection and transaction, one statement at a time and in order; any other query from
the caller first waits until every batch sent is written, and an error in a batch is
raised in the caller's thread at its next write, query or the end (as Django's
``DatabaseError``).
"""

from __future__ import annotations

import functools
import itertools
import queue
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any

from django.db import connection, models

# Rows in one SQLite INSERT statement: about a third less time per row than one row to a
# statement (which runs the statement, and updates the AUTOINCREMENT counter, per row).
# Capped by the 999 parameters Django assumes a statement may have.
SQLITE_ROWS_PER_INSERT = 20
# Fewer rows than this are written one row to a statement, in a single ``executemany``:
# a small write is then always one statement, however many rows (tests count them).
SQLITE_MULTI_ROW_FROM = 1000

# sqlite3 binds None through its slow general path: it looks for an adapter, finds none
# and raises and clears two attribute errors, about 2 µs per None — a quarter of the
# time it takes to write a charge row, which has five or six. A registered adapter for
# None (dict.get of an empty dict returns None for any key, in C) is a dictionary hit.
# Process-wide and harmless: None is still bound as NULL.
sqlite3.register_adapter(type(None), {}.get)


def column_names(model: type[models.Model], fields: Sequence[str]) -> list[str]:
    """Database column names of ``fields`` (``"invoice"`` → ``"invoice_id"``)."""
    return [model._meta.get_field(name).column for name in fields]


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: Any) -> str:
    """One value as a field of PostgreSQL's COPY text format: ``\\N`` for NULL, text with
    backslash, tab, newline and carriage return escaped, bytes as ``\\x`` and hex,
    anything else as ``str`` gives it (ints, Decimals, dates, aware datetimes, UUIDs)."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.translate(_COPY_ESCAPES)
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return "\\\\x" + bytes(value).hex()
    return str(value)


def copy_lines(rows: Iterable[Sequence[Any]]) -> str:
    """Rows of Python values as COPY text, one line each."""
    return "".join(["\t".join(map(copy_text, row)) + "\n" for row in rows])


class Insert:
    """Writes rows of values for some columns of one table; see the module docstring.

    ``add`` takes rows prepared for the engine: on PostgreSQL a string of COPY text lines
    (:func:`copy_lines`), on SQLite a list of tuples of values sqlite3 binds (what the
    fields' ``get_db_prep_save`` gives).
    """

    def __init__(
        self, table: str, columns: Sequence[str], *, sqlite_rows_per_insert: int | None = None
    ) -> None:
        quote = connection.ops.quote_name
        self.table = table
        self.width = len(columns)
        self.sqlite_rows_per_insert = sqlite_rows_per_insert
        column_sql = ", ".join(quote(c) for c in columns)
        self.postgresql = connection.vendor == "postgresql"
        # Table and column names come from models' metadata, quoted: never from input.
        self.copy_sql = f"COPY {quote(table)} ({column_sql}) FROM STDIN"
        self.row_sql = "(" + ", ".join(["?"] * len(columns)) + ")"
        self.insert_sql = f"INSERT INTO {quote(table)} ({column_sql}) VALUES "  # noqa: S608

    @classmethod
    def for_fields(cls, model: type[models.Model], fields: Sequence[str]) -> Insert:
        return cls(model._meta.db_table, column_names(model, fields))

    def add(self, rows: str | list) -> None:
        if not rows:
            return
        writer = _current_writer()
        if writer is not None:
            writer.send(self, rows)
        else:
            self._write_here(rows)

    def write(self, database: Any, rows: str | list) -> None:
        """Write ``rows`` on the DB-API connection ``database``."""
        if self.postgresql:
            with database.cursor() as cursor, cursor.copy(self.copy_sql) as copy:
                copy.write(rows)
        else:
            _sqlite_insert(database, self, rows)

    def _write_here(self, rows: str | list) -> None:
        """Write in the caller's thread as a query through Django: past the connection's
        execute wrappers (one may have to end an open COPY first), logged where queries
        are, errors raised as Django's."""
        sql = self.copy_sql if self.postgresql else self.insert_sql + self.row_sql

        def execute(sql, params, many, context):
            self.write(connection.connection, rows)

        for wrapper in reversed(connection.execute_wrappers):
            execute = functools.partial(wrapper, execute)
        with connection.cursor() as cursor:
            connection.validate_no_broken_transaction()
            debug = getattr(cursor, "debug_sql", None)  # only while queries are logged
            with debug(sql) if debug else nullcontext(), connection.wrap_database_errors:
                execute(sql, None, False, {"connection": connection, "cursor": cursor})


def _sqlite_insert(database: sqlite3.Connection, insert: Insert, rows: list) -> None:
    """``executemany`` on the plain sqlite3 connection (Django's cursor wrapper would copy
    each row), SQLITE_ROWS_PER_INSERT rows to a statement once there are many (rows keep
    their order, and so their ids), the rest one row to a statement."""
    row_sql = insert.row_sql
    one = insert.insert_sql + row_sql
    per = insert.sqlite_rows_per_insert or SQLITE_ROWS_PER_INSERT
    per = max(1, min(per, 999 // max(insert.width, 1)))
    whole = len(rows) - len(rows) % per if per > 1 and len(rows) >= SQLITE_MULTI_ROW_FROM else 0
    if whole:
        many = one + (", " + row_sql) * (per - 1)
        flat = itertools.chain.from_iterable
        database.executemany(many, (tuple(flat(rows[i : i + per])) for i in range(0, whole, per)))
    if whole < len(rows):
        database.executemany(one, rows[whole:] if whole else rows)


# --- writing in a thread of its own ------------------------------------------------------

# Batches waiting for the writing thread: enough that it never waits for the caller, few
# enough to bound the memory they hold (an import's batch is 5,000 rows).
PENDING_BATCHES = 4

_writers: dict[int, BackgroundWriter] = {}


def _current_writer() -> BackgroundWriter | None:
    writer = _writers.get(threading.get_ident())
    if writer is not None and writer.alias == connection.alias:
        return writer
    return None


class BackgroundWriter:
    """Writes batches in order on the caller's connection, in a thread of its own."""

    def __init__(self) -> None:
        connection.ensure_connection()
        self.alias = connection.alias
        self.database = connection.connection
        self.jobs: queue.Queue = queue.Queue(maxsize=PENDING_BATCHES)
        self.error: BaseException | None = None
        self.raised = False
        self.cancelled = False
        self.thread = threading.Thread(target=self._run, name="samdrift-bulk-writer", daemon=True)

    def _run(self) -> None:
        while True:
            job = self.jobs.get()
            try:
                if job is None:
                    return
                if self.error is None and not self.cancelled:
                    insert, rows = job
                    insert.write(self.database, rows)
            except BaseException as error:  # handed to the caller's thread
                self.error = error
            finally:
                self.jobs.task_done()

    def send(self, insert: Insert, rows: str | list) -> None:
        self.raise_error()
        self.jobs.put((insert, rows))

    def drain(self) -> None:
        """Wait until every batch sent is written; raise the error of one that failed."""
        self.jobs.join()
        self.raise_error()

    def raise_error(self) -> None:
        if self.error is not None and not self.raised:
            self.raised = True
            # As Django would raise it (IntegrityError and so on), for the caller to catch.
            with connection.wrap_database_errors:
                raise self.error

    def _drain_before_query(self, execute, sql, params, many, context):
        self.drain()
        return execute(sql, params, many, context)

    def stop(self) -> None:
        self.jobs.put(None)
        self.thread.join()


@contextmanager
def background_writing() -> Iterator[None]:
    """Inside: :class:`Insert` batches of this thread are written by a thread of its own.

    Leaving waits for every batch to be written (and raises the error of one that
    failed); leaving with an error drops the batches not yet written, so the transaction
    can roll back. Not nested: an inner one writes in the outer one's thread.

    PostgreSQL only. sqlite3 lets go of Python's lock for each row SQLite stores and must
    take it back before the next: the two threads would take turns, each waiting out the
    other's time slice, rather than work side by side (measured: slower).
    """
    if connection.vendor != "postgresql" or _current_writer() is not None:
        yield
        return
    writer = BackgroundWriter()
    writer.thread.start()
    key = threading.get_ident()
    _writers[key] = writer
    try:
        with connection.execute_wrapper(writer._drain_before_query):
            yield
            writer.drain()
    except BaseException:
        writer.cancelled = True
        raise
    finally:
        del _writers[key]
        writer.stop()
