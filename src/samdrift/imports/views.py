"""The import pages: upload a file, see what it would do (a dry run), confirm.

The uploaded file is kept in the database between the preview and the confirmation
(``ImportUpload``), because the confirming request may reach another app process.
"""

from __future__ import annotations

import csv
import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from samdrift.core.importing import ImportResult
from samdrift.core.importing.mapping import IGNORE, ColumnReading, match_headers
from samdrift.core.importing.results import Report
from samdrift.core.permissions import can_write
from samdrift.imports.forms import MappingForm, value_choices
from samdrift.imports.models import ImportMapping, ImportStatus, ImportUpload
from samdrift.imports.registry import IMPORTERS, importer_class
from samdrift.imports.services import (
    MAX_UPLOAD_BYTES,
    apply_upload,
    can_import,
    can_import_any,
    find_reading,
    recheck_upload,
    save_mapping,
    store_upload,
    update_mapping,
)
from samdrift.organisations.models import Municipality
from samdrift.ui.formatting import format_number
from samdrift.ui.forms import DateField, DateInput, add_service_errors, scoped_queryset

# How many errors the page lists; all of them are in the CSV download.
ERRORS_SHOWN = 1000


def importable_kinds(user) -> list[tuple[str, str]]:
    """The kinds this user may import (for some municipality, or at all)."""
    kinds = []
    for kind in IMPORTERS:
        cls = importer_class(kind)
        if can_write(user, cls.model):
            kinds.append((kind, str(cls.label)))
    return kinds


