"""The source mappings pages: list, add, edit and delete what a value of a service
desk's export means (municipality and/or service). Operators only. An import preview
posts its unmapped values here (``mapping_add`` with ``next``) and is checked again."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from samdrift.catalogue.models import Service
from samdrift.core.permissions import can_write
from samdrift.organisations.models import Municipality
from samdrift.servicedesk.choices import IncidentSource, MappedColumn
from samdrift.servicedesk.models import SourceMapping
from samdrift.servicedesk.services.mappings import delete_mapping, set_mapping
from samdrift.ui.forms import add_service_errors, scoped_queryset

SOURCES = [(value, label) for value, label in IncidentSource.choices if value != "manual"]


class SourceMappingForm(forms.Form):
    source = forms.ChoiceField(label=gettext_lazy("Service desk"), choices=SOURCES)
    column = forms.ChoiceField(label=gettext_lazy("Column"), choices=MappedColumn.choices)
    value = forms.CharField(
        label=gettext_lazy("Value"),
        max_length=200,
        help_text=gettext_lazy("As the export writes it (case and spacing aside)."),
    )
    municipality = forms.ModelChoiceField(
        label=gettext_lazy("Municipality"), queryset=Municipality.objects.none(), required=False
    )
    service = forms.ModelChoiceField(
        label=gettext_lazy("Service"), queryset=Service.objects.none(), required=False
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = scoped_queryset(
            Municipality.objects.order_by("number"), user
        )
        self.fields["service"].queryset = scoped_queryset(Service.objects.order_by("name"), user)

    def save(self) -> SourceMapping:
        data = self.cleaned_data
        return set_mapping(
            source=data["source"],
            column=data["column"],
            value=data["value"],
            municipality=data.get("municipality"),
            service=data.get("service"),
        )


def _require_writer(request) -> None:
    if not can_write(request.user, SourceMapping):
        raise PermissionDenied


def _initial(mapping: SourceMapping) -> dict:
    return {
        "source": mapping.source,
        "column": mapping.column,
        "value": mapping.value,
        "municipality": mapping.municipality_id,
        "service": mapping.service_id,
    }


@login_required
def mapping_list(request):
    """Every mapping, by source and column; a form to add one."""
    _require_writer(request)
    form = SourceMappingForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if _saved(request, form):
            return redirect("servicedesk:mappings")
        status = 400
    mappings = SourceMapping.objects.select_related("municipality", "service")
    source = request.GET.get("source")
    if source in dict(SOURCES):
        mappings = mappings.filter(source=source)
    return render(
        request,
        "servicedesk/mappings.html",
        {"form": form, "mappings": mappings, "sources": SOURCES, "source": source},
        status=status,
    )


def _saved(request, form: SourceMappingForm) -> bool:
    if not form.is_valid():
        return False
    try:
        mapping = form.saved = form.save()
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    messages.success(request, _("Saved: %(mapping)s.") % {"mapping": mapping})
    return True


@login_required
def mapping_edit(request, pk):
    """Change a mapping; one whose value (or source, or column) is renamed replaces the
    old one."""
    _require_writer(request)
    mapping = get_object_or_404(SourceMapping, pk=pk)
    form = SourceMappingForm(request.POST or None, user=request.user, initial=_initial(mapping))
    if request.method == "POST" and _saved(request, form):
        saved = form.saved
        if saved.pk != mapping.pk:
            delete_mapping(mapping=mapping)
        return redirect("servicedesk:mappings")
    return render(
        request,
        "servicedesk/mapping_edit.html",
        {"form": form, "mapping": mapping},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def mapping_delete(request, pk):
    _require_writer(request)
    mapping = get_object_or_404(SourceMapping, pk=pk)
    delete_mapping(mapping=mapping)
    messages.success(request, _("Deleted: %(mapping)s.") % {"mapping": mapping})
    return redirect("servicedesk:mappings")


@login_required
@require_POST
def mapping_add(request):
    """Map one value posted from an import preview, then back to it (``next``)."""
    _require_writer(request)
    form = SourceMappingForm(request.POST, user=request.user)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = ""
    if not _saved(request, form):
        problems = [
            f"{form.fields[name].label}: {' '.join(errors)}"
            if name in form.fields
            else " ".join(errors)
            for name, errors in form.errors.items()
        ]
        messages.error(request, " ".join(problems))
    return redirect(target or "servicedesk:mappings")


urlpatterns = [
    path("mappings/", mapping_list, name="mappings"),
    path("mappings/add/", mapping_add, name="mapping_add"),
    path("mappings/<int:pk>/", mapping_edit, name="mapping_edit"),
    path("mappings/<int:pk>/delete/", mapping_delete, name="mapping_delete"),
]
