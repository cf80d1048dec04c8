"""Write operations on municipalities, service areas, locations and persons."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from samdrift.core.services import save_object
from samdrift.organisations.models import Person


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
