"""One FilterSet per model, shared by the API, the UI lists and the exports."""

import django_filters

from samdrift.agreements.models import AgreedPrice, ServiceAgreement
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
