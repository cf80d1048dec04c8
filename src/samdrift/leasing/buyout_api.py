"""REST endpoints for buyouts, their items, per-asset prices, amounts owed to
municipalities, and the board's financing view.

Every queryset starts from ``restrict``: a municipality's users read their own buyouts and
nothing else. Writes need the finance or operator role and go through
``leasing.buyouts``; a change to an agreed buyout is a 400 that gives the reason.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

import django_filters
from django.db.models import Count, OuterRef, Subquery
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from samdrift.catalogue.models import Product
from samdrift.core.api import (
    DateField,
    ReadOnlySamdriftViewSet,
    SamdriftModelSerializer,
    SamdriftViewSet,
    ScopedRelatedFieldsMixin,
)
from samdrift.core.dating import active_on
from samdrift.core.exports import XLSX_CONTENT_TYPE
from samdrift.core.filtersets import SamdriftFilterSet, ScopedModelChoiceFilter
from samdrift.core.permissions import restrict
from samdrift.core.validators import MAX_ID
from samdrift.inventory.models import Asset
from samdrift.leasing import buyouts as buyout_services
from samdrift.leasing.buyout_selectors import buyout_valuation
from samdrift.leasing.buyout_xlsx import valuation_workbook
from samdrift.leasing.choices import BuyoutStatus
from samdrift.leasing.financing import fleet_financing
from samdrift.leasing.models import AmountOwed, AssetPrice, Buyout, BuyoutItem, SignedValuation
from samdrift.organisations.models import Municipality, ServiceArea

MONEY = {"max_digits": 16, "decimal_places": 2}


# --- Filters ------------------------------------------------------------------------------


class BuyoutFilterSet(SamdriftFilterSet):
    search_fields = ("name", "municipality__name", "note")
    municipality = ScopedModelChoiceFilter(model=Municipality)
    status = django_filters.ChoiceFilter(choices=BuyoutStatus.choices)

    class Meta:
        model = Buyout
        fields = ["municipality", "status"]


class BuyoutItemFilterSet(SamdriftFilterSet):
    search_fields = ("asset__asset_tag", "asset__serial_number", "life_override_reason")
    buyout = ScopedModelChoiceFilter(model=Buyout)

    class Meta:
        model = BuyoutItem
        fields = ["buyout"]


class AssetPriceFilterSet(SamdriftFilterSet):
    asset = ScopedModelChoiceFilter(model=Asset)
    in_force_on = django_filters.DateFilter(method="filter_in_force_on", label="In force on")

    buyout_item = ScopedModelChoiceFilter(model=BuyoutItem)

    class Meta:
        model = AssetPrice
        fields = ["asset", "buyout_item"]

    def filter_in_force_on(self, queryset, name, value):
        return queryset.filter(active_on(value))


class AmountOwedFilterSet(SamdriftFilterSet):
    municipality = ScopedModelChoiceFilter(model=Municipality)
    buyout = ScopedModelChoiceFilter(model=Buyout)
    settled = django_filters.BooleanFilter(
        field_name="settled_reference", lookup_expr="isnull", exclude=True, label="Settled"
    )

    class Meta:
        model = AmountOwed
        fields = ["municipality", "due_month", "buyout"]


# --- Serializers --------------------------------------------------------------------------


class BuyoutSerializer(SamdriftModelSerializer):
    status = serializers.CharField(read_only=True)
    # Null until the buyout is agreed / completed.
    agreed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    completed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    item_count = serializers.IntegerField(read_only=True)
    signed_sha256 = serializers.SerializerMethodField()

    class Meta:
        model = Buyout
        fields = [
            "id",
            "municipality",
            "name",
            "valuation_date",
            "note",
            "status",
            "item_count",
            "agreed_on",
            "agreed_by",
            "agreed_total",
            "signed_sha256",
            "completed_on",
            "completed_by",
            "created",
            "last_updated",
        ]
        read_only_fields = [
            "agreed_on",
            "agreed_total",
            "completed_on",
            "created",
            "last_updated",
        ]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["municipality"].read_only = True
        return fields

    def get_signed_sha256(self, obj) -> str | None:
        return getattr(obj, "signed_valuation_sha256", None)

    def validate(self, attrs):
        if self.instance is not None:
            return attrs  # update_buyout checks the state and the dates
        return super().validate(attrs)

    def create(self, validated_data):
        return buyout_services.create_buyout(**validated_data)

    def update(self, instance, validated_data):
        return buyout_services.update_buyout(buyout=instance, changes=validated_data)


class BuyoutItemSerializer(SamdriftModelSerializer):
    asset_tag = serializers.CharField(source="asset.asset_tag", read_only=True)

    class Meta:
        model = BuyoutItem
        fields = [
            "id",
            "buyout",
            "asset",
            "asset_tag",
            "acquisition_date",
            "acquisition_cost",
            "residual_value",
            "useful_life_months",
            "life_override_reason",
            "age_months",
            "book_value",
            "created",
            "last_updated",
        ]
        read_only_fields = [
            "buyout",
            "asset",
            "age_months",
            "book_value",
            "created",
            "last_updated",
        ]

    def validate(self, attrs):
        return attrs  # update_item validates against the buyout's state and dates

    def update(self, instance, validated_data):
        return buyout_services.update_item(item=instance, changes=validated_data)


def _as_pk(value) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class PrefetchedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A ``PrimaryKeyRelatedField`` that, once ``prefetch`` has read every id named in a
    request in one query, looks each row's id up there instead of a query per row. The
    same queryset (restricted to what the user may see) and the same messages."""

    prefetched: dict | None = None

    def prefetch(self, values) -> None:
        ids = {pk for pk in map(_as_pk, values) if pk is not None}
        self.prefetched = self.get_queryset().in_bulk(ids)

    def to_internal_value(self, data):
        if self.prefetched is None:
            return super().to_internal_value(data)
        pk = _as_pk(data)  # as the ORM reads a pk: int(data)
        if pk is None:
            self.fail("incorrect_type", data_type=type(data).__name__)
        found = self.prefetched.get(pk)
        if found is None:
            self.fail("does_not_exist", pk_value=data)
        return found


