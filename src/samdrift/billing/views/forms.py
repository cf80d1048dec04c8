"""The billing pages' forms: a month to run, a credit note to make, a one-off charge, a
cost pool and an allocation key."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.billing.choices import AllocationBasis
from samdrift.billing.models import (
    AllocationKey,
    CostPool,
    Invoice,
    InvoiceLine,
    OneOffCharge,
)
from samdrift.billing.services.one_offs import ONE_OFF_FIELDS
from samdrift.billing.services.pools import (
    KEY_FIELDS_ALWAYS,
    POOL_FIELDS_ALWAYS,
    POOL_FIELDS_UNBILLED,
)
from samdrift.catalogue.models import Service
from samdrift.inventory.forms import MEMBER_WIDGETS
from samdrift.inventory.models import Asset
from samdrift.organisations.models import Municipality, Person, ServiceArea
from samdrift.ui.forms import DateField, DateInput, MoneyField, date_formfield, scoped_queryset


class RunForm(forms.Form):
    """The month to rate, chosen from ``months`` (those that can be rated now); the text
    ``YYYY-MM`` is still what is posted, and the service names a month it refuses."""

    month = forms.CharField(label=gettext_lazy("Month"))

    def __init__(self, *args, months=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].widget = forms.Select(
            choices=[(f"{month:%Y-%m}", date_format(month, "F Y")) for month in months]
        )


class CreditForm(forms.Form):
    """Reason, issue date and an amount per invoice line (``amount_<line id>``, empty: not
    credited; every one empty: the whole invoice). Bound, it re-renders what was typed."""

    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)
    issue_date = DateField(label=gettext_lazy("Issue date"), required=False, widget=DateInput)

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.line_fields = []
        for line in lines:
            name = f"amount_{line.pk}"
            self.fields[name] = MoneyField(
                label=_("Line %(line)d") % {"line": line.line_number},
                required=False,
                min_value=None,
            )
            self.fields[name].widget.attrs.update({"size": 10, "aria-label": _("Amount to credit")})
            self.line_fields.append(name)

    def amounts(self) -> dict[int, Decimal] | None:
        """Line id → amount typed; None when none was (credit what remains in full)."""
        amounts = {
            int(name.removeprefix("amount_")): self.cleaned_data[name]
            for name in self.line_fields
            if self.cleaned_data.get(name) is not None
        }
        return amounts or None

    def typed(self) -> dict[str, str]:
        """What was typed, to carry through the confirmation (and back to the form)."""
        data = {"reason": self.cleaned_data["reason"]}
        if self.cleaned_data.get("issue_date"):
            data["issue_date"] = self.cleaned_data["issue_date"].isoformat()
        for line_id, amount in (self.amounts() or {}).items():
            data[f"amount_{line_id}"] = str(amount)
        return data


def credit_form(invoice: Invoice, data=None, initial=None) -> CreditForm:
    lines = (
        InvoiceLine.objects.filter(invoice=invoice)
        .order_by("line_number")
        .only("pk", "line_number")
    )
    return CreditForm(data, initial=initial, lines=lines if invoice.is_issued else ())


class OneOffChargeForm(forms.ModelForm):
    """What ``add_one_off_charge`` and ``update_one_off_charge`` take; the choices are
    what the user may see. An empty VAT rate on a new charge takes the service's."""

    unit_price = MoneyField(
        label=gettext_lazy("Unit price"), min_value=None, max_digits=14, decimal_places=4
    )

    class Meta:
        formfield_callback = date_formfield
        model = OneOffCharge
        widgets = MEMBER_WIDGETS  # searched for, not listed (thousands)
        fields = list(ONE_OFF_FIELDS)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scoped = {
            "municipality": Municipality.objects.order_by("name"),
            "service_area": ServiceArea.objects.select_related("municipality").order_by(
                "municipality__name", "name"
            ),
            "person": Person.objects.select_related("municipality").order_by(
                "last_name", "first_name"
            ),
            "asset": Asset.objects.select_related("product").order_by("asset_tag"),
            "service": Service.objects.order_by("name"),
        }
        for name, queryset in scoped.items():
            self.fields[name].queryset = scoped_queryset(queryset, user)
        self.fields["vat_rate"].required = False
        if self.instance.pk is None:
            self.initial.pop("vat_rate", None)
            self.fields["vat_rate"].help_text = _("Empty: the service's rate (else 25 %).")

    def _post_clean(self):
        # The service validates the whole row and writes; the form only parses, so the
        # model is not checked twice with two sets of messages (as servicedesk's forms).
        pass

    def service_fields(self) -> dict:
        """The cleaned values for the service; an empty VAT rate is left to it."""
        fields = {name: self.cleaned_data[name] for name in ONE_OFF_FIELDS}
        if fields["vat_rate"] is None:
            fields.pop("vat_rate")
        return fields


