"""One FilterSet per model, shared by the API, the UI lists and the exports."""

import django_filters

from samdrift.catalogue.models import Service
from samdrift.core.dating import active_on
from samdrift.core.filtersets import ChangeLoggedFilterSet, ScopedModelChoiceFilter
from samdrift.organisations.models import Municipality
from samdrift.solutions.choices import Criticality, DeliveryForm, Level, ServiceHours
from samdrift.solutions.models import Requirement, Solution, SolutionFunction, SolutionUsage


class SolutionFunctionFilterSet(ChangeLoggedFilterSet):
    search_fields = ("name", "code", "description")

    class Meta:
        model = SolutionFunction
        fields = ["code"]


class SolutionFilterSet(ChangeLoggedFilterSet):
    search_fields = ("name", "vendor", "version", "description")
    function = ScopedModelChoiceFilter(model=SolutionFunction)
    service = ScopedModelChoiceFilter(model=Service)
    delivery_form = django_filters.ChoiceFilter(choices=DeliveryForm.choices)
    end_of_support_before = django_filters.DateFilter(
        field_name="end_of_support", lookup_expr="lt", label="End of support before"
    )

    class Meta:
        model = Solution
        fields = ["function", "service", "delivery_form", "vendor"]


class SolutionUsageFilterSet(ChangeLoggedFilterSet):
    search_fields = ("solution__name", "solution__vendor", "contract_reference")
    municipality = ScopedModelChoiceFilter(model=Municipality)
    solution = ScopedModelChoiceFilter(model=Solution)
    function = ScopedModelChoiceFilter(model=SolutionFunction, field_name="solution__function")
    in_force_on = django_filters.DateFilter(method="filter_in_force_on", label="In force on")
    contract_end_before = django_filters.DateFilter(
        field_name="contract_end", lookup_expr="lt", label="Contract ends before"
    )

    class Meta:
        model = SolutionUsage
        fields = ["municipality", "solution"]

    def filter_in_force_on(self, queryset, name, value):
        return queryset.filter(active_on(value))


class RequirementFilterSet(ChangeLoggedFilterSet):
    search_fields = ("solution__name", "notes")
    municipality = ScopedModelChoiceFilter(model=Municipality)
    solution = ScopedModelChoiceFilter(model=Solution)
    function = ScopedModelChoiceFilter(model=SolutionFunction, field_name="solution__function")
    service_hours = django_filters.ChoiceFilter(choices=ServiceHours.choices)
    criticality = django_filters.ChoiceFilter(choices=Criticality.choices)
    confidentiality = django_filters.ChoiceFilter(choices=Level.choices)

    class Meta:
        model = Requirement
        fields = ["municipality", "solution", "personal_data", "special_categories"]
