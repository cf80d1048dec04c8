"""One FilterSet per model, shared by the API, the UI lists and the exports."""

import django_filters

from samdrift.agreements.models import (
    AgreedPrice,
    CalendarDay,
    CalendarHours,
    CreditRule,
    PriorityTarget,
    ServiceAgreement,
    ServiceCalendar,
    ServiceLevel,
)
from samdrift.core.dating import active_on
from samdrift.core.filtersets import ChangeLoggedFilterSet, ScopedModelChoiceFilter
from samdrift.organisations.models import Municipality


class ServiceAgreementFilterSet(ChangeLoggedFilterSet):
    search_fields = ("name", "reference", "notes")
    municipality = ScopedModelChoiceFilter(model=Municipality)
    in_force_on = django_filters.DateFilter(method="filter_in_force_on", label="In force on")

    class Meta:
        model = ServiceAgreement
        fields = ["municipality"]

    def filter_in_force_on(self, queryset, name, value):
        return queryset.filter(active_on(value))


class AgreedPriceFilterSet(ChangeLoggedFilterSet):
    search_fields = ("product__name", "service__name", "note")
    municipality = ScopedModelChoiceFilter(model=Municipality, field_name="agreement__municipality")

    class Meta:
        model = AgreedPrice
        fields = ["agreement", "product", "service"]


class ServiceCalendarFilterSet(ChangeLoggedFilterSet):
    search_fields = ("name", "description")

    class Meta:
        model = ServiceCalendar
        fields = ["always_open", "public_holidays_closed", "timezone"]


class CalendarHoursFilterSet(ChangeLoggedFilterSet):
    class Meta:
        model = CalendarHours
        fields = ["calendar", "weekday"]


class CalendarDayFilterSet(ChangeLoggedFilterSet):
    search_fields = ("note",)
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lt")

    class Meta:
        model = CalendarDay
        fields = ["calendar", "date"]


class ServiceLevelFilterSet(ChangeLoggedFilterSet):
    search_fields = ("service__name", "agreement__name", "note")
    municipality = ScopedModelChoiceFilter(model=Municipality, field_name="agreement__municipality")

    class Meta:
        model = ServiceLevel
        fields = ["agreement", "service", "calendar"]


class PriorityTargetFilterSet(ChangeLoggedFilterSet):
    municipality = ScopedModelChoiceFilter(
        model=Municipality, field_name="service_level__agreement__municipality"
    )

    class Meta:
        model = PriorityTarget
        fields = ["service_level", "priority"]


class CreditRuleFilterSet(ChangeLoggedFilterSet):
    municipality = ScopedModelChoiceFilter(
        model=Municipality, field_name="service_level__agreement__municipality"
    )

    class Meta:
        model = CreditRule
        fields = ["service_level"]
