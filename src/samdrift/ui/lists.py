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

Every list also gets, from here: multiple-choice filters as checkbox dropdowns, the
chosen filters listed above the table (each removable), the user's saved filters and
column choice (``ui.listsettings``), a "go to page" box, the service-area choices
narrowed to the chosen municipality (``narrowed_filters``), and pages that stay fast at
a million rows: "next"/"previous" by keyset cursor, deep numbered pages by primary key
first, and a count that PostgreSQL may estimate (``paginate``; docs/ui.md).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, QueryDict
from django.shortcuts import render
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views import View

from samdrift.core.exports import FORMATS, export_response
from samdrift.core.filtersets import ScopedModelChoiceFilter
from samdrift.core.keyset import CursorError, count_rows, keyset_for, keyset_page, rows_of
from samdrift.core.permissions import can_write, restrict
from samdrift.core.search import FirstMatches
from samdrift.ui import formatting
from samdrift.ui.exportjobs import export_query, in_background
from samdrift.ui.forms import DropdownCheckboxes
from samdrift.ui.listsettings import filter_query, settings_for
from samdrift.ui.tables import Table

PAGE_SIZES = (25, 50, 100)
# A narrowed filter (``narrowed_filters``) with more choices than this offers them only
# once a municipality is chosen.
MAX_UNNARROWED = 100


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


def page_of(paginator: Paginator, number: Any) -> Page:
    """The page asked for, clamped: garbage or below 1 is the first page, beyond the
    end the last (a typed "page 900 of 12" shows page 12, never an error)."""
    return paginator.page(page_number(paginator, number))


def page_number(paginator: Paginator, number: Any) -> int:
    try:
        wanted = int(str(number).strip())
    except (TypeError, ValueError, OverflowError):
        wanted = 1
    return min(max(wanted, 1), paginator.num_pages)


class ListPaginator(Paginator):
    """A paginator whose count is cheap (``core.keyset.count_rows``: exact, or on
    PostgreSQL beyond 10,000 rows the planner's estimate, ``count_is_estimate``), and
    whose deep pages are found by primary key first (``page_rows``)."""

    def __init__(self, object_list, per_page, *, count_source: QuerySet):
        super().__init__(object_list, per_page)
        self.count_source = count_source

    @cached_property
    def counted(self) -> tuple[int, bool]:
        return count_rows(self.count_source)

    @cached_property
    def count(self) -> int:
        return self.counted[0]

    @property
    def count_is_estimate(self) -> bool:
        return self.counted[1]

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(page_rows(self.object_list, bottom, self.per_page), number, self)


def page_rows(queryset: QuerySet, offset: int, size: int) -> list:
    """A numbered page's rows: their primary keys first (a walk over the sort's index
    alone, or a sort of the ids), then just those rows with their joins
    (``core.keyset.rows_of``): OFFSET on the full query would build, join and throw away
    every row before the page, and a sort no index serves would join every row first."""
    return rows_of(queryset, offset, offset + size)


def _value_text(field: forms.Field, value: Any) -> list[str]:
    """A cleaned filter value as a person reads it (one text per chosen value)."""
    if isinstance(field, forms.ModelMultipleChoiceField):
        return [field.label_from_instance(obj) for obj in value]
    if isinstance(field, forms.ModelChoiceField):
        return [field.label_from_instance(value)]
    if isinstance(field, (forms.MultipleChoiceField, forms.ChoiceField)):
        labels = {str(code): label for code, label in field.choices}
        values = value if isinstance(value, (list, tuple)) else [value]
        return [str(labels.get(str(v), v)) for v in values]
    if isinstance(value, bool):
        return [str(_("Yes") if value else _("No"))]
    if isinstance(field, forms.DateField):
        return [formatting.format_day(value)]
    return [str(value)]


