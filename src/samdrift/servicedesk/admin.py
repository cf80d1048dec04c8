from django.contrib import admin

from samdrift.core.admin import ChangeLoggedAdmin
from samdrift.servicedesk.models import (
    Incident,
    Outage,
    ServiceCredit,
    SlaReport,
    SourceMapping,
)


@admin.register(Incident)
class IncidentAdmin(ChangeLoggedAdmin):
    list_display = ["number", "source", "municipality", "service", "priority", "state", "opened_at"]
    list_filter = ["source", "priority", "state", "municipality"]
    search_fields = ["number", "title"]
    date_hierarchy = "opened_at"


@admin.register(Outage)
class OutageAdmin(ChangeLoggedAdmin):
    list_display = ["service", "description", "started_at", "ended_at", "planned"]
    list_filter = ["planned", "service", "all_municipalities"]
    search_fields = ["description", "reference"]
    filter_horizontal = ["municipalities"]


@admin.register(SourceMapping)
class SourceMappingAdmin(ChangeLoggedAdmin):
    list_display = ["source", "column", "value", "municipality", "service"]
    list_filter = ["source", "column"]
    search_fields = ["value"]


@admin.register(SlaReport)
class SlaReportAdmin(ChangeLoggedAdmin):
    list_display = ["municipality", "month", "status", "approved_at", "approved_by"]
    list_filter = ["municipality", "status"]
    raw_id_fields = ["approved_by"]


@admin.register(ServiceCredit)
class ServiceCreditAdmin(ChangeLoggedAdmin):
    list_display = ["municipality", "service", "month", "availability", "target", "percent"]
    list_filter = ["municipality", "month"]