def _with_kind_labels(rows):
    """The rows with ``kind_label``: the kind as the user reads it ("Eiendeler"), not its key."""
    rows = list(rows)
    for row in rows:
        row.kind_label = str(importer_class(row.kind).label) if row.kind in IMPORTERS else row.kind
    return rows


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What the file holds"))
    municipality = forms.ModelChoiceField(
        label=gettext_lazy("Municipality"),
        queryset=Municipality.objects.none(),
        required=False,
        help_text=gettext_lazy(
            "The municipality the rows belong to (not for products; for incidents, the "
            "default for rows no mapping places)."
        ),
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV (UTF-8 or Windows-1252; comma, semicolon or tab) or XLSX (first sheet)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx"}),
    )
    on = DateField(
        label=gettext_lazy("Date"),
        widget=DateInput(),
        help_text=gettext_lazy(
            "When new holders get their assets and new persons start, where the file does not say."
        ),
    )
    update = forms.BooleanField(
        label=gettext_lazy("Update existing rows"),
        required=False,
        help_text=gettext_lazy(
            "Change stored rows that differ from the file. Without it, such rows are errors."
        ),
    )
    strict = forms.BooleanField(
        label=gettext_lazy("Strict"),
        required=False,
        help_text=gettext_lazy(
            "Unknown persons, locations and products are errors instead of being created."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["kind"].choices = importable_kinds(user)
        self.fields["municipality"].queryset = scoped_queryset(
            Municipality.objects.order_by("number"), user
        )
        self.fields["on"].initial = timezone.localdate()
        # The kinds' own options (the incidents' source), each once.
        self.option_names: list[str] = []
        for kind, _label in self.fields["kind"].choices:
            for option in importer_class(kind).options:
                name = f"option_{option.name}"
                if name in self.fields:
                    continue
                self.fields[name] = forms.ChoiceField(
                    label=option.label,
                    required=False,
                    choices=[("", _("— as the file shows —")), *option.choices],
                    help_text=option.help_text,
                )
                self.option_names.append(name)

    @property
    def option_fields(self):
        return [self[name] for name in self.option_names]

    def importer_options(self) -> dict:
        """The options the chosen kind takes, as given (call after ``is_valid``)."""
        kind = self.cleaned_data.get("kind")
        if not kind:
            return {}
        return {
            option.name: self.cleaned_data.get(f"option_{option.name}") or ""
            for option in importer_class(kind).options
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _(
                    "The file is larger than %(limit)d MB; import it with the samdrift import "
                    "command instead."
                )
                % {"limit": MAX_UPLOAD_BYTES // 1024**2}
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind and importer_class(kind).per_municipality and not cleaned.get("municipality"):
            self.add_error("municipality", _("Choose the municipality to import for."))
        return cleaned


def _kinds_help() -> list[dict]:
    from samdrift.imports.api import describe_kind

    return [describe_kind(kind) for kind in IMPORTERS]


@login_required
def upload(request):
    if not importable_kinds(request.user):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                stored = store_upload(
                    user=request.user,
                    kind=data["kind"],
                    filename=data["file"].name,
                    content=data["file"].read(),
                    municipality=data.get("municipality"),
                    update=data["update"],
                    strict=data["strict"],
                    on=data["on"],
                    options=form.importer_options(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("imports:preview", pk=stored.pk)
        status = 400
    recent = ImportUpload.objects.filter(user=request.user).select_related("municipality")
    # ``?status=failed``: the home page's notification opens the failed ones.
    status_shown = request.GET.get("status")
    if status_shown in ImportStatus.values:
        recent = recent.filter(status=status_shown)
    else:
        status_shown = None
    return render(
        request,
        "imports/upload.html",
        {
            "form": form,
            "kinds": _kinds_help(),
            "recent": _with_kind_labels(recent[:10]),
            "status_shown": status_shown and ImportStatus(status_shown).label,
        },
        status=status,
    )


def _own_upload(request, pk) -> ImportUpload:
    # Another user's upload is a 404, the same as one that does not exist.
    return get_object_or_404(
        ImportUpload.objects.select_related("municipality").defer("content"),
        pk=pk,
        user=request.user,
    )


def _last_check(stored: ImportUpload) -> ImportResult | None:
    """The result of the file's last check; ``None`` when it has none: the check was cut
    off (a timeout, a crash) after the file was kept but before its result was stored."""
    return ImportResult.from_dict(stored.result) if stored.result else None


@login_required
def preview(request, pk):
    stored = _own_upload(request, pk)
    result = _last_check(stored)
    if result is None:
        # Nothing to show or confirm; the page says so instead of a preview.
        return render(
            request,
            "imports/preview.html",
            {"upload": stored, "unchecked": True, "kind_label": importer_class(stored.kind).label},
        )
    may_apply = (
        stored.status != ImportStatus.APPLIED
        and result.ok
        and can_import(request.user, stored.kind, stored.municipality)
    )
    # Every sampled update with its fields; of new rows only a few (they have no diff).
    changes = [s for s in result.samples if s.action == "updated"]
    changes += [s for s in result.samples if s.action == "created"][:20]
    return render(
        request,
        "imports/preview.html",
        {
            "upload": stored,
            "result": result,
            "kind_label": importer_class(stored.kind).label,
            "errors_shown": result.errors[:ERRORS_SHOWN],
            "errors_hidden": max(result.error_total - len(result.errors[:ERRORS_SHOWN]), 0),
            "changes": changes,
            "may_apply": may_apply,
            "not_imported": any(not read_as for _header, read_as in result.columns),
            **_mapping_choices(request.user, result),
            "nothing_to_do": result.ok
            and not (result.created or result.updated or any(result.to_create.values())),
        },
    )


def _mapping_choices(user, result: ImportResult) -> dict:
    """What the values no source mapping knows may be mapped to (incidents)."""
    if not result.details.get("unmapped"):
        return {}
    from samdrift.catalogue.models import Service

    return {
        "map_municipalities": scoped_queryset(Municipality.objects.order_by("number"), user),
        "map_services": scoped_queryset(Service.objects.order_by("name"), user),
    }


@login_required
@require_POST
def recheck(request, pk):
    """Check a kept file again (after its values were mapped): a new preview."""
    stored = _own_upload(request, pk)
    if stored.status == ImportStatus.APPLIED:
        return redirect("imports:preview", pk=pk)
    try:
        recheck_upload(upload=ImportUpload.objects.get(pk=stored.pk), user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("imports:preview", pk=pk)


@login_required
@require_POST
def apply(request, pk):
    stored = _own_upload(request, pk)
    try:
        result = apply_upload(upload=ImportUpload.objects.get(pk=stored.pk), user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("imports:preview", pk=pk)
    if result.applied:
        messages.success(
            request,
            _("Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
            % {
                "created": format_number(result.created),
                "updated": format_number(result.updated),
                "unchanged": format_number(result.unchanged),
            },
        )
    else:
        messages.error(request, _("Nothing was imported: the file has errors now (see below)."))
    return redirect("imports:preview", pk=pk)


@login_required
def errors_csv(request, pk):
    """Every error of the last check, as CSV (UTF-8 with BOM, for spreadsheets)."""
    stored = _own_upload(request, pk)
    result = _last_check(stored)
    if result is None:
        # No check, so no list of errors: an empty one would say the file has none.
        raise Http404("This file was not checked.")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Row"), _("Column"), _("Error")])
    for error in result.errors:
        writer.writerow([error.line or "", error.column, error.message])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="errors-{stored.pk}.csv"'
    return response


@login_required
def template_csv(request, kind):
    """An empty file with the columns of ``kind``, to fill in."""
    if kind not in IMPORTERS:
        return HttpResponse(status=404)
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerow(
        [str(c.label) for c in importer_class(kind).all_columns()]
    )
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.csv"'
    return response


@login_required
def map_columns(request, pk):
    """The mapping step: what each column of the file means (or "not imported"), with
    the first rows shown, and what the values nobody knows mean; saved for the source
    (files with the same header row get it automatically), then the file is checked
    again."""
    stored = _own_upload(request, pk)
    if stored.status == ImportStatus.APPLIED or not can_import_any(request.user, stored.kind):
        raise PermissionDenied
    result = _last_check(stored)
    if result is None:
        # The columns to map are the check's headers; the preview says what to do.
        return redirect("imports:preview", pk=pk)
    cls = importer_class(stored.kind)
    columns = cls.all_columns()
    saved = ImportMapping.objects.filter(kind=stored.kind, fingerprint=result.fingerprint).first()
    reading = saved.reading() if saved else find_reading(stored.kind, result.fingerprint)
    if request.method == "POST":
        return _save_posted_mapping(request, stored, result, columns, reading)
    current = match_headers(
        result.headers, columns, Report(ImportResult(kind=stored.kind, filename="")), reading
    )
    return render(
        request,
        "imports/map.html",
        {
            "upload": stored,
            "result": result,
            "kind_label": cls.label,
            "headers": _header_rows(result, current),
            "columns": [(c.key, str(c.label)) for c in columns],
            "unknown": _unknown_value_rows(request.user, stored, result, columns),
            "mapping": saved,
            "date_order": reading.date_order if reading else "",
            "name": saved.name if saved else stored.filename.rsplit(".", 1)[0],
        },
    )


def _save_posted_mapping(request, stored, result, columns, reading):
    """Save the reading posted on the mapping page for the source, and check the file
    again with it; refuse it all when a value is mapped to a choice not offered."""
    by_key = {c.key: c for c in columns}
    chosen = {}
    for index, header in enumerate(result.headers):
        if not header:
            continue
        key = request.POST.get(f"col-{index}", IGNORE)
        chosen[header] = key if key in by_key else IGNORE
    values, refused = _posted_values(request, stored, result, reading)
    if refused:
        # Only a choice offered (and so one the user may see) is saved.
        messages.error(
            request,
            _("Not saved: %(values)s is not one of the choices offered.")
            % {"values": ", ".join(refused)},
        )
        return redirect("imports:map", pk=stored.pk)
    order = request.POST.get("date_order", "")
    reading = ColumnReading(
        columns=chosen, values=values, date_order=order if order in ("mdy", "dmy") else ""
    )
    mapping = save_mapping(
        kind=stored.kind,
        headers=result.headers,
        reading=reading,
        name=request.POST.get("name", ""),
    )
    recheck_upload(upload=ImportUpload.objects.get(pk=stored.pk), user=request.user)
    messages.success(
        request,
        _("Saved the mapping “%(name)s”; files with these columns are read this way.")
        % {"name": mapping.name},
    )
    return redirect("imports:preview", pk=stored.pk)


def _posted_values(
    request, stored, result: ImportResult, reading: ColumnReading | None
) -> tuple[dict[str, dict[str, str]], list[str]]:
    """The value meanings posted, added to the reading's; and those refused (not among
    the choices this user is offered), as "value → meaning"."""
    values: dict[str, dict[str, str]] = {
        key: dict(mapping) for key, mapping in (reading.values if reading else {}).items()
    }
    refused = []
    for key, unknown in result.unknown_values.items():
        allowed = value_choices(
            key, request.user, kind=stored.kind, municipality=stored.municipality
        )
        allowed_values = {value for value, _label in allowed} if allowed is not None else None
        for position, value in enumerate(unknown):
            meaning = request.POST.get(f"val-{key}-{position}", "").strip()
            if not meaning:
                continue
            if allowed_values is not None and meaning not in allowed_values:
                refused.append(f"“{value}” → “{meaning}”")
                continue
            values.setdefault(key, {})[value] = meaning
    return values, refused


def _header_rows(result: ImportResult, current: dict[str, int]) -> list[dict]:
    """Each named header of the file, what it is read as now, and its first values."""
    key_at = {index: key for key, index in current.items()}
    return [
        {
            "index": index,
            "header": header,
            "key": key_at.get(index, IGNORE),
            "samples": [row[index] for row in result.first_rows if index < len(row)],
        }
        for index, header in enumerate(result.headers)
        if header
    ]


def _unknown_value_rows(user, stored, result: ImportResult, columns) -> list[dict]:
    """The values no choice knows, per column, with the choices this user may map them to."""
    by_key = {c.key: c for c in columns}
    return [
        {
            "key": key,
            "label": by_key[key].label if key in by_key else key,
            "choices": value_choices(key, user, kind=stored.kind, municipality=stored.municipality),
            "values": [
                {"position": position, "value": value, "count": count, "lines": lines}
                for position, (value, (count, lines)) in enumerate(entries.items())
            ],
        }
        for key, entries in result.unknown_values.items()
    ]


@login_required
def mappings(request):
    """The saved mappings: which source's files they read, and deleting one."""
    kinds = [kind for kind, _label in importable_kinds(request.user)]
    if not kinds:
        raise PermissionDenied
    if request.method == "POST":
        mapping = get_object_or_404(ImportMapping, pk=request.POST.get("delete"), kind__in=kinds)
        mapping.delete()
        messages.success(request, _("Deleted the mapping “%(name)s”.") % {"name": mapping.name})
        return redirect("imports:mappings")
    return render(
        request,
        "imports/mappings.html",
        {"mappings": _with_kind_labels(ImportMapping.objects.filter(kind__in=kinds))},
    )


@login_required
def mapping_edit(request, pk):
    """Edit a saved mapping: its name, what its headers are read as, its value mappings
    and the order of slashed dates; validated, then saved as one change."""
    kinds = [kind for kind, _label in importable_kinds(request.user)]
    if not kinds:
        raise PermissionDenied
    mapping = get_object_or_404(ImportMapping, pk=pk, kind__in=kinds)
    form = MappingForm(request.POST or None, mapping=mapping, user=request.user)
    if request.method == "POST" and form.is_valid():
        update_mapping(mapping=mapping, name=form.cleaned_data["name"], reading=form.reading())
        messages.success(request, _("Saved the mapping “%(name)s”.") % {"name": mapping.name})
        return redirect("imports:mappings")
    return render(
        request,
        "imports/mapping_edit.html",
        {
            "mapping": mapping,
            "form": form,
            "header_fields": [form[name] for name, _header in form.header_fields],
            "value_fields": [form[name] for name, _key, _value in form.value_fields],
        },
        status=400 if form.errors else 200,
    )
