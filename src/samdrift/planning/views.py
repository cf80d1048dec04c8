"""The devices due for replacement, and the collaboration's investment need.

The list of devices starts from ``restrict``: a municipality's users see
their own devices (a service-area manager those of their area), and a filter naming
another municipality's object is a 404. The investment need is the collaboration's:
for those who see every municipality (403 for the others).
"""

from __future__ import annotations

import datetime
from functools import partial
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.catalogue.models import Product
from samdrift.inventory.models import Asset
from samdrift.planning.filtersets import DueDeviceFilterSet, narrow_service_areas
from samdrift.planning.investment import investment_need
from samdrift.planning.models import Scenario
from samdrift.planning.rules import RuleBook
from samdrift.planning.tables import due_device_table
from samdrift.planning.views_charts import year_bars
from samdrift.ui.lists import ObjectListView


def require_sees_all(user) -> None:
    """The collaboration's figures (investment, forecasts of all, scenarios)."""
    if not user.sees_all_municipalities:
        raise PermissionDenied


def query_data(request):
    """The query string without empty values ("no filter")."""
    data = request.GET.copy()
    for name in list(data):
        values = [v for v in data.getlist(name) if v != ""]
        if values:
            data.setlist(name, values)
        else:
            del data[name]
    return data


class DueDeviceListView(ObjectListView):
    """``/planning/devices/?before=…&after=…&municipality=…``: the devices in service due
    for replacement before a day (today by default: the overdue), each with its due
    date, the reason, and the standard replacement with its cost."""

    model = Asset
    filterset_class = DueDeviceFilterSet
    title = gettext_lazy("Devices due for replacement")
    filter_fields = ["q", "municipality", "service_area", "category", "after", "before"]
    template_name = "planning/due_devices.html"

    def get(self, request, *args, **kwargs):
        rules = RuleBook()
        replacement_ids = {rule.replacement_id for rule in rules.products.values()}
        replacements = Product.objects.only("pk", "name", "standard_cost").in_bulk(replacement_ids)
        self.rules = rules
        self.table = due_device_table(rules, replacements)
        self.filterset_class = partial(DueDeviceFilterSet, rules=rules)
        return super().get(request, *args, **kwargs)

    def customise_filter_form(self, form) -> None:
        super().customise_filter_form(form)
        chosen = form.cleaned_data.get("municipality") if form.is_valid() else None
        narrow_service_areas(form, chosen.pk if chosen else None)

    def extra_context(self) -> dict[str, Any]:
        data = query_data(self.request)
        return {
            "before": _date(data.get("before")) or timezone.localdate(),
            "after": _date(data.get("after")),
        }


def _date(text: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@login_required
def investment(request):
    """Units and capital to buy per year (replacements at standard cost plus growth),
    against lease income, depreciation and interest: the cash to borrow or hold."""
    user = request.user
    require_sees_all(user)
    today = timezone.localdate()
    scenarios = list(Scenario.objects.order_by("-is_baseline", "name"))
    scenario = None
    chosen = request.GET.get("scenario")
    if chosen:
        scenario = next((s for s in scenarios if str(s.pk) == chosen), None)
        if scenario is None:
            raise Http404("No scenario with that id.")
    years = investment_need(as_of=today, scenario=scenario)
    chart = year_bars(
        [(str(row.year), row.capital) for row in years],
        title=_("Capital to buy per year"),
        chart_id="investment-capital",
    )
    cash = year_bars(
        [(str(row.year), row.cash_need) for row in years],
        title=_("Cash need per year"),
        chart_id="investment-cash",
    )
    totals = {
        name: sum((getattr(row, name) for row in years), start=0)
        for name in (
            "replacement_units",
            "growth_units",
            "capital",
            "lease_income",
            "depreciation",
            "interest",
            "cash_need",
        )
    }
    return render(
        request,
        "planning/investment.html",
        {
            "years": years,
            "totals": totals,
            "chart": chart,
            "cash_chart": cash,
            "scenarios": scenarios,
            "scenario": scenario,
            "today": today,
        },
    )
