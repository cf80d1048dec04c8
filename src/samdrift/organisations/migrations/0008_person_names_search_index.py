"""The persons' names get a PostgreSQL trigram index of their own
(``core.search.SearchIndex.own_indexes``): a device search looks for its holder's names,
and on the index of all the person's text a short word common in e-mail addresses made
PostgreSQL recheck hundreds of thousands of rows. Nothing happens on SQLite."""

from django.db import migrations

from samdrift.core.search import SearchIndex

INDEX = SearchIndex(
    "organisations_person",
    {
        "names": ("first_name", "last_name"),
        "other": ("username", "email", "employee_number"),
    },
    own_indexes=("names",),
)


class Migration(migrations.Migration):
    dependencies = [("organisations", "0007_person_started_index")]

    operations = [INDEX.own_indexes_operation()]
