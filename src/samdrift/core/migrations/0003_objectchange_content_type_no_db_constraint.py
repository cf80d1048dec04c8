"""ObjectChange.content_type without a database constraint (see the model's comment).

On PostgreSQL the foreign key is dropped (found by its column, whatever its name). On
SQLite the table is left as it is: dropping a constraint there means copying the whole
change log, and SQLite's check of it costs little.
"""

import django.db.models.deletion
from django.db import migrations, models

FIND = """
SELECT con.conname FROM pg_constraint con
JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = ANY (con.conkey)
WHERE con.conrelid = 'core_objectchange'::regclass AND con.contype = 'f'
  AND att.attname = 'content_type_id'
"""


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FIND)
        for (name,) in cursor.fetchall():
            cursor.execute(f'ALTER TABLE core_objectchange DROP CONSTRAINT "{name}"')


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE core_objectchange ADD CONSTRAINT "
            '"core_objectchange_content_type_id_b3a6f4f6_fk_django_co" '
            "FOREIGN KEY (content_type_id) REFERENCES django_content_type (id) "
            "DEFERRABLE INITIALLY DEFERRED"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0002_objectchange_content_type_no_own_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_constraint, add_constraint)],
            state_operations=[
                migrations.AlterField(
                    model_name="objectchange",
                    name="content_type",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
            ],
        ),
    ]
