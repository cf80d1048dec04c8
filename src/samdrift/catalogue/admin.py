from django.contrib import admin

from samdrift.catalogue.models import PriceVersion, Product, ProductCategory, Service
from samdrift.core.admin import ChangeLoggedAdmin


@admin.register(ProductCategory)
class ProductCategoryAdmin(ChangeLoggedAdmin):
    list_display = ["name", "code", "useful_life_months", "lease_model"]


@admin.register(Product)
class ProductAdmin(ChangeLoggedAdmin):
    list_display = ["name", "category", "manufacturer", "standard_cost", "is_standard", "active"]
    list_filter = ["category", "is_standard", "active"]
    search_fields = ["name", "manufacturer", "model_number"]


@admin.register(Service)
class ServiceAdmin(ChangeLoggedAdmin):
    list_display = ["name", "code", "unit", "vat_rate", "active"]
    list_filter = ["unit", "active"]


@admin.register(PriceVersion)
class PriceVersionAdmin(ChangeLoggedAdmin):
    """Prices are published, never edited: an existing version is read-only here."""

    list_display = ["item", "amount", "valid_from", "valid_to", "note"]
    list_filter = ["product__category", "service"]
    date_hierarchy = "valid_from"

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ["product", "service", "amount", "valid_from", "valid_to", "note"]
        return ["valid_to"]

    def save_model(self, request, obj, form, change):
        from samdrift.catalogue.services import publish_price

        if change:
            return
        published = publish_price(
            product=obj.product,
            service=obj.service,
            amount=obj.amount,
            valid_from=obj.valid_from,
            note=obj.note,
        )
        obj.pk = published.pk

    def has_delete_permission(self, request, obj=None):
        return False
