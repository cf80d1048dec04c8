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
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from samdrift.core.permissions import restrict
from samdrift.dashboard import selectors
from samdrift.organisations import figures as person_figures
from samdrift.organisations.filtersets import PersonFilterSet, active_persons
from samdrift.organisations.models import Person
from samdrift.organisations.selectors import active_persons_on
from samdrift.organisations.services import end_person
from samdrift.planning import holdings
from samdrift.planning.models import HoldingFigureStamp, PersonFigure
from samdrift.ui.cards import card
from tests import factories
from tests.factories import PERSON_COLUMNS, client_for, import_rows
from tests.worlds import scope_users

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
    w.users = scope_users(w)
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
        PERSON_COLUMNS,
        [leaving.username, leaving.first_name, leaving.last_name, "01.01.2023", "10.01.2026"],
        ["new-1", "Ola", "Ny", "01.01.2026", ""],
        ["new-2", "Per", "Ny", "01.01.2026", ""],
    ]
    result = import_rows("persons", rows, municipality=people.municipality_a, update=True)
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


def test_the_municipality_page_reads_the_summary(people):
    """The municipality page's active-persons card and per-area counts come from the
    summary (organisations.figures) and equal the person list's counts they link to."""
    today = timezone.localdate()
    municipality = people.municipality_a
    for user in people.users[:3]:  # the operator, Fjordvik's contact and manager
        # Something changed first, so the summary is recounted, not just built.
        factories.make_person(municipality, people.area_a2)
        page = client_for(user).get(
            reverse("organisations:municipality_detail", args=[municipality.pk])
        )
        assert page.status_code == 200
        expected = card(
            user=user,
            url_name="organisations:person_list",
            filterset_class=PersonFilterSet,
            params={"municipality": municipality.pk, **active_persons(today)},
        ).count
        assert page.context["persons_active"].count == expected > 0
        for area in page.context["service_areas"]:
            direct = restrict(
                Person.objects.filter(active_persons_on(today), service_area=area), user
            ).count()
            assert area.persons_count == direct, (user.role, area.name)
    assert HoldingFigureStamp.objects.get().as_of == today
    # It reads them: a kept row changed by hand shows on the page.
    operator = people.users[0]
    url = reverse("organisations:municipality_detail", args=[municipality.pk])
    before = client_for(operator).get(url).context["persons_active"].count
    PersonFigure.objects.filter(municipality=municipality, service_area=people.area_a).update(
        count=F("count") + 1000
    )
    assert client_for(operator).get(url).context["persons_active"].count == before + 1000
    # Without the kept figures for the day the page counts the persons itself.
    assert (
        person_figures.active_person_counts(
            user=people.users[0], municipality_id=municipality.pk, day=TODAY
        )
        is None
    )
