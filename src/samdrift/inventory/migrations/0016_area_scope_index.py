"""An index for a service-area manager's scope (municipality and service area): the asset
list's count and its walk in tag order are read from it alone (inventory.models.Asset.Meta).

On SQLite, a database whose statistics were gathered (``samdrift analyze``) gets this
index's too: SQLite plans with the statistics it has, and a new index without any looked
cheaper than it is — an operator's list filtered by service area alone sorted the area's
rows through it instead of walking ``asset_area_tag_idx`` in order."""

from django.db import migrations, models


def analyze_new_index(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return  # PostgreSQL's statistics are per column: a new index needs none
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is not None:
            cursor.execute('ANALYZE "asset_area_scope_idx"')


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0003_leasing_models_moved"),
        ("inventory", "0015_postgres_tag_order_and_holder_statistics"),
        ("organisations", "0007_person_started_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="asset",
            index=models.Index(
                fields=["service_area", "municipality", "asset_tag", "id"],
                name="asset_area_scope_idx",
            ),
        ),
        migrations.RunPython(analyze_new_index, migrations.RunPython.noop, elidable=True),
    ]
