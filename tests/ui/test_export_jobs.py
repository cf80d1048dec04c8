"""Background exports (ui.exportjobs): queued → running → done or failed, the file the
owner's alone, expiry, and clear errors for garbage."""

from __future__ import annotations

import csv
import datetime
import errno
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from samdrift.core.choices import Role
from samdrift.ui import exportjobs
from samdrift.ui.exportjobs import ExportJobError, prune_expired, run_export_job, start_export
from samdrift.ui.models import ExportJob
from tests import factories
from tests.factories import client_for

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
ASSETS = "/assets/"


@pytest.fixture(autouse=True)
def export_dir(settings, tmp_path):
    settings.EXPORT_DIR = tmp_path / "exports"
    settings.TASKS = IMMEDIATE
    return settings.EXPORT_DIR


def _csv_rows(content: bytes, delimiter=",") -> list[dict]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter))


def _download(client, job) -> bytes:
    response = client.get(reverse("export_download", args=[job.pk]))
    assert response.status_code == 200, response.status_code
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content)


def test_a_job_goes_from_queued_to_running_to_done(settings, operator, world, monkeypatch):
    settings.TASKS = DUMMY  # queued, not run: the worker has not come yet
    job = start_export(
        user=operator, list_path=ASSETS, query=f"municipality={world.municipality_b.pk}", fmt="csv"
    )
    job.refresh_from_db()
    assert job.status == ExportJob.Status.QUEUED and not job.file
    seen = []
    write = exportjobs.write_export

    def watching(job):
        seen.append(ExportJob.objects.get(pk=job.pk).status)
        write(job)

    monkeypatch.setattr(exportjobs, "write_export", watching)
    assert run_export_job.call(job.pk) == "done"
    job.refresh_from_db()
    assert seen == [ExportJob.Status.RUNNING]
    assert job.status == ExportJob.Status.DONE
    assert job.rows_total == 3 and job.rows_done == 3 and job.percent == 100
    assert job.started <= job.finished < job.expires
    assert job.expires - job.finished == datetime.timedelta(days=settings.EXPORT_KEEP_DAYS)
    content = _download(client_for(operator), job)
    assert job.size == len(content)
    assert (settings.EXPORT_DIR / job.file).stat().st_mode & 0o077 == 0  # the owner's only
    tags = [row["asset_tag"] for row in _csv_rows(content)]
    assert tags == ["T4602-000", "T4602-001", "T4602-002"]
    # A job runs once: a second delivery of the task finds it no longer queued.
    assert run_export_job.call(job.pk) == "not queued"


def test_the_file_is_what_the_direct_download_gives(operator, operator_client, world):
    response = operator_client.post(
        reverse("export_start"), {"list": ASSETS, "query": "sort=-asset_tag", "format": "xlsx"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("export_list")
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE and job.owner == operator
    direct = operator_client.get(ASSETS + "?sort=-asset_tag&export=xlsx")
    direct = b"".join(direct.streaming_content)

    def rows(content):
        return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))

    in_background = rows(_download(operator_client, job))
    assert in_background == rows(direct)
    assert [r[0] for r in in_background[1:]] == sorted(
        [a.asset_tag for a in world.assets_a + world.assets_b], reverse=True
    )
    page = operator_client.get(reverse("export_list"))
    assert b'data-testid="export-download"' in page.content
    assert b"hx-trigger" not in page.content  # nothing runs: no polling


def test_the_job_chooses_rows_as_its_owner_may_see_them(contact_a_user, world):
    job = start_export(user=contact_a_user, list_path=ASSETS, query="", fmt="csv-excel")
    job.refresh_from_db()
    rows = _csv_rows(_download(client_for(contact_a_user), job), delimiter=";")
    assert [row["asset_tag"] for row in rows] == ["T4601-000", "T4601-001", "T4601-002"]
    assert rows[0]["acquisition_cost"] == "10000,00"


def test_nobody_else_sees_or_downloads_a_job(contact_a_user, operator, world):
    job = start_export(user=contact_a_user, list_path=ASSETS, query="", fmt="csv")
    contact_b = factories.make_user(
        Role.MUNICIPALITY, municipality=world.municipality_b, username="contact-elvdal"
    )
    for other in (contact_b, operator):  # not even an operator: the file is the owner's
        client = client_for(other)
        assert client.get(reverse("export_download", args=[job.pk])).status_code == 404
        assert (
            f'href="/exports/{job.pk}/download/"'
            not in client.get(reverse("export_list")).content.decode()
        )
    own = client_for(contact_a_user).get(reverse("export_download", args=[job.pk]))
    assert own.status_code == 200


