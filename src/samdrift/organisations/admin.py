from django.contrib import admin

from samdrift.core.admin import ChangeLoggedAdmin
from samdrift.organisations.models import (
    Collaboration,
    Location,
    Municipality,
    MunicipalityContact,
    Person,
    ServiceArea,
)


@admin.register(Collaboration)
class CollaborationAdmin(ChangeLoggedAdmin):
    list_display = ["name", "organisation_number", "invoice_series"]


@admin.register(Municipality)
class MunicipalityAdmin(ChangeLoggedAdmin):
    list_display = ["number", "name", "organisation_number", "population", "joined_on"]
    search_fields = ["name", "number", "organisation_number"]


@admin.register(ServiceArea)
class ServiceAreaAdmin(ChangeLoggedAdmin):
    list_display = ["name", "municipality", "kind", "cost_centre", "active"]
    list_filter = ["municipality", "kind", "active"]
    search_fields = ["name", "cost_centre"]


@admin.register(MunicipalityContact)
class MunicipalityContactAdmin(ChangeLoggedAdmin):
    list_display = ["name", "municipality", "function", "email", "phone"]
    list_filter = ["municipality", "function"]
    search_fields = ["name", "email"]


@admin.register(Location)
class LocationAdmin(ChangeLoggedAdmin):
    list_display = ["name", "municipality", "kind", "city"]
    list_filter = ["municipality", "kind"]
    search_fields = ["name"]


@admin.register(Person)
class PersonAdmin(ChangeLoggedAdmin):
    list_display = [
        "username",
        "first_name",
        "last_name",
        "municipality",
        "service_area",
        "kind",
        "active_from",
        "active_to",
    ]
    list_filter = ["municipality", "kind"]
    search_fields = ["username", "first_name", "last_name", "email"]
    raw_id_fields = ["service_area", "location"]
    list_select_related = ["municipality", "service_area"]
