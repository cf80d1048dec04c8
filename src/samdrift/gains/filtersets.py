"""One FilterSet per model of the gains app, shared by the API, the UI lists and the
exports. Relations offer only what the user may see (another municipality's object in
a filter is a 404)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from samdrift.catalogue.models import Service
from samdrift.core.filtersets import ChangeLoggedFilterSet, ScopedModelChoiceFilter
from samdrift.gains.choices import ActionStatus, CostCategory, GainType, IndicatorUnit
from samdrift.gains.models import (
    Action,
    BaselineCost,
    CollaborationCost,
    CostIndex,
    Gain,
    GainShare,
    Indicator,
    IndicatorBaseline,
    Measurement,
    Milestone,
)
from samdrift.organisations.models import Municipality
from samdrift.solutions.models import Solution

OPEN_STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


class ActionFilterSet(ChangeLoggedFilterSet):
    """The plan: by status, by a municipality concerned (an action of all members
    concerns each), overdue (an open action past its deadline)."""

    search_fields = ("title", "description", "owner")
    status = django_filters.MultipleChoiceFilter(choices=ActionStatus.choices, label=_("Status"))
    municipality = ScopedModelChoiceFilter(
        model=Municipality, method="filter_municipality", label=_("Municipality")
    )
    solution = ScopedModelChoiceFilter(model=Solution, field_name="solutions", label=_("Solution"))
    service = ScopedModelChoiceFilter(model=Service, field_name="services", label=_("Service"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    deadline_before = django_filters.DateFilter(
        field_name="deadline", lookup_expr="lt", label=_("Deadline before")
    )
    deadline_after = django_filters.DateFilter(
        field_name="deadline", lookup_expr="gte", label=_("Deadline on or after")
    )

    class Meta:
        model = Action
        fields = ["status", "all_municipalities"]

    def filter_municipality(self, queryset, name, value: Municipality) -> QuerySet[Action]:
        return queryset.filter(Action.concerning(value.pk))

    def filter_overdue(self, queryset, name, value):
        late = Q(status__in=OPEN_STATUSES, deadline__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


class MilestoneFilterSet(ChangeLoggedFilterSet):
    search_fields = ("title",)
    done = django_filters.BooleanFilter(
        field_name="done_on", lookup_expr="isnull", exclude=True, label=_("Done")
    )

    class Meta:
        model = Milestone
        fields = ["action"]


class GainFilterSet(ChangeLoggedFilterSet):
    search_fields = ("effect", "description", "action__title")
    type = django_filters.ChoiceFilter(choices=GainType.choices)

    class Meta:
        model = Gain
        fields = ["action", "type", "indicator"]


class GainShareFilterSet(ChangeLoggedFilterSet):
    search_fields = ("owner", "gain__effect", "gain__action__title")
    action = ScopedModelChoiceFilter(
        model=Action, field_name="gain__action", label=pgettext_lazy("improvement plan", "Action")
    )

    class Meta:
        model = GainShare
        fields = ["gain", "municipality", "taken_out_of_budget"]


class MeasurementFilterSet(ChangeLoggedFilterSet):
    search_fields = ("source", "note", "gain__effect")
    action = ScopedModelChoiceFilter(
        model=Action, field_name="gain__action", label=pgettext_lazy("improvement plan", "Action")
    )
    measured_after = django_filters.DateFilter(
        field_name="measured_on", lookup_expr="gte", label=_("Measured on or after")
    )
    measured_before = django_filters.DateFilter(
        field_name="measured_on", lookup_expr="lt", label=_("Measured before")
    )

    class Meta:
        model = Measurement
        fields = ["gain", "municipality"]


class BaselineCostFilterSet(ChangeLoggedFilterSet):
    search_fields = ("description", "source")
    category = django_filters.ChoiceFilter(choices=CostCategory.choices)

    class Meta:
        model = BaselineCost
        fields = ["municipality", "year", "category"]


class IndicatorBaselineFilterSet(ChangeLoggedFilterSet):
    search_fields = ("indicator__name", "source")

    class Meta:
        model = IndicatorBaseline
        fields = ["municipality", "indicator"]


class IndicatorFilterSet(ChangeLoggedFilterSet):
    search_fields = ("name", "description")
    unit = django_filters.ChoiceFilter(choices=IndicatorUnit.choices)

    class Meta:
        model = Indicator
        fields = ["unit", "higher_is_better"]


class CostIndexFilterSet(ChangeLoggedFilterSet):
    search_fields = ("source",)

    class Meta:
        model = CostIndex
        fields = ["year"]


class CollaborationCostFilterSet(ChangeLoggedFilterSet):
    search_fields = ("description",)

    class Meta:
        model = CollaborationCost
        fields = ["year"]
