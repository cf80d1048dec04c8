"""Importing a municipality's service areas, locations and persons."""

import datetime

import pytest

from samdrift.core.changelog import changes_for
from samdrift.core.importing import run_import
from samdrift.imports.registry import importer_class
from samdrift.organisations.choices import LocationKind, PersonKind, ServiceAreaKind
from samdrift.organisations.models import Location, Person, ServiceArea
from tests import factories
from tests.factories import csv_bytes

pytestmark = pytest.mark.django_db
D = datetime.date


def imported(kind, municipality, rows, **options):
    return run_import(
        importer=importer_class(kind),
        data=csv_bytes(rows),
        filename=f"{kind}.csv",
        municipality=municipality,
        **options,
    )


def test_service_areas_with_norwegian_headers_and_kinds(municipality_a):
    rows = [
        ["Tjenesteområde", "Ansvar", "Type", "Aktiv"],
        ["Oppvekst", "2000", "Oppvekst", "ja"],
        ["Helse og omsorg", "3000", "Helse og omsorg", "ja"],
        ["Kultur", "5000", "culture", "nei"],
    ]
    result = imported("service-areas", municipality_a, rows)
    assert result.created == 3, result.errors
    culture = ServiceArea.objects.get(name="Kultur")
    assert (culture.cost_centre, culture.kind, culture.active) == ("5000", "culture", False)
    assert ServiceArea.objects.get(name="Oppvekst").kind == ServiceAreaKind.EDUCATION
    assert imported("service-areas", municipality_a, rows).unchanged == 3


def test_service_area_cost_centres_are_unique_and_required(municipality_a):
    factories.make_service_area(municipality_a, name="Oppvekst", cost_centre="2000")
    rows = [
        ["Name", "Cost centre"],
        ["Teknisk", "2000"],
        ["Kultur", ""],
        ["Helse", "3000"],
        ["Omsorg", "3000"],
    ]
    result = imported("service-areas", municipality_a, rows)
    found = {(e.line, e.column): e.message for e in result.errors}
    assert "already used by the service area “Oppvekst”" in found[(2, "Cost centre")]
    assert "needs cost centre" in found[(3, "Cost centre")]
    assert "duplicate cost centre of row 4" in found[(5, "Cost centre")]
    assert ServiceArea.objects.count() == 1


def test_service_areas_are_matched_per_municipality(municipality_a, municipality_b):
    factories.make_service_area(municipality_b, name="Oppvekst", cost_centre="2000")
    result = imported(
        "service-areas", municipality_a, [["Name", "Cost centre"], ["Oppvekst", "2000"]]
    )
    assert result.created == 1
    assert ServiceArea.objects.filter(name="Oppvekst").count() == 2


def test_locations_update_only_with_permission(municipality_a):
    rows = [
        ["Sted", "Type", "Adresse", "Postnr", "Poststed"],
        ["Rådhuset", "Rådhus", "Storgata 1", "9990", "Båtsfjord"],
    ]
    assert imported("locations", municipality_a, rows).created == 1
    moved = [rows[0], ["rådhuset", "Rådhus", "Storgata 2", "9990", "Båtsfjord"]]
    refused = imported("locations", municipality_a, moved)
    assert {e.column for e in refused.errors} == {"Sted", "Adresse"}
    result = imported("locations", municipality_a, moved, update=True)
    assert result.updated == 1
    location = Location.objects.get()
    assert (location.name, location.street, location.kind) == (
        "rådhuset",
        "Storgata 2",
        LocationKind.TOWN_HALL,
    )
    assert changes_for(location).first().changed_fields()["street"] == ("Storgata 1", "Storgata 2")


def test_persons_from_an_hr_file(municipality_a):
    oppvekst = factories.make_service_area(municipality_a, name="Oppvekst", cost_centre="2000")
    rows = [
        ["Brukernavn", "Navn", "E-post", "Ansattnr", "Ansvar", "Arbeidssted", "Startdato", "Type"],
        [
            "kari",
            "Nordmann, Kari",
            "kari@fjordvik.no",
            "1001",
            "2000",
            "Skåla skole",
            "01.08.2020",
            "Ansatt",
        ],
        ["ola", "Ola Normann", "", "1002", "2000", "Skåla skole", "", "Elev"],
    ]
    result = imported("persons", municipality_a, rows, on=D(2026, 1, 1))
    assert result.created == 2, result.errors
    assert result.to_create == {"locations": ["Skåla skole"]}
    kari = Person.objects.get(username="kari")
    assert (kari.first_name, kari.last_name, kari.email, kari.employee_number) == (
        "Kari",
        "Nordmann",
        "kari@fjordvik.no",
        "1001",
    )
    assert kari.service_area == oppvekst and kari.location.name == "Skåla skole"
    assert kari.active_from == D(2020, 8, 1)
    ola = Person.objects.get(username="ola")
    assert (ola.active_from, ola.kind) == (D(2026, 1, 1), PersonKind.PUPIL)
    assert Location.objects.filter(name="Skåla skole").count() == 1
    again = imported("persons", municipality_a, rows, on=D(2026, 1, 1))
    assert again.unchanged == 2 and again.ok


def test_person_rows_that_cannot_be_imported(municipality_a):
    factories.make_person(municipality_a, username="Kari", first_name="Kari", last_name="N")
    rows = [
        [
            "Username",
            "First name",
            "Last name",
            "Service area",
            "Active from",
            "Active to",
            "E-mail",
        ],
        ["kari", "Kari", "N", "Skole", "", "", ""],
        ["per", "Per", "", "", "", "", ""],
        ["liv", "Liv", "L", "", "01.01.2026", "01.01.2025", ""],
        ["ask", "Ask", "A", "", "", "", "ikke-en-adresse"],
    ]
    result = imported("persons", municipality_a, rows)
    found = {(e.line, e.column): e.message for e in result.errors}
    assert "unknown service area “Skole”" in found[(2, "Service area")]
    assert "needs last name" in found[(3, "Last name")]
    assert "must be after" in found[(4, "Active to")]
    assert "not an e-mail address" in found[(5, "E-mail")]
    assert Person.objects.count() == 1


def test_a_strict_person_import_does_not_create_locations(municipality_a):
    rows = [["Username", "First name", "Last name", "Location"], ["kari", "Kari", "N", "Nytt sted"]]
    result = imported("persons", municipality_a, rows, strict=True)
    assert "strict" in result.errors[0].message
    assert not Location.objects.exists()


@pytest.mark.parametrize("size", [5, 40])
def test_a_person_import_costs_the_same_queries_for_5_or_40_rows(
    municipality_a, django_assert_max_num_queries, size
):
    factories.make_service_area(municipality_a, name="Oppvekst", cost_centre="2000")
    rows = [["Username", "First name", "Last name", "Service area", "Location"]]
    rows += [[f"user{n}", "Kari", f"N{n}", "Oppvekst", f"Skole {n % 3}"] for n in range(size)]
    with django_assert_max_num_queries(30):
        assert imported("persons", municipality_a, rows).created == size
    rows[1][2] = "Endret"
    with django_assert_max_num_queries(20):
        assert imported("persons", municipality_a, rows, update=True).updated == 1
