"""The columns an incident export is read by, whatever tool wrote it: each column's
names in ServiceNow, TOPdesk, Jira Service Management and GLPI (their formats and
values are in ``formats``), and the parsers that read "?" as missing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy

from samdrift.core.importing import Column
from samdrift.core.importing.parsing import DateTime, Text

MISSING_MARKS = frozenset({"?", "-", "—", "n/a", "N/A"})


class Missing:
    """A parser that reads "?" (and the like) as a missing value, else as ``parser``."""

    cacheable = True

    def __init__(self, parser: Callable[[Any], Any]) -> None:
        self.parser = parser

    def for_column(self, texts, declared):
        if hasattr(self.parser, "for_column"):
            return Missing(self.parser.for_column(texts, declared))
        return self

    def __call__(self, value: Any) -> Any:
        if type(value) is str and value.strip() in MISSING_MARKS:
            return None
        return self.parser(value)


class Shortened(Text):
    """Text cut to ``max_length`` (a title is for reading, not a key)."""

    def __call__(self, value: Any) -> str:
        text = " ".join(str(value).split())
        if self.max_length is not None and len(text) > self.max_length:
            text = text[: self.max_length - 1] + "…"
        return text


def optional_datetime() -> Missing:
    return Missing(DateTime())


def _text(length: int) -> Missing:
    return Missing(Text(length))


INCIDENT_COLUMNS = (
    Column(
        "number",
        gettext_lazy("Number"),
        _text(40),
        aliases=("Incident number", "Issue key", "ID", "Key", "Meldingsnummer", "Nummer"),
        required=True,
        preferred=("number", "Incident number", "Issue key"),
        help_text=gettext_lazy("The incident's number in its service desk (unique there)."),
    ),
    Column(
        "opened_at",
        gettext_lazy("Opened"),
        optional_datetime(),
        aliases=("Call date", "Entry date", "Opening date", "Created", "Opprettet"),
        preferred=("opened_at", "Opened", "Call date", "Opening date", "Created"),
        help_text=gettext_lazy("When it was reported (Europe/Oslo unless an offset is given)."),
    ),
    Column(
        "priority",
        gettext_lazy("Priority"),
        _text(60),
        aliases=("priority", "Prioritet", "priority.name"),
        help_text=gettext_lazy("The source's priority, read as P1–P4 (docs/service-levels.md)."),
    ),
    Column(
        "state",
        gettext_lazy("State"),
        _text(60),
        aliases=(
            "state",
            "Status",
            "incident_state",
            "Incident state",
            "Tilstand",
            "processingStatus",
            "processingStatus.name",
        ),
        preferred=("state", "State", "Status"),
        help_text=gettext_lazy("The source's state or status."),
    ),
    Column(
        "hold_reason",
        gettext_lazy("On hold reason"),
        _text(60),
        aliases=("Hold reason",),
        help_text=gettext_lazy("ServiceNow: whom an incident on hold waits for."),
    ),
    Column(
        "responded_at",
        gettext_lazy("First response"),
        optional_datetime(),
        aliases=("first_response", "responded_at", "Responded", "Responded at"),
        help_text=gettext_lazy("When the export shows it; else read from the event log."),
    ),
    Column(
        "resolved_at",
        gettext_lazy("Resolved"),
        optional_datetime(),
        aliases=("Resolution date", "Solve date", "Date solved", "Completed date", "completedDate"),
    ),
    Column(
        "closed_at",
        gettext_lazy("Closed"),
        optional_datetime(),
        aliases=("Closed date", "Closing date", "Close date"),
    ),
    Column(
        "company",
        gettext_lazy("Company"),
        _text(200),
        aliases=(
            "company",
            "Organizations",
            "Organization",
            "Custom field (Organizations)",
            "Entity",
            "Selskap",
        ),
        repeated=True,  # Jira: one "Custom field (Organizations)" per organisation
        help_text=gettext_lazy("Mapped to a municipality (source mappings)."),
    ),
    Column(
        "location",
        gettext_lazy("Location"),
        _text(200),
        aliases=("location", "Lokasjon"),
        help_text=gettext_lazy("Mapped to a municipality (source mappings)."),
    ),
    Column(
        "caller_organisation",
        gettext_lazy("Caller's organisation"),
        _text(200),
        aliases=(
            "Caller's branch",
            "Branch",
            "caller_id.company",
            "Caller company",
            "callerBranch",
            "callerBranch.name",
        ),
        preferred=("Caller's branch", "callerBranch", "callerBranch.name"),
        help_text=gettext_lazy("Mapped to a municipality (source mappings)."),
    ),
    Column(
        "category",
        gettext_lazy("Category"),
        _text(150),
        aliases=(
            "category",
            "Request type",
            "Custom field (Request Type)",
            "Customer Request Type",
            "Custom field (Customer Request Type)",
            "Component",
            "Component/s",
            "Components",
            "Kategori",
            "category.name",
        ),
        preferred=(
            "category",
            "Category",
            "Request type",
            "Custom field (Request Type)",
            "Customer Request Type",
            "Custom field (Customer Request Type)",
        ),
        repeated=True,  # Jira: one "Component/s" per component
        help_text=gettext_lazy("Mapped to a service (source mappings)."),
    ),
    Column(
        "title",
        gettext_lazy("Title"),
        Missing(Shortened(300)),
        aliases=("short_description", "Short description", "Brief description", "Summary"),
    ),
    Column(
        "updated_at",
        gettext_lazy("Updated"),
        optional_datetime(),
        aliases=("sys_updated_on", "Last update", "Last changed", "Modification date", "Oppdatert"),
        # modificationDate (TOPdesk's API) is "Modification date" squashed.
        preferred=("sys_updated_on",),
        help_text=gettext_lazy("An event log's time of each change: orders an incident's rows."),
    ),
)

PLACE_COLUMNS = ("company", "location", "caller_organisation")
