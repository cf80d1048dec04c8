"""``samdrift import incidents`` on the command line, and who may import incidents
through the pages and the API (operators only: a municipality's contact is refused)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from samdrift.servicedesk.models import Incident
from tests.factories import api_as, client_for

pytestmark = pytest.mark.django_db

LOG = (
    "number,opened_at,priority,state,company,category,sys_updated_on\n"
    "INC1,2026-03-02 08:00,2 - High,New,Fjordvik IKT,Skriver,2026-03-02 08:00\n"
    "INC1,2026-03-02 08:00,2 - High,In Progress,Fjordvik IKT,Skriver,2026-03-02 08:20\n"
    "INC2,2026-03-02 09:00,4 - Low,New,Fjordvik IKT,Skriver,2026-03-02 09:00\n"
)


def run(*args) -> str:
    out = io.StringIO()
    call_command("import", *args, "--progress", "none", stdout=out)
    return out.getvalue()


@pytest.fixture
def log_file(tmp_path):
    path = tmp_path / "incidents.csv"
    path.write_text(LOG, encoding="utf-8")
    return path


def test_a_dry_run_lists_the_unmapped_values_then_the_import(log_file, municipality_a):
    output = run("incidents", str(log_file), "--dry-run", "--municipality", "4601")
    assert "2 incidents in 3 rows (ServiceNow)" in output
    assert "“Fjordvik IKT” is not mapped (2 incidents)" in output
    assert "“Skriver” is not mapped (2 incidents)" in output
    assert "Dry run" in output and not Incident.objects.exists()

    output = run("incidents", str(log_file), "--source", "servicenow", "--municipality", "Fjordvik")
    assert "Imported." in output
    assert Incident.objects.filter(municipality=municipality_a).count() == 2
    output = run("incidents", str(log_file), "--municipality", "4601")
    assert Incident.objects.count() == 2 and "unchanged" in output


def test_without_a_default_the_unmapped_company_is_an_error(log_file, municipality_a):
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("import", "incidents", str(log_file), "--progress", "none", stdout=out)
    assert exit_.value.code == 1
    assert "Fjordvik IKT" in out.getvalue() and "Nothing was imported" in out.getvalue()


def test_an_option_of_another_kind_is_a_bad_argument(tmp_path, municipality_a):
    path = tmp_path / "outages.csv"
    path.write_text("Service;Start;Description\n", encoding="utf-8")
    with pytest.raises(CommandError, match="--source is not an option of outages"):
        run("outages", str(path), "--source", "glpi")


def test_a_municipality_contact_may_not_import_incidents(contact_a, municipality_a):
    response = api_as(contact_a).post(
        "/api/imports/",
        {"kind": "incidents", "content": LOG, "municipality": municipality_a.pk},
        format="json",
    )
    assert response.status_code == 403
    page = client_for(contact_a).get("/imports/")
    if page.status_code == 200:  # other kinds are theirs to import; not incidents
        assert b'value="incidents"' not in page.content
    else:
        assert page.status_code == 403
    assert not Incident.objects.exists()


def test_an_operator_imports_through_the_api_with_the_source(operator, municipality_a):
    response = api_as(operator).post(
        "/api/imports/",
        {
            "kind": "incidents",
            "content": LOG,
            "municipality": municipality_a.pk,
            "options": {"source": "servicenow"},
            "dry_run": False,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["details"]["incidents"] == 2 and body["created"] == 2


def test_an_operator_uploads_with_the_source_on_the_page(operator, municipality_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(operator).post(
        "/imports/",
        {
            "kind": "incidents",
            "municipality": municipality_a.pk,
            "file": SimpleUploadedFile("incidents.csv", LOG.encode()),
            "on": "2026-03-02",
            "option_source": "servicenow",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    from samdrift.imports.models import ImportUpload

    upload = ImportUpload.objects.get()
    assert upload.options == {"source": "servicenow"}
    assert upload.result["details"]["incidents"] == 2
