"""The incidents import: ServiceNow event logs reduced to incidents (latest state, first
response, pauses), "?" as missing, the date formats and daylight-saving hours, unknown
priorities, unmapped values in the dry run, idempotent re-import, all or nothing."""

from __future__ import annotations

import datetime

import pytest

from samdrift.core.importing import run_import
from samdrift.servicedesk.importers import IncidentImporter
from samdrift.servicedesk.models import Incident
from samdrift.servicedesk.services.mappings import set_mapping
from tests.factories import make_service

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


SN_HEADER = (
    "number,opened_at,priority,state,hold_reason,resolved_at,closed_at,company,location,"
    "category,short_description,sys_updated_on"
)
# INC0010001: new → in progress → on hold (caller) → in progress → on hold (vendor) →
# resolved, in March (CET, UTC+1). The rows are not in time order in the file.
SN_LOG = [
    "INC0010001,2026-03-02 08:00:00,2 - High,In Progress,,,,Fjordvik kommune,Rådhuset,E-post,"
    "Kan ikke sende e-post,2026-03-02 08:30:00",
    "INC0010001,2026-03-02 08:00:00,2 - High,New,,,,Fjordvik kommune,Rådhuset,E-post,"
    "Kan ikke sende e-post,2026-03-02 08:00:00",
    "INC0010001,2026-03-02 08:00:00,2 - High,On Hold,Awaiting Caller,,,Fjordvik kommune,"
    "Rådhuset,E-post,Kan ikke sende e-post,2026-03-02 09:00:00",
    "INC0010001,2026-03-02 08:00:00,1 - Critical,In Progress,,,,Fjordvik kommune,Rådhuset,"
    "E-post,Kan ikke sende e-post (hele etaten),2026-03-02 10:00:00",
    "INC0010001,2026-03-02 08:00:00,1 - Critical,On Hold,Awaiting Vendor,,,Fjordvik kommune,"
    "?,E-post,?,2026-03-02 10:15:00",
    "INC0010001,2026-03-02 08:00:00,1 - Critical,Resolved,,2026-03-02 11:00:00,,"
    "Fjordvik kommune,?,E-post,?,2026-03-02 11:00:00",
    "INC0010002,02.03.2026 09:00,3 - Moderate,New,,?,?,Elvdal kommune,Skåla skole,Skriver,"
    "Skriveren på lærerværelset,02.03.2026 09:00",
]


def sn_file(*rows: str, header: str = SN_HEADER) -> bytes:
    return "\n".join([header, *rows]).encode("utf-8")


def run(data: bytes, **kwargs):
    return run_import(importer=IncidentImporter, data=data, filename="incidents.csv", **kwargs)


@pytest.fixture
def mail(db):
    return make_service(name="E-post", code="epost")


def test_an_event_log_is_reduced_to_its_latest_state_first_response_and_pauses(
    municipality_a, municipality_b, mail
):
    result = run(sn_file(*SN_LOG))
    assert result.ok, result.errors
    assert result.applied
    assert (result.created, result.rows) == (2, 7)
    assert result.details["source"] == "servicenow"
    assert (result.details["incidents"], result.details["events"]) == (2, 7)

    first = Incident.objects.get(number="INC0010001")
    assert first.source == "servicenow"
    assert first.municipality == municipality_a  # "Fjordvik kommune" named directly
    assert first.service == mail  # the category is a service's name
    assert first.state == "resolved"
    assert first.priority == 1  # the latest priority
    assert first.title == "Kan ikke sende e-post (hele etaten)"  # "?" keeps the earlier one
    assert first.events == 6
    # Oslo is UTC+1 in March.
    assert first.opened_at == utc(2026, 3, 2, 7, 0)
    assert first.responded_at == utc(2026, 3, 2, 7, 30)  # left "new" at 08:30
    assert first.resolved_at == utc(2026, 3, 2, 10, 0)
    assert first.pauses == [
        ["awaiting_user", "2026-03-02T08:00:00+00:00", "2026-03-02T09:00:00+00:00"],
        ["awaiting_vendor", "2026-03-02T09:15:00+00:00", "2026-03-02T10:00:00+00:00"],
    ]

    second = Incident.objects.get(number="INC0010002")
    assert second.municipality == municipality_b
    assert second.service is None  # "Skriver": no service, not measured
    assert (second.state, second.priority, second.events) == ("new", 3, 1)
    assert second.responded_at is None and second.resolved_at is None
    assert second.pauses == []


def test_a_reimport_is_unchanged_and_a_changed_export_updates(municipality_a, municipality_b):
    assert run(sn_file(*SN_LOG)).applied
    again = run(sn_file(*SN_LOG))
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Incident.objects.count() == 2

    # The next export: INC0010002 has moved on (no --update needed: a snapshot).
    moved = SN_LOG[-1].replace("New,,?,?", "Closed,,?,02.03.2026 12:00")
    result = run(sn_file(*SN_LOG[:-1], moved))
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    second = Incident.objects.get(number="INC0010002")
    assert second.state == "closed"
    assert second.closed_at == utc(2026, 3, 2, 11, 0)


