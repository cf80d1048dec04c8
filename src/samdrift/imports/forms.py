"""Forms of the import pages: the meanings a value may be mapped to, and editing a
saved mapping (its name, what each column is read as, its value mappings, the order of
slashed dates)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.core.importing.mapping import IGNORE, ColumnReading, match_headers
from samdrift.core.importing.results import ImportResult, Report
from samdrift.core.permissions import restrict
from samdrift.imports.models import ImportMapping
from samdrift.imports.registry import importer_class
from samdrift.organisations.models import Municipality


def choices_of(column) -> list[tuple[str, str]] | None:
    """The values a column's parser knows, when it is a choice (status, kind …)."""
    choices = getattr(column.parser, "choices", None)
    if choices is None or not hasattr(choices, "choices"):
        return None
    return [(str(value), str(label)) for value, label in choices.choices]


def reference_choices(
    key: str, user, *, kind: str, municipality: Municipality | None = None
) -> list[tuple[str, str]] | None:
    """What a value of a column naming a stored object may be mapped to: the categories,
    service areas (of ``municipality``; without one, of every municipality the user may
    see, by name) or municipalities ``user`` may see (``restrict``), as the text the
    importer looks up (a category's code, an area's name or cost centre, a
    municipality's number). A company may also mean the collaboration itself: an asset
    no municipality holds (the asset export writes it so). None: not such a column."""
    from samdrift.catalogue.models import ProductCategory
    from samdrift.organisations.models import Collaboration, ServiceArea

    if key in ("category", "category_code"):
        categories = restrict(ProductCategory.objects.order_by("name"), user)
        return [(c.code, f"{c.name} ({c.code})") for c in categories]
    if key in ("service_area", "service_area_cost_centre"):
        areas = ServiceArea.objects.order_by("name", "cost_centre")
        if municipality is not None:
            areas = areas.filter(municipality=municipality)
        areas = restrict(areas, user)
        if key == "service_area":
            names = dict.fromkeys((a.name, a.cost_centre) for a in areas)
            if municipality is None:  # a saved mapping serves every municipality
                return [(name, name) for name in dict.fromkeys(n for n, _c in names)]
            return [(name, f"{name} ({code})") for name, code in names]
        return [
            (code, f"{code} {name}")
            for code, name in dict.fromkeys((a.cost_centre, a.name) for a in areas)
        ]
    if key in ("municipality", "municipality_number"):
        choices = [
            (m.number, f"{m.number} {m.name}")
            for m in restrict(Municipality.objects.order_by("number"), user)
        ]
        collaboration = Collaboration.get()
        if key == "municipality" and kind == "assets" and collaboration is not None:
            choices.append(
                (
                    collaboration.name,
                    _("%(name)s (held by no municipality)") % {"name": collaboration.name},
                )
            )
        return choices
    return None


def value_choices(
    key: str, user, *, kind: str, municipality: Municipality | None = None
) -> list[tuple[str, str]] | None:
    """The meanings a value of column ``key`` may be mapped to; None: free text."""
    choices = reference_choices(key, user, kind=kind, municipality=municipality)
    if choices is None:
        column = next((c for c in importer_class(kind).all_columns() if c.key == key), None)
        if column is not None:
            choices = choices_of(column)
    return choices


class MappingForm(forms.Form):
    """Edit a saved mapping: rename it, say again what each of its headers is read as,
    change or drop its value mappings, and the order of slashed dates. Its header row
    (and so the files it is found for) stays: that is what the mapping is of."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    date_order = forms.ChoiceField(
        label=gettext_lazy("Dates written with slashes"),
        required=False,
        choices=[
            ("", gettext_lazy("as the column shows (refused when both fit)")),
            ("mdy", gettext_lazy("month/day/year (US, Snipe-IT)")),
            ("dmy", gettext_lazy("day/month/year")),
        ],
    )

    def __init__(self, *args, mapping: ImportMapping, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.mapping = mapping
        columns = importer_class(mapping.kind).all_columns()
        self.labels = {c.key: str(c.label) for c in columns}
        reading = mapping.reading()
        current = match_headers(
            mapping.headers, columns, Report(ImportResult(kind=mapping.kind, filename="")), reading
        )
        key_at = {index: key for key, index in current.items()}
        self.fields["name"].initial = mapping.name
        self.fields["date_order"].initial = mapping.date_order
        column_choices = [(IGNORE, _("— not imported —")), *self.labels.items()]
        self.header_fields: list[tuple[str, str]] = []  # (field name, header)
        for index, header in enumerate(mapping.headers):
            if not header:
                continue
            name = f"col_{index}"
            self.fields[name] = forms.ChoiceField(
                label=header,
                required=False,
                choices=column_choices,
                initial=key_at.get(index, IGNORE),
            )
            self.header_fields.append((name, header))
        # (field name, column key, value as written)
        self.value_fields: list[tuple[str, str, str]] = []
        for key, meanings in sorted(reading.values.items()):
            choices = value_choices(key, user, kind=mapping.kind)
            for position, (value, meaning) in enumerate(sorted(meanings.items())):
                name = f"val_{key}_{position}"
                label = f"{self.labels.get(key, key)}: {value}"
                if choices is not None:
                    field: forms.Field = forms.ChoiceField(
                        label=label,
                        required=False,
                        choices=[("", _("— not mapped (remove) —")), *choices],
                    )
                else:
                    field = forms.CharField(label=label, required=False, max_length=200)
                field.initial = meaning
                self.fields[name] = field
                self.value_fields.append((name, key, value))

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the mapping a name."))
        same = ImportMapping.objects.filter(kind=self.mapping.kind, name__iexact=name)
        if same.exclude(pk=self.mapping.pk).exists():
            raise forms.ValidationError(
                _("Another %(kind)s mapping is called “%(name)s”; the command line finds a "
                  "mapping by its name, so choose another.")
                % {"kind": self.mapping.kind, "name": name}
            )  # fmt: skip
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        first: dict[str, str] = {}
        for name, header in self.header_fields:
            key = cleaned.get(name)
            if not key:
                continue
            if key in first:
                self.add_error(
                    name,
                    _("“%(first)s” is read as %(label)s already; a column is read from one "
                      "header only.")
                    % {"first": first[key], "label": self.labels[key]},
                )  # fmt: skip
            else:
                first[key] = header
        return cleaned

    def reading(self) -> ColumnReading:
        """The mapping as the form says it (call after ``is_valid``)."""
        data = self.cleaned_data
        columns = {header: data.get(name) or IGNORE for name, header in self.header_fields}
        values: dict[str, dict[str, str]] = {}
        for name, key, value in self.value_fields:
            meaning = (data.get(name) or "").strip()
            if meaning:
                values.setdefault(key, {})[value] = meaning
        return ColumnReading(
            columns=columns, values=values, date_order=data.get("date_order") or ""
        )
