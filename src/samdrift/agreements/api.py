"""REST endpoints for service agreements, their agreed prices and service levels, and the
shared service-hours calendars."""

from django.utils.translation import gettext as _
from rest_framework import mixins, serializers

from samdrift.agreements import service_level_services as levels
from samdrift.agreements.filtersets import (
    AgreedPriceFilterSet,
    CalendarDayFilterSet,
    CalendarHoursFilterSet,
    CreditRuleFilterSet,
    PriorityTargetFilterSet,
    ServiceAgreementFilterSet,
    ServiceCalendarFilterSet,
    ServiceLevelFilterSet,
)
from samdrift.agreements.models import (
    AgreedPrice,
    CalendarDay,
    CalendarHours,
    CreditRule,
    PriorityTarget,
    ServiceAgreement,
    ServiceCalendar,
    ServiceLevel,
)
from samdrift.agreements.services import (
    create_agreement,
    set_agreed_price,
    update_agreed_price,
    update_agreement,
)
from samdrift.core.api import SamdriftModelSerializer, SamdriftViewSet


class ServiceAgreementSerializer(SamdriftModelSerializer):
    class Meta:
        model = ServiceAgreement
        fields = [
            "id",
            "municipality",
            "name",
            "reference",
            "valid_from",
            "valid_to",
            "notes",
            "maintenance_notice_days",
            "pause_awaiting_user",
            "pause_awaiting_vendor",
            "created",
            "last_updated",
        ]
        read_only_fields = ["created", "last_updated"]

    def create(self, validated_data):
        return create_agreement(**validated_data)

    def update(self, instance, validated_data):
        return update_agreement(agreement=instance, changes=validated_data)


class AgreedPriceSerializer(SamdriftModelSerializer):
    class Meta:
        model = AgreedPrice
        fields = [
            "id",
            "agreement",
            "product",
            "service",
            "amount",
            "note",
            "created",
            "last_updated",
        ]
        read_only_fields = ["created", "last_updated"]

    def create(self, validated_data):
        return set_agreed_price(**validated_data)

    def update(self, instance, validated_data):
        return update_agreed_price(price=instance, changes=validated_data)


class ServiceAgreementViewSet(SamdriftViewSet):
    queryset = ServiceAgreement.objects.select_related("municipality")
    serializer_class = ServiceAgreementSerializer
    filterset_class = ServiceAgreementFilterSet
    ordering_fields = ["valid_from", "name"]


class AgreedPriceViewSet(SamdriftViewSet):
    queryset = AgreedPrice.objects.select_related("agreement", "product", "service")
    serializer_class = AgreedPriceSerializer
    filterset_class = AgreedPriceFilterSet
    ordering_fields = ["amount"]


# --- service-hours calendars ----------------------------------------------------------


class CalendarHoursSerializer(SamdriftModelSerializer):
    class Meta:
        model = CalendarHours
        fields = ["id", "calendar", "weekday", "opens", "closes", "created", "last_updated"]
        read_only_fields = ["created", "last_updated"]

    def create(self, validated_data):
        return levels.set_calendar_hours(**validated_data)

    def update(self, instance, validated_data):
        data = {
            "calendar": instance.calendar,
            "weekday": instance.weekday,
            "opens": instance.opens,
            "closes": instance.closes,
            **validated_data,
        }
        if (data["calendar"], data["weekday"]) != (instance.calendar, instance.weekday):
            raise serializers.ValidationError(
                {"weekday": _("Set the hours of another weekday as a new entry.")}
            )
        return levels.set_calendar_hours(**data)


class CalendarDaySerializer(SamdriftModelSerializer):
    class Meta:
        model = CalendarDay
        fields = ["id", "calendar", "date", "opens", "closes", "note", "created", "last_updated"]
        read_only_fields = ["created", "last_updated"]

    def create(self, validated_data):
        return levels.set_calendar_day(**validated_data)

    def update(self, instance, validated_data):
        return levels.update_calendar_day(day=instance, changes=validated_data)


class ServiceCalendarSerializer(SamdriftModelSerializer):
    hours = CalendarHoursSerializer(many=True, read_only=True)
    days = CalendarDaySerializer(many=True, read_only=True)

    class Meta:
        model = ServiceCalendar
        fields = [
            "id",
            "name",
            "timezone",
            "always_open",
            "public_holidays_closed",
            "description",
            "hours",
            "days",
            "created",
            "last_updated",
        ]
        read_only_fields = ["created", "last_updated"]

    def create(self, validated_data):
        return levels.create_calendar(**validated_data)

    def update(self, instance, validated_data):
        return levels.update_calendar(calendar=instance, changes=validated_data)


# --- service levels -------------------------------------------------------------------


