"""The outages import: all or some municipalities, planned and announced, the natural
key (reference, else service and start), re-import unchanged, errors named."""

from __future__ import annotations

import datetime

import pytest

from samdrift.core.changelog import changes_for
from samdrift.core.choices import ChangeAction
from samdrift.core.importing import run_import
from samdrift.servicedesk.importers import OutageImporter
from samdrift.servicedesk.models import Outage
from tests.factories import make_service

pytestmark = pytest.mark.django_db

HEADER = "Tjeneste;Start;Slutt;Planlagt;Varslet;Kommuner;Beskrivelse;Referanse"
ROWS = [
    "E-post;01.03.2026 22:00;02.03.2026 02:00;ja;20.02.2026 12:00;alle;Oppgradering;CHG-1",
    'epost;05.03.2026 10:00;05.03.2026 11:30;nei;;"Fjordvik; 4602";Strømbrudd i hallen;',
    "E-post;06.03.2026 10:00;;nei;;;Pågående feil;",
]


def run(*rows: str, **kwargs):
    data = "\n".join([HEADER, *rows]).encode()
    return run_import(importer=OutageImporter, data=data, filename="outages.csv", **kwargs)


@pytest.fixture
def mail(db):
    return make_service(name="E-post", code="epost")


def test_outages_are_imported_and_a_reimport_changes_nothing(mail, municipality_a, municipality_b):
    result = run(*ROWS)
    assert result.ok, result.errors
    assert result.created == 3
    planned, power, ongoing = Outage.objects.order_by("started_at")
    assert planned.all_municipalities and planned.planned and planned.reference == "CHG-1"
    assert planned.started_at == datetime.datetime(2026, 3, 1, 21, 0, tzinfo=datetime.UTC)
    assert planned.announced_at == datetime.datetime(2026, 2, 20, 11, 0, tzinfo=datetime.UTC)
    assert not power.all_municipalities
    assert set(power.municipalities.all()) == {municipality_a, municipality_b}
    assert ongoing.ended_at is None and ongoing.all_municipalities

    again = run(*ROWS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    # The reference is the key: a corrected start updates the same outage (with updates).
    moved = ROWS[0].replace("01.03.2026 22:00", "01.03.2026 23:00")
    assert not run(moved).ok  # a difference is an error without updates
    result = run(moved, update=True)
    assert (result.updated, Outage.objects.count()) == (1, 3)


def test_bad_rows_are_named_and_nothing_is_written(mail, municipality_a):
    result = run(
        "Fakturering;01.03.2026 22:00;;nei;;;Ukjent tjeneste;",
        "E-post;01.03.2026 22:00;01.03.2026 21:00;nei;;;Slutter før start;",
        "E-post;02.03.2026 22:00;;nei;01.03.2026 12:00;;Varslet, men ikke planlagt;",
        "E-post;03.03.2026 22:00;;nei;;Atlantis;Ukjent kommune;",
        "E-post;04.03.2026 22:00;;kanskje;;;Uklart;",
    )
    assert not result.applied
    columns = {e.line: e.column for e in result.errors}
    assert columns == {2: "Tjeneste", 3: "Slutt", 4: "Varslet", 5: "Kommuner", 6: "Planlagt"}
    assert not Outage.objects.exists()


def test_the_import_logs_the_municipalities_in_the_row(mail, municipality_a, municipality_b):
    """As the services do: created with the ids named; a changed list as before and
    after; a change of other fields with the list as it stays."""
    assert run(ROWS[1], ROWS[2]).ok
    power = Outage.objects.get(description="Strømbrudd i hallen")
    both = sorted([municipality_a.pk, municipality_b.pk])
    (created,) = changes_for(power)
    assert created.action == ChangeAction.CREATE
    assert created.postchange_data["municipalities"] == both
    ongoing = Outage.objects.get(description="Pågående feil")
    assert changes_for(ongoing).get().postchange_data["municipalities"] == []

    only_a = ROWS[1].replace('"Fjordvik; 4602"', municipality_a.number)
    assert run(only_a, update=True).updated == 1
    latest = changes_for(power).first()
    assert latest.action == ChangeAction.UPDATE
    assert latest.changed_fields() == {"municipalities": (both, [municipality_a.pk])}

    ended = ROWS[2].replace("06.03.2026 10:00;;", "06.03.2026 10:00;06.03.2026 12:00;")
    assert run(ended, update=True).updated == 1
    latest = changes_for(ongoing).first()
    assert set(latest.changed_fields()) == {"ended_at"}
    assert latest.postchange_data["municipalities"] == []
