"""Operator forms for assets: register, edit, and hand to a municipality from a date.

The forms parse input; ``inventory.services`` validates against the whole history and
writes in one transaction. Choices of municipalities, service areas, locations and
persons are limited to what the user may see.
"""

from __future__ import annotations

import datetime

from django import forms
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.catalogue.models import Product, Service
from samdrift.core.permissions import restrict
from samdrift.inventory.choices import AssetEventKind, AssetStatus
from samdrift.inventory.models import Asset, Subscription, UsageRecord
from samdrift.organisations.forms import chosen_municipality, limit_members
from samdrift.organisations.models import Location, Municipality, Person, ServiceArea
from samdrift.ui.forms import (
    AutocompleteSelect,
    DateField,
    DateInput,
    MoneyField,
    date_formfield,
    scoped_queryset,
)

ASSET_FIELDS = [
    "product",
    "asset_tag",
    "serial_number",
    "name",
    "model_name",
    "origin",
    "acquisition_date",
    "acquisition_cost",
    "lessor",
    "lease_start",
    "lease_end",
    "planned_replacement",
    "warranty_end",
    "notes",
]


class AssetForm(forms.ModelForm):
    """Descriptive fields of an asset; on creation also its first status."""

    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[
            (AssetStatus.IN_STOCK, AssetStatus.IN_STOCK.label),
            (AssetStatus.ORDERED, AssetStatus.ORDERED.label),
        ],
        initial=AssetStatus.IN_STOCK,
        help_text=gettext_lazy("Later changes of status follow the lifecycle."),
    )
    acquisition_cost = MoneyField(label=gettext_lazy("Acquisition cost"), required=False)

    class Meta:
        formfield_callback = date_formfield
        model = Asset
        fields = ASSET_FIELDS
        widgets = {
            "acquisition_date": DateInput(),
            "lease_start": DateInput(),
            "lease_end": DateInput(),
            "planned_replacement": DateInput(),
            "warranty_end": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.select_related("category").order_by(
            "category__name", "name"
        )
        if self.instance.pk is not None:
            del self.fields["status"]

    def clean_serial_number(self):
        serial = self.cleaned_data.get("serial_number", "").strip()
        if (
            serial
            and Asset.objects.filter(serial_number=serial).exclude(pk=self.instance.pk).exists()
        ):
            raise forms.ValidationError(
                _("Another asset already has the serial number %(serial)s.") % {"serial": serial}
            )
        return serial

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name in self.cleaned_data}


class AssignForm(forms.Form):
    """Who holds the asset from a date: municipality, and optionally service area,
    person (by username) and location."""

    municipality = forms.ModelChoiceField(
        label=gettext_lazy("Municipality"), queryset=Municipality.objects.none()
    )
    service_area = forms.ModelChoiceField(
        label=gettext_lazy("Service area"), queryset=ServiceArea.objects.none(), required=False
    )
    person = forms.CharField(
        label=gettext_lazy("Person (username)"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"list": "person-suggestions", "autocomplete": "off"}),
        help_text=gettext_lazy("Leave empty when the asset is not personal."),
    )
    location = forms.ModelChoiceField(
        label=gettext_lazy("Location"), queryset=Location.objects.none(), required=False
    )
    valid_from = DateField(label=gettext_lazy("From"), widget=DateInput())
    valid_to = DateField(
        label=gettext_lazy("Until (first day no longer held)"),
        widget=DateInput(),
        required=False,
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["municipality"].queryset = scoped_queryset(Municipality.objects.all(), user)
        limit_members(self, user, chosen_municipality(self))
        if not self.is_bound and "valid_from" not in self.initial:
            self.initial["valid_from"] = datetime.date.today()

    def clean(self):
        cleaned = super().clean()
        username = (cleaned.get("person") or "").strip()
        municipality = cleaned.get("municipality")
        if not username:
            cleaned["person"] = None
            return cleaned
        if municipality is None:
            return cleaned
        person = (
            restrict(Person.objects.all(), self.user)
            .filter(municipality=municipality, username=username)
            .first()
        )
        if person is None:
            self.add_error(
                "person",
                _("%(municipality)s has no person with the username %(username)s.")
                % {"municipality": municipality, "username": username},
            )
        cleaned["person"] = person
        return cleaned


class CorrectionForm(forms.Form):
    """Correct an assignment entered wrongly: new dates, or void it; always with a reason.

    ``confirm`` is set by the confirmation page: the first post only shows what would
    change (``plan_correction``), the second writes it (``correct_assignment``).
    """

    valid_from = DateField(label=gettext_lazy("From"), widget=DateInput(), required=False)
    valid_to = DateField(
        label=gettext_lazy("Until (first day no longer held)"),
        widget=DateInput(),
        required=False,
        help_text=gettext_lazy("Empty: still held."),
    )
    void = forms.BooleanField(
        label=gettext_lazy("Void: this assignment never happened"), required=False
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=300,
        help_text=gettext_lazy("Kept in the change log with the correction."),
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput())

    def clean(self):
        cleaned = super().clean()
        if (
            not cleaned.get("void")
            and not cleaned.get("valid_from")
            and "valid_from" not in (self.errors)
        ):
            self.add_error(
                "valid_from", _("Give the date the assignment really began, or void it.")
            )
        return cleaned

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        if data["void"]:
            return {"void": True, "reason": data["reason"]}
        return {
            "valid_from": data["valid_from"],
            "valid_to": data["valid_to"],
            "reason": data["reason"],
        }


class AssetEventForm(forms.Form):
    """One lifecycle step of an asset: the day it happened and why (a disposal also
    names its data-wipe certificate). The service checks the rest, by field."""

    kind = forms.ChoiceField(label=gettext_lazy("Step"), choices=AssetEventKind.choices)
    on = DateField(label=gettext_lazy("Date"), widget=DateInput(), required=False)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300, required=False)
    certificate_reference = forms.CharField(
        label=gettext_lazy("Data-wipe certificate"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Required to dispose of a device."),
    )

    def __init__(self, *args, kinds: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Needed, but checked by the service with the other fields (all errors at once):
        # marked as required without the form refusing it first.
        self.fields["reason"].shows_required = True
        self.fields["reason"].widget.attrs["aria-required"] = "true"
        if kinds is not None:
            self.fields["kind"].choices = [
                (k, label) for k, label in AssetEventKind.choices if k in kinds
            ]
            if AssetEventKind.DISPOSED not in kinds:
                del self.fields["certificate_reference"]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "on": data["on"],
            "reason": data["reason"],
            "certificate_reference": data.get("certificate_reference", ""),
        }


class BulkAction(models.TextChoices):
    LIFECYCLE = "lifecycle", gettext_lazy("Lifecycle step")
    SERVICE_AREA = "service_area", gettext_lazy("Move to another service area")
    PLANNED_REPLACEMENT = "planned_replacement", gettext_lazy("Set the planned replacement")


class BulkSelectionForm(forms.Form):
    """What the asset list posts: the action, the list's filters (its query string) and
    either the ticked assets or "all matching the filter"."""

    action = forms.ChoiceField(label=gettext_lazy("Action"), choices=BulkAction.choices)
    query = forms.CharField(required=False, widget=forms.HiddenInput())
    all = forms.BooleanField(required=False)
    pk = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any ids: the selection is restricted and filtered again by the view.
        self.fields["pk"].valid_value = lambda value: str(value).isdigit()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("all") and not cleaned.get("pk"):
            raise forms.ValidationError(
                _("Tick the assets to change, or choose all that match the filter.")
            )
        return cleaned


class BulkConfirmForm(forms.Form):
    """The action's own fields, with the count the operator confirmed: if the selection
    changed meanwhile, they are asked again."""

    count = forms.IntegerField(widget=forms.HiddenInput())
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput())


