"""Indexes that only cost writes: each one's column is found through another index.

- asset: the (municipality, status) index serves municipality; the service-area index
  was there twice (the foreign key's and one in Meta);
- assignment: the unique (asset, valid_from) index serves asset, the (municipality,
  valid_from) index serves municipality; the person index was there twice.

Five indexes fewer to update per imported asset and assignment (issue #6). The indexes
are dropped by name in SQL that both engines run: letting Django alter the fields would,
on SQLite, copy each table once per field. The names are the ones Django gave them (the
same on both engines).
"""

import django.db.models.deletion
from django.db import migrations, models

DROPPED = {
    "inventory_a_service_7799d1_idx": ("inventory_asset", "service_area_id"),
    "inventory_asset_municipality_id_98c11fd8": ("inventory_asset", "municipality_id"),
    "inventory_a_person__1d937c_idx": ("inventory_assignment", "person_id"),
    "inventory_assignment_asset_id_c2f1a6fd": ("inventory_assignment", "asset_id"),
    "inventory_assignment_municipality_id_751899b2": ("inventory_assignment", "municipality_id"),
}


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0004_asset_price_sum_checked_in_python"),
        ("organisations", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    [f'DROP INDEX IF EXISTS "{name}"' for name in DROPPED],
                    reverse_sql=[
                        f'CREATE INDEX "{name}" ON "{table}" ("{column}")'
                        for name, (table, column) in DROPPED.items()
                    ],
                )
            ],
            state_operations=[
                migrations.RemoveIndex(
                    model_name="asset",
                    name="inventory_a_service_7799d1_idx",
                ),
                migrations.RemoveIndex(
                    model_name="assignment",
                    name="inventory_a_person__1d937c_idx",
                ),
                migrations.AlterField(
                    model_name="asset",
                    name="municipality",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assets",
                        to="organisations.municipality",
                        verbose_name="municipality",
                    ),
                ),
                migrations.AlterField(
                    model_name="assignment",
                    name="asset",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assignments",
                        to="inventory.asset",
                        verbose_name="asset",
                    ),
                ),
                migrations.AlterField(
                    model_name="assignment",
                    name="municipality",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assignments",
                        to="organisations.municipality",
                        verbose_name="municipality",
                    ),
                ),
            ],
        ),
    ]
