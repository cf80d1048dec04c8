"""Serializers of planning's endpoints: the stored rows (model serializers that write
through the app's services, validated by the models' own rules so a 400 names the field)
and the computed figures (plain serializers, read-only)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from samdrift.core.api import DateField, SamdriftModelSerializer
from samdrift.planning import scenarios as scenario_services
from samdrift.planning.campaigns import create_campaign
from samdrift.planning.choices import DueReason
from samdrift.planning.forms import ASSUMPTION_FIELDS
from samdrift.planning.models import (
    Campaign,
    CampaignDevice,
    ProductSupport,
    ReplacementRule,
    Scenario,
    ScenarioMember,
    ScenarioPoolChange,
    ScenarioResult,
)
from samdrift.planning.services import RULE_FIELDS, SUPPORT_FIELDS, save_rule, save_support

TIMESTAMPS = ["created", "last_updated"]


class ReplacementRuleSerializer(SamdriftModelSerializer):
    class Meta:
        model = ReplacementRule
        fields = ["id", *RULE_FIELDS, *TIMESTAMPS]
        read_only_fields = TIMESTAMPS

    def create(self, validated_data):
        return save_rule(rule=ReplacementRule(), changes=validated_data)

    def update(self, instance, validated_data):
        return save_rule(rule=instance, changes=validated_data)


class ProductSupportSerializer(SamdriftModelSerializer):
    class Meta:
        model = ProductSupport
        fields = ["id", *SUPPORT_FIELDS, *TIMESTAMPS]
        read_only_fields = TIMESTAMPS

    def create(self, validated_data):
        return save_support(support=ProductSupport(), changes=validated_data)

    def update(self, instance, validated_data):
        return save_support(support=instance, changes=validated_data)


class CampaignSerializer(SamdriftModelSerializer):
    # Text, not an enum in the schema: "open"/"closed" is the choice set of a billing
    # period's status too, and drf-spectacular warns about one set under two names.
    state = serializers.CharField(read_only=True, help_text="open or closed")
    device_count = serializers.IntegerField(
        read_only=True, help_text="Devices of the campaign you may see."
    )
    done_count = serializers.IntegerField(
        read_only=True, help_text="Of those, replaced or taken out of service."
    )

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "description",
            "criterion",
            "criterion_date",
            "products",
            "municipality",
            "starts_on",
            "target_date",
            "state",
            "created_by",
            "progress_checked_at",
            "device_count",
            "done_count",
            *TIMESTAMPS,
        ]
        read_only_fields = ["state", "created_by", "progress_checked_at", *TIMESTAMPS]

    def create(self, validated_data):
        validated_data["products"] = list(validated_data.get("products") or ())
        return create_campaign(**validated_data)


class CampaignDeviceSerializer(SamdriftModelSerializer):
    class Meta:
        model = CampaignDevice
        fields = [
            "id",
            "campaign",
            "asset",
            "municipality",
            "service_area",
            "person",
            "due_on",
            "due_reason",
            "progress",
            "replaced_by",
            "replaced_on",
            "order_line",
            *TIMESTAMPS,
        ]
        read_only_fields = fields


class ScenarioSerializer(SamdriftModelSerializer):
    class Meta:
        model = Scenario
        fields = [
            "id",
            *ASSUMPTION_FIELDS,
            "is_baseline",
            "computed_at",
            "computed_from",
            "created_by",
            *TIMESTAMPS,
        ]
        read_only_fields = [
            "is_baseline",
            "computed_at",
            "computed_from",
            "created_by",
            *TIMESTAMPS,
        ]

    def create(self, validated_data):
        """A copy of the baseline under its own name, with the assumptions given."""
        name = validated_data.pop("name")
        description = validated_data.pop("description", "")
        scenario = scenario_services.copy_baseline(name=name, description=description)
        if validated_data:
            scenario = scenario_services.update_scenario(scenario, **validated_data) or scenario
        return scenario

    def update(self, instance, validated_data):
        return scenario_services.update_scenario(instance, **validated_data) or instance


class ScenarioMemberSerializer(SamdriftModelSerializer):
    class Meta:
        model = ScenarioMember
        fields = [
            "id",
            "scenario",
            "change",
            "on",
            "municipality",
            "name",
            "population",
            "persons",
            "devices",
            *TIMESTAMPS,
        ]
        read_only_fields = TIMESTAMPS

    def create(self, validated_data):
        scenario = validated_data.pop("scenario")
        return scenario_services.add_member(scenario, **validated_data)


class ScenarioPoolChangeSerializer(SamdriftModelSerializer):
    class Meta:
        model = ScenarioPoolChange
        fields = ["id", "scenario", "pool", "growth_percent", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS

    def create(self, validated_data):
        return scenario_services.set_pool_change(
            validated_data["scenario"],
            pool=validated_data["pool"],
            growth_percent=validated_data["growth_percent"],
        )


class ScenarioResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScenarioResult
        fields = ["municipality", "name", "month", "baseline", "amount", "settlement"]
        read_only_fields = fields


# Computed figures --------------------------------------------------------------------------


def amount(**kwargs) -> serializers.DecimalField:
    """An amount as computed (rounded by ``finance``'s rules there), not rounded again."""
    return serializers.DecimalField(max_digits=None, decimal_places=None, **kwargs)


class AmountCellSerializer(serializers.Serializer):
    units = serializers.IntegerField()
    capital = amount()


class PlanPeriodSerializer(AmountCellSerializer):
    period = serializers.CharField(help_text="A quarter's first day (yyyy-mm-dd) or a year.")


class PlanRowSerializer(serializers.Serializer):
    municipality = serializers.IntegerField(allow_null=True, required=False)
    service_area = serializers.IntegerField(allow_null=True, required=False)
    category = serializers.IntegerField(allow_null=True, required=False)
    label = serializers.CharField()
    overdue = AmountCellSerializer()
    periods = PlanPeriodSerializer(many=True)
    total = AmountCellSerializer()


@extend_schema_serializer(many=False)  # one object, though answered by ``list``
class PlanSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    until = serializers.DateField()
    by = serializers.CharField()
    period = serializers.CharField()
    overdue_units = serializers.IntegerField()
    total_units = serializers.IntegerField()
    total_capital = amount()
    rows = PlanRowSerializer(many=True)
    totals = PlanRowSerializer()


class DueDeviceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    asset_tag = serializers.CharField()
    product = serializers.IntegerField()
    category = serializers.IntegerField()
    municipality = serializers.IntegerField(allow_null=True)
    service_area = serializers.IntegerField(allow_null=True)
    acquisition_date = serializers.DateField(allow_null=True)
    due_on = serializers.DateField(allow_null=True)
    due_reason = serializers.ChoiceField(choices=DueReason.choices, allow_blank=True)
    replacement = serializers.IntegerField(allow_null=True)
    replacement_cost = amount(allow_null=True)


class InvestmentYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    replacement_units = serializers.IntegerField()
    growth_units = serializers.IntegerField()
    capital = amount()
    lease_income = amount()
    depreciation = amount()
    interest = amount()
    cash_need = amount()
    cumulative_need = amount()


class MonthCostSerializer(serializers.Serializer):
    month = serializers.DateField()
    devices = amount()
    subscriptions = amount()
    usage = amount()
    one_offs = amount()
    pools = amount()
    credits = amount()
    usage_estimate = amount(help_text="The latest recorded month's usage, repeated.")
    total = amount()
    settlement = amount(help_text="A leaving member's payment for its devices (not in total).")


class YearCostSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    total = amount()
    monthly_average = amount()
    change_amount = amount(allow_null=True)
    change_percent = amount(allow_null=True)
    months = serializers.IntegerField(help_text="Months of the year in the forecast.")


class ForecastSerializer(serializers.Serializer):
    municipality = serializers.IntegerField(source="municipality_id", allow_null=True)
    name = serializers.CharField()
    years = YearCostSerializer(many=True)
    months = MonthCostSerializer(many=True)


class WindowSerializer(serializers.Serializer):
    """The query of ``planning/due-devices/``."""

    before = DateField(required=False, help_text="Due before this day (default: today).")
    after = DateField(required=False, help_text="Due on or after this day.")
