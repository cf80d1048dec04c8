"""FilterSets of ordering, shared by the UI lists and their exports."""

import django_filters

from samdrift.core.filtersets import ChangeLoggedFilterSet, ScopedModelChoiceFilter
from samdrift.ordering.choices import OrderState
from samdrift.ordering.models import Order, Return
from samdrift.organisations.models import Municipality, ServiceArea


class OrderFilterSet(ChangeLoggedFilterSet):
    search_fields = ("number", "comment")
    municipality = ScopedModelChoiceFilter(model=Municipality)
    service_area = ScopedModelChoiceFilter(model=ServiceArea)
    state = django_filters.MultipleChoiceFilter(choices=OrderState.choices)

    class Meta:
        model = Order
        fields = ["municipality", "service_area", "state"]


class ReturnFilterSet(ChangeLoggedFilterSet):
    search_fields = ("reason", "person__first_name", "person__last_name")
    municipality = ScopedModelChoiceFilter(model=Municipality)

    class Meta:
        model = Return
        fields = ["municipality"]