class CostPoolForm(forms.ModelForm):
    """What ``create_cost_pool`` and ``update_cost_pool`` take (the latter refuses the
    amount, key, VAT and start of a pool already billed, naming the field)."""

    monthly_amount = MoneyField(label=gettext_lazy("Monthly amount"))

    class Meta:
        formfield_callback = date_formfield
        model = CostPool
        fields = [*POOL_FIELDS_ALWAYS[:2], *POOL_FIELDS_UNBILLED, POOL_FIELDS_ALWAYS[2]]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].queryset = scoped_queryset(AllocationKey.objects.order_by("name"), user)

    def _post_clean(self):
        # The service validates the whole row and writes; the form only parses.
        pass


class ShareField(MoneyField):
    """A relative share or a weight: a number as a person types it (``1,5``, ``33,333333``)."""

    default_error_messages = {"invalid": gettext_lazy("Enter a number, such as 1,5.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 20)
        kwargs.setdefault("decimal_places", 6)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def shown(self, value: Decimal) -> Decimal:
        """A share as typed: 1 rather than 1.000000, 33.333333 as it is."""
        return value.normalize()


class AllocationKeyForm(forms.Form):
    """What ``create_allocation_key`` and ``update_allocation_key`` take: a share per basis
    used (empty: not used) and, for fixed percentages and custom weights, each
    municipality's weight. The service checks them (errors on the basis's field). Once the
    key is measured only its name and description can change: the rest is shown disabled."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=150)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    measured_on = DateField(
        label=gettext_lazy("Measured on"),
        help_text=gettext_lazy("The date the population, persons or devices are counted."),
    )

    ENTERED = (AllocationBasis.FIXED, AllocationBasis.CUSTOM)

    def __init__(self, *args, key: AllocationKey | None = None, **kwargs):
        # Every municipality: keys are shared data, written only by those who see all.
        self.municipalities = list(Municipality.objects.order_by("number"))
        initial = {}
        if key is not None:
            initial = {"name": key.name, "description": key.description}
            initial["measured_on"] = key.measured_on
            for part in key.parts.all():
                initial[part.basis] = part.share
                for weight in part.weights.all():
                    initial[f"{part.basis}_{weight.municipality_id}"] = weight.weight
        super().__init__(*args, initial=initial, **kwargs)
        for basis in AllocationBasis:
            self.fields[basis.value] = ShareField(label=basis.label)
        for basis in self.ENTERED:
            for municipality in self.municipalities:
                self.fields[f"{basis}_{municipality.pk}"] = ShareField(
                    label=f"{municipality.name}: {basis.label}"
                )
        if key is not None and key.measured_at is not None:
            for name, field in self.fields.items():
                if name not in KEY_FIELDS_ALWAYS:
                    field.disabled = True

    def weight_rows(self):
        """Per municipality, its bound fields for the entered bases (the template's table)."""
        return [
            (m, [self[f"{basis}_{m.pk}"] for basis in self.ENTERED]) for m in self.municipalities
        ]

    def share_fields(self):
        return [self[basis.value] for basis in AllocationBasis]

    def parts(self) -> dict[str, Decimal]:
        return {
            basis.value: self.cleaned_data[basis.value]
            for basis in AllocationBasis
            if self.cleaned_data.get(basis.value) is not None
        }

    def weights(self) -> dict[str, dict[Municipality, Decimal]]:
        weights: dict[str, dict[Municipality, Decimal]] = {}
        for basis in self.ENTERED:
            for municipality in self.municipalities:
                value = self.cleaned_data.get(f"{basis}_{municipality.pk}")
                if value is not None:
                    weights.setdefault(basis.value, {})[municipality] = value
        return weights

    def parts_changed(self) -> bool:
        """Did a share or an entered weight change (then all parts are written anew)?"""
        return any(name not in (*KEY_FIELDS_ALWAYS, "measured_on") for name in self.changed_data)
