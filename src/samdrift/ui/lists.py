"""The list page every model uses: restricted rows, the model's FilterSet, sorting,
pagination and export of the filtered rows to CSV/XLSX.

A subclass names the model's FilterSet and Table, the filters shown in the form, and
the queryset to start from; ``restrict`` is applied here, always, before anything else::

    class AssetListView(ObjectListView):
        model = Asset
        filterset_class = AssetFilterSet
        table = ASSET_TABLE
        filter_fields = ["q", "municipality", "status"]
        title = _("Assets")

Every other filter of the FilterSet works from the query string too (as in the API),
and is kept as a hidden field when the form is submitted again.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View

from samdrift.core.exports import FORMATS, export_response
from samdrift.core.filtersets import ScopedModelChoiceFilter
from samdrift.core.permissions import can_write, restrict
from samdrift.ui.tables import Table

PAGE_SIZES = (25, 50, 100)


def date_widget(field: forms.Field) -> None:
    """A date field as the browser's date picker (ISO value, shown in the user's format)."""
    field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def label_with_municipality(obj) -> str:
    municipality = getattr(obj, "municipality", None)
    return f"{municipality} – {obj}" if municipality is not None else str(obj)


def count_of(model, field: str, user, *conditions, **filters) -> Subquery:
    """A correlated COUNT of ``model`` rows pointing at the outer row through ``field``,
    limited to what ``user`` may see. One subquery per column, never a query per row."""
    rows = (
        restrict(model.objects.filter(*conditions, **{field: OuterRef("pk")}, **filters), user)
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


class ObjectListView(LoginRequiredMixin, View):
    model: ClassVar[type]
    filterset_class: ClassVar[type]
    table: ClassVar[Table]
    title: ClassVar[Any] = ""
    filter_fields: ClassVar[list[str]] = ["q"]
    filter_labels: ClassVar[dict[str, Any]] = {}
    create_url_name: ClassVar[str | None] = None
    template_name: ClassVar[str] = "web/object_list.html"
    # What an htmx request for the results (a filter changed) gets.
    results_template: ClassVar[str] = "web/includes/list_results.html"
    per_page: ClassVar[int] = 50

    def get_queryset(self) -> QuerySet:
        return self.model._default_manager.all()

    def restricted_queryset(self) -> QuerySet:
        return restrict(self.get_queryset(), self.request.user)

    def customise_filter_form(self, form: forms.Form) -> None:
        """Friendlier widgets and labels for the filters shown; override to add more."""
        form.fields["q"].label = _("Search")
        form.fields["q"].widget = forms.TextInput(
            attrs={"type": "search", "placeholder": _("Search"), "autocomplete": "off"}
        )
        for name, field in form.fields.items():
            if name in self.filter_labels:
                field.label = self.filter_labels[name]
            if isinstance(field, forms.DateField):
                date_widget(field)
            if isinstance(field, forms.MultipleChoiceField):
                # One value from a plain select; ?status=a&status=b still works by URL.
                field.widget = forms.Select(choices=[("", _("All")), *field.choices])
            elif isinstance(field, forms.NullBooleanField):
                # Not filtering is "all", not Django's "Unknown".
                field.widget = forms.Select(
                    choices=[("", _("All")), ("true", _("Yes")), ("false", _("No"))]
                )
            elif isinstance(field, forms.ModelChoiceField):
                field.empty_label = _("All")
            elif hasattr(field, "empty_label"):
                # django-filters' choice field adds its blank choice from this label.
                field.empty_label = _("All")
                field.widget.choices = field.choices
            if isinstance(field, forms.ModelChoiceField):
                model = field.queryset.model
                if any(f.name == "municipality" for f in model._meta.fields):
                    field.queryset = field.queryset.select_related("municipality")
                    field.label_from_instance = label_with_municipality

    def filtered(self) -> tuple[Any, QuerySet, bool]:
        """The FilterSet and its rows; a filter naming a hidden object is a 404."""
        # Empty form fields mean "no filter" (a multiple-choice filter would call "" invalid).
        data = self.request.GET.copy()
        for name in list(data):
            values = [v for v in data.getlist(name) if v != ""]
            if values:
                data.setlist(name, values)
            else:
                del data[name]
        filterset = self.filterset_class(
            data, queryset=self.restricted_queryset(), request=self.request
        )
        valid = filterset.is_valid()
        if not valid:
            hidden = filterset.scoped_errors()
            if hidden:
                raise Http404(f"No {hidden[0]} with that id.")
            return filterset, self.model._default_manager.none(), False
        return filterset, filterset.qs, True

    def get(self, request, *args, **kwargs):
        filterset, queryset, valid = self.filtered()
        queryset, sort = self.table.sort(self.table.prepare(queryset), request.GET.get("sort"))
        export = request.GET.get("export")
        if export in FORMATS and valid:
            return export_response(
                export, queryset, self.table.export_columns, name=self.table.export_name
            )
        form = filterset.form
        self.customise_filter_form(form)
        shown = [form[name] for name in self.filter_fields if name in form.fields]
        for bound in shown:
            # The bound fields were made (and cached) while validating: give them the
            # labels chosen above.
            bound.label = bound.field.label
        hidden = [
            (name, value)
            for name in form.fields
            if name not in self.filter_fields
            for value in request.GET.getlist(name)
            if value != ""
        ]
        per_page = self._per_page()
        paginator = Paginator(queryset, per_page)
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)
        self.prepare_rows(page.object_list)
        context = {
            "title": self.title,
            "table": self.table,
            "columns": self.table.table_columns,
            "page": page,
            "rows": page.object_list,
            "paginator": paginator,
            "filter_form": form,
            "shown_filters": shown,
            "hidden_filters": hidden,
            "sort": sort,
            "per_page": per_page,
            "page_sizes": PAGE_SIZES,
            "filters_valid": valid,
            "export_formats": FORMATS,
            "create_url_name": self.create_url_name
            if can_write(request.user, self.model)
            else None,
            "scoped_filters": [
                n for n, f in filterset.filters.items() if isinstance(f, ScopedModelChoiceFilter)
            ],
            **self.extra_context(),
        }
        template = (
            self.results_template
            if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "results"
            else self.template_name
        )
        return render(request, template, context)

    def extra_context(self) -> dict[str, Any]:
        return {}

    def prepare_rows(self, rows: list) -> None:
        """Load what one page of rows shows beyond its query (in a batch per page, never a
        query per row), e.g. the names behind the ids of a change log. Nothing by default."""

    def _per_page(self) -> int:
        try:
            value = int(self.request.GET.get("per_page", self.per_page))
        except ValueError:
            return self.per_page
        return value if value in PAGE_SIZES else self.per_page
