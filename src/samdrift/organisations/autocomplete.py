"""Persons and locations as autocomplete sources (``ui.autocomplete``): a person found by
name, username or employee number, a location by name or address; both pinned to a
municipality when a form asks (an order's persons). The collaboration's locations run to
thousands at the design scale (2,644 in the large demo), too many for a <select>."""

from __future__ import annotations

from samdrift.organisations.models import Location, Person
from samdrift.ui import autocomplete


def person_label(person: Person) -> str:
    return f"{person} – {person.municipality}"


def location_label(location: Location) -> str:
    return f"{location.municipality} – {location}"


def register() -> None:
    autocomplete.register(
        "person",
        queryset=Person.objects.select_related("municipality").order_by(
            "last_name", "first_name", "pk"
        ),
        search_fields=("first_name", "last_name", "username", "employee_number"),
        label=person_label,
        filters={"municipality": "municipality_id"},
    )
    autocomplete.register(
        "location",
        queryset=Location.objects.select_related("municipality").order_by(
            "municipality__number", "name", "pk"
        ),
        search_fields=("name", "street", "city"),
        label=location_label,
        filters={"municipality": "municipality_id"},
    )
