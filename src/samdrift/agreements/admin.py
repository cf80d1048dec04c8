from django.contrib import admin

from samdrift.agreements.models import AgreedPrice, ServiceAgreement
from samdrift.core.admin import ChangeLoggedAdmin


class AgreedPriceInline(admin.TabularInline):
    model = AgreedPrice
    fields = ["product", "service", "amount", "note"]
    extra = 0


@admin.register(ServiceAgreement)
class ServiceAgreementAdmin(ChangeLoggedAdmin):
    list_display = ["name", "municipality", "reference", "valid_from", "valid_to"]
    list_filter = ["municipality"]
    search_fields = ["name", "reference"]
    inlines = [AgreedPriceInline]


@admin.register(AgreedPrice)
class AgreedPriceAdmin(ChangeLoggedAdmin):
    list_display = ["agreement", "product", "service", "amount"]
    list_filter = ["agreement__municipality"]
