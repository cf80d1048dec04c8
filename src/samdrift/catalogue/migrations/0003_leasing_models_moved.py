"""LeaseModel and PriceListPublication moved to the leasing app (leasing 0001): removed
from this app's state only; ProductCategory.lease_model now names leasing.LeaseModel,
whose table is the same catalogue_leasemodel, so the database is untouched."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0002_price_list_publication'),
        ('leasing', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # State only: the tables stay as they are (same names, same rows).
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='productcategory',
                    name='lease_model',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='categories', to='leasing.leasemodel', verbose_name='lease model'),
                ),
                migrations.RemoveField(
                    model_name='pricelistpublication',
                    name='published_by',
                ),
                migrations.DeleteModel(
                    name='LeaseModel',
                ),
                migrations.DeleteModel(
                    name='PriceListPublication',
                ),
            ],
        ),
    ]
