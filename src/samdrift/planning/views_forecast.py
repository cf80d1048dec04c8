"""The cost forecast: every municipality side by side (those who see them all), and one
municipality's months for the next years as a chart and tables.

A municipality's contact sees its own forecast (another's is a 404, like a missing
one); a service-area manager sees the forecast of their service area. The forecast is
``planning.forecast`` — what billing would charge, month by month.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.core.choices import Role
from samdrift.core.exports import export_response
from samdrift.core.permissions import restrict
from samdrift.organisations.models import Municipality, ServiceArea
from samdrift.planning.forecast import forecast
from samdrift.planning.models import MAX_YEARS
from samdrift.planning.selectors import forecast_area
from samdrift.planning.tables import FORECAST_MONTH_COLUMNS
from samdrift.planning.views import require_sees_all
from samdrift.planning.views_charts import month_columns, year_bars
from samdrift.ui.permissions import get_restricted_or_404


def chosen_years(request) -> int:
    """``?years=`` 1 to 5 (5 by default); anything else is the default."""
    value = request.GET.get("years", "")
    return int(value) if value.isdigit() and 1 <= int(value) <= MAX_YEARS else MAX_YEARS


def component_labels() -> list[tuple[str, str]]:
    return [
        ("devices", _("Devices")),
        ("subscriptions", _("Subscriptions")),
        ("usage", _("Usage")),
        ("usage_estimate", _("Usage (estimated)")),
        ("one_offs", _("One-off charges")),
        ("pools", _("Shared costs")),
        ("credits", _("Credits")),
    ]


@login_required
def forecast_list(request):
    """Each municipality's monthly average per year and the change from the year before."""
    user = request.user
    require_sees_all(user)
    years = chosen_years(request)
    forecasts = forecast(years=years)
    rows = [(f, f.years()) for f in forecasts]
    year_numbers = [y.year for y in rows[0][1]] if rows else []
    totals = []
    for index, year in enumerate(year_numbers):
        total = sum((cost[index].total for _f, cost in rows), start=Decimal("0"))
        months = sum(1 for m in rows[0][0].months if m.month.year == year)
        average = total / months if months else Decimal("0")
        previous = totals[-1][2] if totals else None
        change = average - previous if previous is not None else None
        percent = (change * 100 / previous) if previous else None
        totals.append((year, total, average, change, percent))
    return render(
        request,
        "planning/forecast_list.html",
        {
            "rows": rows,
            "year_numbers": year_numbers,
            "totals": totals,
            "years": years,
            "year_choices": range(1, MAX_YEARS + 1),
            "today": timezone.localdate(),
        },
    )


def _service_area(request, municipality: Municipality) -> ServiceArea | None:
    """The area whose forecast is asked (``planning.selectors.forecast_area``; 404 for one
    the user may not see or of another municipality)."""
    try:
        area_id = forecast_area(
            user=request.user,
            municipality_ids=[municipality.pk],
            value=request.GET.get("service_area"),
        )
    except ServiceArea.DoesNotExist:
        raise Http404("No service area with that id.") from None
    return None if area_id is None else ServiceArea.objects.get(pk=area_id)


@login_required
def forecast_detail(request, municipality_id: int):
    user = request.user
    municipality = get_restricted_or_404(Municipality.objects.all(), user, pk=municipality_id)
    area = _service_area(request, municipality)
    years = chosen_years(request)
    found = forecast(
        municipality_ids=[municipality.pk],
        service_area_id=area.pk if area else None,
        years=years,
    )
    result = found[0] if found else None
    months = result.months if result else []
    if request.GET.get("export") == "xlsx":
        name = f"forecast-{municipality.number}"
        return export_response("xlsx", months, FORECAST_MONTH_COLUMNS, name=name)
    year_rows = result.years() if result else []
    labels = component_labels()
    return render(
        request,
        "planning/forecast_detail.html",
        {
            "municipality": municipality,
            "service_area": area,
            "areas": (
                []
                if user.role == Role.SERVICE_AREA
                else restrict(ServiceArea.objects.filter(municipality=municipality), user).order_by(
                    "name"
                )
            ),
            "forecast": result,
            "year_rows": year_rows,
            "month_rows": [(m, [getattr(m, name) for name, _label in labels]) for m in months],
            "component_labels": labels,
            "chart": month_columns(
                [(m.month, m.total) for m in months],
                title=_("Forecast cost per month"),
                chart_id="forecast-months",
            ),
            "year_chart": year_bars(
                [(str(y.year), y.monthly_average) for y in year_rows],
                title=_("Monthly average per year"),
                chart_id="forecast-years",
            ),
            "years": years,
            "year_choices": range(1, MAX_YEARS + 1),
            "today": timezone.localdate(),
        },
    )
