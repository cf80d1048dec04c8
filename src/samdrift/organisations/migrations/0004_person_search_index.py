"""The persons' search index (``core.search``): an FTS5 trigram table kept by triggers
on SQLite, a GIN trigram index on PostgreSQL. Declared here with literal columns, as
``organisations.search.PERSON_INDEX`` declares them."""

from django.db import migrations

from samdrift.core.search import SearchIndex

INDEX = SearchIndex(
    "organisations_person",
    {
        "names": ("first_name", "last_name"),
        "other": ("username", "email", "employee_number"),
    },
)


class Migration(migrations.Migration):
    dependencies = [("organisations", "0003_municipalitycontact")]

    operations = [INDEX.operation()]
