"""The board's financing view of the owned fleet, as of a month end."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.core.permissions import restrict
from samdrift.inventory.models import Asset
from samdrift.leasing.financing import fleet_financing
from samdrift.ui.charts import Bar, bar_chart
from samdrift.ui.formatting import format_decimal
from samdrift.ui.forms import DateField, DateInput


class FinancingForm(forms.Form):
    on = DateField(
        label=gettext_lazy("As of the end of the month of"),
        widget=DateInput,
        required=False,
        help_text=gettext_lazy("Default: this month."),
    )


@login_required
def financing(request):
    """The board's view of the owned fleet (what the user may see), as of a month end."""
    form = FinancingForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    on = (form.cleaned_data.get("on") if form.is_bound and valid else None) or (
        timezone.localdate()
    )
    view = fleet_financing(assets=restrict(Asset.objects.all(), request.user), on=on)
    chart = bar_chart(
        [
            Bar(
                label=str(year.year),
                value=int(year.outstanding_at_end),
                # Whole kroner: the figure must fit after the longest bar.
                text=format_decimal(year.outstanding_at_end.quantize(Decimal(1)), 0),
            )
            for year in view.years
        ],
        title=_("Outstanding value at the end of each year (NOK)"),
        chart_id="outstanding",
    )
    return render(
        request,
        "leasing/buyouts/financing.html",
        {"view": view, "form": form, "chart": chart, "on": on},
        status=200 if valid else 400,
    )
