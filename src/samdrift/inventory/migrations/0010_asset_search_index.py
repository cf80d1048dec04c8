"""The assets' search index (``core.search``): an FTS5 trigram table kept by triggers
on SQLite, a GIN trigram index on PostgreSQL. Declared here with literal columns, as
``inventory.search.ASSET_INDEX`` declares them, so that a later change of the latter
needs a migration of its own."""

from django.db import migrations

from samdrift.core.search import SearchIndex

INDEX = SearchIndex(
    "inventory_asset", {"text": ("asset_tag", "serial_number", "name", "model_name")}
)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0009_asset_event")]

    operations = [INDEX.operation()]
