"""Serializers of the gains endpoints: the stored rows (model serializers that write
through ``gains.services``, validated by the models' own rules so a 400 names the
field) and the computed figures (plain serializers, read-only)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from samdrift.core.api import SamdriftModelSerializer
from samdrift.gains import services
from samdrift.gains.forms import (
    ACTION_FIELDS,
    ACTION_RELATIONS,
    BASELINE_COST_FIELDS,
    COLLABORATION_COST_FIELDS,
    COST_INDEX_FIELDS,
    GAIN_FIELDS,
    INDICATOR_BASELINE_FIELDS,
    INDICATOR_FIELDS,
    MEASUREMENT_FIELDS,
    MILESTONE_FIELDS,
    SHARE_FIELDS,
)
from samdrift.gains.models import (
    Action,
    BaselineCost,
    CollaborationCost,
    CostIndex,
    Gain,
    GainShare,
    Indicator,
    IndicatorBaseline,
    Measurement,
    Milestone,
)

TIMESTAMPS = ["created", "last_updated"]


def _service_serializer(model, fields, save, *, read_only=(), extra_kwargs=None):
    """A model serializer whose writes call ``save(instance, changes)``."""

    class Meta:
        pass

    Meta.model = model
    Meta.fields = ["id", *fields, *TIMESTAMPS]
    Meta.read_only_fields = [*read_only, *TIMESTAMPS]
    Meta.extra_kwargs = extra_kwargs or {}

    def create(self, validated_data):
        return save(model(), validated_data)

    def update(self, instance, validated_data):
        return save(instance, validated_data)

    return type(
        f"{model.__name__}Serializer",
        (SamdriftModelSerializer,),
        {"Meta": Meta, "create": create, "update": update, "__module__": __name__},
    )


class ActionSerializer(SamdriftModelSerializer):
    """An action of the plan with its relations; ``municipalities`` only when not
    ``all_municipalities`` (the service refuses otherwise, naming the field)."""

    overdue = serializers.BooleanField(read_only=True, source="is_overdue")

    class Meta:
        model = Action
        fields = ["id", *ACTION_FIELDS, *ACTION_RELATIONS, "overdue", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS

    def to_representation(self, instance):
        from samdrift.gains.tables import is_overdue

        instance.is_overdue = is_overdue(instance)
        return super().to_representation(instance)

    def _save(self, action, validated_data):
        relations = {
            name: validated_data.pop(name) for name in ACTION_RELATIONS if name in validated_data
        }
        return services.save_action(action=action, changes=validated_data, **relations)

    def create(self, validated_data):
        return self._save(Action(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)


MilestoneSerializer = _service_serializer(
    Milestone,
    ["action", *MILESTONE_FIELDS],
    lambda obj, changes: services.save_milestone(milestone=obj, changes=changes),
)
GainSerializer = _service_serializer(
    Gain,
    ["action", *GAIN_FIELDS],
    lambda obj, changes: services.save_gain(gain=obj, changes=changes),
)
GainShareSerializer = _service_serializer(
    GainShare,
    ["gain", *SHARE_FIELDS],
    lambda obj, changes: services.save_share(share=obj, changes=changes),
    extra_kwargs={"expected_amount": {"required": False}},
)
MeasurementSerializer = _service_serializer(
    Measurement,
    ["gain", *MEASUREMENT_FIELDS],
    lambda obj, changes: services.save_measurement(measurement=obj, changes=changes),
    extra_kwargs={"amount": {"required": False}},
)
BaselineCostSerializer = _service_serializer(
    BaselineCost,
    ["municipality", *BASELINE_COST_FIELDS],
    lambda obj, changes: services.save_baseline_cost(cost=obj, changes=changes),
    extra_kwargs={"amount": {"required": False}},
)
IndicatorBaselineSerializer = _service_serializer(
    IndicatorBaseline,
    ["municipality", *INDICATOR_BASELINE_FIELDS],
    lambda obj, changes: services.save_indicator_baseline(baseline=obj, changes=changes),
)
IndicatorSerializer = _service_serializer(
    Indicator,
    INDICATOR_FIELDS,
    lambda obj, changes: services.save_indicator(indicator=obj, changes=changes),
)
CostIndexSerializer = _service_serializer(
    CostIndex,
    COST_INDEX_FIELDS,
    lambda obj, changes: services.save_cost_index(index=obj, changes=changes),
)
CollaborationCostSerializer = _service_serializer(
    CollaborationCost,
    COLLABORATION_COST_FIELDS,
    lambda obj, changes: services.save_collaboration_cost(cost=obj, changes=changes),
)


# Computed figures -------------------------------------------------------------------------


def amount(**kwargs) -> serializers.DecimalField:
    """An amount in kroner, as a string with its øre."""
    return serializers.DecimalField(max_digits=None, decimal_places=None, **kwargs)


class TotalsSerializer(serializers.Serializer):
    planned = amount()
    realised = amount()
    difference = amount()
    realised_percent = amount(allow_null=True)


class CellSerializer(serializers.Serializer):
    action = serializers.IntegerField(source="action_id")
    gain = serializers.IntegerField(source="gain_id")
    municipality = serializers.IntegerField(source="municipality_id")
    year = serializers.IntegerField()
    planned = amount()
    realised = amount()
    difference = amount()


class KeyedTotalsSerializer(TotalsSerializer):
    key = serializers.IntegerField()


@extend_schema_serializer(many=False)  # one object, though answered by ``list``
class RealisationSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField(help_text="Exclusive.")
    cells = CellSerializer(many=True)
    by_action = KeyedTotalsSerializer(many=True)
    by_municipality = KeyedTotalsSerializer(many=True)
    by_year = KeyedTotalsSerializer(many=True)
    total = TotalsSerializer()


class YearComparisonSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    months = serializers.IntegerField()
    index_factor = amount()
    running = amount()
    renewal = amount()
    alone = amount()
    invoiced = amount()
    credited = amount()
    actual = amount()
    saving = amount()
    cumulative_saving = amount()
    pays_more = serializers.BooleanField()


class FlagSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)


class MemberComparisonSerializer(serializers.Serializer):
    municipality = serializers.IntegerField(source="municipality.pk")
    name = serializers.CharField(source="municipality.name")
    baseline_year = serializers.IntegerField(allow_null=True)
    years = YearComparisonSerializer(many=True)
    cumulative_saving = amount()
    pays_more = serializers.BooleanField()
    statements = serializers.ListField(child=serializers.CharField(), source="plain_statements")
    flags = FlagSerializer(many=True)


class YearTotalSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    alone = amount()
    actual = amount()
    unbilled = amount()
    saving = amount()
    cumulative = amount()


@extend_schema_serializer(many=False)  # one object, though answered by ``list``
class ComparisonSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    members = MemberComparisonSerializer(many=True)
    totals = YearTotalSerializer(many=True, help_text="Empty unless you see every member.")
