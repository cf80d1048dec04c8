"""The change-log page: filters, tenancy, names for ids, a constant number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from samdrift.core.actor import acting_as
from samdrift.core.choices import Role
from samdrift.core.models import ObjectChange, User
from samdrift.organisations.models import Person
from tests import factories
from tests.factories import client_for

URL = reverse("change_list")


def move(person: Person, area, username: str = "ola.operator") -> None:
    """Move ``person`` to ``area`` as the named actor (one logged update)."""
    user = User.objects.filter(username=username).first() or factories.make_user(
        Role.OPERATOR, username=username
    )
    with acting_as(user):
        person.service_area = area
        person.save()


def person_type() -> str:
    return "organisations.person"


@pytest.fixture
def operator_client(db):
    return client_for(factories.make_user(Role.OPERATOR, username="operator-viewer"))


@pytest.mark.django_db
def test_foreign_keys_show_names_and_fields_their_labels(world, operator_client):
    move(world.person_a, world.area_a2)
    response = operator_client.get(
        URL, {"content_type": person_type(), "object_id": world.person_a.pk, "action": "update"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    # verbose_name of Person.service_area, the two areas by name, not their ids.
    label = str(Person._meta.get_field("service_area").verbose_name)
    assert f"{label}</span>: {world.area_a.name} → {world.area_a2.name}" in html
    assert "service_area_id" not in html


@pytest.mark.django_db
def test_filters_who_what_when_and_object(world, operator_client):
    move(world.person_a, world.area_a2, username="kari.mover")
    other = factories.make_person(world.municipality_a, world.area_a)

    def rows(**params) -> set[tuple[str, int]]:
        response = operator_client.get(URL, {**params, "per_page": 100})
        assert response.status_code == 200
        return {(c.action, c.object_id) for c in response.context["rows"]}

    assert rows(who="kari.mover") == {("update", world.person_a.pk)}
    assert ("create", other.pk) in rows(content_type=person_type(), action="create")
    assert all(action == "create" for action, _ in rows(action="create"))
    assert rows(content_type=person_type(), object_id=other.pk) == {("create", other.pk)}
    today = timezone.localdate()
    assert ("create", other.pk) in rows(date_from=today.isoformat(), date_to=today.isoformat())
    yesterday = today - datetime.timedelta(days=1)
    assert rows(date_to=yesterday.isoformat()) == set()
    tomorrow = today + datetime.timedelta(days=1)
    assert rows(date_from=tomorrow.isoformat()) == set()


@pytest.mark.django_db
def test_bad_filter_is_a_message_not_a_500(world, operator_client):
    response = operator_client.get(URL, {"date_from": "31.02.2026", "content_type": "x.y"})
    assert response.status_code == 200
    assert response.context["filters_valid"] is False
    assert "date_from" in response.context["filter_form"].errors


@pytest.mark.django_db
def test_a_contact_sees_only_their_own_municipality(world):
    move(world.person_a, world.area_a2)
    move(world.person_b, world.area_b)  # unchanged: no row
    factories.make_person(world.municipality_b, world.area_b, last_name="Elvdalsen")
    contact_b = client_for(
        factories.make_user(Role.MUNICIPALITY, municipality=world.municipality_b)
    )
    response = contact_b.get(URL, {"per_page": 100})
    assert response.status_code == 200
    shown = list(response.context["paginator"].object_list)
    assert shown, "B's own history is shown"
    assert {c.municipality_id for c in shown} == {world.municipality_b.pk}
    # A's object's history, asked for directly: nothing.
    response = contact_b.get(URL, {"content_type": person_type(), "object_id": world.person_a.pk})
    assert response.context["paginator"].count == 0
    assert world.area_a2.name not in response.content.decode()


@pytest.mark.django_db
def test_a_name_the_reader_may_not_see_stays_an_id(world):
    """A's person moved into B's area (bad data, but possible): A's contact sees an id."""
    move(world.person_a, world.area_b)
    contact_a = client_for(
        factories.make_user(Role.MUNICIPALITY, municipality=world.municipality_a)
    )
    response = contact_a.get(URL, {"content_type": person_type(), "object_id": world.person_a.pk})
    html = response.content.decode()
    assert f"{world.area_a.name} → #{world.area_b.pk}" in html
    assert world.area_b.name not in html


@pytest.mark.django_db
def test_query_count_is_constant_per_page(world, operator_client, django_assert_num_queries):
    for _ in range(3):
        move(world.person_a, world.area_a2)
        move(world.person_a, world.area_a)
    assert ObjectChange.objects.filter(action="update").count() >= 6
    # Session, user, count, the page of rows (their ids, then the rows with their content
    # types: core.keyset.rows_of), then one query
    # per related model named on the page (here the service areas), and the user's own
    # settings of the list (ui.listsettings). Not one more for more rows: 6 changes or 25
    # (a full page of the 26).
    params = {"content_type": person_type(), "action": "update", "per_page": 25}
    with django_assert_num_queries(7):
        operator_client.get(URL, params)
    for _ in range(10):
        move(world.person_a, world.area_a2)
        move(world.person_a, world.area_a)
    with django_assert_num_queries(7):
        operator_client.get(URL, params)


@pytest.mark.django_db
def test_detail_pages_link_to_their_history(world, operator_client):
    response = operator_client.get(reverse("organisations:person_detail", args=[world.person_a.pk]))
    expected = f"{URL}?content_type=organisations.person&amp;object_id={world.person_a.pk}"
    assert expected in response.content.decode()
    asset = world.assets_a[0]
    response = operator_client.get(reverse("inventory:asset_detail", args=[asset.pk]))
    assert f"content_type=inventory.asset&amp;object_id={asset.pk}" in response.content.decode()


@pytest.mark.django_db
def test_export_writes_the_raw_values(world, operator_client):
    move(world.person_a, world.area_a2)
    response = operator_client.get(
        URL, {"content_type": person_type(), "action": "update", "export": "csv"}
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert f"service_area_id: {world.area_a.pk} → {world.area_a2.pk}".encode() in body