class EquipmentRowSerializer(ScopedRelatedFieldsMixin, serializers.Serializer):
    """One piece of existing equipment to register for a buyout."""

    product = PrefetchedPrimaryKeyField(queryset=Product.objects.all())
    asset_tag = serializers.CharField(max_length=50)
    serial_number = serializers.CharField(max_length=100, required=False, allow_blank=True)
    model_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    service_area = PrefetchedPrimaryKeyField(
        queryset=ServiceArea.objects.all(), required=False, allow_null=True
    )
    acquisition_date = DateField()
    acquisition_cost = serializers.DecimalField(**MONEY)
    residual_value = serializers.DecimalField(**MONEY, required=False)
    useful_life_months = serializers.IntegerField(required=False, allow_null=True)
    life_override_reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class RegisterRequestSerializer(serializers.Serializer):
    rows = EquipmentRowSerializer(many=True, allow_empty=False)

    def to_internal_value(self, data):
        # The products and service areas of all rows in one query each, not one per row.
        rows = data.get("rows") if isinstance(data, Mapping) else None
        if isinstance(rows, list):
            child = self.fields["rows"].child
            for name in ("product", "service_area"):
                child.fields[name].prefetch(
                    row.get(name) for row in rows if isinstance(row, Mapping)
                )
        return super().to_internal_value(data)


class AddAssetsRequestSerializer(serializers.Serializer):
    assets = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), allow_empty=False
    )


class AgreeRequestSerializer(serializers.Serializer):
    agreed_on = DateField(default=datetime.date.today, help_text=_("Default today."))


class CompleteRequestSerializer(serializers.Serializer):
    completed_on = DateField(
        default=datetime.date.today,
        help_text=_("The takeover: assets are priced and the buyout sum owed from this day."),
    )


