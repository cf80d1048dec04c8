"""One FilterSet per model, shared by the API, the UI lists and the exports."""

import django_filters
from django.utils.translation import gettext_lazy as _

from samdrift.catalogue.models import Product, ProductCategory, Service
from samdrift.core.dating import active_on
from samdrift.core.filtersets import ChangeLoggedFilterSet, ScopedModelChoiceFilter
from samdrift.inventory.choices import IN_SERVICE, AssetOrigin, AssetStatus
from samdrift.inventory.models import Asset, Assignment, Subscription, UsageRecord
from samdrift.inventory.search import search_assets
from samdrift.organisations.models import Location, Municipality, Person, ServiceArea


class AssetFilterSet(ChangeLoggedFilterSet):
    # The holder's name and the service area too, as the global search finds them
    # (its "more" link is this list with ``?q=``); on the search index, ranked.
    search = staticmethod(search_assets)
    search_fields = (
        "asset_tag",
        "serial_number",
        "name",
        "model_name",
        "product__name",
        "person__first_name",
        "person__last_name",
        "service_area__name",
    )
    municipality = ScopedModelChoiceFilter(model=Municipality)
    service_area = ScopedModelChoiceFilter(model=ServiceArea)
    person = ScopedModelChoiceFilter(model=Person)
    location = ScopedModelChoiceFilter(model=Location)
    product = ScopedModelChoiceFilter(model=Product)
    category = ScopedModelChoiceFilter(
        field_name="product__category", model=ProductCategory, label=_("Category")
    )
    # A column of the asset itself: no join, so no DISTINCT (which made sorted pages slow).
    status = django_filters.MultipleChoiceFilter(choices=AssetStatus.choices, distinct=False)
    origin = django_filters.ChoiceFilter(choices=AssetOrigin.choices)
    acquired_after = django_filters.DateFilter(field_name="acquisition_date", lookup_expr="gte")
    acquired_before = django_filters.DateFilter(field_name="acquisition_date", lookup_expr="lt")
    in_service = django_filters.BooleanFilter(
        method="filter_in_service", label="In service (deployed or in repair)"
    )
    replacement_after = django_filters.DateFilter(
        field_name="planned_replacement", lookup_expr="gte"
    )
    replacement_before = django_filters.DateFilter(
        field_name="planned_replacement", lookup_expr="lt"
    )
    lease_end_before = django_filters.DateFilter(field_name="lease_end", lookup_expr="lt")
    warranty_end_before = django_filters.DateFilter(field_name="warranty_end", lookup_expr="lt")

    class Meta:
        model = Asset
        fields = [
            "municipality",
            "service_area",
            "person",
            "location",
            "product",
            "status",
            "origin",
            "asset_tag",
            "serial_number",
        ]

    def filter_in_service(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.filter(status__in=IN_SERVICE)
        return queryset.exclude(status__in=IN_SERVICE)


class AssignmentFilterSet(ChangeLoggedFilterSet):
    search_fields = ("asset__asset_tag", "asset__serial_number", "person__username", "note")
    municipality = ScopedModelChoiceFilter(model=Municipality)
    service_area = ScopedModelChoiceFilter(model=ServiceArea)
    person = ScopedModelChoiceFilter(model=Person)
    location = ScopedModelChoiceFilter(model=Location)
    asset = ScopedModelChoiceFilter(model=Asset)
    active_on = django_filters.DateFilter(method="filter_active_on", label="In force on")
    valid_from_after = django_filters.DateFilter(field_name="valid_from", lookup_expr="gte")
    valid_from_before = django_filters.DateFilter(field_name="valid_from", lookup_expr="lt")
    is_open = django_filters.BooleanFilter(
        field_name="valid_to", lookup_expr="isnull", label="Still open"
    )

    class Meta:
        model = Assignment
        fields = ["asset", "municipality", "service_area", "person", "location"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(active_on(value))


class SubscriptionFilterSet(ChangeLoggedFilterSet):
    search_fields = ("service__name", "person__username", "note")
    municipality = ScopedModelChoiceFilter(model=Municipality)
    service_area = ScopedModelChoiceFilter(model=ServiceArea)
    person = ScopedModelChoiceFilter(model=Person)
    location = ScopedModelChoiceFilter(model=Location)
    asset = ScopedModelChoiceFilter(model=Asset)
    service = ScopedModelChoiceFilter(model=Service)
    active_on = django_filters.DateFilter(method="filter_active_on", label="In force on")
    valid_from_after = django_filters.DateFilter(field_name="valid_from", lookup_expr="gte")
    valid_from_before = django_filters.DateFilter(field_name="valid_from", lookup_expr="lt")
    is_open = django_filters.BooleanFilter(
        field_name="valid_to", lookup_expr="isnull", label="Still open"
    )

    class Meta:
        model = Subscription
        fields = ["service", "municipality", "service_area", "person", "location", "asset"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(active_on(value))


class UsageRecordFilterSet(ChangeLoggedFilterSet):
    search_fields = ("service__name", "reference", "note", "asset__asset_tag")
    municipality = ScopedModelChoiceFilter(model=Municipality)
    service_area = ScopedModelChoiceFilter(model=ServiceArea)
    person = ScopedModelChoiceFilter(model=Person)
    location = ScopedModelChoiceFilter(model=Location)
    asset = ScopedModelChoiceFilter(model=Asset)
    service = ScopedModelChoiceFilter(model=Service)
    month_after = django_filters.DateFilter(
        field_name="month", lookup_expr="gte", label="Months from (inclusive)"
    )
    month_before = django_filters.DateFilter(
        field_name="month", lookup_expr="lt", label="Months before (exclusive)"
    )

    class Meta:
        model = UsageRecord
        fields = [
            "service",
            "municipality",
            "service_area",
            "person",
            "location",
            "asset",
            "month",
            "reference",
        ]


# Filter parameters of the asset list that number cards link to (``ui.cards``).


def in_service() -> dict:
    return {"in_service": "true"}
