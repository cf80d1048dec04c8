from django.contrib import admin

from samdrift.core.admin import ChangeLoggedAdmin
from samdrift.leasing.models import LeaseModel


@admin.register(LeaseModel)
class LeaseModelAdmin(ChangeLoggedAdmin):
    list_display = [
        "name",
        "term_months",
        "annual_rate",
        "residual_percent",
        "monthly_service_fee",
        "payment_timing",
    ]
