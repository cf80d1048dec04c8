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
        with background_writing():
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
