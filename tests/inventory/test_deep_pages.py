"""A deep numbered page of the asset list finds its rows' ids by walking the list's order
on an index alone (``ui.lists.page_rows``), then loads those rows with their joins.

What could spoil that: a join the walk does not need. The asset export's holder name is
an annotation on the municipality; added to the list too, it kept its join in the walk,
and PostgreSQL then read the table for every row passed (a plain index scan where an
index-only scan would do: 237 ms instead of 56 ms for page 21,675 of the large demo).
And on PostgreSQL the order (asset_tag, id) needs its own index: the unique index on
asset_tag holds no id there (SQLite's holds the row id). Migration inventory 0015."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from samdrift.inventory.tables import ASSET_TABLE
from tests import factories
from tests.plans import explain

pytestmark = pytest.mark.django_db


@pytest.fixture
def fleet(municipality_a, service_area_a):
    from samdrift.inventory.services import assign_asset

    assets = [factories.make_asset(asset_tag=f"FV-{n:04d}") for n in range(30)]
    for asset in assets:
        assign_asset(
            asset=asset,
            municipality=municipality_a,
            service_area=service_area_a,
            valid_from=datetime.date(2026, 1, 1),
        )
    return assets


def test_the_walk_to_a_deep_page_joins_nothing(client, operator, fleet):
    client.force_login(operator)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("inventory:asset_list"), {"page": 2, "per_page": 25})
    assert response.status_code == 200
    tags = [a.asset_tag for a in fleet]
    assert [row.asset_tag for row in response.context["page"].object_list] == sorted(tags)[25:]
    walks = [
        q["sql"]
        for q in queries.captured_queries
        if "OFFSET" in q["sql"] and '"inventory_asset"' in q["sql"]
    ]
    assert len(walks) == 1, walks
    assert "JOIN" not in walks[0], walks[0]
    if connection.vendor == "postgresql":
        plan = explain(walks[0], table="inventory_asset", index="", forbid_sort=True)
        assert "Index Only Scan using asset_tag_id_idx" in plan, plan


def test_the_export_still_names_the_holder(client, operator, fleet, municipality_a):
    client.force_login(operator)
    response = client.get(reverse("inventory:asset_list"), {"export": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    _header, *rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 30, text[:500]
    holder = [c.path for c in ASSET_TABLE.export_columns].index("holder_name")
    assert {row[holder] for row in rows} == {municipality_a.name}


def test_the_list_page_does_not_annotate_what_only_the_export_reads():
    from samdrift.inventory.models import Asset

    assert "holder_name" not in ASSET_TABLE.prepare(Asset.objects.all()).query.annotations
    exported = ASSET_TABLE.prepare(Asset.objects.all(), export=True)
    assert "holder_name" in exported.query.annotations


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
def test_postgresql_knows_a_service_area_lies_in_one_municipality():
    with connection.cursor() as cursor:
        cursor.execute("SELECT stxkind FROM pg_statistic_ext WHERE stxname = 'asset_holder_stats'")
        kinds = cursor.fetchone()
    assert kinds is not None
    assert set(kinds[0]) >= {"d", "f"}  # functional dependencies and n-distinct


def test_a_managers_list_is_counted_and_walked_on_the_scope_index(client, manager_a, fleet):
    # A manager's scope repeats the municipality beside the service area; counted and
    # walked through the (service area, tag) index, each row was read to check it (21 ms
    # a list page for Sørberg's 35,000). asset_area_scope_idx holds both, in tag order.
    client.force_login(manager_a)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("inventory:asset_list"), {"page": 2, "per_page": 25})
    assert response.status_code == 200
    assert response.context["paginator"].count == len(fleet)
    tags = sorted(a.asset_tag for a in fleet)
    assert [row.asset_tag for row in response.context["page"].object_list] == tags[25:]
    asset_queries = [q["sql"] for q in queries.captured_queries if '"inventory_asset"' in q["sql"]]
    counts = [sql for sql in asset_queries if "COUNT(" in sql.upper()]
    walks = [sql for sql in asset_queries if "OFFSET" in sql]
    assert len(counts) == 1 and len(walks) == 1, asset_queries
    for sql in (*counts, *walks):
        assert '"service_area_id"' in sql and '"municipality_id"' in sql, sql
    count_plan = explain(
        counts[0], table="inventory_asset", index="asset_area_scope_idx", index_only=True
    )
    walk_plan = explain(
        walks[0],
        table="inventory_asset",
        index="asset_area_scope_idx",
        forbid_sort=True,
        index_only=True,
    )
    if connection.vendor == "postgresql":
        assert "Index Only Scan using asset_area_scope_idx" in count_plan, count_plan
        assert "Index Only Scan using asset_area_scope_idx" in walk_plan, walk_plan
        assert "Sort" not in walk_plan, walk_plan
    else:
        assert "COVERING INDEX asset_area_scope_idx" in count_plan, count_plan
        assert "COVERING INDEX asset_area_scope_idx" in walk_plan, walk_plan
        assert "TEMP B-TREE" not in walk_plan, walk_plan


def test_the_migration_gives_the_new_index_statistics_where_there_are_some(fleet):
    # SQLite plans with the statistics it has: an index added without any, beside indexes
    # with some, looked cheaper than it is (migration inventory 0016).
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's statistics are per column")
    import importlib
    from types import SimpleNamespace

    migration = importlib.import_module("samdrift.inventory.migrations.0016_area_scope_index")
    editor = SimpleNamespace(connection=connection)

    def statistics() -> list:
        with connection.cursor() as cursor:
            cursor.execute("SELECT idx FROM sqlite_stat1 WHERE idx = 'asset_area_scope_idx'")
            return cursor.fetchall()

    def analysed() -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            return cursor.fetchone() is not None

    if not analysed():  # (another test may have analysed this database)
        migration.analyze_new_index(None, editor)
        assert not analysed()  # never analysed: left as it is
        with connection.cursor() as cursor:
            cursor.execute('ANALYZE "asset_muni_tag_idx"')  # statistics of another index
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sqlite_stat1 WHERE idx = 'asset_area_scope_idx'")
    assert statistics() == []
    migration.analyze_new_index(None, editor)
    assert statistics() == [("asset_area_scope_idx",)]
