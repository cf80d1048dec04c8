"""Form helpers: service errors next to their fields, Norwegian-friendly money input,
date pickers, and choices limited to what the user may see.

A form view parses input with a Form, then calls a service in ``try``; a ValidationError
from the service is put on the form with ``add_service_errors`` so each message appears
next to its field, and nothing was written (services are atomic)::

    if form.is_valid():
        try:
            asset = create_asset(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(asset_url)
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.core.permissions import restrict
from samdrift.core.validators import parse_id, validate_supported_date
from samdrift.finance.parsing import AmountError, parse_amount
from samdrift.ui import autocomplete
from samdrift.ui.formatting import is_norwegian, money_places


def add_service_errors(form: forms.Form, error: ValidationError | IntegrityError) -> None:
    """Attach an error raised by a service to the form: per field where the form has
    that field, otherwise above the form."""
    if isinstance(error, IntegrityError):
        form.add_error(
            None,
            _("This conflicts with data already stored (a duplicate, or a row still in use)."),
        )
        return
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        target = field if field in form.fields else None
        for message in messages:
            if target is None and field != NON_FIELD_ERRORS:
                label = field.replace("_", " ")
                message = f"{label}: {message}"
            form.add_error(target, message)


class DateInput(forms.DateInput):
    """The browser's date picker: value in ISO, shown in the user's own format."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateField(forms.DateField):
    """A date typed into a form: the date picker, and only dates the system can calculate
    with (``core.validators``), so 9999-12-31 is "enter a date between …", not a 500."""

    default_validators = [validate_supported_date]

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", DateInput)
        super().__init__(**kwargs)


def date_formfield(model_field, **kwargs):
    """``Meta.formfield_callback`` of a ModelForm: its date fields become DateField."""
    if isinstance(model_field, models.DateField) and not isinstance(
        model_field, models.DateTimeField
    ):
        kwargs.setdefault("form_class", DateField)
    return model_field.formfield(**kwargs)


class MoneyField(forms.DecimalField):
    """Kroner with øre, read as imports read them (``finance.parsing.parse_amount``:
    ``1 234,50``, ``1.234,50``, ``1234.50``, ``kr 1 234,-`` …); never a float."""

    default_error_messages = {
        "invalid": gettext_lazy("Enter an amount in kroner, such as 1 234,50."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        """A stored amount is shown as a person types one: a decimal comma in Bokmål and
        no thousands grouping, so that saving the form unchanged reads it back exactly."""
        if isinstance(value, Decimal):
            text = f"{self.shown(value):f}"
            return text.replace(".", ",") if is_norwegian() else text
        return value

    def shown(self, value: Decimal) -> Decimal:
        """The stored value as the input shows it: kroner with øre (more when a unit price
        has them)."""
        return value.quantize(Decimal(1).scaleb(-money_places(value)))

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
        if isinstance(value, str) and value:
            try:
                value = parse_amount(value)
            except AmountError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return super().to_python(value)


def scoped_queryset(queryset, user):
    """Choices of a related object: only rows the user may see (others are "not a valid
    choice", exactly like ids that do not exist)."""
    return restrict(queryset, user)


class DropdownCheckboxes(forms.CheckboxSelectMultiple):
    """Several choices as checkboxes folded into a ``<details>``: opened with a click or
    Enter/Space on its summary, each choice a real checkbox (Tab, Space), no script
    needed. The summary names what is chosen, or "All"; ``?status=a&status=b`` is the
    query it sends."""

    template_name = "web/widgets/dropdown_checkboxes.html"
    is_dropdown = True  # field.html labels it with a legend, not a <label for>

    def __init__(self, attrs=None, choices=(), *, label=""):
        super().__init__(attrs, choices)
        self.label = label

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chosen = [
            str(option["label"])
            for _group, options, _index in context["widget"]["optgroups"]
            for option in options
            if option["selected"]
        ]
        context["widget"]["label"] = self.label
        context["widget"]["summary"] = ", ".join(chosen) if chosen else gettext_lazy("All")
        return context


class AutocompleteSelect(forms.Widget):
    """The widget of a ``ModelChoiceField`` with thousands of choices (``ui.autocomplete``):
    a search box over ``source`` instead of a <select>, the chosen id in a hidden input;
    without JavaScript, a box for the id. ``params`` pin the source's filters (e.g. the
    order's ``municipality``). The field's own queryset still validates the posted id.

    Rendering reads one row (the chosen one's label) and never the choices."""

    template_name = "web/widgets/autocomplete.html"

    def __init__(self, source: str, *, params: dict | None = None, attrs=None):
        super().__init__(attrs=attrs)
        self.source = source
        self.params = dict(params or {})

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.params = dict(self.params)
        return copy

    def label_of(self, value) -> str:
        queryset = getattr(getattr(self, "choices", None), "queryset", None)
        if queryset is None or parse_id(value) is None:
            return ""
        row = queryset.filter(pk=parse_id(value)).first()
        return autocomplete.source(self.source).label(row) if row is not None else ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        query = urlencode({k: v for k, v in self.params.items() if v not in (None, "")})
        url = reverse("autocomplete", args=[self.source])
        context["widget"].update(
            url=f"{url}?{query}" if query else url,
            label=self.label_of(value) if value not in (None, "") else "",
            min_length=autocomplete.MIN_LENGTH,
        )
        return context
