"""The incident and outage samples in docs/import/ import as docs/service-levels.md says."""

import datetime
from pathlib import Path

import pytest

from samdrift.core.actor import acting_as
from samdrift.core.importing import run_import
from samdrift.imports.registry import importer_class
from samdrift.servicedesk.models import Incident, Outage
from tests import factories

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "import"
UTC = datetime.UTC


def run(kind: str, filename: str, operator):
    with acting_as(operator):
        return run_import(
            importer=importer_class(kind),
            data=(SAMPLES / filename).read_bytes(),
            filename=filename,
            municipality=None,
            on=datetime.date(2026, 12, 6),
        )


def test_the_samples_import_and_again_change_nothing(operator):
    storaa = factories.make_municipality(name="Storå")
    factories.make_service(code="app-case", name="Operation of case management system")
    factories.make_service(code="network-site", name="Network per site")

    incidents = run("incidents", "incidents-servicenow-eventlog.csv", operator)
    assert incidents.ok and incidents.applied, incidents.errors
    assert incidents.created == 2
    first = Incident.objects.get(number="INC0099001")
    # Five events: the latest state, the first response when it left "new", one pause.
    assert (first.municipality, first.state, first.events) == (storaa, "resolved", 5)
    assert first.responded_at == datetime.datetime(2026, 11, 2, 7, 40, tzinfo=UTC)
    assert first.resolved_at == datetime.datetime(2026, 11, 2, 12, 10, tzinfo=UTC)
    assert [p[0] for p in first.pauses] == ["awaiting_user"]
    # Opened at 02:30 on the night the clock skipped that hour: the instant after the jump.
    skipped = Incident.objects.get(number="INC0099002")
    assert skipped.opened_at == datetime.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)

    outages = run("outages", "outages.csv", operator)
    assert outages.ok and outages.applied and outages.created == 2, outages.errors
    planned = Outage.objects.get(reference="CHG0042002")
    assert planned.planned and planned.all_municipalities
    unplanned = Outage.objects.get(reference="CHG0042001")
    assert list(unplanned.municipalities.all()) == [storaa] and not unplanned.planned

    assert run("incidents", "incidents-servicenow-eventlog.csv", operator).unchanged == 2
    assert run("outages", "outages.csv", operator).unchanged == 2
