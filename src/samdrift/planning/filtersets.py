"""One FilterSet per model, shared by the API, the UI lists and the exports; and the
filters of the computed views (the plan, the devices due, the forecast)."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.catalogue.models import Product, ProductCategory
from samdrift.core.filtersets import (
    ChangeLoggedFilterSet,
    SamdriftFilterSet,
    ScopedModelChoiceFilter,
)
from samdrift.inventory.models import Asset
from samdrift.organisations.models import Municipality, ServiceArea
from samdrift.planning.choices import (
    CampaignCriterion,
    CampaignState,
    DeviceProgress,
    DueReason,
    MemberChange,
    RuleBasis,
)
from samdrift.planning.models import (
    Campaign,
    CampaignDevice,
    ProductSupport,
    ReplacementRule,
    Scenario,
    ScenarioMember,
    ScenarioPoolChange,
)
from samdrift.planning.plan import due_assets
from samdrift.planning.rules import RuleBook
from samdrift.planning.selectors import visible_campaigns, visible_scenarios
from samdrift.ui.lists import label_with_municipality


class ReplacementRuleFilterSet(ChangeLoggedFilterSet):
    search_fields = ("category__name", "category__code", "note")
    basis = django_filters.ChoiceFilter(choices=RuleBasis.choices)

    class Meta:
        model = ReplacementRule
        fields = ["category", "replacement_product"]


class ProductSupportFilterSet(ChangeLoggedFilterSet):
    search_fields = ("product__name", "what")
    category = ScopedModelChoiceFilter(
        model=ProductCategory, field_name="product__category", label=_("Category")
    )
    ends_before = django_filters.DateFilter(
        field_name="end_of_support", lookup_expr="lt", label=_("Support ends before")
    )
    ends_after = django_filters.DateFilter(
        field_name="end_of_support", lookup_expr="gte", label=_("Support ends on or after")
    )

    class Meta:
        model = ProductSupport
        fields = ["product"]


class CampaignFilterSet(ChangeLoggedFilterSet):
    search_fields = ("name", "description")
    state = django_filters.ChoiceFilter(choices=CampaignState.choices)
    criterion = django_filters.ChoiceFilter(choices=CampaignCriterion.choices)

    class Meta:
        model = Campaign
        fields = ["municipality", "state", "criterion"]


class CampaignChoiceFilter(ScopedModelChoiceFilter):
    """A campaign the user may see (``selectors.visible_campaigns``)."""

    def _scoped_queryset(self, request):
        return visible_campaigns(getattr(request, "user", None))


class ScenarioChoiceFilter(ScopedModelChoiceFilter):
    """A scenario, for those who see every municipality (``selectors.visible_scenarios``)."""

    def _scoped_queryset(self, request):
        return visible_scenarios(getattr(request, "user", None))


class CampaignDeviceFilterSet(ChangeLoggedFilterSet):
    campaign = CampaignChoiceFilter(model=Campaign)
    search_fields = ("asset__asset_tag", "asset__serial_number", "asset__product__name")
    progress = django_filters.ChoiceFilter(choices=DeviceProgress.choices)
    due_reason = django_filters.ChoiceFilter(choices=DueReason.choices)

    class Meta:
        model = CampaignDevice
        fields = ["campaign", "municipality", "service_area", "progress", "asset"]


class ScenarioFilterSet(ChangeLoggedFilterSet):
    search_fields = ("name", "description")

    class Meta:
        model = Scenario
        fields = ["is_baseline"]


class ScenarioMemberFilterSet(ChangeLoggedFilterSet):
    scenario = ScenarioChoiceFilter(model=Scenario)
    change = django_filters.ChoiceFilter(choices=MemberChange.choices)

    class Meta:
        model = ScenarioMember
        fields = ["scenario", "change", "municipality"]


class ScenarioPoolChangeFilterSet(ChangeLoggedFilterSet):
    scenario = ScenarioChoiceFilter(model=Scenario)

    class Meta:
        model = ScenarioPoolChange
        fields = ["scenario", "pool"]


class FleetFilterSet(SamdriftFilterSet):
    """The devices a plan or a list of devices due is made of: the user's own (the
    queryset comes from ``restrict``), narrowed by municipality, service area, category
    and product. A filter naming another municipality's object is a 404."""

    municipality = ScopedModelChoiceFilter(model=Municipality)
    service_area = ScopedModelChoiceFilter(model=ServiceArea)
    category = ScopedModelChoiceFilter(
        model=ProductCategory, field_name="product__category", label=_("Category")
    )
    product = ScopedModelChoiceFilter(model=Product)

    class Meta:
        model = Asset
        fields = ["municipality", "service_area", "product"]


class DueDeviceFilterSet(FleetFilterSet):
    """Devices in service due before a day (``before``; today when not given: the
    overdue), and on or after another (``after``), by the rules in force (``rules``, a
    ``RuleBook`` the caller may share with the table that shows the due dates)."""

    before = django_filters.DateFilter(method="filter_before", label=_("Due before"))
    after = django_filters.DateFilter(method="filter_after", label=_("Due on or after"))

    def __init__(self, *args, rules: RuleBook | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._rules = rules

    @property
    def rules(self) -> RuleBook:
        if self._rules is None:
            self._rules = RuleBook()
        return self._rules

    @property
    def before_day(self) -> datetime.date:
        """The day the devices are due before (today by default)."""
        chosen = self.form.cleaned_data.get("before") if self.is_bound else None
        return chosen or timezone.localdate()

    def filter_queryset(self, queryset):
        queryset = due_assets(assets=queryset, day=self.before_day, rules=self.rules)
        return super().filter_queryset(queryset)

    def filter_before(self, queryset, name, value):
        return queryset  # applied first, in filter_queryset (with today by default)

    def filter_after(self, queryset, name, value):
        # Due on or after ``value``: not due before it (NULL dates are handled by the
        # ORM's negation, which keeps rows whose date is unknown).
        return queryset.exclude(self.rules.due_before(value))


def narrow_service_areas(form: forms.Form, municipality_id: int | None) -> None:
    """Offer only the chosen municipality's service areas. Called after the FilterSet
    was validated: an area of another municipality the user may see filters to nothing,
    it is not a 404."""
    field = form.fields.get("service_area")
    if field is None:
        return
    queryset = field.queryset.select_related("municipality").order_by("municipality__name", "name")
    if municipality_id is not None:
        queryset = queryset.filter(municipality_id=municipality_id)
    field.queryset = queryset
    field.label_from_instance = label_with_municipality


PERIODS = [("quarter", _("Quarter")), ("year", _("Year"))]
GROUPINGS = [
    ("municipality", _("Municipality")),
    ("service_area", _("Service area")),
    ("category", _("Category")),
]


class PlanShapeForm(forms.Form):
    """How the plan is laid out: rows by what, columns by quarter or year."""

    by = forms.ChoiceField(label=_("Rows by"), choices=GROUPINGS, required=False)
    period = forms.ChoiceField(label=_("Columns by"), choices=PERIODS, required=False)

    def shape(self) -> tuple[str, str]:
        if not self.is_valid():
            return "municipality", "quarter"
        return (
            self.cleaned_data.get("by") or "municipality",
            self.cleaned_data.get("period") or "quarter",
        )