def test_a_full_disk_fails_the_job_and_leaves_no_file(operator, world, monkeypatch, export_dir):
    def full(*args, **kwargs):
        yield b"PK partial"
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(exportjobs, "xlsx_chunks", full)
    job = start_export(user=operator, list_path=ASSETS, query="", fmt="xlsx")
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert "disk is full" in job.error
    assert job.file == "" and list(export_dir.iterdir()) == []
    client = client_for(operator)
    assert client.get(reverse("export_download", args=[job.pk])).status_code == 404
    page = client.get(reverse("export_list")).content.decode()
    assert 'data-testid="export-error"' in page and "disk is full" in page


def test_any_other_failure_is_named_and_leaves_no_file(operator, world, monkeypatch, export_dir):
    def broken(*args, **kwargs):
        yield "\ufeffa,b\r\n"
        raise ValueError("boom")

    monkeypatch.setattr(exportjobs, "csv_lines", broken)
    job = start_export(user=operator, list_path=ASSETS, query="", fmt="csv")
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and "ValueError" in job.error
    assert list(export_dir.iterdir()) == []


def test_a_filter_no_longer_valid_fails_with_a_message(operator, world):
    job = start_export(
        user=operator, list_path=ASSETS, query="acquired_after=not-a-date", fmt="csv"
    )
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert job.error == "A filter of the export is not valid."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"list": ASSETS, "format": "pdf"}, "Unknown export format"),
        ({"list": "/no/such/list/", "format": "csv"}, "not a list"),
        ({"list": "//evil.example/", "format": "csv"}, "not a list"),
        ({"list": "/billing/invoices/1/", "format": "csv"}, "not a list"),
        ({"format": "csv"}, "not a list"),
    ],
)
def test_garbage_asks_get_a_message_and_no_job(operator_client, world, data, message):
    response = operator_client.post(reverse("export_start"), data, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ExportJob.objects.exists()


def test_garbage_urls_are_404_or_405(operator_client, world):
    assert operator_client.get(reverse("export_start")).status_code == 405
    for pk in ("abc", "99999999999999999999999", "0", "-1"):
        assert operator_client.get(f"/exports/{pk}/download/").status_code == 404


def test_too_many_jobs_at_once_are_refused(settings, operator, world):
    settings.TASKS = DUMMY
    for _ in range(exportjobs.MAX_ACTIVE_PER_USER):
        start_export(user=operator, list_path=ASSETS, query="", fmt="csv")
    with pytest.raises(ExportJobError, match="under way"):
        start_export(user=operator, list_path=ASSETS, query="", fmt="csv")
    page = client_for(operator).get(reverse("export_list")).content.decode()
    assert 'hx-trigger="every 2s"' in page  # queued jobs: the table polls
    assert page.count('data-status="queued"') == exportjobs.MAX_ACTIVE_PER_USER


def test_an_expired_export_is_gone(operator, world, export_dir):
    job = start_export(user=operator, list_path=ASSETS, query="", fmt="csv")
    job.refresh_from_db()
    path = export_dir / job.file
    assert path.is_file()
    ExportJob.objects.filter(pk=job.pk).update(expires=timezone.now() - datetime.timedelta(1))
    client = client_for(operator)
    assert client.get(reverse("export_download", args=[job.pk])).status_code == 404
    assert prune_expired() == 1
    assert not path.exists() and not ExportJob.objects.exists()


def test_the_list_offers_a_background_job_above_the_threshold(operator_client, world, monkeypatch):
    page = operator_client.get(ASSETS).content.decode()
    assert 'data-testid="export-xlsx"' in page and "export-job-xlsx" not in page
    monkeypatch.setitem(exportjobs.BACKGROUND_ABOVE, "xlsx", 5)  # the world has 6 assets
    page = operator_client.get(ASSETS + f"?municipality={world.municipality_a.pk}").content
    assert b'data-testid="export-xlsx"' in page  # 3 rows: downloaded directly
    page = operator_client.get(ASSETS + "?sort=-asset_tag&page=1").content.decode()
    assert 'data-testid="export-job-xlsx"' in page and 'data-testid="export-xlsx"' not in page
    assert 'name="query" value="sort=-asset_tag"' in page  # the page number is not kept
    assert 'data-testid="export-csv"' in page  # CSV streams directly still