class PriorityTargetSerializer(SamdriftModelSerializer):
    class Meta:
        model = PriorityTarget
        fields = [
            "id",
            "service_level",
            "priority",
            "response_minutes",
            "resolution_minutes",
            "calendar",
            "created",
            "last_updated",
        ]
        read_only_fields = ["created", "last_updated"]

    def create(self, validated_data):
        return levels.set_priority_target(**validated_data)

    def update(self, instance, validated_data):
        return levels.update_priority_target(target=instance, changes=validated_data)


class CreditRuleSerializer(SamdriftModelSerializer):
    class Meta:
        model = CreditRule
        fields = [
            "id",
            "service_level",
            "shortfall_up_to",
            "percent",
            "created",
            "last_updated",
        ]
        read_only_fields = ["created", "last_updated"]

    def create(self, validated_data):
        return levels.set_credit_rule(**validated_data)

    def update(self, instance, validated_data):
        return levels.update_credit_rule(rule=instance, changes=validated_data)


class ServiceLevelSerializer(SamdriftModelSerializer):
    targets = PriorityTargetSerializer(many=True, read_only=True)
    credit_rules = CreditRuleSerializer(many=True, read_only=True)

    class Meta:
        model = ServiceLevel
        fields = [
            "id",
            "agreement",
            "service",
            "availability_target",
            "calendar",
            "note",
            "targets",
            "credit_rules",
            "created",
            "last_updated",
        ]
        read_only_fields = ["created", "last_updated"]

    def create(self, validated_data):
        return levels.set_service_level(**validated_data)

    def update(self, instance, validated_data):
        return levels.update_service_level(level=instance, changes=validated_data)


class ServiceCalendarViewSet(SamdriftViewSet):
    """Service-hours calendars: shared data every signed-in user reads, with their weekly
    hours and special days (written through ``calendar-hours`` and ``calendar-days``).
    Not deleted through the API: service levels of past agreements refer to them."""

    queryset = ServiceCalendar.objects.prefetch_related("hours", "days")
    serializer_class = ServiceCalendarSerializer
    filterset_class = ServiceCalendarFilterSet
    ordering_fields = ["name"]


class CalendarHoursViewSet(mixins.DestroyModelMixin, SamdriftViewSet):
    """A calendar's opening hours per weekday (a weekday without hours is closed)."""

    queryset = CalendarHours.objects.all()
    serializer_class = CalendarHoursSerializer
    filterset_class = CalendarHoursFilterSet
    ordering_fields = ["weekday"]

    def perform_destroy(self, instance):
        levels.clear_calendar_hours(calendar=instance.calendar, weekday=instance.weekday)


class CalendarDayViewSet(mixins.DestroyModelMixin, SamdriftViewSet):
    """The operator's own closed or shortened days of a calendar."""

    queryset = CalendarDay.objects.all()
    serializer_class = CalendarDaySerializer
    filterset_class = CalendarDayFilterSet
    ordering_fields = ["date"]

    def perform_destroy(self, instance):
        levels.delete_calendar_day(day=instance)


class ServiceLevelViewSet(mixins.DestroyModelMixin, SamdriftViewSet):
    """The level agreed per service under an agreement, with its targets and credit rules
    (written through ``priority-targets`` and ``credit-rules``)."""

    queryset = ServiceLevel.objects.select_related("agreement", "service").prefetch_related(
        "targets", "credit_rules"
    )
    serializer_class = ServiceLevelSerializer
    filterset_class = ServiceLevelFilterSet
    ordering_fields = ["availability_target"]

    def perform_destroy(self, instance):
        levels.delete_service_level(level=instance)


class PriorityTargetViewSet(mixins.DestroyModelMixin, SamdriftViewSet):
    queryset = PriorityTarget.objects.select_related("service_level")
    serializer_class = PriorityTargetSerializer
    filterset_class = PriorityTargetFilterSet
    ordering_fields = ["priority"]

    def perform_destroy(self, instance):
        levels.delete_priority_target(target=instance)


class CreditRuleViewSet(mixins.DestroyModelMixin, SamdriftViewSet):
    queryset = CreditRule.objects.select_related("service_level")
    serializer_class = CreditRuleSerializer
    filterset_class = CreditRuleFilterSet
    ordering_fields = ["shortfall_up_to", "percent"]

    def perform_destroy(self, instance):
        levels.delete_credit_rule(rule=instance)


def register(router) -> None:
    """Add this app's endpoints to the API router."""
    router.register("service-agreements", ServiceAgreementViewSet)
    router.register("agreed-prices", AgreedPriceViewSet)
    router.register("service-calendars", ServiceCalendarViewSet)
    router.register("calendar-hours", CalendarHoursViewSet)
    router.register("calendar-days", CalendarDayViewSet)
    router.register("service-levels", ServiceLevelViewSet)
    router.register("priority-targets", PriorityTargetViewSet)
    router.register("credit-rules", CreditRuleViewSet)
