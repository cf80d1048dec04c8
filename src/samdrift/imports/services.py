"""Imports from the web and the API: who may import what, and the uploaded file kept in
the database between the preview (a dry run) and the confirmation."""

from __future__ import annotations

import datetime
import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.core.actor import current_actor
from samdrift.core.importing import ImportResult, run_import
from samdrift.core.importing.mapping import ColumnReading, header_fingerprint
from samdrift.core.permissions import can_see_municipality, can_write
from samdrift.core.validators import parse_id
from samdrift.imports.models import ImportMapping, ImportStatus, ImportUpload
from samdrift.imports.registry import importer_class
from samdrift.organisations.models import Municipality

# Large enough for a national-scale municipality's inventory (100,000 rows of 30 columns
# is about 20 MB of CSV); larger files belong to the command line.
MAX_UPLOAD_BYTES = 64 * 1024 * 1024
# Uploads not confirmed within this time are removed.
UPLOAD_LIFETIME = datetime.timedelta(days=1)


def find_municipality(text: str) -> Municipality | None:
    """A municipality by number (4601), name (ignoring case) or id."""
    text = text.strip()
    found = Municipality.objects.filter(number=text).first()
    if found is None:
        found = Municipality.objects.filter(name__iexact=text).first()
    if found is None and parse_id(text) is not None:
        found = Municipality.objects.filter(pk=parse_id(text)).first()
    return found


def can_import(user, kind: str, municipality: Municipality | None = None) -> bool:
    """May ``user`` import ``kind`` (for ``municipality``)? The same rule as writing the
    importer's model one by one, and seeing the municipality."""
    try:
        cls = importer_class(kind)
    except ValueError:
        return False
    if not can_write(user, cls.model):
        return False
    if cls.per_municipality:
        return municipality is not None and can_see_municipality(user, municipality.pk)
    return True


def check_import_allowed(user, kind: str, municipality: Municipality | None) -> None:
    cls = importer_class(kind)
    if cls.per_municipality and municipality is None:
        raise ValidationError({"municipality": _("Choose the municipality to import for.")})
    if not can_import(user, kind, municipality):
        raise PermissionDenied(_("Your role may not import this."))


def store_upload(
    *,
    user,
    kind: str,
    filename: str,
    content: bytes,
    municipality: Municipality | None,
    update: bool = False,
    strict: bool = False,
    on: datetime.date | None = None,
    options: dict | None = None,
) -> ImportUpload:
    """Keep an uploaded file and check it (a dry run); the result is stored with it.
    ``options`` are the kind's own (``Importer.options``, e.g. the incidents' source)."""
    check_import_allowed(user, kind, municipality)
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {
                "file": _(
                    "The file is larger than %(limit)d MB; import it with the samdrift import "
                    "command instead."
                )
                % {"limit": MAX_UPLOAD_BYTES // 1024**2}
            }
        )
    if not content:
        raise ValidationError({"file": _("The file is empty.")})
    cls = importer_class(kind)
    with transaction.atomic():
        # Files never imported are not kept: after a day they go (imported ones keep
        # their record and result, without the file).
        ImportUpload.objects.exclude(status=ImportStatus.APPLIED).filter(
            created__lt=timezone.now() - UPLOAD_LIFETIME
        ).delete()
        upload = ImportUpload.objects.create(
            user=user,
            kind=kind,
            municipality=municipality if takes_municipality(cls) else None,
            filename=filename[:255],
            content=content,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            update=update,
            strict=strict,
            on=on or timezone.localdate(),
            options={k: v for k, v in (options or {}).items() if v not in (None, "")},
        )
    result = run_import(
        importer=cls,
        data=content,
        filename=filename,
        municipality=upload.municipality,
        update=update,
        strict=strict,
        dry_run=True,
        on=upload.on,
        find_reading=find_reading,
        options=upload.options,
    )
    upload.result = result.as_dict()
    upload.save(update_fields=["result"])
    return upload


