"""Imports' notification on the home page (``ui.notifications``): the user's own
imports that failed in the last 30 days.

Own only, operators too: an upload is its uploader's (another user's is a 404,
``imports.views._own_upload``), so a count of others' failures would link to rows the
operator cannot open. A failure that is fixed (checked again and imported) is no longer
``failed``."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import ngettext

from samdrift.imports.models import ImportStatus, ImportUpload
from samdrift.imports.registry import IMPORTERS
from samdrift.imports.services import can_import_any
from samdrift.ui.notifications import WARNING, Notification
from samdrift.ui.notifications import register as register_provider

RECENT_DAYS = 30


def failed_since(today: datetime.date) -> datetime.date:
    return today - datetime.timedelta(days=RECENT_DAYS)


def failed_imports(user, today: datetime.date, shared: dict) -> Notification | None:
    """One query, for those who may import something (the upload page's rule)."""
    if not any(can_import_any(user, kind) for kind in IMPORTERS):
        return None
    count = ImportUpload.objects.filter(
        user=user, status=ImportStatus.FAILED, created__date__gte=failed_since(today)
    ).count()
    label = ngettext(
        "failed import of yours in the last 30 days",
        "failed imports of yours in the last 30 days",
        count,
    )
    url = f"{reverse('imports:upload')}?status={ImportStatus.FAILED}"
    return Notification(label=label, count=count, url=url, severity=WARNING)


def register() -> None:
    register_provider("imports.failed", failed_imports, order=20)
