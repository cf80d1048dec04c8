"""Operator forms for service areas and persons. They parse and check input; the writes
go through ``organisations.services`` (validation of the whole object, one transaction,
change-logged)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _

from samdrift.organisations.models import Location, Municipality, Person, ServiceArea
from samdrift.ui.forms import DateInput, date_formfield, scoped_queryset
from samdrift.ui.lists import label_with_municipality


def limit_members(form: forms.Form, user, municipality_id: int | str | None) -> None:
    """Offer only service areas and locations of the chosen municipality (all the user
    may see while none is chosen); htmx reloads them when the municipality changes."""
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
        field.queryset = queryset.order_by("municipality__number", "name")


def chosen_municipality(form: forms.BaseForm) -> str | None:
    """The municipality id in the submitted data, the initial data or the instance."""
    key = form.add_prefix("municipality")
    if form.is_bound:
        value = str(form.data.get(key) or "")
        return value if value.isdigit() else None
    initial = form.initial.get("municipality")
    if isinstance(initial, Municipality):
        return str(initial.pk)
    if initial:
        return str(initial)
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
