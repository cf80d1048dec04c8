"""Import of incidents from the service desks' exports: ServiceNow, TOPdesk, GLPI and Jira
Service Management (``formats``: what each calls things).

**One file, many municipalities**: the kind is not per municipality; a row's municipality
comes from a source mapping (``SourceMapping``) of its company, location or caller's
organisation, or from a municipality whose name or number the value is; a municipality
given with the import is the default for rows no value places. Its service comes from a
mapping of its category (or a catalogue service of that name or code); none: the
incident is not measured against a service level.

**Event logs**: an export may hold a row per change of an incident. The rows of one
number are ordered by their update time (``sys_updated_on``, Updated, Last update) and
reduced to one incident: the latest state and the latest known value of every field;
the first response from the export's own column, else the update time of the first
event whose state is no longer "new" (a plain export of one row per incident shows no
such change: there, a resolved incident's resolution is its first response); the pauses
are the periods in a waiting state (for the user, for a vendor); ``events`` is the
number of rows. A plain export is an event log of one event per incident.

**Re-import**: incidents are matched on (source, number). One equal to the file is
unchanged (not written); one that differs is **updated without asking** (the kind's
``updates_by_default``): an export is a snapshot of a live service desk, whose incidents
move on between two exports, and refusing every moved incident would refuse every
re-import. All or nothing, every bad row reported, as every import.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from samdrift.catalogue.models import Service
from samdrift.core.bulk import InstanceFactory
from samdrift.core.importing import Importer, ImportOption, Row
from samdrift.core.importing.parsing import squash
from samdrift.core.importing.results import CREATED, UNCHANGED, UPDATED, display
from samdrift.organisations.models import Municipality
from samdrift.servicedesk.choices import IncidentSource, IncidentState, PauseReason
from samdrift.servicedesk.importers.columns import INCIDENT_COLUMNS, PLACE_COLUMNS
from samdrift.servicedesk.importers.formats import FORMATS, Format, detect
from samdrift.servicedesk.models import Incident, SourceMapping

_UNSEEN = object()
# The fields an incident takes from its latest event that says them.
CARRIED = (
    "opened_at",
    "responded_at",
    "resolved_at",
    "closed_at",
    "company",
    "location",
    "caller_organisation",
    "category",
    "title",
)
COMPARED = (
    "municipality_id",
    "service_id",
    "title",
    "category",
    "priority",
    "state",
    "opened_at",
    "responded_at",
    "resolved_at",
    "closed_at",
    "pauses",
    "events",
)
PAUSING = {
    IncidentState.AWAITING_USER: PauseReason.AWAITING_USER,
    IncidentState.AWAITING_VENDOR: PauseReason.AWAITING_VENDOR,
}
DONE = frozenset({IncidentState.RESOLVED, IncidentState.CLOSED})


def source_choices() -> tuple[tuple[str, Any], ...]:
    return tuple((value, IncidentSource(value).label) for value in FORMATS)


def normal(value: str) -> str:
    """A mapped value as it is looked up: spaces made one, case ignored."""
    return " ".join(value.split()).casefold()


@dataclass
class Reduced:
    """One incident read from its events."""

    number: str
    line: int  # the latest event's row
    lines: list[int]
    values: dict[str, Any] = field(default_factory=dict)
    priority: int | None = None
    state: str | None = None
    pauses: list[list] = field(default_factory=list)
    events: int = 0


class IncidentImporter(Importer):
    kind = "incidents"
    label = gettext_lazy("Incidents (service desk export)")
    model = Incident
    per_municipality = False
    municipality_optional = True
    updates_by_default = True
    key_description = gettext_lazy("source and number")
    columns = INCIDENT_COLUMNS
    options = (
        ImportOption(
            "source",
            gettext_lazy("Service desk"),
            choices=source_choices(),
            help_text=gettext_lazy(
                "Which service desk wrote the file; empty: told by its headers."
            ),
        ),
    )

    def plan(self, rows: list[Row]) -> None:
        self.new: list[dict[str, Any]] = []
        self.changed: list[Incident] = []
        self.befores: list[dict[str, Any]] = []
        self.changed_fields: set[str] = set()
        self.format = self._format()
        if self.format is None:
            return
        self.source = self.format.source.value
        # Each text's meaning, read once (a file has a handful of priorities and states).
        self.priority_of: dict[str, int | None] = {}
        self.state_of: dict[tuple, str | None] = {}
        groups = self._groups(rows)
        self._load(groups)
        self.unmapped: dict[tuple[str, str], list] = {}  # (column, value) → [incidents, line]
        self.unplaced: dict[tuple[str, str], list] = {}
        for number, events in groups.items():
            incident = self._reduce(number, events)
            if incident is not None:
                self._plan_incident(incident)
        self._report_places()
        details = self.report.result.details
        details.update(
            source=self.source,
            incidents=len(groups),
            events=sum(len(events) for events in groups.values()),
        )
        self.report.warning(
            _("%(incidents)s incidents in %(events)s rows (%(source)s).")
            % {
                "incidents": f"{details['incidents']:,}",
                "events": f"{details['events']:,}",
                "source": self.format.source.label,
            }
        )

    # --- the source -------------------------------------------------------------------

    def _format(self) -> Format | None:
        given = self.context.options.get("source")
        if given:
            return FORMATS[given]
        found = detect(self.report.result.headers)
        if len(found) == 1:
            return FORMATS[found[0]]
        names = ", ".join(str(FORMATS[s].source.label) for s in (found or FORMATS))
        if found:
            message = _(
                "The headers fit more than one service desk (%(names)s); choose the source "
                "(--source %(choices)s)."
            )
        else:
            message = _(
                "The headers are not those of a known service desk export (%(names)s); "
                "choose the source (--source %(choices)s)."
            )
        self.report.error(0, "", message % {"names": names, "choices": "|".join(FORMATS)})
        return None

    # --- lookups (a fixed number of queries) ------------------------------------------

    def _load(self, groups: dict[str, list[Row]]) -> None:
        self.municipalities: dict[str, Municipality] = {}
        self.municipalities_by_id: dict[int, Municipality] = {}
        for m in Municipality.objects.all():
            self.municipalities_by_id[m.pk] = m
            for text in (m.name, m.number, f"{m.name} kommune", f"{m.number} {m.name}"):
                self.municipalities.setdefault(squash(text), m)
        self.services: dict[str, Service] = {}
        self.services_by_id: dict[int, Service] = {}
        for s in Service.objects.all():
            self.services_by_id[s.pk] = s
            self.services.setdefault(normal(s.name), s)
            self.services.setdefault(normal(s.code), s)
        self.mappings: dict[tuple[str, str], SourceMapping] = {
            (m.column, normal(m.value)): m for m in SourceMapping.objects.filter(source=self.source)
        }
        self.stored: dict[str, Incident] = {}
        if groups:
            for incident in Incident.objects.filter(source=self.source).iterator(2000):
                if incident.number in groups:
                    self.stored[incident.number] = incident

    # --- events → incidents -----------------------------------------------------------

    def _groups(self, rows: list[Row]) -> dict[str, list[Row]]:
        groups: dict[str, list[Row]] = {}
        for row in rows:
            number = row.values.get("number")
            if number is None:
                if "number" not in row.failed:
                    self.report.error(row.line, "number", _("the incident's number is required"))
                continue
            groups.setdefault(number, []).append(row)
        return groups

    def _ordered(self, number: str, events: list[Row]) -> list[Row] | None:
        if len(events) == 1:
            return events
        untimed = [row for row in events if row.values.get("updated_at") is None]
        if untimed:
            for row in untimed:
                if "updated_at" in row.failed:
                    continue
                self.report.error(
                    row.line,
                    "updated_at" if self.has("updated_at") else "",
                    _(
                        "%(number)s is on %(count)d rows: an event log needs each row's update "
                        "time (a column such as sys_updated_on, Updated or Last update)"
                    )
                    % {"number": number, "count": len(events)},
                )
            return None
        return sorted(events, key=lambda row: (row.values["updated_at"], row.line))

    def _reduce(self, number: str, events: list[Row]) -> Reduced | None:
        ordered = self._ordered(number, events)
        if ordered is None or not all(row.ok for row in events):
            return None
        incident = Reduced(number, ordered[-1].line, [row.line for row in ordered])
        incident.events = len(ordered)
        priority_of, state_of = self.priority_of, self.state_of
        ok = True
        states: list[tuple[datetime.datetime | None, str]] = []
        for row in ordered:
            values = row.values
            for key in CARRIED:
                value = values.get(key)
                if value is not None:
                    incident.values[key] = value
            text = values.get("priority")
            if text is not None:
                priority = priority_of.get(text, _UNSEEN)
                if priority is _UNSEEN:
                    priority = priority_of[text] = self.format.priority(text)
                if priority is None:
                    ok = False
                    self.report.error(
                        row.line,
                        "priority",
                        _("unknown priority “%(value)s” for %(source)s; accepted: %(accepted)s")
                        % {
                            "value": text,
                            "source": self.format.source.label,
                            "accepted": self.format.accepted_priorities(),
                        },
                    )
                incident.priority = priority
            text = values.get("state")
            if text is not None:
                pair = (text, values.get("hold_reason"))
                state = state_of.get(pair, _UNSEEN)
                if state is _UNSEEN:
                    state = state_of[pair] = self.format.state(*pair)
                if state is None:
                    ok = False
                    self.report.error(
                        row.line,
                        "state",
                        _("unknown state “%(value)s” for %(source)s; accepted: %(accepted)s")
                        % {
                            "value": text,
                            "source": self.format.source.label,
                            "accepted": self.format.accepted_states(),
                        },
                    )
                    continue
                incident.state = state
                states.append((values.get("updated_at"), state))
        if not ok:
            return None
        if incident.priority is None:
            self.report.error(
                incident.line,
                "priority",
                _("%(number)s has no priority on any row") % {"number": number},
            )
            ok = False
        if incident.state is None:
            self.report.error(
                incident.line, "state", _("%(number)s has no state on any row") % {"number": number}
            )
            ok = False
        if "opened_at" not in incident.values:
            self.report.error(
                incident.line,
                "opened_at",
                _("%(number)s has no opening time on any row") % {"number": number},
            )
            ok = False
        if not ok:
            return None
        self._first_response(incident, states)
        incident.pauses = _pauses(states)
        return incident

    @staticmethod
    def _first_response(incident: Reduced, states: list) -> None:
        values = incident.values
        if values.get("responded_at") is not None:
            return
        if incident.events > 1:
            for when, state in states:
                if state != IncidentState.NEW and when is not None:
                    values["responded_at"] = when
                    return
            return
        # A plain export does not show when the state left "new": a resolution is a
        # response, at the latest.
        if incident.state in DONE and values.get("resolved_at") is not None:
            values["responded_at"] = values["resolved_at"]

    # --- municipality and service -----------------------------------------------------

    def _place(self, incident: Reduced) -> tuple[Municipality | None, Service | None]:
        values = incident.values
        municipality = service = None
        unplaced = []
        for key in PLACE_COLUMNS:
            text = values.get(key)
            if not text:
                continue
            mapping = self.mappings.get((key, normal(text)))
            if mapping is not None and mapping.service_id and service is None:
                service = self.services_by_id.get(mapping.service_id)
            if municipality is not None:
                continue
            if mapping is not None and mapping.municipality_id:
                municipality = self.municipalities_by_id.get(mapping.municipality_id)
                continue
            municipality = self.municipalities.get(squash(text))
            if municipality is None:
                unplaced.append((key, text))
        if municipality is None:
            for key, text in unplaced:
                self._note(self.unmapped, key, text, incident.line)
            if self.context.municipality is not None:
                municipality = self.context.municipality
            else:
                first = unplaced[0] if unplaced else ("", "")
                self._note(self.unplaced, *first, incident.line)
        category = values.get("category")
        if category:
            mapping = self.mappings.get(("category", normal(category)))
            if mapping is not None and mapping.service_id:
                service = self.services_by_id.get(mapping.service_id)
            elif mapping is None or mapping.service_id is None:
                found = self.services.get(normal(category))
                if found is not None:
                    service = found
                elif service is None:
                    self._note(self.unmapped, "category", category, incident.line)
        return municipality, service

    @staticmethod
    def _note(seen: dict, key: str, text: str, line: int) -> None:
        entry = seen.get((key, text))
        if entry is None:
            seen[(key, text)] = [1, line]
        else:
            entry[0] += 1

    def _report_places(self) -> None:
        """Each value no mapping knows once, with its incidents counted: in the details
        (for the mapping forms), as a note, and as an error when its incidents have no
        municipality at all."""
        default = self.context.municipality
        unmapped = []
        for (key, text), (count, line) in sorted(self.unmapped.items()):
            header = self.report.header(key)
            unmapped.append(
                {"column": key, "header": header, "value": text, "incidents": count, "line": line}
            )
            if key == "category":
                outcome = _("not measured against a service level")
            elif default is not None:
                outcome = _("counted as %(municipality)s (the default)") % {"municipality": default}
            else:
                outcome = _("no municipality")
            self.report.warning(
                ngettext(
                    "%(column)s “%(value)s” is not mapped (%(count)s incident): %(outcome)s.",
                    "%(column)s “%(value)s” is not mapped (%(count)s incidents): %(outcome)s.",
                    count,
                )
                % {"column": header, "value": text, "count": f"{count:,}", "outcome": outcome}
            )
        self.report.result.details["unmapped"] = unmapped
        for (key, text), (count, line) in sorted(self.unplaced.items(), key=lambda i: i[1][1]):
            if text:
                message = ngettext(
                    "%(column)s “%(value)s” is mapped to no municipality (%(count)d incident); "
                    "map it to one, or give a default municipality",
                    "%(column)s “%(value)s” is mapped to no municipality (%(count)d incidents); "
                    "map it to one, or give a default municipality",
                    count,
                ) % {"column": self.report.header(key), "value": text, "count": count}
            else:
                message = ngettext(
                    "nothing says whose incident this is (no company, location or caller's "
                    "organisation; %(count)d incident); give a default municipality",
                    "nothing says whose incident this is (no company, location or caller's "
                    "organisation; %(count)d incidents); give a default municipality",
                    count,
                ) % {"count": count}
            self.report.error(line, key, message)

    # --- one incident -----------------------------------------------------------------

    def _plan_incident(self, incident: Reduced) -> None:
        municipality, service = self._place(incident)
        values = incident.values
        opened = values["opened_at"]
        order_ok = True
        for key in ("responded_at", "resolved_at", "closed_at"):
            later = values.get(key)
            if later is not None and later < opened:
                what = {
                    "responded_at": _("first response"),
                    "resolved_at": _("resolution"),
                    "closed_at": _("closing"),
                }[key]
                order_ok = False
                self.report.error(
                    incident.line,
                    key if self.has(key) else "updated_at",
                    _("%(number)s: the %(what)s (%(later)s) is before it was opened (%(opened)s)")
                    % {
                        "number": incident.number,
                        "what": what,
                        "later": _local(later),
                        "opened": _local(opened),
                    },
                )
        if municipality is None or not order_ok:
            return
        wanted = {
            "municipality_id": municipality.pk,
            "service_id": service.pk if service is not None else None,
            "title": values.get("title") or "",
            "category": values.get("category") or "",
            "priority": incident.priority,
            "state": incident.state,
            "opened_at": opened,
            "responded_at": values.get("responded_at"),
            "resolved_at": values.get("resolved_at"),
            "closed_at": values.get("closed_at"),
            "pauses": incident.pauses,
            "events": incident.events,
        }
        stored = self.stored.get(incident.number)
        if stored is None:
            self.new.append(wanted | {"number": incident.number})
            self.report.outcome(incident.line, incident.number, CREATED)
            return
        changes = {
            name: [display(getattr(stored, name)), display(value)]
            for name, value in wanted.items()
            if getattr(stored, name) != value
        }
        if not changes:
            self.report.outcome(incident.line, incident.number, UNCHANGED)
            return
        self.befores.append(stored.changelog_data())
        for name in changes:
            setattr(stored, name, wanted[name])
        self.changed_fields.update(changes)
        self.changed.append(stored)
        self.report.outcome(incident.line, incident.number, UPDATED, changes)

    # --- writing ----------------------------------------------------------------------

    def apply(self) -> None:
        self.write_total = len(self.new) + len(self.changed)
        factory = InstanceFactory(Incident)
        objects = []
        for values in self.new:
            obj = factory.make(values | {"source": self.source})
            obj._state.fields_cache = {
                "municipality": self.municipalities_by_id[values["municipality_id"]]
            }
            objects.append(obj)
        self.create(Incident, objects)
        if self.changed:
            fields = sorted(name.removesuffix("_id") for name in self.changed_fields)
            self.update(Incident, self.changed, fields, self.befores)


def _pauses(states: list[tuple[datetime.datetime | None, str]]) -> list[list]:
    """The periods spent waiting (for the user, a vendor): ``[reason, start, end]`` as
    ISO instants, the end None while still waiting. A state without its time (a plain
    export) opens no pause: when it began is not known."""
    pauses: list[list] = []
    current: list | None = None
    for when, state in states:
        if when is None:
            continue
        reason = PAUSING.get(state)
        if current is not None and reason != current[0]:
            current[2] = when.isoformat()
            pauses.append(current)
            current = None
        if reason is not None and current is None:
            current = [str(reason), when.isoformat(), None]
    if current is not None:
        pauses.append(current)
    return pauses


def _local(instant: datetime.datetime) -> str:
    """An instant as the export wrote it: Oslo time, dd.mm.yyyy HH:MM."""
    from zoneinfo import ZoneInfo

    return instant.astimezone(ZoneInfo("Europe/Oslo")).strftime("%d.%m.%Y %H:%M")


__all__ = ["IncidentImporter"]
