"""Template filters and tags for every page: ``{% load samdrift %}``.

Filters: ``money`` (Decimal → ``1 234,50 kr``), ``num`` (grouped number, optional places),
``day`` (date → ``31.12.2026``), ``moment`` (datetime), ``can_write`` (role check for a
model, e.g. ``user|can_write:"inventory.Asset"``). Tags: ``cells`` (a row's cells, each a
``ui.tables.Column``), ``sort_link`` (a sortable column header), ``field`` (a form field
with its label, help and errors), ``history_link`` (an object's change log).
"""

from __future__ import annotations

import datetime

from django import template
from django.apps import apps
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.core.permissions import can_write as _can_write
from samdrift.ui import formatting
from samdrift.ui.changes import content_type_key
from samdrift.ui.tables import row_cells

register = template.Library()


@register.filter
def money(value):
    return formatting.format_money(value)


@register.filter
def num(value, places=None):
    return formatting.format_number(value, None if places is None else int(places))


@register.filter
def hours_minutes(value):
    return formatting.format_minutes(value)


@register.filter
def day(value):
    return formatting.format_day(value)


@register.filter
def last_day(exclusive_end):
    """The last day of a period stored with an exclusive end ([from, to)), as people read
    a period: "1.–15. november", not "to 16 November"."""
    if not exclusive_end:
        return exclusive_end
    return exclusive_end - datetime.timedelta(days=1)


@register.filter
def moment(value):
    return formatting.format_moment(value)


@register.filter
def can_write(user, model_label: str) -> bool:
    """``{% if user|can_write:"inventory.Asset" %}`` shows an edit button only to writers."""
    return _can_write(user, apps.get_model(model_label))


@register.simple_tag
def history_link(obj):
    """A "History" button to the change log filtered to ``obj`` (for a detail page)."""
    query = urlencode({"content_type": content_type_key(type(obj)), "object_id": obj.pk})
    return format_html(
        '<a class="button" href="{}?{}" data-testid="history">{}</a>',
        reverse("change_list"),
        query,
        _("History"),
    )


@register.simple_tag
def cells(columns, obj):
    """``{% cells columns row %}``: the row's ``<td>`` cells of every column, each with
    its column's class, in one call (``ui.tables.row_cells``)."""
    return row_cells(columns, obj)


@register.simple_tag(takes_context=True)
def sort_link(context, column):
    """A header link that sorts by ``column`` (and reverses on a second click)."""
    request = context["request"]
    current = request.GET.get("sort", "")
    if not column.sortable:
        return format_html("{}", column.label)
    descending = current == column.name
    target = f"-{column.name}" if descending else column.name
    query = request.GET.copy()
    query["sort"] = target
    query.pop("page", None)
    query.pop("cursor", None)
    arrow = {"ascending": "▲", "descending": "▼"}.get(_sort_state(current, column), "")
    return format_html(
        '<a href="?{}" data-sort="{}">{}</a> <span aria-hidden="true">{}</span>',
        query.urlencode(),
        column.name,
        column.label,
        arrow,
    )


def _sort_state(current: str, column) -> str:
    if current == column.name:
        return "ascending"
    if current == f"-{column.name}":
        return "descending"
    return "none"


@register.simple_tag(takes_context=True)
def sort_state(context, column):
    """The column header's ``aria-sort``: ascending, descending or none."""
    if not column.sortable:
        return "none"
    return _sort_state(context["request"].GET.get("sort", ""), column)


@register.inclusion_tag("web/includes/field.html")
def field(bound_field, **attrs):
    """A form field with label, help text and its errors right next to it."""
    name_empty_choice(bound_field.field)
    return {"field": bound_field, "attrs": attrs}


# Django's blank choice of a select: shown as words instead (the list filters say "All").
BLANK_CHOICE = "---------"


def name_empty_choice(form_field) -> None:
    """A select's blank choice in words: "Choose …" when a value is needed, "None" when
    it may stay empty — never Django's dashes."""
    # Lazy: a form field may outlive the request (a filter caches its field), and must
    # speak the language of each request that renders it.
    label = gettext_lazy("Choose …") if form_field.required else gettext_lazy("None")
    if getattr(form_field, "empty_label", None) == BLANK_CHOICE:
        form_field.empty_label = label  # a model choice field rebuilds its choices from it
    widget = form_field.widget
    choices = getattr(widget, "choices", None)
    if isinstance(choices, list | tuple) and any(c == ("", BLANK_CHOICE) for c in choices):
        widget.choices = [("", label) if c == ("", BLANK_CHOICE) else c for c in choices]
