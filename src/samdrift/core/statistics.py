"""The query planner's statistics, refreshed after a bulk load.

SQLite keeps no statistics until ``ANALYZE`` runs. Without them its planner guesses, and
at the design scale it guesses wrong where it hurts: for "this person's (or this asset's)
assignments in municipality M, by date" it walks the whole municipality through the
(municipality, valid_from) index — 50,000 rows — instead of the two rows behind the
person's own index (0.8 s instead of 1 ms on the large demo's person page). With
statistics it picks the selective index, as PostgreSQL (whose autovacuum keeps its
statistics current) already does.

``refresh()`` runs after the demo generator's bulk load; ``samdrift analyze`` runs it by
hand (after a big import into a fresh database). The plans only need the rough shape of
the data (a person holds a handful of rows, a municipality thousands), so statistics do
not go stale with everyday writes. ANALYZE of the large demo takes ~10 s on SQLite.

On PostgreSQL the refresh is ``VACUUM ANALYZE`` when it can be (not inside a transaction):
after a bulk load the visibility map is empty until autovacuum comes by, so an index-only
scan — a deep numbered list page reads 50 ids from an index — must still visit the table
for every row it passes (250,000 heap fetches seen on a fresh copy of the large demo).
"""

from __future__ import annotations

from django.db import connections


def refresh(using: str = "default") -> None:
    """Recompute the planner statistics of every table."""
    connection = connections[using]
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
