"""Orders, their lines and audit trail, and the approvers' and operators' queues.

- ``/api/orders/``: list, read, create and change a draft (``services.create_order``,
  ``update_order``); the steps as POST actions on one order: ``submit``, ``approve``
  (budget owners), ``reject {reason}``, ``cancel {reason}``, ``accept`` (operators);
  ``GET /api/orders/approval-queue/`` (what the signed-in budget owner may approve now)
  and ``/api/orders/delivery-queue/`` (operators: accepted orders with lines left).
- ``/api/order-lines/``: add, change and remove a draft's lines; ``POST …/{id}/review/``
  (operators) prices a non-standard line.
- ``/api/order-transitions/``: read-only, the audit trail.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from samdrift.catalogue.models import Product, Service
from samdrift.core.api import (
    ChangeLogMixin,
    ReadOnlySamdriftViewSet,
    RestrictedQuerysetMixin,
    SamdriftModelSerializer,
    SamdriftViewSet,
)
from samdrift.core.choices import Role
from samdrift.core.drf import StandardPagination
from samdrift.ordering import services
from samdrift.ordering.models import Order, OrderLine, OrderTransition
from samdrift.ordering.selectors import approver_queue, operator_queue
from samdrift.ordering.services.orders import EDITABLE_LINE_FIELDS, EDITABLE_ORDER_FIELDS

TIMESTAMPS = ["created", "last_updated"]
BUDGET_OWNERS = (Role.MUNICIPALITY, Role.SERVICE_AREA)


class OrderLineSerializer(SamdriftModelSerializer):
    outstanding = serializers.IntegerField(read_only=True)

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "order",
            "kind",
            "product",
            "service",
            "bundle",
            "description",
            "justification",
            "quantity",
            "person",
            "monthly_price",
            "price_source",
            "one_off_fee",
            "delivered_quantity",
            "outstanding",
            "reviewed",
            "reviewed_at",
            "review_note",
            *TIMESTAMPS,
        ]
        read_only_fields = [
            "monthly_price",
            "price_source",
            "one_off_fee",
            "delivered_quantity",
            "reviewed",
            "reviewed_at",
            "review_note",
            *TIMESTAMPS,
        ]

    def validate(self, attrs):
        # The service checks a line against its order (draft, orderable, person …).
        return attrs

    def create(self, validated_data):
        return services.add_line(**validated_data)

    def update(self, instance, validated_data):
        if validated_data.get("order", instance.order) != instance.order:
            raise ValidationError({"order": [_("A line cannot move to another order.")]})
        if validated_data.get("kind", instance.kind) != instance.kind:
            raise ValidationError({"kind": [_("Remove the line and add one of the other kind.")]})
        changes = {
            name: value
            for name, value in validated_data.items()
            if name in EDITABLE_LINE_FIELDS and getattr(instance, name) != value
        }
        return services.update_line(line=instance, changes=changes)


class OrderSerializer(SamdriftModelSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "municipality",
            "service_area",
            "created_by",
            "needed_by",
            "delivery_location",
            "comment",
            "state",
            "submitted_at",
            "accepted_at",
            "monthly_total",
            "one_off_total",
            "lines",
            *TIMESTAMPS,
        ]
        read_only_fields = [
            "number",
            "created_by",
            "state",
            "submitted_at",
            "accepted_at",
            "monthly_total",
            "one_off_total",
            *TIMESTAMPS,
        ]

    def validate(self, attrs):
        # create_order / update_order check the municipality, area and location.
        return attrs

    def create(self, validated_data):
        return services.create_order(**validated_data)

    def update(self, instance, validated_data):
        if validated_data.get("municipality", instance.municipality) != instance.municipality:
            raise ValidationError(
                {"municipality": [_("An order stays with its municipality; start a new one.")]}
            )
        changes = {
            name: value
            for name, value in validated_data.items()
            if name in EDITABLE_ORDER_FIELDS and getattr(instance, name) != value
        }
        return services.update_order(order=instance, changes=changes)


class OrderTransitionSerializer(SamdriftModelSerializer):
    class Meta:
        model = OrderTransition
        fields = [
            "id",
            "order",
            "from_state",
            "to_state",
            "by",
            "actor",
            "at",
            "note",
            "approval_as",
        ]
        read_only_fields = fields


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why (shown to the orderer).")


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ReviewSerializer(serializers.Serializer):
    monthly_price = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0)
    one_off_fee = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.all(), required=False, allow_null=True
    )
    service = serializers.PrimaryKeyRelatedField(
        queryset=Service.objects.all(), required=False, allow_null=True
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


def _require_operator(request) -> None:
    if not request.user.is_operator:
        raise PermissionDenied(_("Only the operator may do this."))


def _body(serializer_class, request) -> dict:
    body = serializer_class(data=request.data, context={"request": request})
    body.is_valid(raise_exception=True)
    return body.validated_data


class OrderViewSet(SamdriftViewSet):
    """Orders of the municipalities (a manager: their area's). Nothing is deleted: a
    draft is cancelled."""

    queryset = Order.objects.select_related(
        "municipality", "service_area", "created_by"
    ).prefetch_related("lines")
    serializer_class = OrderSerializer
    filterset_fields = ["municipality", "service_area", "state", "created_by"]
    ordering_fields = ["number", "submitted_at", "accepted_at", "id"]

    def create(self, request, *args, **kwargs):
        user = request.user
        named = str(request.data.get("municipality", user.municipality_id))
        # Any other id (also one that does not exist) gets the same answer.
        if (
            not user.sees_all_municipalities
            and user.municipality_id is not None
            and named != str(user.municipality_id)
        ):
            raise PermissionDenied(_("You may only order for your own municipality."))
        return super().create(request, *args, **kwargs)

    @extend_schema(request=OrderLineSerializer, responses={201: OrderLineSerializer})
    @action(detail=True, methods=["post"], url_path="lines", url_name="lines")
    def add_line(self, request, pk=None):
        """Add a line to a draft order (``order`` is taken from the URL)."""
        order = self.get_object()
        body = OrderLineSerializer(
            data={**request.data.dict(), "order": order.pk}
            if hasattr(request.data, "dict")
            else {**request.data, "order": order.pk},
            context={"request": request},
        )
        body.is_valid(raise_exception=True)
        line = body.save()
        line = OrderLine.objects.get(pk=line.pk)
        return Response(OrderLineSerializer(line, context={"request": request}).data, status=201)

    def _respond(self, order):
        order = self.get_queryset().get(pk=order.pk)
        return Response(self.get_serializer(order).data)

    @extend_schema(request=NoteSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit a draft for approval (prices and totals are snapshotted)."""
        order = self.get_object()
        data = _body(NoteSerializer, request)
        return self._respond(services.submit_order(order=order, note=data.get("note", "")))

    @extend_schema(request=NoteSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve as the signed-in budget owner (municipality contact or area manager)."""
        if request.user.role not in BUDGET_OWNERS:
            raise PermissionDenied(_("Only a budget owner of the municipality may approve."))
        order = self.get_object()
        data = _body(NoteSerializer, request)
        return self._respond(services.approve_order(order=order, note=data.get("note", "")))

    @extend_schema(request=ReasonSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject, saying why (budget owners a submitted order, operators also an approved)."""
        order = self.get_object()
        data = _body(ReasonSerializer, request)
        return self._respond(services.reject_order(order=order, reason=data["reason"]))

    @extend_schema(request=CancelSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel (the creator, the municipality contact or an operator; not after delivery)."""
        order = self.get_object()
        data = _body(CancelSerializer, request)
        return self._respond(services.cancel_order(order=order, reason=data.get("reason", "")))

    @extend_schema(request=NoteSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept an approved order for delivery (operators)."""
        _require_operator(request)
        order = self.get_object()
        data = _body(NoteSerializer, request)
        return self._respond(services.accept_order(order=order, note=data.get("note", "")))

    @extend_schema(responses=OrderSerializer(many=True), filters=False)
    @action(
        detail=False,
        methods=["get"],
        url_path="approval-queue",
        filter_backends=[],
        pagination_class=StandardPagination,
    )
    def approval_queue(self, request):
        """Submitted orders the signed-in budget owner may approve now (empty for others)."""
        queryset = approver_queue(request.user).prefetch_related("lines")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(responses=OrderSerializer(many=True), filters=False)
    @action(
        detail=False,
        methods=["get"],
        url_path="delivery-queue",
        filter_backends=[],
        pagination_class=StandardPagination,
    )
    def delivery_queue(self, request):
        """Accepted and partly delivered orders, oldest acceptance first (operators)."""
        _require_operator(request)
        queryset = operator_queue(request.user).prefetch_related("lines")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class OrderLineViewSet(
    RestrictedQuerysetMixin,
    ChangeLogMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Lines of orders: changed and removed while the order is a draft (added with
    ``POST /api/orders/{id}/lines/``)."""

    queryset = OrderLine.objects.select_related("order")
    serializer_class = OrderLineSerializer
    filterset_fields = ["order", "kind", "product", "service", "bundle", "person"]
    ordering_fields = ["id"]

    def perform_destroy(self, instance):
        services.remove_line(line=instance)

    @extend_schema(request=ReviewSerializer, responses=OrderLineSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Price a non-standard line and name what it is delivered as (operators)."""
        _require_operator(request)
        line = self.get_object()
        data = _body(ReviewSerializer, request)
        line = services.review_line(line=line, **data)
        line = self.get_queryset().get(pk=line.pk)
        return Response(self.get_serializer(line).data)


class OrderTransitionViewSet(ReadOnlySamdriftViewSet):
    """The audit trail: every step of every order, with who, when and why."""

    queryset = OrderTransition.objects.select_related("order", "by")
    serializer_class = OrderTransitionSerializer
    filterset_fields = ["order", "to_state", "by"]
    ordering_fields = ["at", "id"]


def register(router) -> None:
    router.register("orders", OrderViewSet)
    router.register("order-lines", OrderLineViewSet)
    router.register("order-transitions", OrderTransitionViewSet)
