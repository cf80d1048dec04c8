"""Filtering shared by the API, the UI lists and the exports (one FilterSet per model).

Choices of related objects are restricted to what the requesting user may see. A filter
naming an object the user may not see (another municipality's id) answers 404, exactly
like fetching that object directly, and exactly like an id that does not exist, so a
crafted filter reveals nothing.

This holds for every relational filter by construction: ``SamdriftFilterSet`` generates
scoped filters for the relations named in ``Meta.fields``, and refuses, when the class is
defined, a plain ``ModelChoiceFilter`` or ``ModelMultipleChoiceFilter`` (whose choices
would list every municipality's objects in the browsable API's filter form).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import reduce
from operator import or_

import django_filters
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q
from django.http import Http404
from django_filters.conf import settings as filter_settings
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import NotFound, ValidationError

from samdrift.core.models import ObjectChange
from samdrift.core.permissions import restrict
from samdrift.core.validators import validate_integer_range, validate_supported_date


class ScopedFilterMixin:
    """A filter on related objects, offering only the objects the user may see
    (``restrict`` of ``model``); any other value is invalid, which answers 404."""

    def __init__(self, *args, model=None, **kwargs):
        if model is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs model=.")
        if "queryset" in kwargs:
            # A fixed queryset is exactly what this class exists to prevent.
            raise ImproperlyConfigured(f"{type(self).__name__} takes model=, not queryset=.")
        self.scoped_model = model
        kwargs["queryset"] = self._scoped_queryset
        super().__init__(*args, **kwargs)

    def _scoped_queryset(self, request):
        user = getattr(request, "user", None)
        return restrict(self.scoped_model._default_manager.all(), user)


class ScopedModelChoiceFilter(ScopedFilterMixin, django_filters.ModelChoiceFilter):
    """One related object, among those the user may see."""


class ScopedModelMultipleChoiceFilter(ScopedFilterMixin, django_filters.ModelMultipleChoiceFilter):
    """Several related objects, among those the user may see."""


def _scoped_relation(filter_class):
    return {
        "filter_class": filter_class,
        "extra": lambda f: {"model": f.related_model},
    }


# What ``Meta.fields`` makes of a relation: the scoped filters above, never a plain
# model choice over every row of the related model.
_SCOPED_RELATIONS = {
    models.OneToOneField: {
        "filter_class": ScopedModelChoiceFilter,
        "extra": lambda f: {
            "model": f.related_model,
            "to_field_name": f.remote_field.field_name,
            "null_label": filter_settings.NULL_CHOICE_LABEL if f.null else None,
        },
    },
    models.ForeignKey: {
        "filter_class": ScopedModelChoiceFilter,
        "extra": lambda f: {
            "model": f.related_model,
            "to_field_name": f.remote_field.field_name,
            "null_label": filter_settings.NULL_CHOICE_LABEL if f.null else None,
        },
    },
    models.ManyToManyField: _scoped_relation(ScopedModelMultipleChoiceFilter),
    models.OneToOneRel: _scoped_relation(ScopedModelChoiceFilter),
    models.ManyToOneRel: _scoped_relation(ScopedModelMultipleChoiceFilter),
    models.ManyToManyRel: _scoped_relation(ScopedModelMultipleChoiceFilter),
}


def unscoped_filters(filters: dict) -> list[str]:
    """Names of the relational filters in ``filters`` whose choices are not scoped."""
    return [
        name
        for name, f in filters.items()
        if isinstance(
            f, (django_filters.ModelChoiceFilter, django_filters.ModelMultipleChoiceFilter)
        )
        and not isinstance(f, ScopedFilterMixin)
    ]


class SamdriftFilterSet(django_filters.FilterSet):
    """Base FilterSet: a free-text ``q`` over ``search_fields``; every relational filter
    scoped to what the user may see (generated so from ``Meta.fields``, and checked for
    declared ones when the class is made).

    Every date and datetime filter accepts only dates the system calculates with, and
    every number filter only numbers an integer column can hold (``core.validators``): a
    value like ``0001-01-01`` or a 20-digit user id is a 400 naming the filter, not a 500
    from the database. The rule is applied here, once, to every filter of every FilterSet.
    """

    FILTER_DEFAULTS = {**FILTER_FOR_DBFIELD_DEFAULTS, **_SCOPED_RELATIONS}

    search_fields: tuple[str, ...] = ()
    # A model with a search index (``core.search``) names its search here instead:
    # ``search(queryset, query, *, first=None) -> queryset``, ranked; ``search_fields``
    # then only says what it looks in.
    search: Callable[..., models.QuerySet] | None = None
    # Set by a page that shows the ranked rows (``ui.lists``), never by an export or the
    # API: the search ranks only the first matches (``core.search.FirstMatches``).
    search_first = None
    q = django_filters.CharFilter(method="filter_search", label="Search")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        own_filter_fields(self)
        limit_filter_inputs(self)

    @classmethod
    def get_filters(cls):
        filters = super().get_filters()
        unscoped = unscoped_filters(filters)
        if unscoped:
            raise ImproperlyConfigured(
                f"{cls.__name__}: the filters {', '.join(unscoped)} list objects without "
                "restricting them to what the user may see; declare them as "
                "ScopedModelChoiceFilter(model=…) or ScopedModelMultipleChoiceFilter(model=…)."
            )
        return filters

    def filter_search(self, queryset, name, value):
        search = type(self).search
        if search is not None:
            return search(queryset, value, first=self.search_first)
        terms = value.split()
        if not terms or not self.search_fields:
            return queryset
        for term in terms:
            queryset = queryset.filter(
                reduce(or_, (Q(**{f"{field}__icontains": term}) for field in self.search_fields))
            )
        return queryset

    def scoped_errors(self) -> list[str]:
        """Names of scoped filters whose value is not an object the user may see."""
        return [
            name for name in self.errors if isinstance(self.filters.get(name), ScopedFilterMixin)
        ]

    def filter_or_raise(self):
        """The filtered queryset; Http404 for a hidden object, ValueError for bad input."""
        if not self.is_valid():
            hidden = self.scoped_errors()
            if hidden:
                raise Http404(f"No {hidden[0]} with that id.")
            raise ValueError(self.errors)
        return self.qs


def own_filter_fields(filterset: django_filters.FilterSet) -> None:
    """Let each filter of this FilterSet build its own form field.

    A filter caches its field on first use. If that first use was on the class's filter
    (``base_filters``) - drf-spectacular reads ``base_filters[name].field`` of a filter
    with choices while it generates the schema (``/api/schema/``, in the same process as
    the UI) - the field was built without the model, so without a label (a list's filter
    form then shows "None" in every language), and without this FilterSet's input checks;
    ``copy.deepcopy(base_filters)`` would hand that field to every later FilterSet.
    """
    for filter_ in filterset.filters.values():
        filter_.__dict__.pop("_field", None)


def limit_filter_inputs(filterset: django_filters.FilterSet) -> None:
    """Give each date, datetime and number filter its range check (see SamdriftFilterSet).
    The filters are the FilterSet instance's own copies, so this changes no class."""
    for filter_ in filterset.filters.values():
        if isinstance(filter_, (django_filters.DateFilter, django_filters.DateTimeFilter)):
            validator = validate_supported_date
        elif isinstance(filter_, django_filters.NumberFilter):
            validator = validate_integer_range
        else:
            continue
        filter_.extra["validators"] = [*filter_.extra.get("validators", ()), validator]


class ScopedFilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend that answers 404 (not 400) for a filter on a hidden object.

    A view's ``filterset_fields`` are made into a ``SamdriftFilterSet`` too, so their
    relations are scoped like a declared FilterSet's.
    """

    filterset_base = SamdriftFilterSet

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        # A viewset's ``filterset_fields`` makes a plain FilterSet: it gets the same checks.
        if filterset is not None and not isinstance(filterset, SamdriftFilterSet):
            own_filter_fields(filterset)
            limit_filter_inputs(filterset)
        return filterset

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            hidden = filterset.scoped_errors() if hasattr(filterset, "scoped_errors") else []
            if hidden:
                raise NotFound(f"No {hidden[0]} with id {request.query_params.get(hidden[0])!r}.")
            raise ValidationError(filterset.errors)
        return filterset.qs


class InstantFilter(django_filters.IsoDateTimeFilter):
    """An ISO instant, compared in UTC: an offset Python accepts (up to ±23:59) may be
    beyond what PostgreSQL takes (±15:59), and the instant is the same either way."""

    def filter(self, qs, value):
        if value is not None:
            value = value.astimezone(datetime.UTC)
        return super().filter(qs, value)


class ChangeLoggedFilterSet(SamdriftFilterSet):
    """Base FilterSet of a change-logged model: ``q`` plus when rows were made or last
    changed, so a client can fetch only what changed since its last visit."""

    created_after = InstantFilter(field_name="created", lookup_expr="gte")
    created_before = InstantFilter(field_name="created", lookup_expr="lt")
    updated_after = InstantFilter(field_name="last_updated", lookup_expr="gte")
    updated_before = InstantFilter(field_name="last_updated", lookup_expr="lt")


class ObjectChangeFilterSet(SamdriftFilterSet):
    search_fields = ("object_repr", "actor", "message")
    content_type = django_filters.CharFilter(
        method="filter_content_type", label="Model (app_label.model)"
    )
    # By id, not as a choice of users: which user ids exist is nobody's business.
    user = django_filters.NumberFilter(field_name="user_id")
    time_after = InstantFilter(field_name="time", lookup_expr="gte")
    time_before = InstantFilter(field_name="time", lookup_expr="lt")

    class Meta:
        model = ObjectChange
        # municipality and service_area become scoped filters of the related models
        # (``_SCOPED_RELATIONS``), so core names no organisations model here.
        fields = ["object_id", "action", "request_id", "municipality", "service_area"]

    def filter_content_type(self, queryset, name, value):
        app_label, _, model = value.partition(".")
        return queryset.filter(content_type__app_label=app_label, content_type__model=model)
