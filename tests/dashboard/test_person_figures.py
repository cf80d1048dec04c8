"""The active persons kept in ``planning.holdings`` (``PersonFigure``, the overview's
"active persons" card) equal the person list's own count with ``active_on`` (the card's
link) for an operator, a contact and a manager, after each kind of change: a person
created, leaving, moved to another service area or municipality, deleted, imported, and
a new day."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from samdrift.core.choices import Role
from samdrift.core.importing import run_import
from samdrift.dashboard import selectors
from samdrift.imports.registry import importer_class
from samdrift.organisations.filtersets import PersonFilterSet, active_persons
from samdrift.organisations.models import Person
from samdrift.organisations.services import end_person
from samdrift.planning import holdings
from samdrift.planning.models import HoldingFigureStamp, PersonFigure
from samdrift.ui.cards import card
from tests import factories
from tests.factories import csv_bytes

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 1, 15)


def listed(user, day):
    """The reference: the person list's count, filtered as the card links to it."""
    return card(
        user=user,
        url_name="organisations:person_list",
        filterset_class=PersonFilterSet,
        params=active_persons(day),
    ).count


def assert_kept(world, day=TODAY):
    found = [holdings.kept_persons(user=user, day=day) for user in world.users]
    assert found == [listed(user, day) for user in world.users]
    return found


@pytest.fixture
def people(small_world):
    w = small_world
    w.users = [
        factories.make_user(Role.OPERATOR),
        factories.make_user(Role.MUNICIPALITY, municipality=w.municipality_a),
        factories.make_user(
            Role.SERVICE_AREA, municipality=w.municipality_a, service_area=w.area_a
        ),
        factories.make_user(Role.MUNICIPALITY, municipality=w.municipality_b),
    ]
    # Not active today: one who left, one who starts later; one without a service area.
    factories.make_person(w.municipality_a, w.area_a, active_to=D(2025, 6, 1))
    factories.make_person(w.municipality_a, w.area_a, active_from=D(2026, 2, 1))
    factories.make_person(w.municipality_a, None)
    holdings.rebuild(day=TODAY)
    return w


def test_kept_equals_the_list_for_every_scope(people):
    operator, contact_a, manager, contact_b = assert_kept(people)
    a = Person.objects.filter(municipality=people.municipality_a)
    # Independently: the world's persons of Fjordvik, less the two not active today.
    assert contact_a == a.count() - 2
    assert operator == contact_a + contact_b
    assert 0 < manager < contact_a  # the one without an area is not the manager's


def test_after_a_person_is_created_and_leaves(people):
    before = assert_kept(people)
    person = factories.make_person(people.municipality_a, people.area_a)
    assert assert_kept(people) == [before[0] + 1, before[1] + 1, before[2] + 1, before[3]]
    end_person(person=person, on=D(2026, 1, 10))
    assert assert_kept(people) == before


def test_after_a_person_moves(people):
    before = assert_kept(people)
    person = Person.objects.get(pk=people.person_a.pk)  # loaded, as a form edits it
    person.service_area = people.area_a2
    person.save()
    assert assert_kept(people)[2] == before[2] - 1
    person = Person.objects.get(pk=person.pk)
    person.municipality, person.service_area = people.municipality_b, people.area_b
    person.save()
    assert assert_kept(people) == [before[0], before[1] - 1, before[2] - 1, before[3] + 1]


def test_after_a_person_is_deleted(people):
    before = assert_kept(people)
    factories.make_person(people.municipality_b, people.area_b, username="gone").delete()
    assert assert_kept(people) == before
    person = factories.make_person(people.municipality_b, people.area_b)
    assert assert_kept(people)[3] == before[3] + 1
    person.delete()
    assert assert_kept(people) == before


def test_after_an_import(people):
    before = assert_kept(people)
    leaving = people.person_a
    rows = [
        ["Username", "First name", "Last name", "Active from", "Active to"],
        [leaving.username, leaving.first_name, leaving.last_name, "01.01.2023", "10.01.2026"],
        ["new-1", "Ola", "Ny", "01.01.2026", ""],
        ["new-2", "Per", "Ny", "01.01.2026", ""],
    ]
    result = run_import(
        importer=importer_class("persons"),
        data=csv_bytes(rows),
        filename="persons.csv",
        municipality=people.municipality_a,
        update=True,
    )
    assert (result.created, result.updated) == (2, 1), result.errors
    assert assert_kept(people)[:2] == [before[0] + 1, before[1] + 1]


def test_a_new_day_counts_everything_again(people):
    before = assert_kept(people)
    end_person(person=people.person_a, on=TODAY + datetime.timedelta(days=1))
    assert assert_kept(people) == before  # still active today
    tomorrow = TODAY + datetime.timedelta(days=1)
    assert assert_kept(people, tomorrow)[1] == before[1] - 1
    assert HoldingFigureStamp.objects.get().as_of == tomorrow


def test_the_command_counts_again(people):
    before = assert_kept(people)
    PersonFigure.objects.all().delete()
    call_command("fleet_figures", "--on", TODAY.isoformat(), stdout=io.StringIO())
    assert assert_kept(people) == before


def test_the_overview_card_reads_the_summary_for_today(people, django_assert_num_queries):
    today = timezone.localdate()
    for user in people.users:
        expected = listed(user, today)
        holdings.current(day=today)
        # The stamp, the sum.
        with django_assert_num_queries(2):
            found = selectors._persons_active(user, today)
        assert found.count == expected
        assert found.url.endswith(f"?active_on={today.isoformat()}")
    # Another day: counted through the list's filter, the summary left alone.
    other = selectors._persons_active(people.users[0], TODAY)
    assert other.count == listed(people.users[0], TODAY)
    assert HoldingFigureStamp.objects.get().as_of == today
