"""REST endpoints for the yearly price list: calculation (old vs new), publication, and the
indexation of service prices. The per-municipality effect covers only the municipalities
the user may see (``restrict``); publishing needs the finance or operator role."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from samdrift.catalogue.models import FINANCE_ROLES
from samdrift.core.api import DateField, ReadOnlySamdriftViewSet
from samdrift.core.permissions import restrict
from samdrift.leasing.models import PriceListPublication
from samdrift.leasing.pricing.indexation import calculate_indexation, publish_indexation
from samdrift.leasing.pricing.price_list import calculate_price_list, publish_price_list
from samdrift.organisations.models import Municipality

MONEY = {"max_digits": 16, "decimal_places": 2}
UNIT = {"max_digits": 16, "decimal_places": 4}


class PriceListRowSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    product = serializers.CharField()
    category = serializers.CharField()
    lease_model = serializers.CharField(allow_null=True)
    standard_cost = serializers.DecimalField(**MONEY)
    old_amount = serializers.DecimalField(**UNIT, allow_null=True)
    new_amount = serializers.DecimalField(**UNIT, allow_null=True)
    capital = serializers.DecimalField(**MONEY, allow_null=True)
    service_fee = serializers.DecimalField(**MONEY, allow_null=True)
    change = serializers.DecimalField(**UNIT, allow_null=True)
    change_percent = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    publishable = serializers.BooleanField()
    problem = serializers.CharField()


class MunicipalityEffectSerializer(serializers.Serializer):
    municipality_id = serializers.IntegerField()
    number = serializers.CharField()
    name = serializers.CharField()
    devices = serializers.IntegerField()
    unpriced_devices = serializers.IntegerField()
    old_monthly = serializers.DecimalField(**UNIT)
    new_monthly = serializers.DecimalField(**UNIT)
    change = serializers.DecimalField(**UNIT)
    change_percent = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)


class PriceListCalculationSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    valid_from = serializers.DateField()
    rows = PriceListRowSerializer(many=True)
    effects = MunicipalityEffectSerializer(many=True)
    total_old_monthly = serializers.DecimalField(**UNIT)
    total_new_monthly = serializers.DecimalField(**UNIT)
    total_change_percent = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True
    )


class IndexationRowSerializer(serializers.Serializer):
    service_id = serializers.IntegerField()
    service = serializers.CharField()
    code = serializers.CharField()
    unit = serializers.CharField()
    old_amount = serializers.DecimalField(**UNIT, allow_null=True)
    new_amount = serializers.DecimalField(**UNIT, allow_null=True)
    change = serializers.DecimalField(**UNIT, allow_null=True)
    change_percent = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    publishable = serializers.BooleanField()
    problem = serializers.CharField()


class IndexationCalculationSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    valid_from = serializers.DateField()
    old_index = serializers.DecimalField(max_digits=12, decimal_places=4)
    new_index = serializers.DecimalField(max_digits=12, decimal_places=4)
    rows = IndexationRowSerializer(many=True)


class PriceListRequestSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    valid_from = DateField(
        required=False, allow_null=True, help_text=_("Default: 1 January of the year.")
    )


class PublishRequestSerializer(PriceListRequestSerializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class IndexationRequestSerializer(PriceListRequestSerializer):
    old_index = serializers.DecimalField(max_digits=12, decimal_places=4)
    new_index = serializers.DecimalField(max_digits=12, decimal_places=4)


class IndexationPublishRequestSerializer(IndexationRequestSerializer):
    index_name = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class PriceListPublicationSerializer(serializers.ModelSerializer):
    # Null when published by the CLI or a user since deleted.
    published_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = PriceListPublication
        fields = [
            "id",
            "kind",
            "year",
            "valid_from",
            "index_name",
            "old_index",
            "new_index",
            "versions_created",
            "published_by",
            "note",
            "created",
        ]
        read_only_fields = fields


def _query(request, serializer_class):
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _body(request, serializer_class):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@extend_schema(parameters=[OpenApiParameter("kind", str), OpenApiParameter("year", int)])
class PriceListViewSet(ReadOnlySamdriftViewSet):
    """The yearly price list. Listed: past publications (what, from when, on which index
    values, by whom). Actions: the calculation (old vs new) and its publication as new
    price versions; the indexation of service prices and its publication."""

    queryset = PriceListPublication.objects.select_related("published_by")
    serializer_class = PriceListPublicationSerializer
    filterset_fields = ["kind", "year"]
    ordering_fields = ["valid_from", "created"]
    write_roles = FINANCE_ROLES

    @extend_schema(
        parameters=[PriceListRequestSerializer],
        responses=PriceListCalculationSerializer,
        filters=False,
        description="Every active product's price recomputed from its standard cost and its "
        "category's lease model, next to the price in force the day before; and what each "
        "municipality's current fleet would cost a month (the municipalities you may see).",
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def calculation(self, request):
        params = _query(request, PriceListRequestSerializer)
        calculation = calculate_price_list(
            year=params["year"],
            valid_from=params.get("valid_from"),
            municipalities=restrict(Municipality.objects.all(), request.user),
        )
        return Response(PriceListCalculationSerializer(calculation).data)

    @extend_schema(
        request=PublishRequestSerializer, responses={201: PriceListPublicationSerializer}
    )
    @action(detail=False, methods=["post"])
    def publish(self, request):
        """Publish the calculated product prices as new versions (changed prices only)."""
        params = _body(request, PublishRequestSerializer)
        publication = publish_price_list(
            year=params["year"],
            valid_from=params.get("valid_from"),
            note=params["note"],
        )
        return Response(
            PriceListPublicationSerializer(publication).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        parameters=[IndexationRequestSerializer],
        responses=IndexationCalculationSerializer,
        filters=False,
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def indexation(self, request):
        """Service prices moved by new_index / old_index (e.g. the municipal deflator)."""
        params = _query(request, IndexationRequestSerializer)
        calculation = calculate_indexation(
            year=params["year"],
            old_index=params["old_index"],
            new_index=params["new_index"],
            valid_from=params.get("valid_from"),
        )
        return Response(IndexationCalculationSerializer(calculation).data)

    @extend_schema(
        request=IndexationPublishRequestSerializer,
        responses={201: PriceListPublicationSerializer},
        filters=False,
    )
    @action(detail=False, methods=["post"], filter_backends=[])
    def index(self, request):
        """Publish the indexed service prices as new versions."""
        params = _body(request, IndexationPublishRequestSerializer)
        publication = publish_indexation(
            year=params["year"],
            old_index=params["old_index"],
            new_index=params["new_index"],
            valid_from=params.get("valid_from"),
            index_name=params["index_name"],
            note=params["note"],
        )
        return Response(
            PriceListPublicationSerializer(publication).data, status=status.HTTP_201_CREATED
        )


def register(router) -> None:
    router.register("price-list", PriceListViewSet, basename="price-list")
