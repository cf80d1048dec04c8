"""Write operations on municipalities, their contacts, service areas, locations and persons.

Each validates the whole object (the model's fields, constraints and ``clean``: a
service area or location of another municipality is refused there) and writes it in one
transaction, with its change-log row; the actor is whoever the entry point set
(docs/services.md).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from samdrift.core.services import save_object
from samdrift.organisations.models import (
    Collaboration,
    Location,
    Municipality,
    MunicipalityContact,
    Person,
    ServiceArea,
)


def save_collaboration(
    *, collaboration: Collaboration, changes: dict[str, Any] | None = None
) -> Collaboration:
    """Edit the collaboration's own details (name, numbers, bank account, invoice series)."""
    return save_object(instance=collaboration, changes=changes)


def save_municipality(
    *, municipality: Municipality, changes: dict[str, Any] | None = None
) -> Municipality:
    """Create or edit a member municipality (``changes`` applied first)."""
    return save_object(instance=municipality, changes=changes)


def save_municipality_contact(
    *, contact: MunicipalityContact, changes: dict[str, Any] | None = None
) -> MunicipalityContact:
    """Create or edit a municipality's contact person (``changes`` applied first; an
    e-mail address or a phone number is required, ``MunicipalityContact.clean``)."""
    return save_object(instance=contact, changes=changes)


def save_location(*, location: Location, changes: dict[str, Any] | None = None) -> Location:
    """Create or edit a location (``changes`` applied to ``location`` first)."""
    return save_object(instance=location, changes=changes)


def save_service_area(
    *, service_area: ServiceArea, changes: dict[str, Any] | None = None
) -> ServiceArea:
    """Create or edit a service area (``changes`` applied to ``service_area`` first)."""
    return save_object(instance=service_area, changes=changes)


def save_person(*, person: Person, changes: dict[str, Any] | None = None) -> Person:
    """Create or edit a person: their municipality, service area, location and active
    dates (``changes`` applied to ``person`` first). Ending a person has ``end_person``."""
    return save_object(instance=person, changes=changes)


def end_person(*, person: Person, on: datetime.date) -> Person:
    """Mark a person no longer active from ``on`` (e.g. they left the municipality)."""
    if on <= person.active_from:
        raise ValidationError(
            {
                "active_to": _("Must be after 'active from' (%(date)s).")
                % {"date": person.active_from.isoformat()}
            }
        )
    return save_object(instance=person, changes={"active_to": on})
