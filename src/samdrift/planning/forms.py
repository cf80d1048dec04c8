"""Forms of the planning pages. They parse input and offer only what the user may see;
the writes go through ``planning.services``, ``planning.campaigns`` and
``planning.scenarios``."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.billing.models import CostPool
from samdrift.catalogue.models import Product, ProductCategory
from samdrift.organisations.models import Municipality
from samdrift.planning.choices import CampaignCriterion
from samdrift.planning.models import (
    Campaign,
    ProductSupport,
    ReplacementRule,
    Scenario,
    ScenarioMember,
    ScenarioPoolChange,
)
from samdrift.planning.services import RULE_FIELDS, SUPPORT_FIELDS
from samdrift.ui.forms import DateField, date_formfield, scoped_queryset

ASSUMPTION_FIELDS = (
    "name",
    "description",
    "years",
    "index_percent",
    "growth_percent",
    "lease_term_months",
    "annual_rate_percent",
    "pool_growth_percent",
)


class ReplacementRuleForm(forms.ModelForm):
    class Meta:
        formfield_callback = date_formfield
        model = ReplacementRule
        fields = list(RULE_FIELDS)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = scoped_queryset(
            ProductCategory.objects.order_by("name"), user
        )
        self.fields["replacement_product"].queryset = scoped_queryset(
            Product.objects.select_related("category").order_by("category__name", "name"), user
        )
        if self.instance.pk:
            # A rule belongs to its category; another category gets its own rule.
            self.fields["category"].disabled = True


class ProductSupportForm(forms.ModelForm):
    class Meta:
        formfield_callback = date_formfield
        model = ProductSupport
        fields = list(SUPPORT_FIELDS)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = scoped_queryset(
            Product.objects.select_related("category").order_by("name"), user
        )
        if self.instance.pk:
            self.fields["product"].disabled = True


class CampaignForm(forms.Form):
    """What ``planning.campaigns.create_campaign`` takes."""

    name = forms.CharField(label=_("Name"), max_length=150)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    criterion = forms.ChoiceField(label=_("Criterion"), choices=CampaignCriterion.choices)
    criterion_date = DateField(
        label=_("Date"),
        required=False,
        help_text=Campaign._meta.get_field("criterion_date").help_text,
    )
    products = forms.ModelMultipleChoiceField(
        label=_("Products"),
        queryset=Product.objects.none(),
        required=False,
        help_text=_("Only devices of these products (required when the criterion is products)."),
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.none(),
        required=False,
        help_text=_("Empty: every member."),
    )
    starts_on = DateField(label=_("Starts on"))
    target_date = DateField(label=_("Target date"), required=False)

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("starts_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["products"].queryset = scoped_queryset(Product.objects.order_by("name"), user)
        self.fields["municipality"].queryset = scoped_queryset(
            Municipality.objects.order_by("name"), user
        )


class NewScenarioForm(forms.Form):
    """A new scenario starts as a copy of the baseline, under its own name."""

    name = forms.CharField(label=_("Name"), max_length=150)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssumptionsForm(forms.ModelForm):
    """The assumptions of a scenario (or of the baseline)."""

    class Meta:
        model = Scenario
        fields = list(ASSUMPTION_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class MemberForm(forms.ModelForm):
    """A municipality joining (name, population or persons and devices) or leaving."""

    class Meta:
        formfield_callback = date_formfield
        model = ScenarioMember
        fields = ["change", "on", "municipality", "name", "population", "persons", "devices"]

    def __init__(self, *args, user, scenario: Scenario, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.scenario = scenario
        self.fields["municipality"].queryset = scoped_queryset(
            Municipality.objects.order_by("name"), user
        )


class PoolChangeForm(forms.ModelForm):
    class Meta:
        model = ScenarioPoolChange
        fields = ["pool", "growth_percent"]

    def __init__(self, *args, user, scenario: Scenario, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.scenario = scenario
        self.fields["pool"].queryset = scoped_queryset(CostPool.objects.order_by("name"), user)
