"""Writes of incidents: entered by operators (``source`` manual) or read from a service
desk's export by the importers. Validation first, naming the field; nothing is saved
when anything is wrong (``core.services.save_object``: ``full_clean`` then ``save`` in a
transaction, the change log in the same transaction).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _

from samdrift.catalogue.models import Service
from samdrift.core.services import save_object
from samdrift.organisations.models import Municipality
from samdrift.servicedesk.choices import IncidentSource, IncidentState, PauseReason, Priority
from samdrift.servicedesk.models import Incident

# The fields an incident's form and serializer may set (``source`` only when created).
INCIDENT_FIELDS = (
    "number",
    "municipality",
    "service",
    "title",
    "category",
    "priority",
    "state",
    "opened_at",
    "responded_at",
    "resolved_at",
    "closed_at",
    "pauses",
)


def _iso(value: Any) -> str | None:
    """A pause's instant as stored: ISO text (a datetime is written in ISO)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value)


def normalise_pauses(pauses: Iterable[Sequence[Any]] | None) -> list[list[str | None]]:
    """``[[reason, start, end], ...]`` with ISO instants; each checked: a known reason,
    a start, an end after the start. Raises ValidationError on ``pauses``."""
    rows: list[list[str | None]] = []
    for index, pause in enumerate(pauses or (), start=1):
        if not isinstance(pause, list | tuple) or len(pause) != 3:
            raise ValidationError(
                {"pauses": _("Pause %(n)d is not [reason, start, end].") % {"n": index}}
            )
        reason, start, end = pause[0], _iso(pause[1]), _iso(pause[2])
        if reason not in PauseReason.values:
            raise ValidationError(
                {
                    "pauses": _("Pause %(n)d has an unknown reason “%(reason)s”; use %(known)s.")
                    % {"n": index, "reason": reason, "known": ", ".join(PauseReason.values)}
                }
            )
        parsed = []
        for label, text in ((_("start"), start), (_("end"), end)):
            if text is None:
                parsed.append(None)
                continue
            try:
                moment = datetime.datetime.fromisoformat(text)
            except ValueError:
                raise ValidationError(
                    {
                        "pauses": _("Pause %(n)d: the %(what)s “%(text)s” is not a time.")
                        % {"n": index, "what": label, "text": text}
                    }
                ) from None
            if moment.tzinfo is None:
                raise ValidationError(
                    {
                        "pauses": _("Pause %(n)d: the %(what)s needs a time zone.")
                        % {"n": index, "what": label}
                    }
                )
            parsed.append(moment)
        if parsed[0] is None:
            raise ValidationError({"pauses": _("Pause %(n)d has no start.") % {"n": index}})
        if parsed[1] is not None and parsed[1] <= parsed[0]:
            raise ValidationError(
                {"pauses": _("Pause %(n)d ends before it starts.") % {"n": index}}
            )
        rows.append([reason, start, end])
    return rows


def _check(incident: Incident, *, new: bool) -> None:
    """Every rule at once, each naming its field: the model's fields and ``clean`` (a
    time before the opening), a known priority, state and source, and the number free
    within the source (said plainly, not as a broken constraint)."""
    errors: dict[str, list[str]] = {}
    try:
        incident.full_clean(validate_constraints=False, validate_unique=False)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    own: dict[str, str] = {}
    if incident.priority not in Priority.values:
        own["priority"] = _("Unknown priority “%(value)s”; use %(known)s.") % {
            "value": incident.priority,
            "known": ", ".join(str(v) for v in Priority.values),
        }
    if incident.state not in IncidentState.values:
        own["state"] = _("Unknown state “%(value)s”.") % {"value": incident.state}
    if incident.source not in IncidentSource.values:
        own["source"] = _("Unknown source “%(value)s”.") % {"value": incident.source}
    number = (incident.number or "").strip()
    incident.number = number
    if number:
        taken = Incident.objects.filter(source=incident.source, number=number)
        if not new:
            taken = taken.exclude(pk=incident.pk)
        if taken.exists():
            own["number"] = _(
                "Incident number %(number)s is already used by another incident from "
                "%(source)s; choose another number."
            ) % {"number": number, "source": IncidentSource(incident.source).label}
    for name, message in own.items():
        # The model's "not a valid choice" says less than ours: ours replaces it.
        errors[name] = [message]
    if errors:
        raise ValidationError(errors)


def create_incident(
    *,
    municipality: Municipality,
    number: str,
    priority: int,
    opened_at: datetime.datetime,
    state: str = IncidentState.NEW,
    service: Service | None = None,
    title: str = "",
    category: str = "",
    responded_at: datetime.datetime | None = None,
    resolved_at: datetime.datetime | None = None,
    closed_at: datetime.datetime | None = None,
    pauses: Iterable[Sequence[Any]] = (),
    source: str = IncidentSource.MANUAL,
) -> Incident:
    """Record an incident of ``municipality``. Its ``number`` is unique within its
    ``source``; times are aware datetimes; ``pauses`` are ``[reason, start, end]``."""
    incident = Incident(
        municipality=municipality,
        number=number,
        priority=priority,
        opened_at=opened_at,
        state=state,
        service=service,
        title=title,
        category=category,
        responded_at=responded_at,
        resolved_at=resolved_at,
        closed_at=closed_at,
        source=source,
    )
    incident.pauses = normalise_pauses(pauses)
    _check(incident, new=True)
    return save_object(instance=incident)


def update_incident(*, incident: Incident, changes: dict[str, Any]) -> Incident:
    """Change an incident. Its source stays (a number is unique within it); its pauses,
    when given, are checked as on creation."""
    changes = dict(changes)
    source = changes.pop("source", None)
    if source is not None and source != incident.source:
        raise ValidationError({"source": _("An incident stays with the source it came from.")})
    if "pauses" in changes:
        changes["pauses"] = normalise_pauses(changes["pauses"])
    with kept_on_error(incident, changes):
        _check(incident, new=False)
    return save_object(instance=incident)


@contextmanager
def kept_on_error(instance: Model, changes: dict[str, Any]):
    """Apply ``changes`` to ``instance``; put the old values back if the block raises,
    so a refused change leaves the caller's object as it was."""
    before = {name: getattr(instance, name) for name in changes}
    for name, value in changes.items():
        setattr(instance, name, value)
    try:
        yield
    except ValidationError:
        for name, value in before.items():
            setattr(instance, name, value)
        raise
