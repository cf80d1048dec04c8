"""The billing pages' forms: a month to run, and a credit note to make."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.billing.models import (
    Invoice,
    InvoiceLine,
)
from samdrift.ui.forms import DateField, DateInput, MoneyField


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
