"""REST endpoints for assets, their assignments and subscriptions.

Assignments and subscriptions are history: they are created through the services that
keep the history consistent, and never edited in place.
"""

import datetime

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from samdrift.core.api import (
    DateField,
    ReadOnlySamdriftViewSet,
    SamdriftModelSerializer,
    SamdriftViewSet,
)
from samdrift.core.permissions import restrict
from samdrift.inventory.choices import AssetStatus
from samdrift.inventory.filtersets import (
    AssetFilterSet,
    AssignmentFilterSet,
    SubscriptionFilterSet,
    UsageRecordFilterSet,
)
from samdrift.inventory.models import Asset, Assignment, Subscription, UsageRecord
from samdrift.inventory.services import (
    assign_asset,
    change_asset_status,
    correct_assignment,
    create_asset,
    end_assignment,
    end_subscription,
    record_usage,
    subscribe,
    update_asset,
    update_usage,
)


class AssetSerializer(SamdriftModelSerializer):
    # Every status can be read; only ordered or in stock can be given on creation (the
    # schema must list them all, or a deployed asset would not match its own schema).
    status = serializers.ChoiceField(
        choices=AssetStatus.choices,
        default=AssetStatus.IN_STOCK,
        help_text="On creation only: ordered or in stock. Later: POST …/status/.",
    )

    class Meta:
        model = Asset
        fields = [
            "id",
            "asset_tag",
            "serial_number",
            "name",
            "product",
            "model_name",
            "status",
            "origin",
            "acquisition_date",
            "acquisition_cost",
            "lessor",
            "lease_start",
            "lease_end",
            "planned_replacement",
            "warranty_end",
            "notes",
            "municipality",
            "service_area",
            "person",
            "location",
            "created",
            "last_updated",
        ]
        read_only_fields = [
            "municipality",
            "service_area",
            "person",
            "location",
            "created",
            "last_updated",
        ]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["status"].read_only = True
        return fields

    def validate_status(self, value):
        if value not in (AssetStatus.ORDERED, AssetStatus.IN_STOCK):
            raise serializers.ValidationError(
                _("A new asset is ordered or in stock; change its status later.")
            )
        return value

    def create(self, validated_data):
        return create_asset(**validated_data)

    def update(self, instance, validated_data):
        return update_asset(asset=instance, changes=validated_data)


class AssignmentSerializer(SamdriftModelSerializer):
    class Meta:
        model = Assignment
        fields = [
            "id",
            "asset",
            "municipality",
            "service_area",
            "person",
            "location",
            "valid_from",
            "valid_to",
            "note",
            "created",
            "last_updated",
        ]
        read_only_fields = ["created", "last_updated"]

    def validate(self, attrs):
        return attrs  # assign_asset validates against the asset's whole history

    def create(self, validated_data):
        return assign_asset(**validated_data)


class AssignRequestSerializer(AssignmentSerializer):
    class Meta(AssignmentSerializer.Meta):
        fields = [
            "municipality",
            "service_area",
            "person",
            "location",
            "valid_from",
            "valid_to",
            "note",
        ]


class DateRequestSerializer(serializers.Serializer):
    on = DateField(
        default=datetime.date.today, help_text="First day of the new state (default today)."
    )


class StatusRequestSerializer(DateRequestSerializer):
    status = serializers.ChoiceField(choices=AssetStatus.choices)


class CorrectionRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=300, help_text="Why: kept in the change log with the correction."
    )
    void = serializers.BooleanField(
        default=False, help_text="The assignment never happened: remove it."
    )
    valid_from = DateField(required=False, help_text="The corrected start.")
    valid_to = DateField(
        required=False,
        allow_null=True,
        help_text="The corrected end (first day no longer held); null: still held. "
        "Left out: unchanged.",
    )


class AssignmentChangeSerializer(serializers.Serializer):
    """One assignment a correction changed: its period before and after (voided: null)."""

    assignment = serializers.IntegerField()
    before_valid_from = serializers.DateField()
    before_valid_to = serializers.DateField(allow_null=True)
    voided = serializers.BooleanField()
    after_valid_from = serializers.DateField(allow_null=True)
    after_valid_to = serializers.DateField(allow_null=True)

    def to_representation(self, instance):
        after = instance.after or (None, None)
        return super().to_representation(
            {
                "assignment": instance.assignment_id,
                "before_valid_from": instance.before[0],
                "before_valid_to": instance.before[1],
                "voided": instance.after is None,
                "after_valid_from": after[0],
                "after_valid_to": after[1],
            }
        )


class CorrectionSerializer(serializers.Serializer):
    reason = serializers.CharField()
    void = serializers.BooleanField()
    changes = AssignmentChangeSerializer(many=True)


