"""Each service desk's export with its headers as the tool writes them (checked against
the sources named in docs/service-levels.md, "Where the names come from"): GLPI's CSV
(quoted, semicolons, a trailing separator), Jira's CSV (repeated multi-value columns,
"Custom field (…)" names, 02/Mar/26 8:05 AM), TOPdesk's REST API field names. Each row
is checked field by field against values worked out by hand (Oslo is UTC+1 in March)."""

from __future__ import annotations

import datetime

import pytest

from samdrift.core.importing import run_import
from samdrift.servicedesk.importers import IncidentImporter
from samdrift.servicedesk.models import Incident

pytestmark = pytest.mark.django_db


def utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=datetime.UTC)


def run(data: bytes, filename: str = "export.csv", **kwargs):
    return run_import(importer=IncidentImporter, data=data, filename=filename, **kwargs)


def fields(incident: Incident) -> dict:
    return {
        "source": incident.source,
        "municipality": incident.municipality.name if incident.municipality else None,
        "priority": incident.priority,
        "state": incident.state,
        "title": incident.title,
        "category": incident.category,
        "opened_at": incident.opened_at,
        "responded_at": incident.responded_at,
        "resolved_at": incident.resolved_at,
        "closed_at": incident.closed_at,
        "pauses": incident.pauses,
        "events": incident.events,
    }


# GLPI's ticket list exported as CSV: every value quoted, ";" between them and after the
# last; the headers are the search options' names (glpi-project/glpi,
# src/CommonITILObject.php: "Title", "ID", "Status", "Opening date", "Last update",
# "Closing date", "Resolution date", "Priority", "Category", "Entity", "Location").
GLPI_CSV = (
    '"Title";"Entity";"ID";"Status";"Last update";"Opening date";"Priority";'
    '"Requester - Requester";"Assigned to - Technician";"Category";"Location";'
    '"Resolution date";"Closing date";\n'
    '"Skriver på biblioteket";"Root entity > Elvdal";"4711";"Closed";"2026-03-04 09:00";'
    '"2026-03-02 08:00";"Major";"kari";"ola";"Skriver";"Biblioteket";"2026-03-02 12:30";'
    '"2026-03-04 09:00";\n'
    '"Passord";"Fjordvik";"4712";"Processing (planned)";"2026-03-03 10:00";'
    '"2026-03-03 09:45";"Very low";"per";"";"Konto";"Rådhuset";"";"";\n'
)


def test_glpi_csv_as_glpi_writes_it(municipality_a, municipality_b):
    from samdrift.servicedesk.services.mappings import set_mapping

    set_mapping(
        source="glpi", column="company", value="Root entity > Elvdal", municipality=municipality_b
    )
    result = run(GLPI_CSV.encode())
    assert result.ok, result.errors
    assert (result.details["source"], result.details["incidents"]) == ("glpi", 2)
    closed = Incident.objects.get(number="4711")
    assert fields(closed) == {
        "source": "glpi",
        "municipality": "Elvdal",
        "priority": 1,  # Major, above Very high
        "state": "closed",
        "title": "Skriver på biblioteket",
        "category": "Skriver",
        "opened_at": utc(2026, 3, 2, 7, 0),
        "responded_at": utc(2026, 3, 2, 11, 30),  # a plain export: the resolution
        "resolved_at": utc(2026, 3, 2, 11, 30),
        "closed_at": utc(2026, 3, 4, 8, 0),
        "pauses": [],
        "events": 1,
    }
    planned = Incident.objects.get(number="4712")
    assert fields(planned) == {
        "source": "glpi",
        "municipality": "Fjordvik",  # the entity is the municipality's name
        "priority": 4,
        "state": "in_progress",
        "title": "Passord",
        "category": "Konto",
        "opened_at": utc(2026, 3, 3, 8, 45),
        "responded_at": None,
        "resolved_at": None,
        "closed_at": None,
        "pauses": [],
        "events": 1,
    }


# Jira's "Export > CSV (all fields)": commas, a multi-value field as its header repeated
# (Component/s, Organizations, Comment), custom fields as "Custom field (<name>)", dates
# as dd/MMM/yy h:mm a.
JIRA_CSV = (
    "Summary,Issue key,Issue id,Issue Type,Status,Project key,Priority,Resolution,Assignee,"
    "Reporter,Created,Updated,Last Viewed,Resolved,Component/s,Component/s,"
    "Custom field (Organizations),Custom field (Organizations),Custom field (Request Type),"
    "Satisfaction rating,Comment,Comment\n"
    "VPN virker ikke,ITSM-17,10017,Incident,Completed,ITSM,Highest,Done,Kari,Ola,"
    "02/Mar/26 8:05 AM,02/Mar/26 11:30 AM,02/Mar/26 11:31 AM,02/Mar/26 11:30 AM,Nettverk,VPN,"
    'Fjordvik,Elvdal,Report a system problem,,"02/Mar/26 9:00 AM;kari;Ser på det",\n'
    "Ny skjerm,ITSM-18,10018,Service Request,Waiting for customer,ITSM,Low,,Kari,Per,"
    "03/Mar/26 1:15 PM,03/Mar/26 2:00 PM,,,,,Elvdal,,Request new hardware,,,\n"
)


