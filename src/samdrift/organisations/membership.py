"""The one rule "a service area, person or location belongs to the municipality it is used for".

Kept free of model imports so that every layer can call it — core's User.clean included,
which organisations' models themselves import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from samdrift.organisations.models import Location, Municipality, Person, ServiceArea


def foreign_member_errors(
    *,
    municipality: Municipality | None,
    service_area: ServiceArea | Any = None,
    person: Person | None = None,
    location: Location | None = None,
) -> dict[str, str]:
    """Errors for every given service area, person or location outside ``municipality``.

    A value without a ``municipality_id`` (not a member object at all) counts as foreign.
    """
    if municipality is None:
        return {}
    errors = {}
    message = _("%(object)s belongs to another municipality than %(municipality)s.")
    for field, obj in (("service_area", service_area), ("person", person), ("location", location)):
        if obj is not None and getattr(obj, "municipality_id", None) != municipality.pk:
            errors[field] = message % {"object": obj, "municipality": municipality}
    return errors