class SubscriptionSerializer(SamdriftModelSerializer):
    class Meta:
        model = Subscription
        fields = [
            "id",
            "service",
            "municipality",
            "service_area",
            "person",
            "location",
            "asset",
            "quantity",
            "valid_from",
            "valid_to",
            "note",
            "created",
            "last_updated",
        ]
        read_only_fields = ["created", "last_updated"]

    def validate(self, attrs):
        return attrs  # subscribe validates, naming the field

    def create(self, validated_data):
        return subscribe(**validated_data)


class UsageRecordSerializer(SamdriftModelSerializer):
    class Meta:
        model = UsageRecord
        fields = [
            "id",
            "service",
            "municipality",
            "service_area",
            "person",
            "location",
            "asset",
            "month",
            "quantity",
            "reference",
            "note",
            "created",
            "last_updated",
        ]
        read_only_fields = ["created", "last_updated"]

    def create(self, validated_data):
        return record_usage(**validated_data)

    def update(self, instance, validated_data):
        return update_usage(record=instance, changes=validated_data)


class AssetViewSet(SamdriftViewSet):
    queryset = Asset.objects.select_related("product")
    serializer_class = AssetSerializer
    filterset_class = AssetFilterSet
    ordering_fields = [
        "asset_tag",
        "serial_number",
        "acquisition_date",
        "planned_replacement",
        "warranty_end",
        "status",
    ]

    @extend_schema(request=AssignRequestSerializer, responses={201: AssignmentSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Hand the asset to a municipality/service area/person from a date; the open
        assignment is closed that day."""
        asset = self.get_object()
        serializer = AssignRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        assignment = assign_asset(asset=asset, **serializer.validated_data)
        return Response(
            AssignmentSerializer(assignment, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=DateRequestSerializer, responses={200: AssetSerializer})
    @action(detail=True, methods=["post"])
    def unassign(self, request, pk=None):
        """Take the asset back in stock from a date."""
        asset = self.get_object()
        serializer = DateRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        end_assignment(asset=asset, on=serializer.validated_data["on"])
        asset.refresh_from_db()
        return Response(AssetSerializer(asset, context={"request": request}).data)

    @extend_schema(request=StatusRequestSerializer, responses={200: AssetSerializer})
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        """Move the asset along its lifecycle (ordered → in stock → deployed → … → disposed)."""
        asset = self.get_object()
        serializer = StatusRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        asset = change_asset_status(asset=asset, **serializer.validated_data)
        return Response(AssetSerializer(asset, context={"request": request}).data)

    @extend_schema(responses=AssignmentSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def assignments(self, request, pk=None):
        """The asset's assignment history, oldest first: the periods the user may see (an
        asset that came from another municipality shows only its time with yours)."""
        asset = self.get_object()
        history = restrict(asset.assignments.all(), request.user).order_by("valid_from")
        return Response(AssignmentSerializer(history, many=True, context={"request": request}).data)


class AssignmentViewSet(mixins.CreateModelMixin, ReadOnlySamdriftViewSet):
    queryset = Assignment.objects.all()
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilterSet
    ordering_fields = ["valid_from", "valid_to"]
    write_roles = frozenset()  # operators only

    @extend_schema(request=CorrectionRequestSerializer, responses={200: CorrectionSerializer})
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        """Correct an assignment entered wrongly: void it, or change its dates (the
        assignments next to it follow). The reason goes into the change log; a change in
        a closed billing month is billed as adjustments by the next run."""
        assignment = self.get_object()
        serializer = CorrectionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        arguments = dict(serializer.validated_data)
        if arguments.get("void"):
            arguments.pop("valid_from", None)
            arguments.pop("valid_to", None)
        correction = correct_assignment(assignment=assignment, **arguments)
        return Response(CorrectionSerializer(correction).data)


class SubscriptionViewSet(mixins.CreateModelMixin, ReadOnlySamdriftViewSet):
    queryset = Subscription.objects.select_related("service")
    serializer_class = SubscriptionSerializer
    filterset_class = SubscriptionFilterSet
    ordering_fields = ["valid_from", "valid_to", "quantity"]
    write_roles = frozenset()

    @extend_schema(request=DateRequestSerializer, responses={200: SubscriptionSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the subscription: ``on`` is the first day it no longer runs."""
        subscription = self.get_object()
        serializer = DateRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription = end_subscription(
            subscription=subscription, on=serializer.validated_data["on"]
        )
        return Response(SubscriptionSerializer(subscription, context={"request": request}).data)


class UsageRecordViewSet(SamdriftViewSet):
    """Measured monthly usage (pages printed, hours worked), entered or imported by the
    ICT organisation; billing prices it. Corrections are updates, kept in the change log."""

    queryset = UsageRecord.objects.all()
    serializer_class = UsageRecordSerializer
    filterset_class = UsageRecordFilterSet
    ordering_fields = ["month", "quantity"]


def register(router) -> None:
    """Add this app's endpoints to the API router."""
    router.register("assets", AssetViewSet)
    router.register("assignments", AssignmentViewSet)
    router.register("subscriptions", SubscriptionViewSet)
    router.register("usage-records", UsageRecordViewSet)
