"""The billing pages' forms: a month to run, a credit note to make, a one-off charge."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.billing.models import (
    AllocationKey,
    CostPool,
    Invoice,
    InvoiceLine,
    OneOffCharge,
)
from samdrift.billing.services.one_offs import ONE_OFF_FIELDS
from samdrift.billing.services.pools import POOL_FIELDS_ALWAYS, POOL_FIELDS_UNBILLED
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
