"""Background exports of a list: for the files that take long to write (an XLSX of a
million assets), a job the worker runs, with progress and a link when done.

A list page offers the job instead of the direct download when its rows exceed
``BACKGROUND_ABOVE`` for the format. The job keeps the list's path and query string,
not rows: when it runs, the list view is set up with a request of the job's owner and
its rows are chosen by the view's own ``restrict`` and FilterSet, exactly as the page
would show them to the owner at that moment. The file is written beside its final
name and renamed when whole, so a failed job (a full disk, anything) never leaves a
partial file to download; the job says what went wrong instead.

Files are private to their owner (``ExportJob.objects.filter(owner=…)`` is the only
way to them) and deleted ``EXPORT_KEEP_DAYS`` after they were written
(``prune_expired``, run by every job and by ``samdrift worker``).

The task runs on django-tasks (``settings.TASKS``): the database backend and
``samdrift worker`` in production, the immediate backend in tests.
"""

from __future__ import annotations

import datetime
import errno
import logging
import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import FileResponse, Http404, HttpResponseNotAllowed, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.test import RequestFactory
from django.urls import resolve
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from samdrift.core.actor import acting_as
from samdrift.core.exports import FORMATS, csv_lines, xlsx_chunks
from samdrift.core.validators import parse_id
from samdrift.ui.listsettings import list_view_of
from samdrift.ui.models import ExportJob

logger = logging.getLogger(__name__)

# Above this many rows a list page offers the export as a background job. A CSV streams
# at ≥ 100,000 rows a second, so only the largest lists need one; an XLSX is slower to
# write and to open.
BACKGROUND_ABOVE = {"csv": 1_000_000, "csv-excel": 1_000_000, "xlsx": 100_000}
# Active jobs one user may have at once: a double click or a loop queues no pile.
MAX_ACTIVE_PER_USER = 3


class ExportJobError(ValueError):
    """A job that cannot be asked for; the message says why, for the person asking."""


def in_background(fmt: str, rows: int) -> bool:
    return rows > BACKGROUND_ABOVE.get(fmt, 0)


def export_dir() -> Path:
    return Path(settings.EXPORT_DIR)


# ---- services ------------------------------------------------------------------------


def start_export(*, user, list_path: str, query: str, fmt: str) -> ExportJob:
    """Queue an export of the list at ``list_path`` filtered by ``query`` for ``user``."""
    if fmt not in FORMATS:
        raise ExportJobError(_("Unknown export format; use CSV, CSV for Excel or XLSX."))
    view_class = list_view_of(list_path)
    if view_class is None:
        raise ExportJobError(_("That is not a list that can be exported."))
    active = ExportJob.objects.filter(
        owner=user, status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING]
    )
    if active.count() >= MAX_ACTIVE_PER_USER:
        raise ExportJobError(
            _("You have %(count)s exports under way; wait for one to finish.")
            % {"count": MAX_ACTIVE_PER_USER}
        )
    table = getattr(view_class, "table", None)
    job = ExportJob.objects.create(
        owner=user,
        list_path=list_path,
        query=export_query(query),
        title=str(getattr(view_class, "title", "") or "")[:200],
        name=getattr(table, "export_name", "export")[:80],
        format=fmt,
    )
    run_export_job.enqueue(job.pk)
    return job


def export_query(query: str) -> str:
    """The part of a list's query string an export reads: the filters and the sort."""
    data = QueryDict(query)
    kept = QueryDict(mutable=True)
    for name, values in data.lists():
        if name not in ("page", "per_page", "export"):
            kept.setlist(name, [v for v in values if v != ""])
    return kept.urlencode()[:2000]


def _fail(job: ExportJob, message: str) -> None:
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.FAILED, error=message, finished=timezone.now(), file=""
    )


def _rows_of(job: ExportJob) -> tuple[Any, Any]:
    """The list view's rows and export columns for the job's owner, as the page would
    choose them now; ``ExportJobError`` when the list or its filters are no longer valid."""
    view_class = list_view_of(job.list_path)
    if view_class is None:
        raise ExportJobError(_("The list no longer exists."))
    request = RequestFactory().get(job.list_path, data=None, QUERY_STRING=job.query)
    request.user = job.owner
    view = view_class()
    view.setup(request, **resolve(job.list_path).kwargs)
    _filterset, queryset, valid = view.filtered()
    if not valid:
        raise ExportJobError(_("A filter of the export is not valid."))
    queryset, _sort = view.table.sort(
        view.table.prepare(queryset, export=True), request.GET.get("sort")
    )
    return queryset, view.table.export_columns


