"""The list-index migrations before this remade ``organisations_person`` on SQLite (altered
columns), which dropped the search index's triggers with the old table: make the index
again (core.search.SearchIndex.rebuild_operation). Nothing happens on PostgreSQL."""

from importlib import import_module

from django.db import migrations

# The index as 0004 declared it (its columns are that migration's, not today's model's).
INDEX = import_module("samdrift.organisations.migrations.0004_person_search_index").INDEX


class Migration(migrations.Migration):
    dependencies = [("organisations", "0005_list_indexes")]

    operations = [INDEX.rebuild_operation()]
