"""REST endpoints for buyouts, their items, per-asset prices, amounts owed to
municipalities, and the board's financing view.

Every queryset starts from ``restrict``: a municipality's users read their own buyouts and
nothing else. Writes need the finance or operator role and go through
``leasing.buyouts``; a change to an agreed buyout is a 400 that gives the reason.
"""

from __future__ import annotations

import django_filters
from django.db.models import Count, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from samdrift.core.api import (
    ReadOnlySamdriftViewSet,
    SamdriftViewSet,
)
from samdrift.core.dating import active_on
from samdrift.core.exports import XLSX_CONTENT_TYPE
from samdrift.core.filtersets import SamdriftFilterSet, ScopedModelChoiceFilter
from samdrift.core.permissions import restrict
from samdrift.inventory.models import Asset
from samdrift.leasing.api.buyout_serializers import (
    AddAssetsRequestSerializer,
    AgreeRequestSerializer,
    AmountOwedSerializer,
    AssetPriceSerializer,
    BuyoutItemSerializer,
    BuyoutSerializer,
    CompleteRequestSerializer,
    RegisterRequestSerializer,
    ValuationSerializer,
)
from samdrift.leasing.buyouts.agreeing import agree_buyout
from samdrift.leasing.buyouts.completion import complete_buyout
from samdrift.leasing.buyouts.drafting import (
    add_assets,
    delete_buyout,
    register_equipment,
    remove_item,
)
from samdrift.leasing.buyouts.valuation import buyout_valuation
from samdrift.leasing.buyouts.valuation_xlsx import valuation_file, xlsx_file_response
from samdrift.leasing.choices import BuyoutStatus
from samdrift.leasing.models import AmountOwed, AssetPrice, Buyout, BuyoutItem, SignedValuation
from samdrift.organisations.models import Municipality

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


def _created_items(request, items) -> Response:
    """The items just added to a buyout, as the answer of a 201."""
    data = BuyoutItemSerializer(
        BuyoutItem.objects.filter(pk__in=[i.pk for i in items]).select_related("asset"),
        many=True,
        context={"request": request},
    ).data
    return Response(data, status=status.HTTP_201_CREATED)


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
        delete_buyout(buyout=instance)

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
        items = register_equipment(buyout=buyout, rows=serializer.validated_data["rows"])
        return _created_items(request, items)

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
        items = add_assets(buyout=buyout, assets=assets)
        return _created_items(request, items)

    @extend_schema(request=AgreeRequestSerializer, responses=BuyoutSerializer)
    @action(detail=True, methods=["post"])
    def agree(self, request, pk=None):
        """Agree the valuation: it is frozen and the signed-off XLSX is kept unchangeable."""
        buyout = self.get_object()
        serializer = AgreeRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agree_buyout(buyout=buyout, agreed_on=serializer.validated_data["agreed_on"])
        return Response(self.get_serializer(self.get_queryset().get(pk=buyout.pk)).data)

    @extend_schema(request=CompleteRequestSerializer, responses=BuyoutSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Take the assets over: owned by the collaboration, priced from their buyout value,
        and the agreed sum owed to the municipality (billing credits it)."""
        buyout = self.get_object()
        serializer = CompleteRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        complete_buyout(
            buyout=buyout,
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
        remove_item(item=instance)


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


def register(router) -> None:
    router.register("buyouts", BuyoutViewSet)
    router.register("buyout-items", BuyoutItemViewSet)
    router.register("asset-prices", AssetPriceViewSet)
    router.register("amounts-owed", AmountOwedViewSet)
