"""The municipality page lists the ten persons who started most recently. Ordered by
(-active_from, -pk) within one municipality, that is read backwards from the index on
(municipality, active_from, id) — without it PostgreSQL sorted the largest municipality's
persons of the large demo (101 ms; 0.1 ms with it). The page's own query is EXPLAINed on
whichever engine the tests run on."""

import datetime

import pytest

from samdrift.organisations.models import Person
from tests import factories
from tests.plans import explain

pytestmark = pytest.mark.django_db


def test_the_recently_started_persons_are_read_from_their_index(municipality_a):
    for day in range(1, 21):
        factories.make_person(municipality_a, active_from=datetime.date(2024, 1, day))
    recent = Person.objects.filter(municipality=municipality_a).order_by("-active_from", "-pk")
    sql, params = recent[:10].query.sql_with_params()

    found = explain(
        sql, params, table="organisations_person", index="person_muni_started_idx", forbid_sort=True
    )

    assert "person_muni_started_idx" in found
    assert "SCAN organisations_person" not in found  # one municipality's, not all
    assert "TEMP B-TREE" not in found.upper()  # SQLite: no sort step
    assert [p.active_from.day for p in recent[:10]] == list(range(20, 10, -1))
