from django.contrib import admin

from samdrift.core.admin import ChangeLoggedAdmin
from samdrift.inventory.models import Asset, Assignment, Subscription


class AssignmentInline(admin.TabularInline):
    """The assignment history, read-only: it is changed by assigning, never by editing."""

    model = Assignment
    fields = [
        "valid_from",
        "valid_to",
        "municipality",
        "service_area",
        "person",
        "location",
        "note",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["valid_from"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Asset)
class AssetAdmin(ChangeLoggedAdmin):
    list_display = [
        "asset_tag",
        "serial_number",
        "product",
        "status",
        "municipality",
        "service_area",
        "planned_replacement",
        "warranty_end",
    ]
    list_filter = ["status", "origin", "product__category", "municipality"]
    search_fields = ["asset_tag", "serial_number", "name", "model_name"]
    readonly_fields = ["status", "municipality", "service_area", "person", "location"]
    list_select_related = ["product", "municipality", "service_area"]
    inlines = [AssignmentInline]


@admin.register(Assignment)
class AssignmentAdmin(ChangeLoggedAdmin):
    list_display = ["asset", "municipality", "service_area", "person", "valid_from", "valid_to"]
    list_filter = ["municipality"]
    search_fields = ["asset__asset_tag", "person__username"]
    raw_id_fields = ["asset", "service_area", "person", "location"]
    list_select_related = ["asset", "municipality", "service_area", "person"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Subscription)
class SubscriptionAdmin(ChangeLoggedAdmin):
    list_display = [
        "service",
        "municipality",
        "service_area",
        "person",
        "quantity",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["service", "municipality"]
    raw_id_fields = ["service_area", "person", "location", "asset"]
