"""Person.municipality without an index of its own: the (municipality, service_area)
index and the unique (municipality, username) one serve it; one index fewer to update
per imported person (issue #6). Dropped by name (the same on both engines) so that
SQLite does not copy the table.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "organisations_person_municipality_id_914aa9ec"',
                    reverse_sql=(
                        'CREATE INDEX "organisations_person_municipality_id_914aa9ec" '
                        'ON "organisations_person" ("municipality_id")'
                    ),
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="person",
                    name="municipality",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="persons",
                        to="organisations.municipality",
                        verbose_name="municipality",
                    ),
                ),
            ],
        ),
    ]
