"""Persons as an autocomplete source (``ui.autocomplete``): found by name, username or
employee number, pinned to a municipality when a form asks (an order's persons)."""

from __future__ import annotations

from samdrift.organisations.models import Person
from samdrift.ui import autocomplete


def person_label(person: Person) -> str:
    return f"{person} – {person.municipality}"


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
