"""A background export onto a disk that really is full: the export directory is a tiny
tmpfs mounted for the test and filled up but for one page (4 KiB), smaller than the file.
The job fails saying the disk is full; no file, partial or not, is left or offered; once
space is freed the same export succeeds. (tests/ui/test_export_jobs.py simulates the
error; this one lets the kernel raise it.) Needs root, for mount; skipped otherwise.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess

import pytest
from django.urls import reverse

from samdrift.ui.models import ExportJob
from tests.worlds import grow_small_world

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PAGE = 4096
DISK = 16 * PAGE


@pytest.fixture
def full_disk(tmp_path):
    """A tmpfs of 64 KiB at ``tmp_path/exports``, filled but for one page; unmounted at the
    end. Yields the mount point and the filler file (delete it to free the space)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    mount_point = tmp_path / "exports"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK},mode=0700", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        filler = mount_point / "filler"
        with filler.open("wb") as handle:
            handle.write(b"\0" * (DISK - PAGE))
        free = shutil.disk_usage(mount_point).free
        assert free == PAGE, free
        yield mount_point, filler
    finally:
        subprocess.run(["umount", "--lazy", str(mount_point)], check=True)


def test_an_export_onto_a_full_disk_fails_clearly_and_offers_no_file(
    settings, full_disk, operator_client, world
):
    mount_point, filler = full_disk
    settings.EXPORT_DIR = mount_point
    settings.TASKS = IMMEDIATE
    grow_small_world(world, 60)
    # What the file would hold: the same export downloaded directly — more than fits, so
    # the job writes a first part before the disk refuses the rest.
    direct = operator_client.get("/assets/?export=csv")
    size = len(b"".join(direct.streaming_content))
    assert size > 2 * PAGE
    with pytest.raises(OSError) as really_full:  # the disk is full indeed, for anyone
        (mount_point / "probe").write_bytes(b"\0" * size)
    assert really_full.value.errno == errno.ENOSPC
    (mount_point / "probe").unlink(missing_ok=True)

    start = {"list": "/assets/", "query": "", "format": "csv"}
    response = operator_client.post(reverse("export_start"), start)
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.FAILED
    assert job.error == (
        "The disk is full: the file could not be written. Ask the operator to free space."
    )
    assert job.file == ""
    assert sorted(path.name for path in mount_point.iterdir()) == ["filler"]  # no .part left
    page = operator_client.get(reverse("export_list")).content.decode()
    assert 'data-testid="export-error"' in page and "The disk is full" in page
    assert 'data-testid="export-download"' not in page
    assert f"/exports/{job.pk}/download/" not in page
    assert operator_client.get(reverse("export_download", args=[job.pk])).status_code == 404

    # Space freed: the same export is written whole, as the direct download gives it.
    filler.unlink()
    operator_client.post(reverse("export_start"), start)
    again = ExportJob.objects.exclude(pk=job.pk).get()
    assert again.status == ExportJob.Status.DONE and again.size == size
    download = operator_client.get(reverse("export_download", args=[again.pk]))
    assert download.status_code == 200
    assert len(b"".join(download.streaming_content)) == size