def active_filters(form: forms.Form, data: QueryDict) -> list[dict[str, Any]]:
    """The filters in use, each with every chosen value and a link that drops it."""
    cleaned = getattr(form, "cleaned_data", {})
    chips = []
    for name, field in form.fields.items():
        value = cleaned.get(name)
        if name not in data or value in (None, "", [], ()):
            continue
        if hasattr(value, "exists") and not value:
            continue
        rest = data.copy()
        rest.pop(name, None)
        rest.pop("page", None)
        rest.pop("cursor", None)
        chips.append(
            {
                "name": name,
                "label": field.label,
                "values": _value_text(field, value),
                "remove_url": "?" + rest.urlencode(),
            }
        )
    return chips


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
    # Filters whose choices narrow to the municipality chosen in the ``municipality``
    # filter (server-side on every request; htmx refreshes them when it changes).
    narrowed_filters: ClassVar[tuple[str, ...]] = ("service_area",)

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
            if isinstance(field, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)):
                # Any number of values: ?status=a&status=b.
                field.widget = DropdownCheckboxes(label=field.label)
                field.widget.choices = field.choices
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
        self.narrow_to_municipality(form)

    def narrow_to_municipality(self, form: forms.Form) -> None:
        """Offer in ``narrowed_filters`` only the chosen municipality's objects, and let
        the municipality select refresh them (htmx) when it changes. Called after the
        FilterSet was validated: an area of another municipality the user may see
        filters to nothing, it is not a 404."""
        narrowed = [
            n for n in self.narrowed_filters if n in form.fields and n in self.filter_fields
        ]
        if "municipality" not in form.fields or not narrowed:
            return
        cleaned = getattr(form, "cleaned_data", {})
        chosen = cleaned.get("municipality")
        for name in narrowed:
            field = form.fields[name]
            if not isinstance(field, forms.ModelChoiceField):
                continue
            if chosen is None:
                self.limit_unnarrowed(field, cleaned.get(name))
                continue
            keep = Q(municipality=chosen)
            selected = cleaned.get(name)
            if selected is not None and self.refreshed_filter() is None:
                # A chosen area of another municipality stays shown, since it still
                # filters (to nothing): the form shows what the rows are filtered by.
                # When the municipality select asks for the areas afresh, it is dropped.
                keep |= Q(pk=selected.pk)
            field.queryset = field.queryset.filter(keep)
        form.fields["municipality"].widget.attrs.update(
            {
                "hx-get": self.request.path,
                "hx-trigger": "change",
                "hx-include": "closest form",
                "hx-target": f"#filter-{narrowed[0]}",
                "hx-swap": "outerHTML",
            }
        )

    def limit_unnarrowed(self, field: forms.ModelChoiceField, selected) -> None:
        """With no municipality chosen, a select of every municipality's service areas
        (hundreds at the design scale, rendered on every page) offers only the chosen
        one and asks for a municipality first; a short list stays whole."""
        if not field.queryset.values("pk")[MAX_UNNARROWED:].exists():
            return
        field.queryset = (
            field.queryset.filter(pk=selected.pk) if selected is not None else field.queryset.none()
        )
        field.help_text = _("Choose a municipality first to see its choices.")

    def refreshed_filter(self) -> str | None:
        """The narrowed filter an htmx request asks for afresh (``HX-Target:
        filter-service_area``), if that is what this request is."""
        if not self.request.headers.get("HX-Request"):
            return None
        target = self.request.headers.get("HX-Target", "")
        name = target.removeprefix("filter-")
        return name if target.startswith("filter-") and name in self.narrowed_filters else None

    def filtered(self, *, first: FirstMatches | None = None) -> tuple[Any, QuerySet, bool]:
        """The FilterSet and its rows; a filter naming a hidden object is a 404.

        ``first``: a search ranks only its first matches (``core.search.FirstMatches``),
        for the page; an export (here or in the background) gets every match."""
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
        filterset.search_first = first
        valid = filterset.is_valid()
        if not valid:
            hidden = filterset.scoped_errors()
            if hidden:
                raise Http404(f"No {hidden[0]} with that id.")
            return filterset, self.model._default_manager.none(), False
        return filterset, filterset.qs, True

    def get(self, request, *args, **kwargs):
        export = request.GET.get("export")
        first = None if export in FORMATS else FirstMatches()
        filterset, queryset, valid = self.filtered(first=first)
        # Counted without the columns' joins and annotations, which only cost time there.
        counted = queryset
        queryset, sort = self.table.sort(
            self.table.prepare(queryset, export=export in FORMATS), request.GET.get("sort")
        )
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
        if self.refreshed_filter() is not None:
            # The municipality changed: just the narrowed filters, afresh.
            fields = [b for b in shown if b.name in self.narrowed_filters]
            return render(request, "web/includes/list_filter_fields.html", {"fields": fields})
        per_page = self._per_page()
        paginator, page, links = self.paginate(queryset, per_page, counted=counted)
        self.prepare_rows(page.object_list)
        settings = settings_for(request.user, request.path)
        columns = self.table.chosen_columns(settings.columns)
        essential = self.table.essential_names
        context = {
            "title": self.title,
            "table": self.table,
            "columns": columns,
            "column_choices": [
                (c, c in columns, c.name in essential) for c in self.table.table_columns
            ],
            "saved_filters": settings.filters,
            # A list that makes its table per request has no columns to choose by name.
            "can_choose_columns": getattr(type(self), "table", None) is not None,
            "list_path": request.path,
            "filter_query": filter_query(request.GET),
            "page_query": [
                (name, value)
                for name, values in request.GET.lists()
                if name not in ("page", "export", "cursor")
                for value in values
                if value != ""
            ],
            "active_filters": active_filters(form, request.GET) if valid else [],
            "page": page,
            "rows": page.object_list,
            "paginator": paginator,
            "page_links": links,
            "filter_form": form,
            "shown_filters": shown,
            "hidden_filters": hidden,
            "sort": sort,
            "per_page": per_page,
            "page_sizes": PAGE_SIZES,
            "filters_valid": valid,
            "export_formats": FORMATS,
            # A search that ranked only its first matches shows those; the rest exist.
            "search_cut": first is not None and first.more,
            "search_cut_limit": first.limit if first is not None else None,
            # The formats offered as a background job at this many rows (ui.exportjobs);
            # a cut search's export has more rows than the page shows.
            "background_exports": [
                f
                for f in FORMATS
                if in_background(f, paginator.count + (first is not None and first.more))
            ],
            "export_query": export_query(request.GET.urlencode()),
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

    def paginate(
        self, queryset: QuerySet, per_page: int, *, counted: QuerySet | None = None
    ) -> tuple[ListPaginator, Page, dict]:
        """The page to show and the links around it.

        ``?page=N`` is a numbered page (an offset; "go to page", first and last).
        "Next" and "previous" are keyset cursors (``?cursor=…&page=N±1``: the number is
        only the label shown), so walking on from any page costs what page 1 does. A
        cursor that is not this list's (another sort, forged, garbage) shows the page
        by number instead, never an error.
        """
        keyset = keyset_for(queryset)
        paginator = ListPaginator(
            keyset.queryset if keyset is not None else queryset,
            per_page,
            count_source=queryset if counted is None else counted,
        )
        number = page_number(paginator, self.request.GET.get("page"))
        cursor = self.request.GET.get("cursor")
        page = None
        if keyset is not None and cursor:
            try:
                found = keyset_page(keyset, per_page, cursor, deferred=True)
            except CursorError:
                found = None
            if found is not None and found.rows:
                page = Page(found.rows, number, paginator)
                after = found.next_cursor
                before = found.previous_cursor
        if page is None:
            page = paginator.page(number)
            page.object_list = list(page.object_list)
            rows = page.object_list
            last = page.number >= paginator.num_pages
            can_key = keyset is not None and bool(rows)
            after = keyset.cursor(rows[-1]) if can_key and not last else None
            before = keyset.cursor(rows[0], backwards=True) if can_key and page.number > 2 else None
        links = {
            "next": self._link(after, number + 1) if after else None,
            # Page 2's previous is page 1 by number: the same rows, a plainer link.
            "previous": (
                self._link(before, max(number - 1, 1))
                if before and number > 2
                else (self._link(None, 1) if number > 1 or before else None)
            ),
        }
        return paginator, page, links

    def _link(self, cursor: str | None, number: int) -> str:
        query = self.request.GET.copy()
        query.pop("cursor", None)
        query.pop("export", None)
        query["page"] = str(number)
        if cursor:
            query["cursor"] = cursor
        return "?" + query.urlencode()

    def prepare_rows(self, rows: list) -> None:
        """Load what one page of rows shows beyond its query (in a batch per page, never a
        query per row), e.g. the names behind the ids of a change log. Nothing by default."""

    def _per_page(self) -> int:
        try:
            value = int(self.request.GET.get("per_page", self.per_page))
        except ValueError:
            return self.per_page
        return value if value in PAGE_SIZES else self.per_page
