"""What each service desk's export calls things: the headers that tell the source, and
its priorities and states read into Samdrift's (``Priority`` P1–P4, ``IncidentState``).

One small table per source (docs/service-levels.md lists them). Values are matched
squashed (case, spaces and punctuation aside), so "2 - High", "2-high" and "2 – HIGH"
are one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from samdrift.core.importing.parsing import squash
from samdrift.servicedesk.choices import IncidentSource, IncidentState

NEW = IncidentState.NEW
IN_PROGRESS = IncidentState.IN_PROGRESS
AWAITING_USER = IncidentState.AWAITING_USER
AWAITING_VENDOR = IncidentState.AWAITING_VENDOR
RESOLVED = IncidentState.RESOLVED
CLOSED = IncidentState.CLOSED
CANCELLED = IncidentState.CANCELLED


@dataclass(frozen=True)
class Format:
    """A source's export: the headers only it writes (to tell it from the others), its
    priorities (as written → 1–4) and states (as written → ``IncidentState``); a state
    that means "on hold" is made exact by the hold reason (``holds``)."""

    source: IncidentSource
    signature: frozenset[str]
    priorities: dict[str, int]
    states: dict[str, str]
    holds: dict[str, str] = field(default_factory=dict)
    on_hold: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        squashed = {
            "_priority_of": {squash(k): v for k, v in self.priorities.items()},
            "_state_of": {squash(k): v for k, v in self.states.items()},
            "_hold_of": {squash(k): v for k, v in self.holds.items()},
        }
        for name, value in squashed.items():
            object.__setattr__(self, name, value)

    def priority(self, text: str) -> int | None:
        return self._priority_of.get(squash(text))

    def state(self, text: str, hold_reason: str | None) -> str | None:
        key = squash(text)
        if key in self.on_hold:
            # On hold: the reason says whom it waits for; another reason (a change, a
            # problem) does not stop the clock.
            return self._hold_of.get(squash(hold_reason or ""), IN_PROGRESS)
        return self._state_of.get(key)

    def accepted_priorities(self) -> str:
        return ", ".join(f"{text} (P{number})" for text, number in self.priorities.items())

    def accepted_states(self) -> str:
        return ", ".join([*self.states, *(s.title() for s in sorted(self.on_hold))])


SERVICENOW = Format(
    source=IncidentSource.SERVICENOW,
    signature=frozenset(
        {
            "number",
            "openedat",
            "opened",
            "sysupdatedon",
            "shortdescription",
            "holdreason",
            "onholdreason",
            "resolvedat",
            "closedat",
        }
    ),
    priorities={
        "1 - Critical": 1,
        "2 - High": 2,
        "3 - Moderate": 3,
        "4 - Low": 4,
        "5 - Planning": 4,
        "1": 1,
        "2": 2,
        "3": 3,
        "4": 4,
        "5": 4,
    },
    states={
        "New": NEW,
        "In Progress": IN_PROGRESS,
        "Active": IN_PROGRESS,
        "Resolved": RESOLVED,
        "Closed": CLOSED,
        "Canceled": CANCELLED,
        "Cancelled": CANCELLED,
        # The numbers of the state field, as a raw export writes them.
        "1": NEW,
        "2": IN_PROGRESS,
        "6": RESOLVED,
        "7": CLOSED,
        "8": CANCELLED,
    },
    on_hold=frozenset({"onhold", "3"}),
    holds={
        "Awaiting Caller": AWAITING_USER,
        "Awaiting User Info": AWAITING_USER,
        "Awaiting Evidence": AWAITING_USER,
        "Awaiting Vendor": AWAITING_VENDOR,
        "1": AWAITING_USER,  # hold_reason's numbers: 1 caller, 4 vendor
        "4": AWAITING_VENDOR,
    },
)

TOPDESK = Format(
    source=IncidentSource.TOPDESK,
    signature=frozenset(
        {
            "incidentnumber",
            "calldate",
            "entrydate",
            "briefdescription",
            "callersbranch",
            "branch",
            "closeddate",
            "meldingsnummer",
            # The REST API's field names (developers.topdesk.com), as a dump of it has them.
            "callerbranch",
            "callerbranchname",
            "processingstatus",
            "processingstatusname",
            "completeddate",
        }
    ),
    priorities={
        "P1": 1,
        "P2": 2,
        "P3": 3,
        "P4": 4,
        "P1 - Critical": 1,
        "P2 - High": 2,
        "P3 - Normal": 3,
        "P4 - Low": 4,
        "Critical": 1,
        "High": 2,
        "Normal": 3,
        "Low": 4,
        "Kritisk": 1,
        "Høy": 2,
        "Middels": 3,
        "Lav": 4,
    },
    states={
        "Registered": NEW,
        "Logged": NEW,
        "Open": NEW,
        "Registrert": NEW,
        "In progress": IN_PROGRESS,
        "Under behandling": IN_PROGRESS,
        "Waiting for user": AWAITING_USER,
        "Waiting for caller": AWAITING_USER,
        "Venter på bruker": AWAITING_USER,
        "Waiting for supplier": AWAITING_VENDOR,
        "Waiting for vendor": AWAITING_VENDOR,
        "Venter på leverandør": AWAITING_VENDOR,
        "Completed": RESOLVED,
        "Resolved": RESOLVED,
        "Løst": RESOLVED,
        "Closed": CLOSED,
        "Lukket": CLOSED,
        "Avsluttet": CLOSED,
        "Cancelled": CANCELLED,
        "Kansellert": CANCELLED,
    },
)

GLPI = Format(
    source=IncidentSource.GLPI,
    signature=frozenset(
        {
            "openingdate",
            "entity",
            "solvedate",
            "resolutiondate",
            "closingdate",
            "lastupdate",
            "title",
        }
    ),
    priorities={
        "Major": 1,
        "Very high": 1,
        "High": 2,
        "Medium": 3,
        "Low": 4,
        "Very low": 4,
        "Svært høy": 1,
        "Høy": 2,
        "Middels": 3,
        "Lav": 4,
        "Svært lav": 4,
    },
    states={
        "New": NEW,
        "Processing (assigned)": IN_PROGRESS,
        "Processing (planned)": IN_PROGRESS,
        "Pending": AWAITING_USER,
        "Solved": RESOLVED,
        "Closed": CLOSED,
        "Ny": NEW,
        "Under behandling (tildelt)": IN_PROGRESS,
        "Under behandling (planlagt)": IN_PROGRESS,
        "Venter": AWAITING_USER,
        "Løst": RESOLVED,
        "Lukket": CLOSED,
    },
)

JSM = Format(
    source=IncidentSource.JSM,
    signature=frozenset(
        {
            "issuekey",
            "issueid",
            "organizations",
            "requesttype",
            "created",
            "summary",
            "issuetype",
            "components",
            "component",
            # Jira's CSV export names a custom field "Custom field (<name>)".
            "customfieldorganizations",
            "customfieldrequesttype",
            "customfieldcustomerrequesttype",
            "customerrequesttype",
        }
    ),
    priorities={"Highest": 1, "High": 2, "Medium": 3, "Low": 4, "Lowest": 4},
    states={
        "Open": NEW,
        "To Do": NEW,
        "Waiting for support": NEW,
        "In Progress": IN_PROGRESS,
        "Work in progress": IN_PROGRESS,
        "Escalated": IN_PROGRESS,
        "Reopened": IN_PROGRESS,
        "Waiting for customer": AWAITING_USER,
        "Pending": AWAITING_VENDOR,
        "Resolved": RESOLVED,
        "Done": RESOLVED,
        "Completed": RESOLVED,  # the ITSM template's incident workflow
        "Closed": CLOSED,
        "Canceled": CANCELLED,
        "Cancelled": CANCELLED,
        "Declined": CANCELLED,
    },
)

FORMATS: dict[str, Format] = {f.source.value: f for f in (SERVICENOW, TOPDESK, GLPI, JSM)}


def detect(headers: list[str]) -> list[str]:
    """The sources whose own headers the file has most of (empty: none; more than one:
    the file does not tell)."""
    names = {squash(h) for h in headers if h}
    scores = {source: len(f.signature & names) for source, f in FORMATS.items()}
    best = max(scores.values())
    if best == 0:
        return []
    return [source for source, score in scores.items() if score == best]
