"""The list-index migrations before this remade ``inventory_asset`` on SQLite (altered
columns), which dropped the search index's triggers with the old table: make the index
again (core.search.SearchIndex.rebuild_operation). Nothing happens on PostgreSQL."""

from importlib import import_module

from django.db import migrations

# The index as 0010 declared it (its columns are that migration's, not today's model's).
INDEX = import_module("samdrift.inventory.migrations.0010_asset_search_index").INDEX


class Migration(migrations.Migration):
    dependencies = [("inventory", "0012_list_indexes_restricted")]

    operations = [INDEX.rebuild_operation()]
