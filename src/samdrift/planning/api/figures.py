"""The computed figures of planning, read-only: the plan, the devices due, the
investment need and the forecast (from the login's own devices)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from samdrift.catalogue.models import Product
from samdrift.core.drf import StandardPagination
from samdrift.core.permissions import restrict
from samdrift.core.validators import parse_id
from samdrift.inventory.models import Asset
from samdrift.organisations.models import Municipality, ServiceArea
from samdrift.planning.filtersets import (
    GROUPINGS,
    PERIODS,
    DueDeviceFilterSet,
    FleetFilterSet,
)
from samdrift.planning.forecast import forecast
from samdrift.planning.investment import investment_need
from samdrift.planning.models import (
    MAX_YEARS,
    Scenario,
)
from samdrift.planning.plan import replacement_plan
from samdrift.planning.rules import RuleBook
from samdrift.planning.selectors import forecast_area
from samdrift.planning.serializers import (
    DueDeviceSerializer,
    ForecastSerializer,
    InvestmentYearSerializer,
    PlanSerializer,
)
from samdrift.planning.views_plan import PLAN_YEARS, row_labels


def _fleet(request) -> FleetFilterSet:
    """The user's devices narrowed by ``?municipality=&service_area=&category=&product=``
    (404 for one the user may not see, 400 naming a bad value)."""
    filterset = FleetFilterSet(
        request.query_params,
        queryset=restrict(Asset.objects.all(), request.user),
        request=request,
    )
    if not filterset.is_valid():
        hidden = filterset.scoped_errors()
        if hidden:
            raise NotFound(_("No %(name)s with that id.") % {"name": hidden[0]})
        raise ValidationError(filterset.errors)
    return filterset


def _choice(request, name: str, choices, default: str) -> str:
    value = request.query_params.get(name) or default
    allowed = [key for key, _label in choices]
    if value not in allowed:
        raise ValidationError({name: [_("Choose one of: %s.") % ", ".join(allowed)]})
    return value


FLEET_PARAMETERS = [
    OpenApiParameter("municipality", int),
    OpenApiParameter("service_area", int),
    OpenApiParameter("category", int),
    OpenApiParameter("product", int),
]


class PlanViewSet(viewsets.ViewSet):
    """The replacement plan of the devices you may see: due per quarter (or year) for
    five years, overdue first, per municipality, service area or category."""

    serializer_class = PlanSerializer

    @extend_schema(
        parameters=[
            *FLEET_PARAMETERS,
            OpenApiParameter("by", str, enum=[k for k, _l in GROUPINGS]),
            OpenApiParameter("period", str, enum=[k for k, _l in PERIODS]),
        ],
        responses=PlanSerializer,
    )
    def list(self, request):
        assets = _fleet(request).qs
        by = _choice(request, "by", GROUPINGS, "municipality")
        period = _choice(request, "period", PERIODS, "quarter")
        plan = replacement_plan(assets=assets, as_of=timezone.localdate(), years=PLAN_YEARS)
        heads = plan.periods(period)
        labels = row_labels(request.user, plan, by)

        def row(plan_row, label=None):
            key = plan_row.key
            if label is not None:
                keys = {}
            elif by == "service_area":
                keys = {"municipality": key[0], "service_area": key[1]}
            else:
                keys = {by: key}
            return {
                **keys,
                "label": label if label is not None else labels.get(key, ""),
                "overdue": _cell(plan_row.overdue),
                "periods": [
                    {"period": _head(head), **_cell(cell)}
                    for head, cell in zip(heads, plan_row.periods, strict=True)
                ],
                "total": _cell(plan_row.total),
            }

        totals = row(plan.totals(period), label=_("Total"))
        data = {
            "as_of": plan.as_of,
            "until": plan.until,
            "by": by,
            "period": period,
            "overdue_units": plan.overdue_units,
            "total_units": plan.total_units,
            "total_capital": plan.total_capital,
            "rows": [row(r) for r in plan.rows(by=by, period=period)],
            "totals": totals,
        }
        return Response(PlanSerializer(data).data)


def _cell(cell) -> dict:
    return {"units": cell.units, "capital": cell.capital}


def _head(head) -> str:
    return head.isoformat() if isinstance(head, datetime.date) else str(head)


class DueDeviceViewSet(viewsets.ViewSet):
    """Devices in service due for replacement before ``?before=`` (today by default: the
    overdue), and on or after ``?after=``, with the due date, the reason and the
    standard replacement with its cost; paginated."""

    serializer_class = DueDeviceSerializer
    pagination_class = StandardPagination

    @extend_schema(
        parameters=[
            *FLEET_PARAMETERS,
            OpenApiParameter("before", OpenApiTypes.DATE),
            OpenApiParameter("after", OpenApiTypes.DATE),
        ],
        responses=DueDeviceSerializer(many=True),
    )
    def list(self, request):
        rules = RuleBook()
        filterset = DueDeviceFilterSet(
            request.query_params,
            queryset=restrict(Asset.objects.all(), request.user),
            request=request,
            rules=rules,
        )
        if not filterset.is_valid():
            hidden = filterset.scoped_errors()
            if hidden:
                raise NotFound(_("No %(name)s with that id.") % {"name": hidden[0]})
            raise ValidationError(filterset.errors)
        assets = filterset.qs.select_related("product").order_by("acquisition_date", "pk")
        paginator = StandardPagination()
        page = paginator.paginate_queryset(assets, request, view=self)
        replacement_ids = {rules.rule_for(a.product_id).replacement_id for a in page}
        costs = dict(
            Product.objects.filter(pk__in=replacement_ids).values_list("pk", "standard_cost")
        )
        items = []
        for asset in page:
            due = rules.due_of(asset)
            replacement_id = rules.rule_for(asset.product_id).replacement_id
            items.append(
                {
                    "id": asset.pk,
                    "asset_tag": asset.asset_tag,
                    "product": asset.product_id,
                    "category": asset.product.category_id,
                    "municipality": asset.municipality_id,
                    "service_area": asset.service_area_id,
                    "acquisition_date": asset.acquisition_date,
                    "due_on": due.on if due else None,
                    "due_reason": due.reason if due else "",
                    "replacement": replacement_id,
                    "replacement_cost": costs.get(replacement_id),
                }
            )
        return paginator.get_paginated_response(DueDeviceSerializer(items, many=True).data)


class InvestmentViewSet(viewsets.ViewSet):
    """The collaboration's investment need per year (``?scenario=`` for a scenario's
    growth, lease term and rate). For those who see every municipality."""

    serializer_class = InvestmentYearSerializer

    @extend_schema(
        parameters=[OpenApiParameter("scenario", int)],
        responses=InvestmentYearSerializer(many=True),
    )
    def list(self, request):
        if not request.user.sees_all_municipalities:
            raise PermissionDenied(_("The investment need is the collaboration's."))
        scenario = None
        value = request.query_params.get("scenario")
        if value:
            pk = parse_id(value)
            scenario = Scenario.objects.filter(pk=pk).first() if pk is not None else None
            if scenario is None:
                raise NotFound(_("No scenario with that id."))
        years = investment_need(as_of=timezone.localdate(), scenario=scenario)
        return Response(InvestmentYearSerializer(years, many=True).data)


class ForecastViewSet(viewsets.ViewSet):
    """The monthly cost forecast per municipality for 1–5 years (``?years=``), from what
    billing would charge. ``?municipality=`` and ``?service_area=`` narrow it (404 for
    one you may not see); a municipality's users get their own, a manager their area's."""

    serializer_class = ForecastSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("municipality", int),
            OpenApiParameter("service_area", int),
            OpenApiParameter("years", int),
        ],
        responses=ForecastSerializer(many=True),
    )
    def list(self, request):
        municipality_ids = self._municipalities(request)
        area_id = self._service_area(request, municipality_ids)
        if area_id is not None and municipality_ids is None:
            # A service area's forecast is of its municipality only.
            municipality_ids = [ServiceArea.objects.get(pk=area_id).municipality_id]
        years = self._years(request)
        found = forecast(municipality_ids=municipality_ids, service_area_id=area_id, years=years)
        data = [
            {
                "municipality_id": f.municipality_id,
                "name": f.name,
                "years": f.years(),
                "months": f.months,
            }
            for f in found
        ]
        return Response(ForecastSerializer(data, many=True).data)

    @staticmethod
    def _years(request) -> int:
        value = request.query_params.get("years")
        if value is None or value == "":
            return MAX_YEARS
        if not value.isdigit() or not 1 <= int(value) <= MAX_YEARS:
            raise ValidationError(
                {"years": [_("Give a whole number of years from 1 to %d.") % MAX_YEARS]}
            )
        return int(value)

    @staticmethod
    def _municipalities(request) -> list[int] | None:
        user = request.user
        value = request.query_params.get("municipality")
        visible = restrict(Municipality.objects.all(), user)
        if value:
            pk = parse_id(value)
            if pk is None or not visible.filter(pk=pk).exists():
                raise NotFound(_("No municipality with that id."))
            return [pk]
        if user.sees_all_municipalities:
            return None
        return list(visible.values_list("pk", flat=True))

    @staticmethod
    def _service_area(request, municipality_ids) -> int | None:
        try:
            return forecast_area(
                user=request.user,
                municipality_ids=municipality_ids,
                value=request.query_params.get("service_area"),
            )
        except ServiceArea.DoesNotExist:
            raise NotFound(_("No service area with that id.")) from None
