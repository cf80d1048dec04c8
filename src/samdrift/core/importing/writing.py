"""What an import adds to the bulk writer (``core.bulk.TableWriter``, which writes its
new rows with their change log): the writing settings for a big import.

Only inserts go through the writer. Updates (rare, and only with ``--update``) use
Django's ``bulk_update`` and ``record_bulk_changes``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from samdrift.core.inserting import background_writing

# SQLite's page cache while an import writes (KiB, negative as PRAGMA cache_size wants):
# large enough that the tables' and indexes' pages touched by 100,000 new rows stay in
# memory instead of being spilled and read back (about 7 % faster), small enough to keep
# the process well under 1 GB.
SQLITE_IMPORT_CACHE_KIB = 256 * 1024


@contextmanager
def bulk_writing() -> Iterator[None]:
    """Settings for writing many rows in the current transaction: on PostgreSQL, batches
    written in a thread of their own (``core.inserting.background_writing``); on SQLite, a
    larger page cache (restored afterwards)."""
    if connection.vendor != "sqlite":
        with background_writing(), foreign_keys_checked_per_statement():
            yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_IMPORT_CACHE_KIB:d}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous):d}")


@contextmanager
def foreign_keys_guaranteed() -> Iterator[None]:
    """SQLite: the import's own transaction without foreign-key enforcement, where the
    import guarantees every key itself (docs/import.md, "Speed").

    SQLite checks each new row's keys one by one (an index look-up per key: about a
    tenth of the time the 400,000 rows of a 100,000-asset import take to store). The
    import makes them right by construction: every id it writes was read in this
    transaction (products, locations, persons, service areas, the municipality, the
    change log's content type and user) or given by the writer in it, to a row written
    before the rows that name it; and the transaction is IMMEDIATE — it holds the write
    lock from its first statement — so nobody can delete what the plan found before
    the rows naming it are in. Only then: the pragma works only outside a transaction,
    so an import inside a caller's transaction (tests, callers of ``run_import``) keeps
    the checks, and so does one on a connection whose transactions are not IMMEDIATE.
    Checks are back on when the transaction ends, committed or not.
    """
    if (
        connection.vendor != "sqlite"
        or connection.in_atomic_block
        or connection.settings_dict.get("OPTIONS", {}).get("transaction_mode") != "IMMEDIATE"
    ):
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys = ON")


@contextmanager
def foreign_keys_checked_per_statement() -> Iterator[None]:
    """PostgreSQL: Django's foreign keys are DEFERRABLE INITIALLY DEFERRED, so every
    row's checks wait in a queue until COMMIT and then run one after another while
    nothing else happens. Checked IMMEDIATE, each batch's checks run at the end of its
    COPY, in the writing thread, while the caller prepares the next batch; every row is
    still checked, and a bad one still fails the import. The import writes referenced
    rows (products, locations, persons, assets) before the rows that refer to them, so
    no check sees a row that only a later batch would bring."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    # Back as Django declares them for the rest of the transaction (after an error the
    # transaction only rolls back: nothing to restore).
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
