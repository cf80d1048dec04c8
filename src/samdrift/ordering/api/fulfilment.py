"""Deliveries, returns and the purchasing figures.

- ``/api/deliveries/``: read; ``POST`` (operators) delivers one device or a quantity of a
  service for a line: ``{line, on, asset | new_asset{serial, asset_tag, acquisition_cost},
  person, quantity, part}`` (``services.deliver_line``).
- ``/api/returns/``: read; ``POST`` (operators) ``{municipality, person, on, items[{asset,
  disposition, wipe_certificate}], reason}`` (``services.return_assets``).
- ``/api/purchasing/``: read-only figures for purchasing, from the selectors:
  ``non-standard-share/``, ``pending/``, ``lead-times/``, ``stock/``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from samdrift.core.api import DateField, ReadOnlySamdriftViewSet, SamdriftModelSerializer
from samdrift.inventory.models import Asset
from samdrift.ordering import selectors, services
from samdrift.ordering.choices import ReturnDisposition
from samdrift.ordering.models import Delivery, Return, ReturnLine
from samdrift.organisations.models import Person

TIMESTAMPS = ["created", "last_updated"]


def _require_operator(request) -> None:
    if not request.user.is_operator:
        raise PermissionDenied(_("Only the operator may do this."))


class NewAssetSerializer(serializers.Serializer):
    serial = serializers.CharField(max_length=100)
    asset_tag = serializers.CharField(max_length=50)
    acquisition_cost = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )


class DeliverySerializer(SamdriftModelSerializer):
    """A delivery as stored; on create, the request of ``deliver_line``."""

    new_asset = NewAssetSerializer(
        write_only=True, required=False, help_text="Register a new device and deliver it."
    )
    on = DateField(write_only=True, help_text="The delivery date (charged from this day).")
    person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), write_only=True, required=False, allow_null=True
    )

    class Meta:
        model = Delivery
        fields = [
            "id",
            "line",
            "part",
            "asset",
            "new_asset",
            "person",
            "subscription",
            "quantity",
            "on",
            "delivered_on",
            "by",
            "returned_on",
            *TIMESTAMPS,
        ]
        read_only_fields = ["subscription", "delivered_on", "by", "returned_on", *TIMESTAMPS]
        extra_kwargs = {
            "quantity": {"required": False, "allow_null": True},
            "asset": {"required": False, "allow_null": True},
            "part": {"required": False, "allow_null": True},
        }

    def get_fields(self):
        fields = super().get_fields()
        # Any in-stock asset (not held by anyone) may be delivered; restrict would hide it
        # from nobody who may deliver (operators), but name the set explicitly.
        fields["asset"].queryset = Asset.objects.all()
        fields["line"].queryset = fields["line"].queryset.select_related("order")
        return fields

    def validate(self, attrs):
        # deliver_line checks the line, asset, person and quantity together.
        return attrs

    def create(self, validated_data):
        new_asset = validated_data.get("new_asset")
        if new_asset is not None:
            new_asset = {
                "serial": new_asset["serial"],
                "tag": new_asset["asset_tag"],
                "acquisition_cost": new_asset.get("acquisition_cost"),
            }
        return services.deliver_line(
            line=validated_data["line"],
            on=validated_data["on"],
            asset=validated_data.get("asset"),
            new_asset=new_asset,
            person=validated_data.get("person"),
            part=validated_data.get("part"),
            quantity=validated_data.get("quantity"),
        )


class ReturnLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReturnLine
        fields = ["id", "asset", "subscription", "disposition", "wipe_certificate"]
        read_only_fields = fields


class ReturnItemSerializer(serializers.Serializer):
    asset = serializers.PrimaryKeyRelatedField(queryset=Asset.objects.all())
    disposition = serializers.ChoiceField(
        choices=ReturnDisposition.choices, default=ReturnDisposition.STOCK
    )
    wipe_certificate = serializers.CharField(max_length=100, required=False, allow_blank=True)


class ReturnSerializer(SamdriftModelSerializer):
    on = DateField(write_only=True, help_text="The return date: the first day not held.")
    items = ReturnItemSerializer(many=True, write_only=True)
    lines = ReturnLineSerializer(many=True, read_only=True)
    end_subscriptions = serializers.BooleanField(write_only=True, default=True)

    class Meta:
        model = Return
        fields = [
            "id",
            "municipality",
            "service_area",
            "person",
            "on",
            "return_on",
            "reason",
            "items",
            "end_subscriptions",
            "lines",
            "by",
            *TIMESTAMPS,
        ]
        read_only_fields = ["service_area", "return_on", "by", *TIMESTAMPS]

    def get_fields(self):
        fields = super().get_fields()
        # The asset's holder is checked by return_assets (named on ``asset``).
        fields["items"].child.fields["asset"].queryset = Asset.objects.all()
        return fields

    def validate(self, attrs):
        if not attrs.get("items"):
            raise serializers.ValidationError({"items": [_("Name at least one asset.")]})
        return attrs

    def create(self, validated_data):
        return services.return_assets(
            municipality=validated_data["municipality"],
            on=validated_data["on"],
            items=[
                services.ReturnItem(
                    asset=item["asset"],
                    disposition=item["disposition"],
                    wipe_certificate=item.get("wipe_certificate", ""),
                )
                for item in validated_data["items"]
            ],
            person=validated_data.get("person"),
            reason=validated_data.get("reason", ""),
            end_subscriptions=validated_data.get("end_subscriptions", True),
        )


class DeliveryViewSet(mixins.CreateModelMixin, ReadOnlySamdriftViewSet):
    """What was handed over for each line; POST delivers (operators)."""

    queryset = Delivery.objects.select_related("line", "asset", "subscription")
    serializer_class = DeliverySerializer
    filterset_fields = ["line", "asset", "delivered_on"]
    ordering_fields = ["delivered_on", "id"]
    write_roles = frozenset()  # operators only


class ReturnViewSet(mixins.CreateModelMixin, ReadOnlySamdriftViewSet):
    """Returns of equipment; POST records one (operators)."""

    queryset = Return.objects.select_related("municipality", "person").prefetch_related("lines")
    serializer_class = ReturnSerializer
    filterset_fields = ["municipality", "service_area", "person", "return_on"]
    ordering_fields = ["return_on", "id"]
    write_roles = frozenset()


class NonStandardShareSerializer(serializers.Serializer):
    municipality = serializers.IntegerField(source="municipality_id")
    year = serializers.IntegerField()
    quarter = serializers.IntegerField()
    lines = serializers.IntegerField()
    non_standard = serializers.IntegerField()
    share = serializers.DecimalField(max_digits=7, decimal_places=4)


class PendingSerializer(serializers.Serializer):
    product = serializers.IntegerField()
    units = serializers.IntegerField()


class LeadTimeSerializer(serializers.Serializer):
    product = serializers.IntegerField(source="product_id")
    deliveries = serializers.IntegerField()
    median_days = serializers.DecimalField(max_digits=8, decimal_places=1)
    p90_days = serializers.IntegerField()


class StockLevelSerializer(serializers.Serializer):
    product = serializers.IntegerField(source="product_id")
    in_stock = serializers.IntegerField()
    pending = serializers.IntegerField()
    shortfall = serializers.IntegerField()


class PurchasingSummarySerializer(serializers.Serializer):
    pending_units = serializers.IntegerField()
    products_short = serializers.IntegerField()


class PurchasingViewSet(viewsets.ViewSet):
    """Figures for the joint purchase, over the orders the user may see."""

    serializer_class = PurchasingSummarySerializer

    # An object, not a list: drf-spectacular makes every ``list`` an array unless told
    # a basic type (the fields: PurchasingSummarySerializer).
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def list(self, request):
        """Units pending on open orders and how many products are short of stock."""
        pending = selectors.pending_quantities(request.user)
        short = [s for s in selectors.stock_against_open_orders(request.user) if s.shortfall]
        return Response({"pending_units": sum(pending.values()), "products_short": len(short)})

    @extend_schema(responses=NonStandardShareSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="non-standard-share")
    def non_standard_share(self, request):
        """Share of non-standard lines per municipality and quarter of submission."""
        rows = selectors.non_standard_share(request.user)
        return Response(NonStandardShareSerializer(rows, many=True).data)

    @extend_schema(responses=PendingSerializer(many=True))
    @action(detail=False, methods=["get"])
    def pending(self, request):
        """Units per product ordered but not delivered (approved … partly delivered)."""
        rows = selectors.pending_quantities(request.user)
        data = [{"product": pk, "units": n} for pk, n in sorted(rows.items())]
        return Response(PendingSerializer(data, many=True).data)

    @extend_schema(responses=LeadTimeSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="lead-times")
    def lead_times(self, request):
        """Days from acceptance to delivery per product: median and 90th percentile."""
        rows = selectors.lead_times(request.user)
        return Response(LeadTimeSerializer(rows, many=True).data)

    @extend_schema(responses=StockLevelSerializer(many=True))
    @action(detail=False, methods=["get"])
    def stock(self, request):
        """Per product: in stock, pending on open orders, and the shortfall."""
        rows = selectors.stock_against_open_orders(request.user)
        return Response(StockLevelSerializer(rows, many=True).data)


def register(router) -> None:
    router.register("deliveries", DeliveryViewSet)
    router.register("returns", ReturnViewSet)
    router.register("purchasing", PurchasingViewSet, basename="purchasing")
