"""Write operations on municipalities, service areas, locations and persons."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from samdrift.core.services import save_object
from samdrift.organisations.models import Location, Municipality, Person, ServiceArea


def foreign_member_errors(
    *,
    municipality: Municipality | None,
    service_area: ServiceArea | None = None,
    person: Person | None = None,
    location: Location | None = None,
) -> dict[str, str]:
    """Errors for every given service area, person or location outside ``municipality``."""
    if municipality is None:
        return {}
    errors = {}
    message = _("%(object)s belongs to another municipality than %(municipality)s.")
    for field, obj in (("service_area", service_area), ("person", person), ("location", location)):
        if obj is not None and obj.municipality_id != municipality.pk:
            errors[field] = message % {"object": obj, "municipality": municipality}
    return errors


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
