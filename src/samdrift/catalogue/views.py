"""Catalogue pages: products, services and their effective-dated prices (read by every
signed-in user; the catalogue is shared)."""

from __future__ import annotations

from django.db.models import DecimalField, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.catalogue.filtersets import PriceVersionFilterSet, ProductFilterSet, ServiceFilterSet
from samdrift.catalogue.models import PriceVersion, Product, Service
from samdrift.catalogue.tables import PRICE_TABLE, PRODUCT_TABLE, SERVICE_TABLE
from samdrift.core.dating import active_on
from samdrift.ui.lists import ObjectListView
from samdrift.ui.panels import counts


def price_now(item_field: str) -> Subquery:
    """The price in force today of the outer product or service, as one subquery."""
    today = timezone.localdate()
    prices = (
        PriceVersion.objects.filter(active_on(today), **{item_field: OuterRef("pk")})
        .order_by("-valid_from")
        .values("amount")[:1]
    )
    return Subquery(prices, output_field=DecimalField(max_digits=14, decimal_places=4))


class ProductListView(ObjectListView):
    model = Product
    filterset_class = ProductFilterSet
    table = PRODUCT_TABLE
    title = _("Products")
    filter_fields = ["q", "category", "is_standard", "active"]

    def get_queryset(self):
        return Product.objects.annotate(
            price_now=price_now("product"),
            **counts("catalogue:product_list", self.request.user),
        )


class ServiceListView(ObjectListView):
    model = Service
    filterset_class = ServiceFilterSet
    table = SERVICE_TABLE
    title = _("Services")
    filter_fields = ["q", "unit", "active"]

    def get_queryset(self):
        return Service.objects.annotate(price_now=price_now("service"))


class PriceListView(ObjectListView):
    model = PriceVersion
    filterset_class = PriceVersionFilterSet
    table = PRICE_TABLE
    title = _("Prices")
    filter_fields = ["q", "item_kind", "in_force_on", "valid_from_after", "valid_from_before"]
    filter_labels = {
        "item_kind": _("Product or service"),
        "in_force_on": _("In force on"),
        "valid_from_after": _("Valid from on or after"),
        "valid_from_before": _("Valid from before"),
    }
