"""Admin for billing. Invoices, lines, charges, runs and credit notes are read-only here:
they change only through the billing operations (run, issue, credit, close)."""

from django.contrib import admin

from samdrift.billing.models import (
    AllocationKey,
    AllocationKeyPart,
    AllocationWeight,
    BillingPeriod,
    BillingRun,
    Charge,
    CostPool,
    CreditNote,
    Invoice,
    InvoiceLine,
    OneOffCharge,
)
from samdrift.core.admin import ChangeLoggedAdmin


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BillingPeriod)
class BillingPeriodAdmin(ReadOnlyAdmin, ChangeLoggedAdmin):
    list_display = ["month", "status", "closed_at", "rated_through"]


@admin.register(BillingRun)
class BillingRunAdmin(ReadOnlyAdmin):
    list_display = [
        "period",
        "started_at",
        "duration_seconds",
        "charge_count",
        "adjustment_count",
        "invoice_count",
        "net_total",
        "content_hash",
    ]
    list_filter = ["period"]


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    fields = [
        "line_number",
        "service_area",
        "description",
        "units",
        "quantity",
        "unit_price",
        "net_amount",
        "vat_rate",
        "vat_amount",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin, ChangeLoggedAdmin):
    list_display = ["__str__", "period", "municipality", "status", "net_total", "gross_total"]
    list_filter = ["status", "period", "municipality"]
    search_fields = ["number", "kid"]
    inlines = [InvoiceLineInline]


@admin.register(Charge)
class ChargeAdmin(ReadOnlyAdmin):
    list_display = ["period", "municipality", "service_area", "source", "amount", "adjusts_period"]
    list_filter = ["period", "source"]
    raw_id_fields = ["person", "asset", "subscription"]
    show_full_result_count = False


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnlyAdmin, ChangeLoggedAdmin):
    list_display = ["number", "invoice", "issue_date", "net_total", "gross_total", "reason"]


@admin.register(OneOffCharge)
class OneOffChargeAdmin(ChangeLoggedAdmin):
    list_display = ["description", "municipality", "service_area", "date", "quantity", "unit_price"]
    list_filter = ["municipality"]
    date_hierarchy = "date"


class AllocationKeyPartInline(admin.TabularInline):
    model = AllocationKeyPart
    extra = 0


class AllocationWeightInline(admin.TabularInline):
    model = AllocationWeight
    fields = ["part", "municipality", "service_area", "weight"]
    extra = 0


@admin.register(AllocationKey)
class AllocationKeyAdmin(ChangeLoggedAdmin):
    list_display = ["name", "measured_on", "measured_at"]
    readonly_fields = ["measured_at"]
    inlines = [AllocationKeyPartInline, AllocationWeightInline]


@admin.register(CostPool)
class CostPoolAdmin(ChangeLoggedAdmin):
    list_display = [
        "name",
        "monthly_amount",
        "key",
        "split_to_service_areas",
        "valid_from",
        "valid_to",
    ]

    def get_readonly_fields(self, request, obj=None):
        # A billed amount is never edited: end the pool and start a new one.
        return ["monthly_amount", "key", "valid_from"] if obj is not None else []