def write_export(job: ExportJob) -> None:
    """Write the job's file: ``<name>.part`` first, renamed when whole."""
    directory = export_dir()
    directory.mkdir(parents=True, exist_ok=True)
    queryset, columns = _rows_of(job)
    total = queryset.count()
    ExportJob.objects.filter(pk=job.pk).update(rows_total=total)

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows_done=done)

    stem = f"{job.name}-{timezone.localdate().isoformat()}"
    if job.format == "xlsx":
        chunks = xlsx_chunks(queryset, columns, sheet_title=stem, progress=progress)
    else:
        lines = csv_lines(queryset, columns, excel=job.format == "csv-excel", progress=progress)
        chunks = (line.encode("utf-8") for line in lines)
    # A random part in the name: a file name guessed or seen is no way in (only the
    # owner's job row leads to it), and two jobs never share one.
    filename = f"{job.pk}-{secrets.token_hex(8)}.{job.extension}"
    final = directory / filename
    partial = directory / f"{filename}.part"
    try:
        # Readable by the app's own user only (0600): the file is one person's data.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(descriptor, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
        partial.replace(final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE,
        file=filename,
        size=final.stat().st_size,
        finished=now,
        expires=now + datetime.timedelta(days=settings.EXPORT_KEEP_DAYS),
        rows_done=F("rows_total"),
    )


def failure_message(error: BaseException) -> str:
    if isinstance(error, ExportJobError):
        return str(error)
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return _("The disk is full: the file could not be written. Ask the operator to free space.")
    return _("The export failed (%(error)s). Try again, or ask the operator.") % {
        "error": type(error).__name__
    }


def prune_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of expired exports, and the jobs; the number of jobs deleted."""
    now = now or timezone.now()
    expired = list(ExportJob.objects.filter(expires__lte=now))
    for job in expired:
        if job.file:
            (export_dir() / job.file).unlink(missing_ok=True)
    ExportJob.objects.filter(pk__in=[job.pk for job in expired]).delete()
    return len(expired)


@task()
def run_export_job(job_id: int) -> str:
    """The task the worker runs: queued → running → done (or failed, with why)."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING, started=timezone.now()
    )
    if not claimed:
        return "not queued"
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    with acting_as(job.owner, label="export"):
        try:
            write_export(job)
        except Exception as error:
            logger.exception("Export job %s failed", job_id)
            _fail(job, failure_message(error))
            return "failed"
    prune_expired()
    return "done"


# ---- views ---------------------------------------------------------------------------


def own_jobs(user):
    """The only way to a job: the user's own."""
    return ExportJob.objects.filter(owner=user)


@login_required
def export_list(request):
    """The user's exports with their progress; htmx polls the table while any runs."""
    jobs = list(own_jobs(request.user)[:50])
    context = {
        "title": _("My exports"),
        "jobs": jobs,
        "polling": any(job.is_active for job in jobs),
        "now": timezone.now(),
        "keep_days": settings.EXPORT_KEEP_DAYS,
    }
    template = (
        "web/includes/export_jobs.html"
        if request.headers.get("HX-Request")
        else "web/export_jobs.html"
    )
    return render(request, template, context)


@login_required
def export_start(request):
    """POST from a list page: queue its export, then show the user's exports."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        start_export(
            user=request.user,
            list_path=request.POST.get("list", ""),
            query=request.POST.get("query", ""),
            fmt=request.POST.get("format", ""),
        )
    except ExportJobError as error:
        from django.contrib import messages

        messages.error(request, str(error))
    return redirect("export_list")


@login_required
def export_download(request, pk: str):
    job = get_object_or_404(own_jobs(request.user), pk=parse_id(pk))
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404(_("This export has no file (yet)."))
    if job.expires is not None and job.expires <= timezone.now():
        raise Http404(_("This export has expired; export the list again."))
    path = export_dir() / job.file
    if not path.is_file():
        raise Http404(_("This export's file is gone; export the list again."))
    if path.resolve().parent != export_dir().resolve():
        raise PermissionDenied
    stem = f"{job.name}-{timezone.localtime(job.finished).date().isoformat()}"
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"{stem}.{job.extension}")
