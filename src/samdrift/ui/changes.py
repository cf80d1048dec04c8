"""The change log as people read it: field labels, choice labels and names, not ids.

``ObjectChange`` stores each changed row's fields by attribute name with JSON values
(``{"holder_id": 17}``). A page of changes is turned into lines such as
"holder: Inger Jensen → Ola Nordmann" by ``describe_changes``: the labels come from the
models' ``verbose_name``, choices show their label, and the ids of foreign keys are
resolved to names with one query per related model for the whole page (never a query per
row), through ``restrict``, so a name the reader may not see stays an id.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import django_filters
from django.apps import apps
from django.db import models
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from samdrift.core.filtersets import ObjectChangeFilterSet
from samdrift.core.models import ChangeLoggedModel, ObjectChange
from samdrift.core.permissions import restrict
from samdrift.ui import formatting
from samdrift.ui.tables import Column, Table

ARROW = "→"


@dataclass(frozen=True)
class FieldChange:
    """One changed field of one change: its label and the values before and after."""

    label: str
    before: str
    after: str

    def __str__(self) -> str:
        return f"{self.label}: {self.before} {ARROW} {self.after}"


def content_type_key(model: type[models.Model]) -> str:
    """``app_label.model`` of a model as the change log stores it (the concrete model)."""
    meta = model._meta.concrete_model._meta
    return f"{meta.app_label}.{meta.model_name}"


def logged_model_choices() -> list[tuple[str, str]]:
    """Every change-logged model as a filter choice, by its name in the active language."""
    choices = {
        content_type_key(model): capfirst(str(model._meta.verbose_name))
        for model in apps.get_models()
        if issubclass(model, ChangeLoggedModel)
    }
    return sorted(choices.items(), key=lambda item: item[1].lower())


def _fields_by_attname(model: type[models.Model] | None) -> dict[str, models.Field]:
    if model is None:
        return {}
    return {f.attname: f for f in (*model._meta.concrete_fields, *model._meta.many_to_many)}


def plain_value(field: models.Field | None, value: Any) -> str:
    """A logged value of a field that is not a relation, as a person reads it: a choice's
    label, a day as ``31.12.2026``, an amount as ``1 234,50`` (in the active language)."""
    return _plain(field, value)


def _plain(field: models.Field | None, value: Any) -> str:
    """A logged (JSON) value as a person reads it, without any query."""
    if value is None or value == "":
        return "–"
    if field is None:
        return str(value)
    if field.choices:
        labels = {str(k): v for k, v in field.flatchoices}
        return str(labels.get(str(value), value))
    if isinstance(field, models.BooleanField):
        return gettext("yes") if value else gettext("no")
    if isinstance(field, models.DateTimeField):
        try:
            return formatting.format_moment(datetime.datetime.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if isinstance(field, models.DateField):
        try:
            return formatting.format_day(datetime.date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if isinstance(field, models.DecimalField):
        try:
            return formatting.format_number(Decimal(str(value)))
        except (InvalidOperation, ValueError):
            return str(value)
    return str(value)


def describe_changes(changes: Iterable[ObjectChange], user) -> dict[int, list[FieldChange]]:
    """Change id → its changed fields, labelled and with names for foreign keys.

    One query per related model over all of ``changes`` (restricted to what ``user`` may
    see); an id that is not found (deleted, or another municipality's) shows as ``#id``.
    """
    changes = list(changes)
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    rows: list[tuple[int, list[tuple[models.Field | None, str, Any, Any]]]] = []
    for change in changes:
        model = change.content_type.model_class()
        fields = _fields_by_attname(model)
        items = []
        for key, (before, after) in change.changed_fields().items():
            field = fields.get(key)
            items.append((field, key, before, after))
            if field is not None and field.is_relation and field.many_to_one:
                related = field.related_model
                wanted[related].update(v for v in (before, after) if v not in (None, ""))
            elif field is not None and field.many_to_many:
                for value in (before, after):
                    if isinstance(value, list):
                        wanted[field.related_model].update(value)
        rows.append((change.pk, items))

    names: dict[type[models.Model], dict[str, str]] = {}
    for related, ids in wanted.items():
        visible = restrict(related._default_manager.all(), user).filter(pk__in=ids).order_by()
        names[related] = {str(obj.pk): str(obj) for obj in visible}

    def shown(field: models.Field | None, value: Any) -> str:
        if field is not None and field.is_relation and field.many_to_one:
            if value is None or value == "":
                return "–"
            return names.get(field.related_model, {}).get(str(value), f"#{value}")
        if field is not None and field.many_to_many and isinstance(value, list):
            known = names.get(field.related_model, {})
            return ", ".join(known.get(str(pk), f"#{pk}") for pk in value) or "–"
        return _plain(field, value)

    described: dict[int, list[FieldChange]] = {}
    for pk, items in rows:
        described[pk] = [
            FieldChange(
                label=str(field.verbose_name) if field is not None else key,
                before=shown(field, before),
                after=shown(field, after),
            )
            for field, key, before, after in items
            # The row's own id, and a field left empty when the row was made, say nothing.
            if not (field is not None and field.primary_key)
            and not (_empty(before) and _empty(after))
        ]
    return described


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


class ChangesColumn(Column):
    """The changed fields of a change: from ``field_changes`` (set by ``describe_changes``
    for the page) in the table; the raw before/after values in an export."""

    def value(self, obj: Any) -> Any:
        return "; ".join(f"{k}: {b} {ARROW} {a}" for k, (b, a) in obj.changed_fields().items())

    def render(self, obj: Any) -> str:
        lines = getattr(obj, "field_changes", None) or []
        if not lines:
            return format_html("{}", "")
        items = format_html_join(
            "",
            '<li><span class="changed-field">{}</span>: {} {} {}</li>',
            ((line.label, line.before, ARROW, line.after) for line in lines),
        )
        return format_html('<ul class="changes" data-testid="changes">{}</ul>', items)


def _object_type(change: ObjectChange) -> str:
    model = change.content_type.model_class()
    return capfirst(str(model._meta.verbose_name)) if model is not None else ""


class ObjectTypeColumn(Column):
    def value(self, obj: Any) -> Any:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"

    def text(self, obj: Any) -> str:
        return _object_type(obj)


CHANGE_TABLE = Table(
    columns=[
        Column("time", _("Time"), kind="datetime", order_by=("time",)),
        Column("actor", _("Who"), order_by=("actor",)),
        Column("action", _("Action"), kind="choice", order_by=("action",)),
        ObjectTypeColumn("content_type", _("Object type")),
        Column("object_id", _("Object id"), in_table=False),
        Column("object_repr", _("Object"), order_by=("object_repr",)),
        ChangesColumn("changes", _("Changes")),
    ],
    default_sort="-time",
    select_related=("content_type",),
    tiebreak="id",
    export_name="change-log",
)


class ChangeListFilterSet(ObjectChangeFilterSet):
    """The API's change-log filters, with the form fields a person uses: who (a part of
    the actor's name), the object type as a choice, and days rather than instants."""

    who = django_filters.CharFilter(field_name="actor", lookup_expr="icontains", label=_("Who"))
    content_type = django_filters.ChoiceFilter(
        method="filter_content_type", label=_("Object type"), choices=logged_model_choices
    )
    date_from = django_filters.DateFilter(method="filter_date_from", label=_("From"))
    date_to = django_filters.DateFilter(method="filter_date_to", label=_("To (inclusive)"))

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(time__gte=_start_of(value))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(time__lt=_start_of(value + datetime.timedelta(days=1)))


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight of ``day`` in the site's time zone (the day a person means)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
