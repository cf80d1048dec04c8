"""The replacement plan page: devices due per quarter (or year) for five years, overdue
first, per municipality, service area or category, with the units and the capital to
replace them (the replacement product's standard cost); each cell links to its devices,
and the table exports to XLSX.

The devices come from ``restrict``: a municipality's users plan their own (a manager
their area's); a filter naming another municipality's object is a 404.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from samdrift.catalogue.models import ProductCategory
from samdrift.core.exports import export_response
from samdrift.core.permissions import restrict
from samdrift.inventory.models import Asset
from samdrift.organisations.models import Municipality, ServiceArea
from samdrift.planning.filtersets import FleetFilterSet, PlanShapeForm, narrow_service_areas
from samdrift.planning.plan import PlanCell, ReplacementPlan, replacement_plan
from samdrift.planning.views import query_data

PLAN_YEARS = 5
# The filters a cell's link to the list of devices keeps.
KEPT_FILTERS = ("municipality", "service_area", "category", "product")


@dataclass
class Cell:
    units: int
    capital: Decimal
    url: str | None


@dataclass
class Row:
    label: str
    cells: list[Cell]  # overdue first, then one per period
    total: Cell


@dataclass
class PlanTable:
    plan: ReplacementPlan
    heads: list[str]  # overdue first, then the periods
    rows: list[Row]
    totals: Row

    def export_columns(self) -> list[Any]:
        columns = [ValueColumn("row", lambda row: row.label)]
        for index, head in enumerate(self.heads):
            columns.append(ValueColumn(f"{head} units", _cell_value(index, "units")))
            columns.append(ValueColumn(f"{head} capital", _cell_value(index, "capital")))
        columns.append(ValueColumn("total units", lambda row: row.total.units))
        columns.append(ValueColumn("total capital", lambda row: row.total.capital))
        return columns

    def export_rows(self) -> list[Row]:
        return [*self.rows, self.totals]


@dataclass(frozen=True)
class ValueColumn:
    """An export column (``core.exports``): a name and how to read a row."""

    name: str
    read: Any

    def value(self, row: Row) -> Any:
        return self.read(row)


def _cell_value(index: int, attribute: str):
    return lambda row: getattr(row.cells[index], attribute)


def _windows(plan: ReplacementPlan, period: str) -> list[tuple[datetime.date, datetime.date]]:
    """The [after, before) days of each period column: the first begins on ``as_of``
    (what is due before is overdue), the last ends where the plan ends."""
    until = plan.until
    if period == "quarter":
        starts = list(plan.quarters)
        ends = [*starts[1:], until]
    else:
        years = plan.periods("year")
        starts = [datetime.date(year, 1, 1) for year in years]
        ends = [min(datetime.date(year + 1, 1, 1), until) for year in years]
    return [(max(start, plan.as_of), end) for start, end in zip(starts, ends, strict=True)]


def _head(value: Any) -> str:
    if isinstance(value, datetime.date):
        return _("Q%(quarter)d %(year)d") % {
            "quarter": (value.month - 1) // 3 + 1,
            "year": value.year,
        }
    return str(value)


def row_labels(user, plan: ReplacementPlan, by: str) -> dict[Any, str]:
    """Row labels by key, for the rows the plan has (one query each kind)."""
    municipality_ids = {b.municipality_id for b in plan.buckets}
    if by == "category":
        ids = {b.category_id for b in plan.buckets}
        return dict(
            restrict(ProductCategory.objects.filter(pk__in=ids), user).values_list("pk", "name")
        )
    municipalities = dict(
        restrict(Municipality.objects.filter(pk__in=municipality_ids), user).values_list(
            "pk", "name"
        )
    )
    if by == "municipality":
        return municipalities
    area_ids = {b.service_area_id for b in plan.buckets if b.service_area_id}
    areas = dict(
        restrict(ServiceArea.objects.filter(pk__in=area_ids), user).values_list("pk", "name")
    )
    return {
        (b.municipality_id, b.service_area_id): " – ".join(
            [
                municipalities.get(b.municipality_id, "?"),
                areas.get(b.service_area_id, "") or _("no service area"),
            ]
        )
        for b in plan.buckets
    }


def _row_filters(by: str, key: Any) -> dict[str, Any] | None:
    """The list's filters for a row; None when the list cannot show exactly it (the
    devices of no service area)."""
    if by == "municipality":
        return {"municipality": key}
    if by == "category":
        return {"category": key}
    municipality_id, area_id = key
    if area_id is None:
        return None
    return {"municipality": municipality_id, "service_area": area_id}


def plan_table(*, user, assets, as_of, by: str, period: str, data) -> PlanTable:
    plan = replacement_plan(assets=assets, as_of=as_of, years=PLAN_YEARS)
    windows = _windows(plan, period)
    heads = [_("Overdue"), *(_head(h) for h in plan.periods(period))]
    kept = {name: data[name] for name in KEPT_FILTERS if data.get(name)}
    devices = reverse("planning:due_devices")

    def url(filters: dict | None, index: int) -> str | None:
        if filters is None:
            return None
        window = (
            {"before": as_of}
            if index == 0
            else dict(zip(("after", "before"), windows[index - 1], strict=True))
        )
        params = {**kept, **filters, **{k: v.isoformat() for k, v in window.items()}}
        return f"{devices}?{urlencode(params)}"

    def cells(plan_cells: list[PlanCell], filters: dict | None) -> list[Cell]:
        return [
            Cell(c.units, c.capital, url(filters, index) if c.units else None)
            for index, c in enumerate(plan_cells)
        ]

    labels = row_labels(user, plan, by)
    rows = []
    for row in plan.rows(by=by, period=period):
        filters = _row_filters(by, row.key)
        total = row.total
        rows.append(
            Row(
                label=labels.get(row.key, "?"),
                cells=cells(row.cells, filters),
                total=Cell(total.units, total.capital, None),
            )
        )
    totals = plan.totals(period)
    total = totals.total
    return PlanTable(
        plan=plan,
        heads=heads,
        rows=rows,
        totals=Row(
            label=_("Total"),
            cells=cells(totals.cells, {}),
            total=Cell(total.units, total.capital, None),
        ),
    )


@login_required
def plan(request):
    """Devices due per quarter (or year) for five years, overdue first, by
    municipality, service area or category; with units and the capital to replace them."""
    user = request.user
    today = timezone.localdate()
    data = query_data(request)
    filterset = FleetFilterSet(data, queryset=restrict(Asset.objects.all(), user), request=request)
    try:
        assets = filterset.filter_or_raise()
    except ValueError:
        assets = None
    by, period = PlanShapeForm(data).shape()
    table = None
    if assets is not None:
        table = plan_table(user=user, assets=assets, as_of=today, by=by, period=period, data=data)
        if request.GET.get("export") == "xlsx":
            return export_response(
                "xlsx", table.export_rows(), table.export_columns(), name="replacement-plan"
            )
    form = filterset.form
    chosen = form.cleaned_data.get("municipality") if form.is_valid() else None
    narrow_service_areas(form, chosen.pk if chosen else None)
    return render(
        request,
        "planning/plan.html",
        {
            "filter_form": form,
            "shape_form": PlanShapeForm(initial={"by": by, "period": period}),
            "table": table,
            "by": by,
            "period": period,
            "today": today,
            "until": table.plan.until if table is not None else None,
            "years": PLAN_YEARS,
        },
        status=200 if table is not None else 400,
    )
