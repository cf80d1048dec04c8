"""Two things only PostgreSQL needs (nothing happens on SQLite).

1. An index on ``(asset_tag, id)``: the asset list's default order. SQLite's unique index
   on ``asset_tag`` holds each row's id already, so it walks that order from the index
   alone; PostgreSQL's does not, and a deep page of the operator's list read every row
   before it from the table and sorted each tag's rows by id (374 ms for page 21,675 of
   the large demo; 105 ms from this index, cold).
2. Extended statistics on ``(municipality_id, service_area_id, status)``: a service
   area lies in one municipality, so the three conditions of a service-area manager's
   filtered list are far from independent. Without them the planner expected 877 rows
   where there were 33,608, joined every one of them to its holder and location before
   sorting, and the page took 158 ms; with them it sorts first and joins the page's 50
   (80 ms). ``samdrift analyze`` (``ANALYZE``) fills them.
"""

from django.db import migrations

FORWARD = [
    'CREATE INDEX IF NOT EXISTS "asset_tag_id_idx" ON "inventory_asset" ("asset_tag", "id")',
    'CREATE STATISTICS IF NOT EXISTS "asset_holder_stats" (dependencies, ndistinct) '
    'ON "municipality_id", "service_area_id", "status" FROM "inventory_asset"',
]
BACKWARD = [
    'DROP STATISTICS IF EXISTS "asset_holder_stats"',
    'DROP INDEX IF EXISTS "asset_tag_id_idx"',
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("inventory", "0014_holder_refresh")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD), elidable=False)]