def test_the_three_date_formats_and_the_daylight_saving_hours(municipality_a):
    header = "number,opened_at,priority,state,company,sys_updated_on"
    rows = [
        "INC1,2026-01-15 14:05,4 - Low,New,Fjordvik,2026-01-15 14:05",
        "INC2,15/1/2026 9:05,4 - Low,New,Fjordvik,15/1/2026 9:05",
        "INC3,15.01.2026 14:05,4 - Low,New,Fjordvik,15.01.2026 14:05",
        # The clock jumps from 02:00 to 03:00: 02:30 is read as 03:30 summer time.
        "INC4,2026-03-29 02:30,4 - Low,New,Fjordvik,2026-03-29 02:30",
        # 02:30 happens twice: the first, still summer time.
        "INC5,25.10.2026 02:30,4 - Low,New,Fjordvik,25.10.2026 02:30",
        "INC6,2026-06-01T10:00:00Z,4 - Low,New,Fjordvik,2026-06-01T10:00:00Z",
    ]
    result = run(sn_file(*rows, header=header))
    assert result.ok, result.errors
    opened = dict(Incident.objects.values_list("number", "opened_at"))
    assert opened == {
        "INC1": utc(2026, 1, 15, 13, 5),
        "INC2": utc(2026, 1, 15, 8, 5),
        "INC3": utc(2026, 1, 15, 13, 5),
        "INC4": utc(2026, 3, 29, 1, 30),
        "INC5": utc(2026, 10, 25, 0, 30),
        "INC6": utc(2026, 6, 1, 10, 0),
    }


def test_an_unknown_priority_is_an_error_naming_the_column_and_nothing_is_written(
    municipality_a,
):
    rows = [*SN_LOG[:2], SN_LOG[2].replace("2 - High", "Urgent")]
    result = run(sn_file(*rows, SN_LOG[-1].replace("3 - Moderate", "9 - Whenever")))
    assert not result.ok and not result.applied
    messages = {(e.line, e.column): e.message for e in result.errors}
    assert (4, "priority") in messages and (5, "priority") in messages
    assert "Urgent" in messages[(4, "priority")]
    assert "1 - Critical (P1)" in messages[(4, "priority")]  # the accepted values
    assert not Incident.objects.exists()


def test_every_bad_row_is_reported_and_nothing_is_written(municipality_a):
    rows = [
        "INC1,2026-03-02 08:00,2 - High,Pondering,,,,Fjordvik,,,,2026-03-02 08:00",
        "INC2,not a date,2 - High,New,,,,Fjordvik,,,,2026-03-02 08:00",
        "INC3,2026-03-02 08:00,2 - High,Resolved,,2026-03-01 08:00,,Fjordvik,,,,2026-03-02",
        "INC4,2026-03-02 08:00,2 - High,New,,,,Fjordvik,,,,2026-03-02 08:00",
    ]
    result = run(sn_file(*rows))
    assert not result.applied
    by_line = {e.line: e for e in result.errors}
    assert set(by_line) == {2, 3, 4}
    assert by_line[2].column == "state" and "Pondering" in by_line[2].message
    assert by_line[3].column == "opened_at"
    assert by_line[4].column == "resolved_at" and "before it was opened" in by_line[4].message
    assert not Incident.objects.exists()


def test_unmapped_values_are_listed_once_with_counts_in_the_dry_run(municipality_a, mail):
    rows = [
        f"INC{n},2026-03-02 08:00,3 - Moderate,New,,,,Fjordvik IKT,,Skriver,,2026-03-02 08:00"
        for n in range(3)
    ] + ["INC9,2026-03-02 08:00,3 - Moderate,New,,,,Fjordvik IKT,,E-post,,2026-03-02 08:00"]
    result = run(sn_file(*rows), dry_run=True, municipality=municipality_a)
    assert result.ok, result.errors  # the default municipality places them
    unmapped = {(u["column"], u["value"]): u["incidents"] for u in result.details["unmapped"]}
    assert unmapped == {("company", "Fjordvik IKT"): 4, ("category", "Skriver"): 3}
    assert (result.details["incidents"], result.details["events"]) == (4, 4)
    assert any("Fjordvik IKT" in w and "4" in w for w in result.warnings)
    assert not Incident.objects.exists()

    # Without a default, the company must be mapped: one error for the value, counted.
    result = run(sn_file(*rows), dry_run=True)
    assert len(result.errors) == 1
    assert result.errors[0].column == "company"
    assert "Fjordvik IKT" in result.errors[0].message and "4" in result.errors[0].message


def test_mappings_place_incidents_and_pick_their_service(municipality_a, municipality_b, mail):
    set_mapping(
        source="servicenow", column="company", value="Fjordvik IKT", municipality=municipality_b
    )
    set_mapping(source="servicenow", column="category", value="skriver", service=mail)
    rows = ["INC1,2026-03-02 08:00,3 - Moderate,New,,,,Fjordvik  IKT,,Skriver,,2026-03-02 08:00"]
    result = run(sn_file(*rows))
    assert result.ok, result.errors
    assert result.details["unmapped"] == []
    incident = Incident.objects.get()
    assert (incident.municipality, incident.service) == (municipality_b, mail)


def test_an_event_log_needs_each_rows_update_time(municipality_a):
    header = "number,opened_at,priority,state,company"
    rows = [
        "INC1,2026-03-02 08:00,3 - Moderate,New,Fjordvik",
        "INC1,2026-03-02 08:00,3 - Moderate,Resolved,Fjordvik",
    ]
    result = run(sn_file(*rows, header=header))
    assert not result.ok
    assert [e.line for e in result.errors] == [2, 3]
    assert "update time" in result.errors[0].message


def test_a_plain_export_counts_a_resolution_as_the_first_response(municipality_a):
    header = "Number,Opened,Priority,State,Company,Resolved"
    rows = ["INC7,02.03.2026 08:00,4 - Low,Resolved,Fjordvik,02.03.2026 09:00"]
    result = run(sn_file(*rows, header=header))
    assert result.ok, result.errors
    incident = Incident.objects.get()
    assert incident.responded_at == incident.resolved_at == utc(2026, 3, 2, 8, 0)
    assert incident.events == 1
