"""The change log outside the API: the admin, code acting as someone, bulk writes."""

from __future__ import annotations

import pytest
from django.test import Client

from samdrift.core.actor import acting_as, current_actor
from samdrift.core.changelog import changes_for, record_bulk_changes, record_summary
from samdrift.core.choices import ChangeAction, Role
from samdrift.core.models import ObjectChange
from samdrift.organisations.models import Location, Person, ServiceArea
from tests import factories


def latest(instance) -> ObjectChange:
    return changes_for(instance).first()


# --- The admin ---------------------------------------------------------------------------


@pytest.fixture
def admin_client(db):
    admin = factories.make_user(Role.OPERATOR, username="admin", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    return client, admin


def test_an_admin_change_is_logged(admin_client, municipality_a):
    client, admin = admin_client
    area = factories.make_service_area(municipality_a, name="Teknisk", cost_centre="4000")
    response = client.post(
        f"/admin/organisations/servicearea/{area.pk}/change/",
        {
            "municipality": municipality_a.pk,
            "name": "Teknisk drift",
            "kind": "technical",
            "cost_centre": "4000",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    change = latest(area)
    assert change.user == admin
    assert change.actor == "admin"
    assert change.changed_fields() == {
        "kind": ("education", "technical"),
        "name": ("Teknisk", "Teknisk drift"),
    }


def test_an_admin_add_and_delete_are_logged(admin_client, municipality_a):
    client, admin = admin_client
    response = client.post(
        "/admin/organisations/location/add/",
        {"municipality": municipality_a.pk, "name": "Bibliotek", "kind": "library"},
    )
    assert response.status_code == 302
    location = Location.objects.get(name="Bibliotek")
    created = latest(location)
    assert (created.action, created.user, created.postchange_data["name"]) == (
        ChangeAction.CREATE,
        admin,
        "Bibliotek",
    )
    response = client.post(f"/admin/organisations/location/{location.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Location.objects.filter(pk=location.pk).exists()
    deleted = ObjectChange.objects.filter(
        content_type__model="location", object_id=location.pk, action=ChangeAction.DELETE
    ).get()
    assert deleted.user == admin
    assert deleted.prechange_data["name"] == "Bibliotek"
    assert deleted.postchange_data is None
    assert deleted.municipality_id == municipality_a.pk


def test_the_admin_history_shows_the_change_log(admin_client, municipality_a):
    client, _admin = admin_client
    area = factories.make_service_area(municipality_a, name="Kultur", cost_centre="5000")
    response = client.get(f"/admin/organisations/servicearea/{area.pk}/history/")
    assert response.status_code == 302
    listing = client.get(response["Location"])
    assert listing.status_code == 200
    assert "Kultur" in listing.content.decode()


# --- Changes made in code ----------------------------------------------------------------


def test_changes_in_code_are_logged_as_the_acting_user(municipality_a, operator):
    with acting_as(operator, label="import", message="persons.csv"):
        person = factories.make_person(municipality_a)
    change = latest(person)
    assert change.user == operator
    assert change.actor == "import:operator"
    assert change.message == "persons.csv"


def test_changes_without_an_actor_are_logged_as_system(municipality_a):
    assert current_actor().label == "system"
    area = factories.make_service_area(municipality_a)
    assert latest(area).actor == "system"
    assert latest(area).user is None


def test_saving_without_a_change_logs_nothing(municipality_a):
    area = factories.make_service_area(municipality_a)
    before = ObjectChange.objects.count()
    ServiceArea.objects.get(pk=area.pk).save()
    assert ObjectChange.objects.count() == before


def test_an_object_built_by_hand_logs_what_the_database_held(municipality_a):
    person = factories.make_person(municipality_a, first_name="Kari")
    copy = Person(**{f.attname: getattr(person, f.attname) for f in Person._meta.concrete_fields})
    copy.first_name = "Karin"
    copy.save()
    assert latest(person).changed_fields() == {"first_name": ("Kari", "Karin")}


def test_bulk_writes_log_one_row_per_object(
    municipality_a, operator, django_assert_max_num_queries
):
    areas = [
        ServiceArea(municipality=municipality_a, name=f"Område {i}", cost_centre=f"9{i:03d}")
        for i in range(50)
    ]
    with acting_as(operator, label="import"):
        created = ServiceArea.objects.bulk_create(areas)
        with django_assert_max_num_queries(3):
            written = record_bulk_changes(created, action=ChangeAction.CREATE)
    assert written == 50
    rows = ObjectChange.objects.filter(content_type__model="servicearea", action="create")
    assert rows.filter(actor="import:operator", municipality=municipality_a).count() == 50


def test_a_summary_row_stands_for_a_batch(municipality_a, operator):
    with acting_as(operator, label="cli"):
        row = record_summary(
            model=Person,
            action=ChangeAction.CREATE,
            message="Imported 20,000 persons",
            municipality_id=municipality_a.pk,
        )
    assert row.actor == "cli:operator"
    assert row.object_repr == "Imported 20,000 persons"
    assert row.municipality_id == municipality_a.pk