def test_jira_csv_as_jira_writes_it(municipality_a, municipality_b):
    result = run(JIRA_CSV.encode())
    assert result.ok, result.errors
    assert (result.details["source"], result.details["incidents"]) == ("jsm", 2)
    # The repeated columns: the organisations' first is read, and the file says so; the
    # components are not read at all (the request type is the category), so they are
    # named once among the columns not imported, as is the repeated comment.
    assert result.warnings[:2] == [
        "Not imported (no such column here): “Issue id”, “Issue Type”, “Project key”, "
        "“Resolution”, “Assignee”, “Reporter”, “Last Viewed”, “Component/s”, "
        "“Satisfaction rating”, “Comment”.",
        "Only the first “Custom field (Organizations)” column is read; the file repeats it "
        "for more values.",
    ]
    assert (
        "Custom field (Request Type) “Request new hardware” is not mapped (1 incident): "
        "not measured against a service level." in result.warnings
    )
    vpn = Incident.objects.get(number="ITSM-17")
    assert fields(vpn) == {
        "source": "jsm",
        "municipality": "Fjordvik",  # the first organisation
        "priority": 1,
        "state": "resolved",
        "title": "VPN virker ikke",
        "category": "Report a system problem",  # the request type, not the component
        "opened_at": utc(2026, 3, 2, 7, 5),
        "responded_at": utc(2026, 3, 2, 10, 30),
        "resolved_at": utc(2026, 3, 2, 10, 30),
        "closed_at": None,
        "pauses": [],
        "events": 1,
    }
    screen = Incident.objects.get(number="ITSM-18")
    assert fields(screen) == {
        "source": "jsm",
        "municipality": "Elvdal",
        "priority": 4,
        "state": "awaiting_user",
        "title": "Ny skjerm",
        "category": "Request new hardware",
        "opened_at": utc(2026, 3, 3, 12, 15),
        "responded_at": None,  # a plain export: not resolved, no response shown
        "resolved_at": None,
        "closed_at": None,
        "pauses": [["awaiting_user", "2026-03-03T13:00:00+00:00", None]],
        "events": 1,
    }


def test_jira_server_csv_with_customer_request_type(municipality_a):
    # Jira Service Management Data Center names the field "Customer Request Type".
    data = (
        "Issue key,Summary,Status,Priority,Created,Resolved,Custom field (Customer Request Type),"
        "Custom field (Organizations)\n"
        "HELP-3,Printer,Canceled,Medium,05/Mar/26 10:00 AM,,IT Help (HELP),Fjordvik\n"
    )
    result = run(data.encode())
    assert result.ok, result.errors
    assert result.details["source"] == "jsm"
    incident = Incident.objects.get()
    assert (incident.number, incident.category, incident.priority, incident.state) == (
        "HELP-3",
        "IT Help (HELP)",
        3,
        "cancelled",
    )
    assert (incident.municipality, incident.opened_at) == (municipality_a, utc(2026, 3, 5, 9))


# TOPdesk's incident as its REST API names the fields (a dump of /tas/api/incidents with
# the objects' names flattened), dates as the API writes them.
TOPDESK_API_CSV = (
    "number;callDate;briefDescription;callerBranch.name;processingStatus.name;priority.name;"
    "category.name;completedDate;closedDate;modificationDate\n"
    "I 2603 017;2026-03-02T07:10:00.000+0000;Nettet er nede;Fjordvik;Closed;P1;Nettverk;"
    "2026-03-02T09:00:00.000+0000;2026-03-03T08:00:00.000+0000;2026-03-03T08:00:00.000+0000\n"
)


def test_topdesk_api_field_names(municipality_a):
    result = run(TOPDESK_API_CSV.encode())
    assert result.ok, result.errors
    assert result.details["source"] == "topdesk"
    incident = Incident.objects.get()
    assert fields(incident) == {
        "source": "topdesk",
        "municipality": "Fjordvik",
        "priority": 1,
        "state": "closed",
        "title": "Nettet er nede",
        "category": "Nettverk",
        "opened_at": utc(2026, 3, 2, 7, 10),
        "responded_at": utc(2026, 3, 2, 9, 0),
        "resolved_at": utc(2026, 3, 2, 9, 0),
        "closed_at": utc(2026, 3, 3, 8, 0),
        "pauses": [],
        "events": 1,
    }
