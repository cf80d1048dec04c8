"""The planner statistics (core.statistics): ``refresh`` runs ANALYZE, after which
SQLite's planner knows a person's assignments are few and a municipality's many."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count

from samdrift.core import statistics
from samdrift.inventory.models import Assignment
from tests.worlds import build_small_world, grow_small_world

pytestmark = pytest.mark.django_db


def _assignment_statistics() -> list:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'inventory_assignment'"
                " AND idx IS NOT NULL"
            )
        else:
            cursor.execute(
                "SELECT attname, n_distinct FROM pg_stats WHERE tablename = 'inventory_assignment'"
            )
        return cursor.fetchall()


def test_refresh_gives_the_planner_statistics_of_the_assignments():
    world = build_small_world(rows=3)
    grow_small_world(world, 5)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
        before = []
    else:
        before = _assignment_statistics()
    statistics.refresh()
    after = _assignment_statistics()
    assert after and after != before
    if connection.vendor == "sqlite":
        # "rows, rows per key": the person index knows its few rows per person.
        by_index = dict(after)
        person_index = next(name for name in by_index if "person_id" in name)
        rows, per_person = (int(n) for n in by_index[person_index].split()[:2])
        assert rows == Assignment.objects.count()
        most = max(
            Assignment.objects.values("person").annotate(n=Count("pk")).values_list("n", flat=True)
        )
        assert per_person <= most < rows


def test_the_command_refreshes_and_says_so(capsys):
    build_small_world(rows=3)
    call_command("analyze")
    assert "Statistics refreshed" in capsys.readouterr().out
    assert _assignment_statistics()


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_postgresql_also_vacuums():
    """After a bulk load the visibility map is empty: VACUUM fills it, so index-only scans
    (deep list pages) need not visit the table. Inside a transaction VACUUM cannot run, and
    ANALYZE alone is done (the tests above)."""
    build_small_world(rows=3)
    statistics.refresh()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'inventory_assignment'")
            counted = cursor.fetchone()[0]
            # Outside a transaction the statistics outlive the test (the flush empties the
            # tables, not sqlite_stat1), and later tests' plans would follow them.
            cursor.execute("DROP TABLE sqlite_stat1")
            assert counted > 0
            return
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT last_vacuum, last_analyze FROM pg_stat_user_tables "
            "WHERE relname = 'inventory_assignment'"
        )
        last_vacuum, last_analyze = cursor.fetchone()
    assert last_vacuum is not None and last_analyze is not None
