"""Source mappings: what a value of a column of a service desk's export means (a
municipality, a service or both). Kept by operators; every import of that source uses
them (``servicedesk.importers.incidents``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from samdrift.core.services import save_object
from samdrift.servicedesk.choices import IncidentSource, MappedColumn
from samdrift.servicedesk.models import SourceMapping


def normal_value(value: str) -> str:
    """A value as stored: spaces made one (the import looks it up ignoring case)."""
    return " ".join((value or "").split())


@transaction.atomic
def set_mapping(*, source, column, value, municipality=None, service=None) -> SourceMapping:
    """Map ``value`` of ``column`` in ``source``'s exports to ``municipality`` and/or
    ``service`` (replacing an earlier mapping of the same value, whatever its case).
    The caller checks that the user may (operators: ``can_write(user, SourceMapping)``)."""
    errors = {}
    if source not in IncidentSource.values or source == IncidentSource.MANUAL:
        errors["source"] = _("Not a service desk: %(value)s.") % {"value": source}
    if column not in MappedColumn.values:
        errors["column"] = _("Not a mapped column: %(value)s.") % {"value": column}
    value = normal_value(value)
    if not value:
        errors["value"] = _("Give the value as the export writes it.")
    elif len(value) > 200:
        errors["value"] = _("At most 200 characters.")
    if municipality is None and service is None:
        errors["municipality"] = _("Map the value to a municipality, a service, or both.")
    if errors:
        raise ValidationError(errors)
    mapping = (
        SourceMapping.objects.select_for_update()
        .filter(source=source, column=column, value__iexact=value)
        .first()
    )
    if mapping is None:
        mapping = SourceMapping(source=source, column=column, value=value)
    changes = {"value": value, "municipality": municipality, "service": service}
    return save_object(instance=mapping, changes=changes)


@transaction.atomic
def delete_mapping(*, mapping: SourceMapping) -> None:
    """Forget a mapping: later imports list its value as unmapped again."""
    mapping.delete()