class ValuationLineSerializer(serializers.Serializer):
    item_id = serializers.IntegerField()
    asset_id = serializers.IntegerField()
    asset_tag = serializers.CharField()
    serial_number = serializers.CharField()
    product = serializers.CharField()
    category = serializers.CharField()
    acquisition_date = serializers.DateField()
    acquisition_cost = serializers.DecimalField(**MONEY)
    residual_value = serializers.DecimalField(**MONEY)
    useful_life_months = serializers.IntegerField()
    default_life_months = serializers.IntegerField()
    life_overridden = serializers.BooleanField()
    life_override_reason = serializers.CharField()
    age_months = serializers.IntegerField(allow_null=True)
    remaining_months = serializers.IntegerField(allow_null=True)
    book_value = serializers.DecimalField(**MONEY, allow_null=True)
    problem = serializers.CharField()


class ValuationSerializer(serializers.Serializer):
    buyout = serializers.IntegerField(source="buyout.pk")
    status = serializers.CharField(source="buyout.status")
    valuation_date = serializers.DateField()
    frozen = serializers.BooleanField()
    total = serializers.DecimalField(**MONEY)
    total_cost = serializers.DecimalField(**MONEY)
    lines = ValuationLineSerializer(many=True)


class AssetPriceSerializer(serializers.ModelSerializer):
    class Meta:
        model = AssetPrice
        fields = [
            "id",
            "asset",
            "valid_from",
            "valid_to",
            "amount",
            "capital_part",
            "service_fee",
            "financed_value",
            "residual_value",
            "term_months",
            "annual_rate",
            "buyout_item",
            "note",
        ]
        read_only_fields = fields


class AmountOwedSerializer(serializers.ModelSerializer):
    class Meta:
        model = AmountOwed
        fields = [
            "id",
            "municipality",
            "amount",
            "due_month",
            "description",
            "buyout",
            "settled_reference",
            "settled_on",
            "created",
        ]
        read_only_fields = fields


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


# --- Views --------------------------------------------------------------------------------


