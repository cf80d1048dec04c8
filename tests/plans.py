"""The plan a query gets, for tests that pin the index that serves it.

A handful of test rows is read fastest without any index, and the statistics an
``ANALYZE`` leaves behind (SQLite keeps them in the connection even after the transaction
that made them is rolled back: the demo-building tests run one) can make a scan of twenty
rows the cheaper plan. So each engine is asked whether the index *can* serve the query,
whatever the rows: PostgreSQL may not scan the table (nor sort, when asked), and SQLite is
told ``INDEXED BY`` the index — it refuses the query ("no query solution") when the
index does not fit the query's expression or conditions."""

from __future__ import annotations

from django.db import connection


def explain(
    sql: str,
    params=(),
    *,
    table: str,
    index: str,
    forbid_sort: bool = False,
    index_only: bool = False,
) -> str:
    """``index_only``: on PostgreSQL, no plain index or bitmap scans either, for a test
    pinning an index-only scan: with a few rows two indexes can cost the same, and which
    one wins then depends on statistics other tests left behind."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            if index_only:
                cursor.execute("SET LOCAL enable_indexscan = off")
                cursor.execute("SET LOCAL enable_bitmapscan = off")
            if forbid_sort:
                cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            source = f'FROM "{table}"'
            assert source in sql, sql
            sql = sql.replace(source, f'{source} INDEXED BY "{index}"', 1)
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())
