"""Each service desk's export as it comes: TOPdesk (semicolons, Norwegian values), GLPI
(semicolons), Jira Service Management (XLSX); the source told by the headers, or given,
and refused when the headers do not tell."""

from __future__ import annotations

import datetime

import pytest

from samdrift.core.importing import run_import
from samdrift.servicedesk.importers import IncidentImporter
from samdrift.servicedesk.models import Incident
from samdrift.servicedesk.services.mappings import set_mapping
from tests.factories import xlsx_bytes

pytestmark = pytest.mark.django_db


def utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=datetime.UTC)


def run(data: bytes, filename: str = "export.csv", **kwargs):
    return run_import(importer=IncidentImporter, data=data, filename=filename, **kwargs)


TOPDESK = (
    "Incident number;Call date;Priority;Status;Closed date;Caller's branch;Category;"
    "Brief description\n"
    "I 2403 123;12.03.2024 08:15;P1;Venter på leverandør;?;Fjordvik rådhus;Nettverk;"
    "Nettet er nede på Skåla skole\n"
    "I 2403 124;12.03.2024 09:00;P4;Lukket;13.03.2024 10:30;Elvdal;Programvare;"
    "Ønsker ny versjon av Word\n"
)


def test_topdesk_with_semicolons_and_norwegian_values(municipality_a, municipality_b):
    set_mapping(
        source="topdesk",
        column="caller_organisation",
        value="Fjordvik rådhus",
        municipality=municipality_a,
    )
    result = run(TOPDESK.encode("cp1252"))
    assert result.ok, result.errors
    assert result.details["source"] == "topdesk"
    first, second = Incident.objects.order_by("number")
    assert (first.number, first.source) == ("I 2403 123", "topdesk")
    assert (first.municipality, first.priority, first.state) == (
        municipality_a,
        1,
        "awaiting_vendor",
    )
    assert first.title == "Nettet er nede på Skåla skole"
    assert first.closed_at is None  # "?"
    assert (second.municipality, second.priority, second.state) == (municipality_b, 4, "closed")
    assert second.closed_at == utc(2024, 3, 13, 9, 30)
    assert second.title == "Ønsker ny versjon av Word"


GLPI = (
    "ID;Title;Entity;Status;Last update;Opening date;Priority;Category;Location;"
    "Resolution date;Closing date\n"
    "4711;Skriver på biblioteket;Root entity > Elvdal;Pending;2024-04-02 10:00;"
    "2024-04-02 08:00;Very high;Skriver;Biblioteket;;\n"
    "4711;Skriver på biblioteket;Root entity > Elvdal;Solved;2024-04-02 12:00;"
    "2024-04-02 08:00;Very high;Skriver;Biblioteket;2024-04-02 12:00;\n"
    "4712;Passord;Root entity > Elvdal;Processing (assigned);2024-04-03 09:00;"
    "2024-04-03 08:30;Low;Konto;Rådhuset;;\n"
)


def test_glpi_with_an_entity_mapped_and_its_event_log(municipality_b):
    set_mapping(
        source="glpi", column="company", value="Root entity > Elvdal", municipality=municipality_b
    )
    result = run(GLPI.encode())
    assert result.ok, result.errors
    assert (result.details["source"], result.details["incidents"]) == ("glpi", 2)
    solved = Incident.objects.get(number="4711")
    assert (solved.priority, solved.state, solved.events) == (1, "resolved", 2)
    # Pending (waiting for the user) from 10:00 to the solution at 12:00 (CEST, UTC+2).
    assert solved.pauses == [
        ["awaiting_user", "2024-04-02T08:00:00+00:00", "2024-04-02T10:00:00+00:00"]
    ]
    assert solved.responded_at == utc(2024, 4, 2, 8, 0)  # the first event is no longer new
    other = Incident.objects.get(number="4712")
    assert (other.priority, other.state, other.municipality) == (4, "in_progress", municipality_b)


def test_jira_service_management_from_xlsx(municipality_a):
    rows = [
        ["Issue key", "Summary", "Priority", "Status", "Created", "Resolved", "Organizations",
         "Request type", "Updated"],
        ["ITSM-17", "VPN virker ikke", "Highest", "Resolved", datetime.datetime(2026, 3, 29, 2, 30),
         "29/Mar/26 9:15 AM", "Fjordvik", "Nettverk", "29/Mar/26 9:15 AM"],
        ["ITSM-18", "Ny skjerm", "Lowest", "Waiting for customer", "25.10.2026 02:30", "?",
         "Fjordvik", "Bestilling", "25.10.2026 03:30"],
    ]  # fmt: skip
    result = run(xlsx_bytes(rows), filename="jira.xlsx")
    assert result.ok, result.errors
    assert result.details["source"] == "jsm"
    vpn = Incident.objects.get(number="ITSM-17")
    assert (vpn.priority, vpn.state, vpn.category) == (1, "resolved", "Nettverk")
    # 02:30 on 29 March 2026 does not exist in Oslo: read as 03:30 summer time.
    assert vpn.opened_at == utc(2026, 3, 29, 1, 30)
    assert vpn.resolved_at == utc(2026, 3, 29, 7, 15)
    screen = Incident.objects.get(number="ITSM-18")
    # 02:30 on 25 October 2026 happens twice: the first, summer time.
    assert screen.opened_at == utc(2026, 10, 25, 0, 30)
    assert (screen.priority, screen.state) == (4, "awaiting_user")
    # A plain export: the waiting began at the row's update time, 03:30 winter time.
    assert screen.pauses == [["awaiting_user", "2026-10-25T02:30:00+00:00", None]]


def test_the_source_may_be_given_and_headers_that_do_not_tell_are_refused(municipality_a):
    plain = "Number;Priority;Status;Opened;Company\nX-1;P2;In progress;01.03.2026 08:00;Fjordvik\n"
    result = run(plain.encode(), dry_run=True)
    # "Number" and "Opened" are ServiceNow's: P2 is not one of its priorities.
    assert not result.ok
    assert result.errors[0].column == "Priority" and "P2" in result.errors[0].message
    result = run(plain.encode(), options={"source": "topdesk"})
    assert result.ok, result.errors
    assert Incident.objects.get().source == "topdesk"

    unknown = "Key;Prioritet;Status;Opprettet\n1;P2;Løst;01.03.2026 08:00\n"
    result = run(unknown.encode(), dry_run=True)
    assert not result.ok
    assert "choose the source" in result.errors[0].message

    result = run(plain.encode(), options={"source": "remedy"}, dry_run=True)
    assert not result.ok and "remedy" in result.errors[0].message
