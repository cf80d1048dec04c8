"""Operators map the provider's groups to access here (users are managed in the admin)."""

from django.contrib import admin

from samdrift.accounts.models import SignOnIdentity, SignOnMapping
from samdrift.core.admin import ChangeLoggedAdmin


@admin.register(SignOnMapping)
class SignOnMappingAdmin(ChangeLoggedAdmin):
    list_display = ["value", "description", "role", "municipality", "service_area"]
    list_filter = ["role", "municipality"]
    search_fields = ["value", "description"]


@admin.register(SignOnIdentity)
class SignOnIdentityAdmin(admin.ModelAdmin):
    """Read-only: which login each subject of the provider signs in as."""

    list_display = ["subject", "user", "suspended", "first_seen", "last_seen"]
    list_filter = ["suspended"]
    search_fields = ["subject", "user__username"]
    readonly_fields = ["user", "subject", "suspended", "first_seen", "last_seen"]

    def has_add_permission(self, request):
        return False
