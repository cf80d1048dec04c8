"""Validation of the collaboration, municipalities, service areas, locations and persons,
and the person services."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from samdrift.core.changelog import changes_for
from samdrift.core.choices import Role
from samdrift.core.membership import foreign_member_errors
from samdrift.core.models import User
from samdrift.core.validators import (
    organisation_number_with_check_digit,
    validate_municipality_number,
    validate_organisation_number,
)
from samdrift.organisations.models import Collaboration, Municipality, Person, ServiceArea
from samdrift.organisations.services import end_person
from tests import factories

D = datetime.date
pytestmark = pytest.mark.django_db


def municipality(**fields) -> Municipality:
    values = {
        "name": "Nyby",
        "number": "4650",
        "organisation_number": "964338531",
        "population": 900,
        "joined_on": D(2026, 1, 1),
    }
    values.update(fields)
    return Municipality(**values)


# --- Organisation and municipality numbers -------------------------------------------------


@pytest.mark.parametrize("number", ["964338531", "974760673", "940791901"])
def test_real_organisation_numbers_are_accepted(number):
    validate_organisation_number(number)
    municipality(organisation_number=number).full_clean()


@pytest.mark.parametrize(
    ("number", "words"),
    [
        ("964338532", "mod-11"),  # one digit off: the check digit no longer fits
        ("96433853", "9 digits"),
        ("9643385310", "9 digits"),
        ("96433853A", "only digits"),
    ],
)
def test_a_bad_organisation_number_names_the_field_and_says_why(number, words):
    with pytest.raises(ValidationError) as error:
        municipality(organisation_number=number).full_clean()
    assert list(error.value.message_dict) == ["organisation_number"]
    assert words in error.value.message_dict["organisation_number"][0]


def test_the_check_digit_helper_makes_valid_numbers_only():
    made = [organisation_number_with_check_digit(f"{n:08d}") for n in range(96433840, 96433900)]
    valid = [m for m in made if m is not None]
    assert valid  # most prefixes have a check digit
    for number in valid:
        validate_organisation_number(number)
    assert organisation_number_with_check_digit("96433853") == "964338531"


@pytest.mark.parametrize("number", ["301", "03010", "O301", ""])
def test_a_municipality_number_has_four_digits(number):
    with pytest.raises(ValidationError):
        validate_municipality_number(number)
    with pytest.raises(ValidationError) as error:
        municipality(number=number).full_clean()
    assert "number" in error.value.message_dict


def test_municipality_name_number_and_org_number_are_unique(municipality_a):
    for field in ("name", "number", "organisation_number"):
        copy = municipality(**{field: getattr(municipality_a, field)})
        with pytest.raises(ValidationError) as error:
            copy.full_clean()
        assert field in error.value.message_dict


def test_population_cannot_be_negative():
    with pytest.raises(ValidationError) as error:
        municipality(population=-1).full_clean()
    assert "population" in error.value.message_dict


def test_the_peppol_endpoint_defaults_to_the_organisation_number():
    assert municipality().peppol_endpoint_id == "964338531"
    assert municipality(peppol_endpoint="0192:974760673").peppol_endpoint_id == "974760673"


def test_the_collaboration_checks_its_bank_account(collaboration):
    collaboration.full_clean()
    collaboration.bank_account = "86011117948"
    with pytest.raises(ValidationError) as error:
        collaboration.full_clean()
    assert "bank_account" in error.value.message_dict
    assert Collaboration.get() == collaboration
    assert collaboration.currency == "NOK"


# --- Service areas and persons ------------------------------------------------------------


def test_service_area_names_and_cost_centres_are_unique_per_municipality(
    municipality_a, municipality_b, service_area_a
):
    twin = ServiceArea(municipality=municipality_a, name=service_area_a.name, cost_centre="x")
    with pytest.raises(ValidationError):
        twin.full_clean()
    # The same name in another municipality is fine.
    ServiceArea(
        municipality=municipality_b, name=service_area_a.name, cost_centre="2000"
    ).full_clean()


def person(municipality, **fields) -> Person:
    values = {
        "municipality": municipality,
        "username": "kari",
        "first_name": "Kari",
        "last_name": "Nordmann",
        "active_from": D(2024, 1, 1),
    }
    values.update(fields)
    return Person(**values)


def test_a_person_must_end_after_starting(municipality_a):
    with pytest.raises(ValidationError) as error:
        person(municipality_a, active_to=D(2024, 1, 1)).full_clean()
    assert list(error.value.message_dict) == ["active_to"]
    person(municipality_a, active_to=D(2024, 1, 2)).full_clean()


def test_a_person_belongs_to_service_areas_and_locations_of_their_municipality(
    municipality_a, service_area_b, municipality_b
):
    location_b = factories.make_location(municipality_b)
    with pytest.raises(ValidationError) as error:
        person(municipality_a, service_area=service_area_b, location=location_b).full_clean()
    assert set(error.value.message_dict) == {"service_area", "location"}


def test_a_holder_of_devices_cannot_move_to_another_municipality(municipality_a, municipality_b):
    """A device's holder is a member of its municipality (the device search relies on it):
    moving a holder is refused until the devices are returned; a person holding nothing
    moves freely."""
    from samdrift.inventory.services.assignments import assign_asset, end_assignment

    holder = factories.make_person(municipality_a, username="holder", active_from=D(2024, 1, 1))
    asset = factories.make_asset()
    assign_asset(asset=asset, municipality=municipality_a, person=holder, valid_from=D(2025, 1, 1))
    holder.municipality = municipality_b
    with pytest.raises(ValidationError) as error:
        holder.full_clean()
    assert list(error.value.message_dict) == ["municipality"]
    assert "return or reassign them" in error.value.message_dict["municipality"][0]
    api = factories.api_as(factories.make_user(Role.OPERATOR))
    response = api.patch(f"/api/persons/{holder.pk}/", {"municipality": municipality_b.pk})
    assert response.status_code == 400
    assert "return or reassign them" in response.json()["municipality"][0]
    assert Person.objects.get(pk=holder.pk).municipality == municipality_a

    end_assignment(asset=asset, on=D(2025, 6, 1))
    holder.full_clean()  # holds nothing now
    holder.save()
    assert Person.objects.get(pk=holder.pk).municipality == municipality_b


def test_a_person_with_a_device_dated_ahead_cannot_move_either(municipality_a, municipality_b):
    """Holding nothing today, but an assignment from next month: on that day they hold
    the device, so the move is refused as for a holder today."""
    from django.utils import timezone

    from samdrift.inventory.services.assignments import assign_asset

    person = factories.make_person(municipality_a, active_from=D(2024, 1, 1))
    ahead = timezone.localdate() + datetime.timedelta(days=30)
    assign_asset(
        asset=factories.make_asset(), municipality=municipality_a, person=person, valid_from=ahead
    )
    assert not person.assets.exists()  # nobody's holder today
    person.municipality = municipality_b
    with pytest.raises(ValidationError) as error:
        person.full_clean()
    assert list(error.value.message_dict) == ["municipality"]


def test_usernames_are_unique_per_municipality(municipality_a, municipality_b):
    factories.make_person(municipality_a, username="kari")
    with pytest.raises(ValidationError) as error:
        person(municipality_a).full_clean()
    assert error.value.message_dict  # the (municipality, username) constraint
    person(municipality_b).full_clean()


def test_active_on_is_half_open(municipality_a):
    someone = person(municipality_a, active_from=D(2024, 1, 1), active_to=D(2024, 7, 1))
    assert not someone.is_active_on(D(2023, 12, 31))
    assert someone.is_active_on(D(2024, 1, 1))
    assert someone.is_active_on(D(2024, 6, 30))
    assert not someone.is_active_on(D(2024, 7, 1))


def test_end_person_sets_the_end_and_logs_it(municipality_a):
    kari = factories.make_person(municipality_a, active_from=D(2024, 1, 1))
    end_person(person=kari, on=D(2026, 8, 1))
    kari.refresh_from_db()
    assert kari.active_to == D(2026, 8, 1)
    assert changes_for(kari).first().changed_fields() == {"active_to": (None, "2026-08-01")}


def test_end_person_before_the_start_is_refused(municipality_a):
    kari = factories.make_person(municipality_a, active_from=D(2024, 1, 1))
    with pytest.raises(ValidationError) as error:
        end_person(person=kari, on=D(2024, 1, 1))
    assert "active_to" in error.value.message_dict
    kari.refresh_from_db()
    assert kari.active_to is None


def test_foreign_member_errors(municipality_a, service_area_a, service_area_b):
    assert foreign_member_errors(municipality=municipality_a, service_area=service_area_a) == {}
    errors = foreign_member_errors(municipality=municipality_a, service_area=service_area_b)
    assert list(errors) == ["service_area"]
    assert foreign_member_errors(municipality=None, service_area=service_area_b) == {}


def _foreign(obj, municipality) -> str:
    # The msgid the one rule uses, filled in here so the expectation does not come from it.
    return gettext("%(object)s belongs to another municipality than %(municipality)s.") % {
        "object": obj,
        "municipality": municipality,
    }


def test_a_person_and_a_user_refuse_a_foreign_member_with_the_one_message(
    municipality_a, municipality_b, service_area_b
):
    elsewhere = factories.make_location(municipality_b)
    person = Person(
        municipality=municipality_a,
        service_area=service_area_b,
        location=elsewhere,
        username="foreign",
        first_name="Kari",
        last_name="Nordmann",
        active_from=D(2024, 1, 1),
    )
    with pytest.raises(ValidationError) as error:
        person.clean()
    assert error.value.message_dict == {
        "service_area": [_foreign(service_area_b, municipality_a)],
        "location": [_foreign(elsewhere, municipality_a)],
    }

    user = User(
        username="foreign-manager",
        role=Role.SERVICE_AREA,
        municipality=municipality_a,
        service_area=service_area_b,
    )
    with pytest.raises(ValidationError) as error:
        user.clean()
    assert error.value.message_dict == {"service_area": [_foreign(service_area_b, municipality_a)]}


def test_a_value_that_is_no_member_object_counts_as_foreign(municipality_a):
    # The buyout rows may carry an unresolved value; it must be refused, not pass.
    assert list(foreign_member_errors(municipality=municipality_a, service_area="7")) == [
        "service_area"
    ]
