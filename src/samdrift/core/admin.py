"""Admin for users and the change log, and the base every domain admin uses.

The admin is for operators (staff). Its changes go through model saves, so they are
logged like any other, attributed to the signed-in operator by ActorMiddleware.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from samdrift.core.models import ObjectChange, User


class ChangeLoggedAdmin(admin.ModelAdmin):
    """ "History" of an object shows its Samdrift change log (before/after values)."""

    def history_view(self, request, object_id, extra_context=None):
        content_type = ContentType.objects.get_for_model(self.model)
        url = reverse("admin:core_objectchange_changelist")
        return redirect(f"{url}?content_type__id__exact={content_type.pk}&object_id={object_id}")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "get_full_name",
        "role",
        "municipality",
        "service_area",
        "is_active",
    ]
    list_filter = ["role", "municipality", "is_active"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("Samdrift role"), {"fields": ["role", "municipality", "service_area"]}),
    ]
    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        (_("Samdrift role"), {"fields": ["role", "municipality", "service_area"]}),
    ]


@admin.register(ObjectChange)
class ObjectChangeAdmin(admin.ModelAdmin):
    list_display = ["time", "actor", "action", "content_type", "object_repr", "municipality"]
    list_filter = ["action", "content_type", "municipality"]
    search_fields = ["object_repr", "actor", "message"]
    date_hierarchy = "time"
    readonly_fields = [
        "time",
        "user",
        "actor",
        "request_id",
        "action",
        "content_type",
        "object_id",
        "object_repr",
        "municipality",
        "service_area",
        "message",
        "differences",
    ]
    exclude = ["prechange_data", "postchange_data"]

    @admin.display(description=_("changes (before → after)"))
    def differences(self, obj):
        rows = [(k, b, a) for k, (b, a) in obj.changed_fields().items()]
        return format_html_join("\n", "<div><b>{}</b>: {} → {}</div>", rows) or "–"

    def get_list_filter(self, request):
        return self.list_filter

    def lookup_allowed(self, lookup, value, request=None):
        return lookup in {"content_type__id__exact", "object_id"} or super().lookup_allowed(
            lookup, value, request
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