class BulkLifecycleForm(BulkConfirmForm, AssetEventForm):
    pass


class BulkServiceAreaForm(BulkConfirmForm):
    service_area = forms.ModelChoiceField(
        label=gettext_lazy("Service area"), queryset=ServiceArea.objects.none()
    )
    on = DateField(label=gettext_lazy("From"), widget=DateInput(), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_area"].queryset = scoped_queryset(
            ServiceArea.objects.select_related("municipality").order_by(
                "municipality__name", "name"
            ),
            user,
        )
        self.fields["service_area"].label_from_instance = lambda a: f"{a.municipality} – {a}"


class BulkReplacementForm(BulkConfirmForm):
    planned_replacement = DateField(
        label=gettext_lazy("Planned replacement"),
        widget=DateInput(),
        required=False,
        help_text=gettext_lazy("Empty: clears the planned replacement."),
    )


SUBSCRIPTION_FIELDS = (
    "service",
    "municipality",
    "service_area",
    "person",
    "location",
    "asset",
    "quantity",
    "valid_from",
    "valid_to",
    "note",
)
USAGE_FIELDS = (
    "service",
    "municipality",
    "service_area",
    "person",
    "location",
    "asset",
    "month",
    "quantity",
    "reference",
    "note",
)


def _scope_members(form: forms.ModelForm, user) -> None:
    """The related choices of a subscription or usage form: what the user may see."""
    scoped = {
        "service": Service.objects.order_by("name"),
        "municipality": Municipality.objects.order_by("name"),
        "service_area": ServiceArea.objects.select_related("municipality").order_by(
            "municipality__name", "name"
        ),
        "person": Person.objects.select_related("municipality"),
        "location": Location.objects.select_related("municipality"),
        "asset": Asset.objects.select_related("product").order_by("asset_tag"),
    }
    for name, queryset in scoped.items():
        form.fields[name].queryset = scoped_queryset(queryset, user)


# Persons, assets and locations run to thousands: searched for, not listed
# (ui.forms.AutocompleteSelect).
MEMBER_WIDGETS = {
    "person": AutocompleteSelect("person"),
    "asset": AutocompleteSelect("asset"),
    "location": AutocompleteSelect("location"),
}


class SubscriptionForm(forms.ModelForm):
    """What ``inventory.services.subscribe`` takes; it checks that the area, person,
    location and asset are the municipality's."""

    class Meta:
        formfield_callback = date_formfield
        model = Subscription
        widgets = MEMBER_WIDGETS
        fields = list(SUBSCRIPTION_FIELDS)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _scope_members(self, user)

    def _post_clean(self):
        # The service validates the whole row and writes; the form only parses, so the
        # model is not checked twice with two sets of messages (as servicedesk's forms).
        pass


class EndSubscriptionForm(forms.Form):
    on = DateField(
        label=gettext_lazy("Ends on"),
        help_text=gettext_lazy("The first day the subscription no longer runs."),
    )


class UsageRecordForm(forms.ModelForm):
    """What ``record_usage`` and ``update_usage`` take. The month is the first day of the
    month measured."""

    class Meta:
        formfield_callback = date_formfield
        model = UsageRecord
        widgets = MEMBER_WIDGETS
        fields = list(USAGE_FIELDS)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _scope_members(self, user)

    def _post_clean(self):
        # The service validates the whole row and writes; the form only parses, so the
        # model is not checked twice with two sets of messages (as servicedesk's forms).
        pass
