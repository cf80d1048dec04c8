"""Serializers of the buyout endpoints: buyouts, their items, the valuation, registering
equipment, per-asset prices and amounts owed."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from samdrift.catalogue.models import Product
from samdrift.core.api import (
    DateField,
    SamdriftModelSerializer,
    ScopedRelatedFieldsMixin,
)
from samdrift.core.validators import MAX_ID
from samdrift.leasing.buyouts.drafting import create_buyout, update_buyout, update_item
from samdrift.leasing.buyouts.valuation import ITEM_FIELDS
from samdrift.leasing.models import AmountOwed, AssetPrice, Buyout, BuyoutItem
from samdrift.organisations.models import ServiceArea

MONEY = {"max_digits": 16, "decimal_places": 2}


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
        return create_buyout(**validated_data)

    def update(self, instance, validated_data):
        return update_buyout(buyout=instance, changes=validated_data)


class BuyoutItemSerializer(SamdriftModelSerializer):
    asset_tag = serializers.CharField(source="asset.asset_tag", read_only=True)

    class Meta:
        model = BuyoutItem
        fields = [
            "id",
            "buyout",
            "asset",
            "asset_tag",
            *ITEM_FIELDS,
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
        return update_item(item=instance, changes=validated_data)


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