def takes_municipality(cls) -> bool:
    """Is a municipality given with an import of ``cls``: its rows' (per municipality),
    or the default for rows that do not say theirs (``municipality_optional``)?"""
    return cls.per_municipality or cls.municipality_optional


def find_reading(kind: str, fingerprint: str) -> ColumnReading | None:
    """The saved reading of files of ``kind`` with this header row, if any."""
    mapping = ImportMapping.objects.filter(kind=kind, fingerprint=fingerprint).first()
    return mapping.reading() if mapping is not None else None


def save_mapping(
    *,
    kind: str,
    headers: list[str],
    reading: ColumnReading,
    name: str,
) -> ImportMapping:
    """Save (or replace) the reading of files of ``kind`` with these headers, made by the
    current actor's user. The caller checks that the user may import ``kind``."""
    name = name.strip()[:100] or _("Mapping of %(kind)s") % {"kind": kind}
    mapping, _created = ImportMapping.objects.update_or_create(
        kind=kind,
        fingerprint=header_fingerprint(kind, headers),
        defaults={
            "name": name,
            "headers": list(headers),
            "columns": reading.columns,
            "values": reading.values,
            "date_order": reading.date_order,
            "created_by": current_actor().resolved_user(),
        },
    )
    return mapping


def update_mapping(*, mapping: ImportMapping, name: str, reading: ColumnReading) -> ImportMapping:
    """Save an edited mapping (the edit form has checked it): its header row, and so the
    files it is found for, stay as they were."""
    mapping.name = name.strip()[:100]
    mapping.columns = reading.columns
    mapping.values = reading.values
    mapping.date_order = reading.date_order
    mapping.save(update_fields=["name", "columns", "values", "date_order", "last_updated"])
    return mapping


def can_import_any(user, kind: str) -> bool:
    """May ``user`` import ``kind`` at all (for some municipality)?"""
    try:
        cls = importer_class(kind)
    except ValueError:
        return False
    return can_write(user, cls.model)


def recheck_upload(*, upload: ImportUpload, user) -> ImportUpload:
    """Check a stored upload again (a dry run), e.g. after its mapping changed."""
    if upload.user_id != user.pk:
        raise PermissionDenied(_("This upload is someone else's."))
    check_import_allowed(user, upload.kind, upload.municipality)
    result = _run_upload(upload, dry_run=True)
    upload.result = result.as_dict()
    upload.status = ImportStatus.PREVIEWED
    upload.save(update_fields=["result", "status"])
    return upload


def apply_upload(*, upload: ImportUpload, user) -> ImportResult:
    """Import a previewed upload for real (all or nothing). The file's bytes are dropped
    once imported; a failed attempt keeps them, so the preview can be corrected."""
    if upload.user_id != user.pk:
        raise PermissionDenied(_("This upload is someone else's."))
    if upload.status == ImportStatus.APPLIED:
        raise ValidationError(_("This file has already been imported."))
    check_import_allowed(user, upload.kind, upload.municipality)
    result = _run_upload(upload, dry_run=False)
    upload.result = result.as_dict()
    if result.applied:
        upload.status = ImportStatus.APPLIED
        upload.applied_at = timezone.now()
        upload.content = b""
    else:
        upload.status = ImportStatus.FAILED
    upload.save(update_fields=["result", "status", "applied_at", "content"])
    return result


def _run_upload(upload: ImportUpload, *, dry_run: bool) -> ImportResult:
    """Check (``dry_run``) or import a stored upload as it was uploaded."""
    return run_import(
        importer=importer_class(upload.kind),
        data=bytes(upload.content),
        filename=upload.filename,
        municipality=upload.municipality,
        update=upload.update,
        strict=upload.strict,
        dry_run=dry_run,
        on=upload.on,
        find_reading=find_reading,
        options=upload.options,
    )
