"""The one bulk writer (core.bulk) records the change log itself: one row per object,
never none, never two; rows without instances go only into tables that are not
change-logged, or with the documented opt-out."""

from __future__ import annotations

import datetime

import pytest

from samdrift.core.bulk import TableWriter, insert_objects, insert_rows
from samdrift.core.models import ObjectChange
from samdrift.organisations.models import Location, Person
from tests import factories

pytestmark = pytest.mark.django_db


def changes_of(model, ids) -> int:
    return ObjectChange.objects.filter(
        content_type__model=model._meta.model_name, object_id__in=list(ids)
    ).count()


def test_inserted_objects_are_logged_once_each(municipality_a):
    before = ObjectChange.objects.count()
    locations = [Location(municipality=municipality_a, name=f"Site {n}") for n in range(5)]
    TableWriter(Location, batch_size=2).insert(locations)  # three batches
    ids = [location.pk for location in locations]
    assert Location.objects.filter(pk__in=ids).count() == 5
    assert ObjectChange.objects.count() - before == 5
    assert changes_of(Location, ids) == 5
    logged = ObjectChange.objects.filter(content_type__model="location", object_id__in=ids)
    assert sorted(logged.values_list("object_repr", flat=True)) == [f"Site {n}" for n in range(5)]


def test_the_summary_opt_out_writes_no_change_rows(municipality_a):
    before = ObjectChange.objects.count()
    insert_objects([Location(municipality=municipality_a, name="Quiet")], changelog=False)
    assert Location.objects.filter(name="Quiet").exists()
    assert ObjectChange.objects.count() == before


def person_row(person_id: int, municipality_id: int) -> tuple:
    return (person_id, municipality_id, f"user-{person_id}", "Kari", "Nordmann", "employee", "", "")


PERSON_COLUMNS = (
    "id",
    "municipality_id",
    "username",
    "first_name",
    "last_name",
    "kind",
    "email",
    "employee_number",
)


def test_rows_into_a_change_logged_table_need_the_opt_out(municipality_a):
    with pytest.raises(TypeError, match="change-logged"):
        insert_rows(Person, PERSON_COLUMNS, [person_row(9001, municipality_a.pk)])
    with pytest.raises(TypeError, match="change-logged"):
        TableWriter(Person, PERSON_COLUMNS)
    assert not Person.objects.exists()


def test_rows_are_read_as_a_stream_in_batches(municipality_a):
    before = ObjectChange.objects.count()
    stamp = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    rows = (
        (*person_row(9100 + n, municipality_a.pk), stamp, stamp, datetime.date(2024, 1, 1))
        for n in range(5)
    )
    columns = (*PERSON_COLUMNS, "created", "last_updated", "active_from")
    written = insert_rows(Person, columns, rows, batch_size=2, changelog=False)
    assert written == 5
    assert sorted(Person.objects.values_list("pk", flat=True)) == list(range(9100, 9105))
    assert ObjectChange.objects.count() == before


def test_ids_follow_a_row_saved_the_ordinary_way(municipality_a):
    saved = factories.make_location(municipality_a, name="First")
    later = Location(municipality=municipality_a, name="Second")
    insert_objects([later])
    assert later.pk > saved.pk
    assert Location.objects.get(pk=later.pk).name == "Second"
