"""The board's financing view as an endpoint (restricted to what the user may see)."""

from __future__ import annotations

import datetime

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from samdrift.core.api import (
    DateField,
)
from samdrift.core.permissions import restrict
from samdrift.inventory.models import Asset
from samdrift.leasing.financing import fleet_financing

MONEY = {"max_digits": 16, "decimal_places": 2}


class FinancingYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    lease_income = serializers.DecimalField(**MONEY)
    depreciation = serializers.DecimalField(**MONEY)
    interest = serializers.DecimalField(**MONEY)
    costs = serializers.DecimalField(**MONEY)
    margin = serializers.DecimalField(**MONEY)
    outstanding_at_end = serializers.DecimalField(**MONEY)


@extend_schema_serializer(many=False)  # one object, though answered by ``list``
class FinancingSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    assets = serializers.IntegerField()
    bought_out_assets = serializers.IntegerField()
    without_basis = serializers.IntegerField()
    capital_bound = serializers.DecimalField(**MONEY)
    total_income = serializers.DecimalField(**MONEY)
    total_depreciation = serializers.DecimalField(**MONEY)
    total_interest = serializers.DecimalField(**MONEY)
    total_costs = serializers.DecimalField(**MONEY)
    total_margin = serializers.DecimalField(**MONEY)
    breaks_even = serializers.BooleanField()
    years = FinancingYearSerializer(many=True)


class FinancingQuerySerializer(serializers.Serializer):
    # The API's date field: a date the projection can run from (not 9999-12-31).
    on = DateField(required=False)


class FinancingViewSet(viewsets.ViewSet):
    """The board's financing view of the owned fleet (restricted to what you may see)."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "on", OpenApiTypes.DATE, description="Figures as of the end of this month."
            )
        ],
        responses=FinancingSerializer,
    )
    def list(self, request):
        query = FinancingQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        on = query.validated_data.get("on") or datetime.date.today()
        view = fleet_financing(assets=restrict(Asset.objects.all(), request.user), on=on)
        return Response(FinancingSerializer(view).data)


def register(router) -> None:
    router.register("financing", FinancingViewSet, basename="financing")
