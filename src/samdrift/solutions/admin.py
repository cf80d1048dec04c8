from django.contrib import admin

from samdrift.core.admin import ChangeLoggedAdmin
from samdrift.solutions.models import Requirement, Solution, SolutionFunction, SolutionUsage


@admin.register(SolutionFunction)
class SolutionFunctionAdmin(ChangeLoggedAdmin):
    list_display = ["name", "code", "preferred_solution"]
    search_fields = ["name", "code"]


@admin.register(Solution)
class SolutionAdmin(ChangeLoggedAdmin):
    list_display = ["name", "vendor", "function", "delivery_form", "end_of_support"]
    list_filter = ["function", "delivery_form"]
    search_fields = ["name", "vendor"]


@admin.register(SolutionUsage)
class SolutionUsageAdmin(ChangeLoggedAdmin):
    list_display = ["solution", "municipality", "users", "licence_cost", "valid_from", "valid_to"]
    list_filter = ["municipality"]
    raw_id_fields = ["system_owner"]


@admin.register(Requirement)
class RequirementAdmin(ChangeLoggedAdmin):
    list_display = ["solution", "municipality", "availability_target", "criticality"]
    list_filter = ["municipality"]
