"""The generator's engine-specific corner: fast inserts and foreign keys checked at the end."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from samdrift.demo.bulk import (
    IdAllocator,
    db_timestamp,
    foreign_keys_checked_at_end,
    insert_rows,
    reset_sequences,
)
from samdrift.organisations.models import Person
from tests import factories

pytestmark = pytest.mark.django_db

COLUMNS = (
    "id", "municipality_id", "service_area_id", "location_id", "username", "first_name",
    "last_name", "email", "kind", "employee_number", "active_from", "active_to", "created",
    "last_updated",
)  # fmt: skip


def person_row(person_id: int, municipality_id: int, username: str) -> tuple:
    stamp = db_timestamp()
    return (
        person_id, municipality_id, None, None, username, "Kari", "Nordmann", "", "employee", "",
        datetime.date(2024, 1, 1), None, stamp, stamp,
    )  # fmt: skip


def foreign_keys(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
            [table],
        )
        return sorted(row[0] for row in cursor.fetchall())


def test_insert_rows_writes_plain_tuples_with_their_ids():
    municipality = factories.make_municipality()
    ids = IdAllocator()
    first = ids.take(Person, 3)
    assert ids.take(Person) == first + 3
    written = insert_rows(
        Person,
        COLUMNS,
        (person_row(first + n, municipality.pk, f"bulk-{n}") for n in range(3)),
        batch_size=2,
    )
    assert written == 3
    reset_sequences([Person])
    people = list(Person.objects.order_by("pk"))
    assert [p.pk for p in people] == [first, first + 1, first + 2]
    assert people[0].active_from == datetime.date(2024, 1, 1)
    assert people[0].created is not None
    # The id sequence moved past them: an ordinary save gets a fresh id.
    assert factories.make_person(municipality).pk > first + 2


def test_a_dangling_foreign_key_is_still_caught():
    ids = IdAllocator()
    bad_row = person_row(ids.take(Person), 999_999, "nobody")  # no such municipality
    if connection.vendor == "postgresql":
        before = foreign_keys(Person._meta.db_table)
        assert before
        with (
            pytest.raises(IntegrityError),
            transaction.atomic(),
            foreign_keys_checked_at_end([Person]),
        ):
            insert_rows(Person, COLUMNS, [bad_row])
            assert foreign_keys(Person._meta.db_table) == []
        assert foreign_keys(Person._meta.db_table) == before
    else:
        # SQLite checks deferred keys at commit; the test's transaction never commits,
        # so ask for the same check directly.
        with transaction.atomic():
            with foreign_keys_checked_at_end([Person]):
                insert_rows(Person, COLUMNS, [bad_row])
            with pytest.raises(IntegrityError):
                connection.check_constraints(table_names=[Person._meta.db_table])
            transaction.set_rollback(True)
    assert not Person.objects.exists()