def xlsx_file_response(content: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


def valuation_file(buyout: Buyout) -> tuple[bytes, str]:
    """The signed-off copy once agreed (byte for byte), else a fresh working copy."""
    signed = SignedValuation.objects.filter(buyout=buyout).first()
    if signed is not None:
        return bytes(signed.content), signed.file_name
    content = valuation_workbook(buyout_valuation(buyout=buyout))
    return content, f"buyout-{buyout.pk}-{buyout.municipality.number}-draft.xlsx"


class BuyoutViewSet(mixins.DestroyModelMixin, SamdriftViewSet):
    """Buyouts of municipalities' existing equipment: draft → agreed → completed."""

    queryset = (
        Buyout.objects.select_related("municipality", "agreed_by", "completed_by")
        .annotate(item_count=Count("items"))
        .order_by("-valuation_date", "-id")
    )
    serializer_class = BuyoutSerializer
    filterset_class = BuyoutFilterSet
    ordering_fields = ["valuation_date", "name", "status"]

    def get_queryset(self):
        signed = SignedValuation.objects.filter(buyout=OuterRef("pk")).values("sha256")[:1]
        return super().get_queryset().annotate(signed_valuation_sha256=Subquery(signed))

    def perform_create(self, serializer):
        super().perform_create(serializer)
        self._reread(serializer)

    def perform_update(self, serializer):
        super().perform_update(serializer)
        self._reread(serializer)

    def _reread(self, serializer):
        # The answer carries the list's annotations (item count, signed hash), which the
        # saved instance lacks: read it back through the viewset's queryset.
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_destroy(self, instance):
        buyout_services.delete_buyout(buyout=instance)

    @extend_schema(responses=ValuationSerializer, filters=False)
    @action(detail=True, methods=["get"], filter_backends=[])
    def valuation(self, request, pk=None):
        """Book value per asset and the total (frozen once agreed)."""
        buyout = self.get_object()
        return Response(ValuationSerializer(buyout_valuation(buyout=buyout)).data)

    @extend_schema(
        responses={(200, XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY)},
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path="valuation-xlsx", filter_backends=[])
    def valuation_xlsx(self, request, pk=None):
        """The valuation as XLSX: the signed-off copy (unchanged) once agreed."""
        buyout = self.get_object()
        content, file_name = valuation_file(buyout)
        return xlsx_file_response(content, file_name)

    @extend_schema(
        request=RegisterRequestSerializer, responses={201: BuyoutItemSerializer(many=True)}
    )
    @action(detail=True, methods=["post"], url_path="register")
    def register_equipment(self, request, pk=None):
        """Register existing equipment (new assets owned by the municipality) and add it.
        All rows or none; errors name the row and the field."""
        buyout = self.get_object()
        serializer = RegisterRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        items = buyout_services.register_equipment(
            buyout=buyout, rows=serializer.validated_data["rows"]
        )
        data = BuyoutItemSerializer(
            BuyoutItem.objects.filter(pk__in=[i.pk for i in items]).select_related("asset"),
            many=True,
            context={"request": request},
        ).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=AddAssetsRequestSerializer, responses={201: BuyoutItemSerializer(many=True)}
    )
    @action(detail=True, methods=["post"], url_path="add-assets")
    def add_assets(self, request, pk=None):
        """Add assets already in the register (owned by and held by the municipality)."""
        buyout = self.get_object()
        serializer = AddAssetsRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = serializer.validated_data["assets"]
        visible = {a.pk: a for a in restrict(Asset.objects.filter(pk__in=ids), request.user)}
        hidden = [
            _("Row %(row)s: No asset with id %(id)s.") % {"row": n, "id": i}
            for n, i in enumerate(ids, start=1)
            if i not in visible
        ]
        if hidden:
            # An asset the user may not see is reported like one that does not exist.
            raise serializers.ValidationError({"assets": hidden})
        assets = [visible[i] for i in ids]
        items = buyout_services.add_assets(buyout=buyout, assets=assets)
        data = BuyoutItemSerializer(
            BuyoutItem.objects.filter(pk__in=[i.pk for i in items]).select_related("asset"),
            many=True,
            context={"request": request},
        ).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AgreeRequestSerializer, responses=BuyoutSerializer)
    @action(detail=True, methods=["post"])
    def agree(self, request, pk=None):
        """Agree the valuation: it is frozen and the signed-off XLSX is kept unchangeable."""
        buyout = self.get_object()
        serializer = AgreeRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        buyout_services.agree_buyout(
            buyout=buyout, agreed_by=request.user, agreed_on=serializer.validated_data["agreed_on"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=buyout.pk)).data)

    @extend_schema(request=CompleteRequestSerializer, responses=BuyoutSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Take the assets over: owned by the collaboration, priced from their buyout value,
        and the agreed sum owed to the municipality (billing credits it)."""
        buyout = self.get_object()
        serializer = CompleteRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        buyout_services.complete_buyout(
            buyout=buyout,
            completed_by=request.user,
            completed_on=serializer.validated_data["completed_on"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=buyout.pk)).data)


class BuyoutItemViewSet(mixins.UpdateModelMixin, mixins.DestroyModelMixin, ReadOnlySamdriftViewSet):
    """The assets of buyouts with their valuation basis; changed only while a draft."""

    queryset = BuyoutItem.objects.select_related("asset").order_by("buyout_id", "asset__asset_tag")
    serializer_class = BuyoutItemSerializer
    filterset_class = BuyoutItemFilterSet
    ordering_fields = ["acquisition_date", "acquisition_cost", "book_value"]

    def perform_destroy(self, instance):
        buyout_services.remove_item(item=instance)


class AssetPriceViewSet(ReadOnlySamdriftViewSet):
    """Per-asset monthly prices (bought-out assets), effective-dated; billing charges these
    instead of the product's list price for the days they cover."""

    queryset = AssetPrice.objects.all()
    serializer_class = AssetPriceSerializer
    filterset_class = AssetPriceFilterSet
    ordering_fields = ["valid_from", "amount"]


class AmountOwedViewSet(ReadOnlySamdriftViewSet):
    """Amounts the collaboration owes municipalities (buyout sums); billing credits them."""

    queryset = AmountOwed.objects.all()
    serializer_class = AmountOwedSerializer
    filterset_class = AmountOwedFilterSet
    ordering_fields = ["due_month", "amount"]


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
    router.register("buyouts", BuyoutViewSet)
    router.register("buyout-items", BuyoutItemViewSet)
    router.register("asset-prices", AssetPriceViewSet)
    router.register("amounts-owed", AmountOwedViewSet)
    router.register("financing", FinancingViewSet, basename="financing")
