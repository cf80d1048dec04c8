"""Charges: the person, asset and adjusted-period indexes leave out rows without one.

The fields' own (full) indexes are dropped by name in SQL that both engines run. Letting
Django alter the fields instead would, on SQLite, copy the whole charge table once per
field; the names are the ones Django gave the indexes (the same on both engines).
"""

import django.db.models.deletion
from django.db import migrations, models

FULL_INDEXES = (
    "billing_charge_adjusts_period_id_29bb7ee4",
    "billing_charge_asset_id_8648998a",
    "billing_charge_person_id_272a996c",
)


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0003_charge_no_fk_constraints"),
        ("catalogue", "0002_price_list_publication"),
        ("inventory", "0004_asset_price_sum_checked_in_python"),
        ("organisations", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    [f'DROP INDEX IF EXISTS "{name}"' for name in FULL_INDEXES],
                    reverse_sql=[
                        'CREATE INDEX "billing_charge_adjusts_period_id_29bb7ee4" '
                        'ON "billing_charge" ("adjusts_period_id")',
                        'CREATE INDEX "billing_charge_asset_id_8648998a" '
                        'ON "billing_charge" ("asset_id")',
                        'CREATE INDEX "billing_charge_person_id_272a996c" '
                        'ON "billing_charge" ("person_id")',
                    ],
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="charge",
                    name="adjusts_period",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="adjustment_charges",
                        to="billing.billingperiod",
                    ),
                ),
                migrations.AlterField(
                    model_name="charge",
                    name="asset",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="inventory.asset",
                    ),
                ),
                migrations.AlterField(
                    model_name="charge",
                    name="person",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="organisations.person",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="charge",
            index=models.Index(
                condition=models.Q(("person__isnull", False)),
                fields=["person"],
                name="charge_person",
            ),
        ),
        migrations.AddIndex(
            model_name="charge",
            index=models.Index(
                condition=models.Q(("asset__isnull", False)),
                fields=["asset"],
                name="charge_asset",
            ),
        ),
        migrations.AddIndex(
            model_name="charge",
            index=models.Index(
                condition=models.Q(("adjusts_period__isnull", False)),
                fields=["adjusts_period"],
                name="charge_adjusts_period",
            ),
        ),
    ]
