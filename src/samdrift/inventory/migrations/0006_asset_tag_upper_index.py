"""An index on UPPER(asset_tag): imports compare asset tags ignoring case ("fv-0001" is
the asset FV-0001) and look the tags not found as written up by that expression; without
the index each such look-up read the whole table (a million assets at national scale).
SQLite and PostgreSQL both build indexes on expressions."""

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0005_fewer_asset_assignment_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="asset",
            index=models.Index(
                django.db.models.functions.text.Upper("asset_tag"), name="asset_tag_upper_idx"
            ),
        ),
    ]
