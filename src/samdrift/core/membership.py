"""The one rule "a service area, person or location belongs to the municipality it is used for".

It lives in core, below organisations, so that core's ``User.clean`` can ask it too;
it needs no model, only the ``municipality_id`` every member object has.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _


def foreign_member_errors(
    *,
    municipality: Model | None,
    service_area: Model | Any = None,
    person: Model | None = None,
    location: Model | None = None,
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
