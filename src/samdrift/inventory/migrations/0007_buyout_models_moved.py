"""The buyout models (0003_buyouts) moved to the leasing app (leasing 0001): removed from
this app's state only; their tables stay."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('inventory', '0006_asset_tag_upper_index'),
        ('leasing', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # State only: the tables stay as they are (same names, same rows).
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='assetprice',
                    name='asset',
                ),
                migrations.RemoveField(
                    model_name='assetprice',
                    name='buyout_item',
                ),
                migrations.RemoveField(
                    model_name='buyout',
                    name='agreed_by',
                ),
                migrations.RemoveField(
                    model_name='buyout',
                    name='completed_by',
                ),
                migrations.RemoveField(
                    model_name='buyout',
                    name='municipality',
                ),
                migrations.RemoveField(
                    model_name='buyoutitem',
                    name='buyout',
                ),
                migrations.RemoveField(
                    model_name='signedvaluation',
                    name='buyout',
                ),
                migrations.RemoveField(
                    model_name='buyoutitem',
                    name='asset',
                ),
                migrations.DeleteModel(
                    name='AmountOwed',
                ),
                migrations.DeleteModel(
                    name='AssetPrice',
                ),
                migrations.DeleteModel(
                    name='Buyout',
                ),
                migrations.DeleteModel(
                    name='SignedValuation',
                ),
                migrations.DeleteModel(
                    name='BuyoutItem',
                ),
            ],
        ),
    ]
