"""Municipalities, locations and users edited in the UI (issue #17): the same validation
as the API (field errors, nothing saved), the change log, roles and tenancy."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from samdrift.core.choices import ChangeAction, Role
from samdrift.core.models import ObjectChange, User
from samdrift.organisations.models import Location, Municipality
from tests import factories
from tests.factories import client_for

# Brønnøysundregistrene's own organisation number: 9·3+7·2+4·7+7·6+6·5+0·4+6·3+7·2 = 173,
# 173 mod 11 = 8, check digit 11 − 8 = 3.
VALID_ORGANISATION_NUMBER = "974760673"
WRONG_CHECK_DIGIT = "974760674"
PASSWORD = "a long and unusual passphrase 17"


def municipality_data(**overrides) -> dict:
    data = {
        "name": "Nyby",
        "number": "4650",
        "organisation_number": VALID_ORGANISATION_NUMBER,
        "population": "12345",
        "population_date": "2026-01-01",
        "peppol_endpoint": f"0192:{VALID_ORGANISATION_NUMBER}",
        "invoice_reference": "IKT-NYBY",
        "joined_on": "2026-03-01",
        "street": "Storgata 1",
        "postal_code": "9999",
        "city": "Nyby",
        "contact_email": "ikt@nyby.kommune.no",
    }
    data.update(overrides)
    return data


def changes_of(obj) -> list[ObjectChange]:
    content_type = ContentType.objects.get_for_model(type(obj))
    return list(
        ObjectChange.objects.filter(content_type=content_type, object_id=obj.pk).order_by("id")
    )


def field_errors(response) -> dict[str, list[str]]:
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


# Municipalities


def test_operator_creates_a_municipality_with_every_field_and_a_change_row(
    operator, operator_client
):
    response = operator_client.post(
        reverse("organisations:municipality_create"), municipality_data()
    )
    municipality = Municipality.objects.get(number="4650")
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "organisations:municipality_detail", args=[municipality.pk]
    )
    assert municipality.population == 12345
    assert municipality.population_date == datetime.date(2026, 1, 1)
    assert municipality.joined_on == datetime.date(2026, 3, 1)
    assert municipality.peppol_endpoint == "0192:974760673"
    assert municipality.invoice_reference == "IKT-NYBY"
    assert municipality.contact_email == "ikt@nyby.kommune.no"
    (change,) = changes_of(municipality)
    assert change.action == ChangeAction.CREATE
    assert change.user == operator


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("number", "46"),
        ("organisation_number", WRONG_CHECK_DIGIT),
        ("population", "-5"),
        ("joined_on", "31.02.2026"),
        ("contact_email", "not an address"),
        ("name", ""),
    ],
)
def test_bad_municipality_input_names_the_field_and_saves_nothing(operator_client, field, value):
    before = Municipality.objects.count()
    response = operator_client.post(
        reverse("organisations:municipality_create"), municipality_data(**{field: value})
    )
    assert response.status_code == 400
    assert list(field_errors(response)) == [field]
    assert Municipality.objects.count() == before


def test_duplicate_municipality_number_and_name_are_field_errors(operator_client, municipality_a):
    response = operator_client.post(
        reverse("organisations:municipality_create"),
        municipality_data(name=municipality_a.name, number=municipality_a.number),
    )
    assert response.status_code == 400
    assert set(field_errors(response)) == {"name", "number"}
    assert not Municipality.objects.filter(organisation_number=VALID_ORGANISATION_NUMBER).exists()


def test_operator_edits_a_municipality_and_the_change_is_logged(operator_client, municipality_a):
    url = reverse("organisations:municipality_edit", args=[municipality_a.pk])
    page = operator_client.get(url)
    assert page.status_code == 200
    assert 'data-testid="history"' in page.content.decode()
    response = operator_client.post(
        url,
        municipality_data(
            name=municipality_a.name,
            number=municipality_a.number,
            organisation_number=municipality_a.organisation_number,
            population="61000",
            invoice_reference="NY-REF",
        ),
    )
    assert response.status_code == 302
    municipality_a.refresh_from_db()
    assert municipality_a.population == 61000
    assert municipality_a.invoice_reference == "NY-REF"
    change = changes_of(municipality_a)[-1]
    assert change.action == ChangeAction.UPDATE
    assert change.changed_fields()["population"] == (60000, 61000)


def test_detail_offers_edit_to_operators_only(operator_client, contact_a, municipality_a):
    url = reverse("organisations:municipality_detail", args=[municipality_a.pk])
    edit = reverse("organisations:municipality_edit", args=[municipality_a.pk])
    assert edit in operator_client.get(url).content.decode()
    assert edit not in client_for(contact_a).get(url).content.decode()


def test_a_contact_may_not_edit_even_their_own_municipality(contact_a, municipality_a):
    response = client_for(contact_a).post(
        reverse("organisations:municipality_edit", args=[municipality_a.pk]),
        municipality_data(population="1"),
    )
    assert response.status_code == 403
    municipality_a.refresh_from_db()
    assert municipality_a.population == 60000


# Locations


def location_data(municipality, **overrides) -> dict:
    data = {
        "municipality": municipality.pk,
        "name": "Nyby skole",
        "kind": "school",
        "street": "Skolevegen 2",
        "postal_code": "9999",
        "city": "Nyby",
    }
    data.update(overrides)
    return data


def test_operator_creates_and_edits_a_location(operator, operator_client, municipality_a):
    response = operator_client.post(
        reverse("organisations:location_create"), location_data(municipality_a)
    )
    location = Location.objects.get(name="Nyby skole")
    assert response["Location"] == reverse("organisations:location_detail", args=[location.pk])
    response = operator_client.post(
        reverse("organisations:location_edit", args=[location.pk]),
        location_data(municipality_a, name="Nyby barneskole"),
    )
    assert response.status_code == 302
    location.refresh_from_db()
    assert location.name == "Nyby barneskole"
    assert [c.action for c in changes_of(location)] == [ChangeAction.CREATE, ChangeAction.UPDATE]
    assert changes_of(location)[0].user == operator


def test_location_name_twice_in_a_municipality_is_a_name_error(operator_client, municipality_a):
    factories.make_location(municipality_a, name="Rådhuset")
    before = Location.objects.count()
    response = operator_client.post(
        reverse("organisations:location_create"),
        location_data(municipality_a, name="rådhuset"),
    )
    assert response.status_code == 400
    assert list(field_errors(response)) == ["name"]
    assert Location.objects.count() == before


def test_bad_location_kind_and_missing_municipality_are_field_errors(operator_client):
    response = operator_client.post(
        reverse("organisations:location_create"),
        {"municipality": "", "name": "X", "kind": "castle"},
    )
    assert response.status_code == 400
    assert set(field_errors(response)) == {"municipality", "kind"}
    assert not Location.objects.exists()


def test_another_municipalitys_location_is_404(contact_a, contact_b, municipality_a):
    location = factories.make_location(municipality_a, name="Fjordvik rådhus")
    url = reverse("organisations:location_detail", args=[location.pk])
    assert client_for(contact_b).get(url).status_code == 404
    own = client_for(contact_a).get(url)
    assert own.status_code == 200
    page = own.content.decode()
    assert 'data-testid="history"' in page
    assert reverse("organisations:location_edit", args=[location.pk]) not in page


# Users


def user_data(**overrides) -> dict:
    data = {
        "username": "ny-kontakt",
        "first_name": "Nina",
        "last_name": "Kontakt",
        "email": "nina@fjordvik.kommune.no",
        "role": Role.MUNICIPALITY,
        "municipality": "",
        "service_area": "",
        "is_active": "on",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return data


def test_operator_creates_a_municipality_contact_who_can_sign_in(operator_client, municipality_a):
    response = operator_client.post(
        reverse("organisations:user_create"), user_data(municipality=municipality_a.pk)
    )
    assert response.status_code == 302
    login = User.objects.get(username="ny-kontakt")
    assert (login.role, login.municipality, login.service_area) == (
        Role.MUNICIPALITY,
        municipality_a,
        None,
    )
    assert login.check_password(PASSWORD)


def test_operator_creates_a_service_area_manager(operator_client, municipality_a, service_area_a):
    response = operator_client.post(
        reverse("organisations:user_create"),
        user_data(
            role=Role.SERVICE_AREA, municipality=municipality_a.pk, service_area=service_area_a.pk
        ),
    )
    assert response.status_code == 302
    assert User.objects.get(username="ny-kontakt").service_area == service_area_a


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"municipality": ""}, "municipality"),  # a contact needs a municipality
        ({"role": Role.SERVICE_AREA}, "service_area"),  # and a manager a service area
        ({"role": Role.SERVICE_AREA, "service_area": "B"}, "service_area"),  # of it
        ({"role": "owner"}, "role"),
        ({"password2": "something else entirely"}, "password2"),
        ({"password1": "", "password2": ""}, "password1"),
        ({"password1": "12345678", "password2": "12345678"}, "password1"),
        ({"username": "contact-a"}, "username"),
    ],
)
def test_bad_user_input_names_the_field_and_saves_nothing(
    operator_client, contact_a, municipality_a, service_area_b, overrides, field
):
    ids = {"A": municipality_a.pk, "B": service_area_b.pk}
    data = user_data(municipality=municipality_a.pk)
    data.update({name: ids.get(value, value) for name, value in overrides.items()})
    before = User.objects.count()
    response = operator_client.post(reverse("organisations:user_create"), data)
    assert response.status_code == 400
    assert list(field_errors(response)) == [field]
    assert User.objects.count() == before


def test_editing_a_user_keeps_the_password_unless_a_new_one_is_given(
    operator_client, contact_a, municipality_b
):
    url = reverse("organisations:user_edit", args=[contact_a.pk])
    response = operator_client.post(
        url,
        user_data(
            username="contact-a",
            municipality=municipality_b.pk,
            is_active="",
            password1="",
            password2="",
        ),
    )
    assert response.status_code == 302
    contact_a.refresh_from_db()
    assert contact_a.municipality == municipality_b
    assert not contact_a.is_active
    assert contact_a.check_password("correct horse battery staple")


@pytest.mark.parametrize("role", ["contact_a", "manager_a", "finance_user", "read_only_user"])
def test_only_operators_list_create_or_edit_users(request, role, contact_a, municipality_a):
    client = client_for(request.getfixturevalue(role))
    before = User.objects.count()
    assert client.get(reverse("organisations:user_list")).status_code == 403
    assert client.get(reverse("organisations:user_edit", args=[contact_a.pk])).status_code == 403
    response = client.post(
        reverse("organisations:user_create"),
        user_data(role=Role.OPERATOR, municipality=municipality_a.pk),
    )
    assert response.status_code == 403
    assert User.objects.count() == before


def test_user_list_shows_roles_and_municipalities(operator_client, contact_a, manager_a):
    response = operator_client.get(reverse("organisations:user_list"), {"role": Role.SERVICE_AREA})
    page = response.content.decode()
    assert response.status_code == 200
    assert "manager-a" in page
    assert "contact-a" not in page
    assert reverse("organisations:user_edit", args=[manager_a.pk]) in page


def test_an_operator_cannot_lock_themselves_out(operator, operator_client):
    response = operator_client.post(
        reverse("organisations:user_edit", args=[operator.pk]),
        user_data(
            username=operator.username,
            role=Role.READ_ONLY,
            is_active="",
            password1="",
            password2="",
        ),
    )
    assert response.status_code == 400
    assert set(field_errors(response)) == {"role", "is_active"}
    operator.refresh_from_db()
    assert (operator.role, operator.is_active) == (Role.OPERATOR, True)


# Users in the change log


def test_creating_and_editing_a_user_is_logged_with_the_operator_and_never_the_password(
    operator, operator_client, municipality_a, service_area_a
):
    operator_client.post(
        reverse("organisations:user_create"), user_data(municipality=municipality_a.pk)
    )
    login = User.objects.get(username="ny-kontakt")
    response = operator_client.post(
        reverse("organisations:user_edit", args=[login.pk]),
        user_data(
            role=Role.SERVICE_AREA,
            municipality=municipality_a.pk,
            service_area=service_area_a.pk,
            email="nina@ny.no",
            is_active="",
            password1="another long passphrase 42",
            password2="another long passphrase 42",
        ),
    )
    assert response.status_code == 302
    created, updated = changes_of(login)
    assert (created.action, created.user, created.municipality_id) == (
        ChangeAction.CREATE,
        operator,
        municipality_a.pk,
    )
    assert created.postchange_data["role"] == Role.MUNICIPALITY
    assert updated.action == ChangeAction.UPDATE
    assert updated.user == operator
    assert updated.service_area_id == service_area_a.pk
    assert set(updated.changed_fields()) == {"role", "service_area_id", "email", "is_active"}
    for change in (created, updated):
        for data in (change.prechange_data or {}, change.postchange_data):
            assert "password" not in data
            assert "last_login" not in data


def test_a_new_password_alone_writes_no_change_row(operator_client, contact_a):
    before = len(changes_of(contact_a))
    response = operator_client.post(
        reverse("organisations:user_edit", args=[contact_a.pk]),
        user_data(
            username="contact-a",
            first_name=contact_a.first_name,
            last_name=contact_a.last_name,
            email=contact_a.email,
            municipality=contact_a.municipality_id,
            password1="another long passphrase 42",
            password2="another long passphrase 42",
        ),
    )
    assert response.status_code == 302
    contact_a.refresh_from_db()
    assert contact_a.check_password("another long passphrase 42")
    assert len(changes_of(contact_a)) == before


def test_signing_in_writes_no_change_row(contact_a, client):
    before = len(changes_of(contact_a))
    response = client.post(
        "/login/", {"username": "contact-a", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302 and "_auth_user_id" in client.session
    assert len(changes_of(contact_a)) == before


def test_user_changes_are_on_the_change_page_for_their_own_municipality_only(
    operator_client, contact_a, contact_b, municipality_a
):
    operator_client.post(
        reverse("organisations:user_create"), user_data(municipality=municipality_a.pk)
    )
    login = User.objects.get(username="ny-kontakt")
    params = {"content_type": "core.user", "object_id": login.pk}
    page = operator_client.get(reverse("change_list"), params).content.decode()
    assert "ny-kontakt" in page
    assert "Fjordvik" in page  # the municipality by its name
    own = client_for(contact_a).get(reverse("change_list"), params).content.decode()
    assert "ny-kontakt" in own
    other = client_for(contact_b).get(reverse("change_list"), params)
    assert other.status_code == 200
    assert "ny-kontakt" not in other.content.decode()


def test_the_user_page_links_to_its_history(operator_client, contact_a):
    page = operator_client.get(reverse("organisations:user_edit", args=[contact_a.pk]))
    expected = f"content_type=core.user&amp;object_id={contact_a.pk}"
    assert expected in page.content.decode()
