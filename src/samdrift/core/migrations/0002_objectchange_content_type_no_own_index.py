"""ObjectChange.content_type without an index of its own: the (content_type, object_id)
index serves it; one index fewer to update per change-log row (issue #6). Dropped by name
(the same on both engines) so that SQLite does not copy the change log.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "core_objectchange_content_type_id_b3a6f4f6"',
                    reverse_sql=(
                        'CREATE INDEX "core_objectchange_content_type_id_b3a6f4f6" '
                        'ON "core_objectchange" ("content_type_id")'
                    ),
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="objectchange",
                    name="content_type",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
            ],
        ),
    ]
