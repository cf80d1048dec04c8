"""Filters of billing's API lists; a choice of municipality, service area or person is
limited to what the user may see."""

from __future__ import annotations

import django_filters

from samdrift.billing.models import (
    AllocationKey,
    BillingPeriod,
    Charge,
    CostPool,
    CreditNote,
    Invoice,
    InvoiceLine,
    OneOffCharge,
)
from samdrift.core.filtersets import SamdriftFilterSet, ScopedModelChoiceFilter
from samdrift.core.permissions import restrict
from samdrift.organisations.models import Municipality, Person, ServiceArea


class PeriodFilterSet(SamdriftFilterSet):
    class Meta:
        model = BillingPeriod
        fields = ["status", "month"]


class InvoiceFilterSet(SamdriftFilterSet):
    search_fields = ("number", "municipality__name", "kid")
    municipality = ScopedModelChoiceFilter(model=Municipality)
    month = django_filters.DateFilter(field_name="period__month")

    class Meta:
        model = Invoice
        fields = ["period", "municipality", "status", "number"]


class InvoiceLineFilterSet(SamdriftFilterSet):
    search_fields = ("description",)
    service_area = ScopedModelChoiceFilter(model=ServiceArea)

    class Meta:
        model = InvoiceLine
        fields = ["invoice", "service_area", "source", "adjusts_period"]


class ChargeFilterSet(SamdriftFilterSet):
    search_fields = ("description", "asset__asset_tag", "person__username")
    municipality = ScopedModelChoiceFilter(model=Municipality)
    service_area = ScopedModelChoiceFilter(model=ServiceArea)
    person = ScopedModelChoiceFilter(model=Person)
    line = django_filters.NumberFilter(method="filter_line", label="Invoice line id")

    class Meta:
        model = Charge
        fields = [
            "period",
            "invoice",
            "municipality",
            "service_area",
            "person",
            "asset",
            "subscription",
            "source",
            "adjusts_period",
        ]

    def filter_line(self, queryset, name, value):
        from samdrift.billing.selectors import line_charges

        line = restrict(InvoiceLine.objects.all(), self.request.user).filter(pk=value).first()
        if line is None:
            return queryset.none()
        return line_charges(line=line, charges=queryset)


class OneOffChargeFilterSet(SamdriftFilterSet):
    search_fields = ("description", "reference")
    municipality = ScopedModelChoiceFilter(model=Municipality)
    service_area = ScopedModelChoiceFilter(model=ServiceArea)

    class Meta:
        model = OneOffCharge
        fields = ["municipality", "service_area", "date"]


class CreditNoteFilterSet(SamdriftFilterSet):
    class Meta:
        model = CreditNote
        fields = ["invoice", "number"]


class CostPoolFilterSet(SamdriftFilterSet):
    search_fields = ("name", "description", "key__name")

    class Meta:
        model = CostPool
        fields = ["key"]


class AllocationKeyFilterSet(SamdriftFilterSet):
    search_fields = ("name", "description")
    measured = django_filters.BooleanFilter(
        field_name="measured_at", lookup_expr="isnull", exclude=True, label="Weights stored"
    )

    class Meta:
        model = AllocationKey
        fields = ["measured"]
