"""Forms of the portfolio pages. They parse input and offer only what the user may see;
the writes go through ``solutions.services``."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from samdrift.catalogue.models import Service
from samdrift.core.validators import parse_id
from samdrift.organisations.models import Municipality, Person, ServiceArea
from samdrift.solutions.models import Requirement, Solution, SolutionFunction, SolutionUsage
from samdrift.solutions.services import REQUIREMENT_FIELDS, USAGE_FIELDS
from samdrift.ui.forms import MoneyField, date_formfield, scoped_queryset


class SolutionFunctionForm(forms.ModelForm):
    class Meta:
        model = SolutionFunction
        fields = ["name", "code", "description"]


class SolutionForm(forms.ModelForm):
    class Meta:
        formfield_callback = date_formfield
        model = Solution
        fields = [
            "name",
            "vendor",
            "function",
            "delivery_form",
            "version",
            "end_of_support",
            "service",
            "description",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["function"].queryset = scoped_queryset(SolutionFunction.objects.all(), user)
        self.fields["service"].queryset = scoped_queryset(Service.objects.all(), user)


def _label(name: str) -> str:
    return capfirst(SolutionUsage._meta.get_field(name).verbose_name)


class SolutionUsageForm(forms.ModelForm):
    licence_cost = MoneyField(required=False)

    class Meta:
        formfield_callback = date_formfield
        model = SolutionUsage
        fields = list(USAGE_FIELDS)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["licence_cost"].label = _label("licence_cost")
        self.fields["municipality"].queryset = scoped_queryset(Municipality.objects.all(), user)
        self.fields["solution"].queryset = scoped_queryset(Solution.objects.all(), user)
        self.fields["integrations"].queryset = scoped_queryset(Solution.objects.all(), user)
        municipality = self._municipality_id()
        areas = scoped_queryset(ServiceArea.objects.select_related("municipality"), user)
        owners = scoped_queryset(Person.objects.all(), user)
        if municipality:
            areas = areas.filter(municipality_id=municipality)
            owners = owners.filter(municipality_id=municipality)
        self.fields["service_areas"].queryset = areas
        # A municipality's persons may be many: the owner is named by username, checked
        # against the chosen municipality's persons.
        self.fields["system_owner"] = forms.ModelChoiceField(
            queryset=owners,
            required=False,
            to_field_name="username",
            widget=forms.TextInput(),
            label=_label("system_owner"),
            help_text=_("Username of a person of the municipality."),
        )
        if self.instance.pk and self.instance.system_owner_id and not self.is_bound:
            self.initial["system_owner"] = self.instance.system_owner.username

    def _municipality_id(self) -> str | None:
        if self.is_bound:
            value = parse_id(self.data.get(self.add_prefix("municipality")))
            return None if value is None else str(value)
        initial = self.initial.get("municipality")
        if initial:
            return str(getattr(initial, "pk", initial))
        return str(self.instance.municipality_id) if self.instance.municipality_id else None


class RequirementForm(forms.ModelForm):
    class Meta:
        formfield_callback = date_formfield
        model = Requirement
        fields = list(REQUIREMENT_FIELDS)
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class CandidateForm(forms.Form):
    """The operator's harmonisation candidate of one function (empty: the most used)."""

    solution = forms.ModelChoiceField(queryset=Solution.objects.none(), required=False)

    def __init__(self, *args, function: SolutionFunction, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["solution"].queryset = Solution.objects.filter(function=function)
