"""One FilterSet per model, shared by the API, the UI lists and the exports."""

import django_filters
from django.utils.translation import gettext_lazy as _

from samdrift.catalogue.choices import ServiceUnit
from samdrift.catalogue.models import PriceVersion, Product, ProductCategory, Service
from samdrift.core.dating import active_on
from samdrift.core.filtersets import ChangeLoggedFilterSet, ScopedModelChoiceFilter


class ProductCategoryFilterSet(ChangeLoggedFilterSet):
    search_fields = ("name", "code")

    class Meta:
        model = ProductCategory
        fields = ["code", "lease_model"]


class ProductFilterSet(ChangeLoggedFilterSet):
    search_fields = ("name", "manufacturer", "model_number", "description")
    category = ScopedModelChoiceFilter(model=ProductCategory)
    category_code = django_filters.CharFilter(field_name="category__code")

    class Meta:
        model = Product
        fields = ["category", "is_standard", "active", "manufacturer"]


class ServiceFilterSet(ChangeLoggedFilterSet):
    search_fields = ("name", "code", "description")
    unit = django_filters.ChoiceFilter(choices=ServiceUnit.choices)

    class Meta:
        model = Service
        fields = ["unit", "active", "code"]


class PriceVersionFilterSet(ChangeLoggedFilterSet):
    search_fields = ("product__name", "service__name", "note")
    in_force_on = django_filters.DateFilter(method="filter_in_force_on", label="In force on")
    valid_from_after = django_filters.DateFilter(field_name="valid_from", lookup_expr="gte")
    valid_from_before = django_filters.DateFilter(field_name="valid_from", lookup_expr="lt")
    item_kind = django_filters.ChoiceFilter(
        choices=[("product", _("Product")), ("service", _("Service"))],
        method="filter_item_kind",
    )

    class Meta:
        model = PriceVersion
        fields = ["product", "service"]

    def filter_in_force_on(self, queryset, name, value):
        return queryset.filter(active_on(value))

    def filter_item_kind(self, queryset, name, value):
        return queryset.filter(**{f"{value}__isnull": False})
