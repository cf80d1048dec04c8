"""Forms of the gains pages. They parse input and offer only what the user may see
(``scoped_queryset``); the writes go through ``gains.services``, whose validation (the
models' own ``clean``) puts each message next to its field."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samdrift.catalogue.models import Service
from samdrift.gains.models import (
    Action,
    BaselineCost,
    CollaborationCost,
    CostIndex,
    Gain,
    GainShare,
    Indicator,
    IndicatorBaseline,
    Measurement,
    Milestone,
)
from samdrift.organisations.models import Municipality
from samdrift.solutions.models import Solution
from samdrift.ui.forms import MoneyField, date_formfield, scoped_queryset

ACTION_FIELDS = (
    "title",
    "description",
    "owner",
    "status",
    "start",
    "deadline",
    "budget",
    "cost_to_date",
    "all_municipalities",
)
ACTION_RELATIONS = Action.logged_relations
MILESTONE_FIELDS = ("title", "due", "done_on")
GAIN_FIELDS = (
    "effect",
    "type",
    "description",
    "indicator",
    "baseline_value",
    "baseline_date",
    "target_value",
    "target_date",
    "hourly_rate",
    "first_year",
    "last_year",
)
SHARE_FIELDS = (
    "municipality",
    "owner",
    "owner_user",
    "expected_hours",
    "expected_amount",
    "taken_out_of_budget",
    "budget_note",
)
MEASUREMENT_FIELDS = ("municipality", "measured_on", "value", "hours", "amount", "source", "note")
BASELINE_COST_FIELDS = (
    "year",
    "category",
    "fte",
    "cost_per_fte",
    "amount",
    "description",
    "source",
)
INDICATOR_BASELINE_FIELDS = ("indicator", "value", "measured_on", "source")
INDICATOR_FIELDS = ("name", "unit", "higher_is_better", "description")
COST_INDEX_FIELDS = ("year", "value", "source")
COLLABORATION_COST_FIELDS = ("year", "amount", "description")


MONEY_NAMES = frozenset(
    {"budget", "cost_to_date", "hourly_rate", "expected_amount", "amount", "cost_per_fte"}
)


def money_formfield(model_field, **kwargs):
    """Dates as date pickers, money as kroner typed the Norwegian way (``1 234,50``)."""
    if model_field.name in MONEY_NAMES and getattr(model_field, "decimal_places", None) == 2:
        kwargs.setdefault("form_class", MoneyField)
    return date_formfield(model_field, **kwargs)


class GainsModelForm(forms.ModelForm):
    """A form of the gains app: the user decides the related objects offered; a
    parent (the action, the gain, the municipality) is set by the view, not chosen."""

    def __init__(self, *args, user, parent: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for name, value in (parent or {}).items():
            setattr(self.instance, name, value)
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None:
                field.queryset = scoped_queryset(queryset, user)


class ActionForm(GainsModelForm):
    class Meta:
        formfield_callback = money_formfield
        model = Action
        fields = [*ACTION_FIELDS, *ACTION_RELATIONS]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipalities"].queryset = self.fields["municipalities"].queryset.order_by(
            "name"
        )
        self.fields["solutions"].queryset = Solution.objects.order_by("name")
        self.fields["services"].queryset = Service.objects.order_by("name")
        prerequisites = Action.objects.order_by("deadline", "pk")
        if self.instance.pk:
            prerequisites = prerequisites.exclude(pk=self.instance.pk)
        self.fields["prerequisites"].queryset = prerequisites

    def relations(self) -> dict:
        """The many-to-many choices, as ``services.save_action`` takes them."""
        return {name: list(self.cleaned_data.get(name) or ()) for name in ACTION_RELATIONS}


class MilestoneForm(GainsModelForm):
    class Meta:
        formfield_callback = money_formfield
        model = Milestone
        fields = list(MILESTONE_FIELDS)


class GainForm(GainsModelForm):
    class Meta:
        formfield_callback = money_formfield
        model = Gain
        fields = list(GAIN_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = Indicator.objects.order_by("name")


class GainShareForm(GainsModelForm):
    class Meta:
        formfield_callback = money_formfield
        model = GainShare
        fields = list(SHARE_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = scoped_queryset(
            Municipality.objects.order_by("name"), self.user
        )
        owners = self.fields["owner_user"].queryset.filter(municipality__isnull=False)
        self.fields["owner_user"].queryset = owners.order_by("username")
        if self.instance.pk:
            self.fields["municipality"].disabled = True


class MeasurementForm(GainsModelForm):
    """A municipality's gains owner records their own municipality's measurements only
    (the choice offers nothing else)."""

    class Meta:
        formfield_callback = money_formfield
        model = Measurement
        fields = list(MEASUREMENT_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        municipalities = scoped_queryset(Municipality.objects.order_by("name"), self.user)
        action = self.instance.gain.action if self.instance.gain_id else None
        if action is not None and not action.all_municipalities:
            # Only the municipalities the action concerns (the model refuses the others).
            municipalities = municipalities.filter(pk__in=action.municipalities.values("pk"))
            self.fields["municipality"].error_messages["invalid_choice"] = _(
                "The action “%(action)s” does not concern that municipality."
            ) % {"action": action}
        if not self.user.sees_all_municipalities:
            municipalities = municipalities.filter(pk=self.user.municipality_id)
        if not self.instance.pk:
            # (A model form's initial holds the instance's empty municipality: replace it.)
            if not self.user.sees_all_municipalities and not self.initial.get("municipality"):
                self.initial["municipality"] = self.user.municipality_id
            if not self.initial.get("measured_on"):
                self.initial["measured_on"] = timezone.localdate()
        self.fields["municipality"].queryset = municipalities
        if not self.user.sees_all_municipalities:
            self.fields["municipality"].empty_label = None  # their own, the only choice
        if self.instance.pk:
            self.fields["municipality"].disabled = True


class BaselineCostForm(GainsModelForm):
    class Meta:
        formfield_callback = money_formfield
        model = BaselineCost
        fields = list(BASELINE_COST_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # For staff the amount is computed (FTEs × cost per FTE).
        self.fields["amount"].required = False


class IndicatorBaselineForm(GainsModelForm):
    class Meta:
        formfield_callback = money_formfield
        model = IndicatorBaseline
        fields = list(INDICATOR_BASELINE_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = Indicator.objects.order_by("name")


class IndicatorForm(GainsModelForm):
    class Meta:
        model = Indicator
        fields = list(INDICATOR_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class CostIndexForm(GainsModelForm):
    class Meta:
        model = CostIndex
        fields = list(COST_INDEX_FIELDS)


class CollaborationCostForm(GainsModelForm):
    class Meta:
        formfield_callback = money_formfield
        model = CollaborationCost
        fields = list(COLLABORATION_COST_FIELDS)


class YearForm(forms.Form):
    """``?year=`` of the computed pages."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
