"""Operator forms for municipalities, service areas, locations, persons and users.

They parse and check input; the writes go through ``organisations.services`` (validation
of the whole object, one transaction, change-logged) and, for users,
``core.services.save_user``."""

from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.core.choices import Role
from samdrift.core.models import User
from samdrift.core.validators import parse_id
from samdrift.organisations.models import (
    Location,
    Municipality,
    MunicipalityContact,
    Person,
    ServiceArea,
)
from samdrift.ui.forms import AutocompleteSelect, DateInput, date_formfield, scoped_queryset
from samdrift.ui.lists import label_with_municipality


def limit_members(form: forms.Form, user, municipality_id: int | str | None) -> None:
    """Offer only service areas and locations of the chosen municipality (all the user
    may see while none is chosen); htmx reloads them when the municipality changes.

    While none is chosen, the locations are searched for, not listed: the
    collaboration's run to thousands (``AutocompleteSelect``; the rendering alone of
    2,644 options took ~0.8 s on the large demo)."""
    for name, model in (("service_area", ServiceArea), ("location", Location)):
        field = form.fields.get(name)
        if field is None:
            continue
        queryset = scoped_queryset(model.objects.select_related("municipality"), user)
        if municipality_id:
            queryset = queryset.filter(municipality_id=municipality_id)
            field.label_from_instance = str
        else:
            field.label_from_instance = label_with_municipality
            if name == "location":
                # Before the queryset: setting it hands the widget its choices.
                field.widget = AutocompleteSelect("location")
                field.widget.is_required = field.required
        field.queryset = queryset.order_by("municipality__number", "name")


def chosen_municipality(form: forms.BaseForm) -> str | None:
    """The municipality id in the submitted data, the initial data or the instance."""
    key = form.add_prefix("municipality")
    if form.is_bound:
        value = parse_id(form.data.get(key))
        return None if value is None else str(value)
    initial = form.initial.get("municipality")
    if isinstance(initial, Municipality):
        return str(initial.pk)
    if initial:
        value = parse_id(initial)
        return None if value is None else str(value)
    instance = getattr(form, "instance", None)
    return str(instance.municipality_id) if getattr(instance, "municipality_id", None) else None


class ServiceAreaForm(forms.ModelForm):
    class Meta:
        model = ServiceArea
        fields = ["municipality", "name", "kind", "cost_centre", "active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = scoped_queryset(Municipality.objects.all(), user)

    def clean(self):
        cleaned = super().clean()
        municipality = cleaned.get("municipality")
        if municipality is None:
            return cleaned
        others = ServiceArea.objects.filter(municipality=municipality).exclude(pk=self.instance.pk)
        name, cost_centre = cleaned.get("name"), cleaned.get("cost_centre")
        if name and others.filter(name__iexact=name).exists():
            self.add_error(
                "name",
                _("%(municipality)s already has a service area called %(name)s.")
                % {"municipality": municipality, "name": name},
            )
        if cost_centre and others.filter(cost_centre=cost_centre).exists():
            self.add_error(
                "cost_centre",
                _("Cost centre %(code)s is already used in %(municipality)s.")
                % {"code": cost_centre, "municipality": municipality},
            )
        return cleaned


class PersonForm(forms.ModelForm):
    class Meta:
        formfield_callback = date_formfield
        model = Person
        fields = [
            "municipality",
            "service_area",
            "location",
            "username",
            "first_name",
            "last_name",
            "email",
            "kind",
            "employee_number",
            "active_from",
            "active_to",
        ]
        widgets = {"active_from": DateInput(), "active_to": DateInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = scoped_queryset(Municipality.objects.all(), user)
        limit_members(self, user, chosen_municipality(self))

    def clean(self):
        cleaned = super().clean()
        municipality, username = cleaned.get("municipality"), cleaned.get("username")
        if (
            municipality is not None
            and username
            and Person.objects.filter(municipality=municipality, username__iexact=username)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error(
                "username",
                _("%(municipality)s already has a person with the username %(username)s.")
                % {"municipality": municipality, "username": username},
            )
        return cleaned


class MunicipalityForm(forms.ModelForm):
    """A member municipality: the model's own validators check the municipality number,
    the organisation number (mod 11) and uniqueness, as the API does."""

    class Meta:
        formfield_callback = date_formfield
        model = Municipality
        fields = [
            "name",
            "number",
            "organisation_number",
            "population",
            "population_date",
            "peppol_endpoint",
            "invoice_reference",
            "joined_on",
            "street",
            "postal_code",
            "city",
            "contact_email",
        ]
        widgets = {"population_date": DateInput(), "joined_on": DateInput()}

    def __init__(self, *args, user=None, **kwargs):
        # Only operators write municipalities: no choice here depends on the user, who is
        # taken as every organisations form takes it (one create/edit view body).
        super().__init__(*args, **kwargs)


class MunicipalityContactForm(forms.ModelForm):
    """A contact person of a municipality; the model checks the e-mail, the phone number
    and that one of the two is given (as the API does)."""

    class Meta:
        model = MunicipalityContact
        fields = ["municipality", "name", "function", "email", "phone", "note"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = scoped_queryset(Municipality.objects.all(), user)


class LocationForm(forms.ModelForm):
    class Meta:
        model = Location
        fields = ["municipality", "name", "kind", "street", "postal_code", "city"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = scoped_queryset(Municipality.objects.all(), user)

    def clean(self):
        cleaned = super().clean()
        municipality, name = cleaned.get("municipality"), cleaned.get("name")
        if (
            municipality is not None
            and name
            and Location.objects.filter(municipality=municipality, name__iexact=name)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error(
                "name",
                _("%(municipality)s already has a location called %(name)s.")
                % {"municipality": municipality, "name": name},
            )
        return cleaned


class UserForm(forms.ModelForm):
    """A login: its role, and the municipality (and service area) the role binds it to.

    ``User.clean`` holds the rules (a municipality contact or service-area manager needs a
    municipality, a manager a service area of that municipality); a new login needs a
    password, an existing one keeps its own unless a new one is typed.
    """

    password1 = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=gettext_lazy("Password again"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "email",
            "role",
            "municipality",
            "service_area",
            "is_active",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.acting_user = user
        self.fields["municipality"].queryset = scoped_queryset(Municipality.objects.all(), user)
        limit_members(self, user, chosen_municipality(self))
        if self.instance.pk is None:
            self.fields["password1"].shows_required = True
        else:
            self.fields["password1"].help_text = _("Leave empty to keep the current password.")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None and self.instance.pk == self.acting_user.pk:
            # Nobody else may be left to undo it: an operator keeps their own access.
            if (
                "role" in cleaned
                and cleaned["role"] != Role.OPERATOR
                and not self.instance.is_superuser
            ):
                self.add_error("role", _("You cannot take the operator role from yourself."))
            if "is_active" in cleaned and not cleaned["is_active"]:
                self.add_error("is_active", _("You cannot deactivate yourself."))
        first, second = cleaned.get("password1") or "", cleaned.get("password2") or ""
        if self.instance.pk is None and not first:
            self.add_error("password1", _("A new user needs a password."))
        elif first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                validate_password(first, self.instance)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
