"""REST endpoints of the solutions portfolio: functions, solutions, usage, requirements,
and the gaps (computed, read-only). Same permissions as the pages: rows from
``restrict``, writes by role, the model's own validation naming the field."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound, ValidationError

from samdrift.core.api import SamdriftModelSerializer, SamdriftViewSet
from samdrift.core.choices import Role
from samdrift.core.drf import StandardPagination
from samdrift.solutions.choices import GapKind
from samdrift.solutions.filtersets import (
    RequirementFilterSet,
    SolutionFilterSet,
    SolutionFunctionFilterSet,
    SolutionUsageFilterSet,
)
from samdrift.solutions.models import Requirement, Solution, SolutionFunction, SolutionUsage
from samdrift.solutions.selectors import gap_report, visible_municipality_id
from samdrift.solutions.services import (
    REQUIREMENT_FIELDS,
    USAGE_FIELDS,
    choose_candidate,
    create_function,
    create_solution,
    record_usage,
    save_function,
    save_solution,
    set_requirement,
    update_requirement,
    update_usage,
)

TIMESTAMPS = ["created", "last_updated"]


class SolutionFunctionSerializer(SamdriftModelSerializer):
    class Meta:
        model = SolutionFunction
        fields = ["id", "name", "code", "description", "preferred_solution", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS

    def create(self, validated_data):
        preferred = validated_data.pop("preferred_solution", None)
        function = create_function(**validated_data)
        if preferred is not None:
            function = choose_candidate(function=function, solution=preferred)
        return function

    def update(self, instance, validated_data):
        return save_function(function=instance, changes=validated_data)


class SolutionSerializer(SamdriftModelSerializer):
    class Meta:
        model = Solution
        fields = [
            "id",
            "name",
            "vendor",
            "function",
            "delivery_form",
            "version",
            "end_of_support",
            "service",
            "description",
            *TIMESTAMPS,
        ]
        read_only_fields = TIMESTAMPS

    def create(self, validated_data):
        return create_solution(**validated_data)

    def update(self, instance, validated_data):
        return save_solution(solution=instance, changes=validated_data)


class SolutionUsageSerializer(SamdriftModelSerializer):
    class Meta:
        model = SolutionUsage
        fields = ["id", *USAGE_FIELDS, *TIMESTAMPS]
        read_only_fields = TIMESTAMPS

    def create(self, validated_data):
        return record_usage(**validated_data)

    def update(self, instance, validated_data):
        areas = validated_data.pop("service_areas", None)
        others = validated_data.pop("integrations", None)
        return update_usage(
            usage=instance, changes=validated_data, service_areas=areas, integrations=others
        )


class RequirementSerializer(SamdriftModelSerializer):
    class Meta:
        model = Requirement
        fields = ["id", "municipality", "solution", *REQUIREMENT_FIELDS, *TIMESTAMPS]
        read_only_fields = TIMESTAMPS

    def create(self, validated_data):
        return set_requirement(**validated_data)

    def update(self, instance, validated_data):
        return update_requirement(requirement=instance, changes=validated_data)


class SolutionFunctionViewSet(SamdriftViewSet):
    queryset = SolutionFunction.objects.select_related("preferred_solution")
    serializer_class = SolutionFunctionSerializer
    filterset_class = SolutionFunctionFilterSet
    ordering_fields = ["name", "code"]


class SolutionViewSet(SamdriftViewSet):
    queryset = Solution.objects.select_related("function", "service")
    serializer_class = SolutionSerializer
    filterset_class = SolutionFilterSet
    ordering_fields = ["name", "vendor", "end_of_support"]


class SolutionUsageViewSet(SamdriftViewSet):
    queryset = SolutionUsage.objects.select_related("municipality", "solution").prefetch_related(
        "service_areas", "integrations"
    )
    serializer_class = SolutionUsageSerializer
    filterset_class = SolutionUsageFilterSet
    ordering_fields = ["valid_from", "users", "licence_cost", "contract_end"]


class RequirementViewSet(SamdriftViewSet):
    """A municipality's contact may change its own requirements; a requirement row is
    made with the municipality's use of the solution, so only operators create one here."""

    queryset = Requirement.objects.select_related("municipality", "solution")
    serializer_class = RequirementSerializer
    filterset_class = RequirementFilterSet
    ordering_fields = ["availability_target", "criticality", "risk_assessed_on"]

    @property
    def write_roles(self) -> frozenset[str]:
        if getattr(self, "action", None) == "create":
            return frozenset({Role.OPERATOR})
        return Requirement.write_roles


class GapSerializer(serializers.Serializer):
    municipality = serializers.IntegerField()
    municipality_name = serializers.CharField()
    solution = serializers.IntegerField()
    solution_name = serializers.CharField()
    requirement = serializers.IntegerField(allow_null=True)
    kind = serializers.ChoiceField(choices=GapKind.choices)
    detail = serializers.CharField()
    delivered = serializers.CharField(help_text="The agreed service level, or “not agreed”.")


class SolutionGapViewSet(viewsets.ViewSet):
    """The gaps between what municipalities require and what is delivered, today.

    ``?municipality=<id>`` (404 for one the user may not see) and ``?kind=``."""

    serializer_class = GapSerializer
    pagination_class = StandardPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("municipality", int),
            OpenApiParameter("kind", str, enum=GapKind.values),
        ],
        responses=GapSerializer(many=True),
    )
    def list(self, request):
        try:
            municipality_id = visible_municipality_id(
                request.user, request.query_params.get("municipality")
            )
        except LookupError:
            raise NotFound(_("No municipality with that id.")) from None
        kind = request.query_params.get("kind") or None
        if kind is not None and kind not in GapKind.values:
            raise ValidationError({"kind": [_("Choose one of: %s.") % ", ".join(GapKind.values)]})
        report = gap_report(
            user=request.user, on=timezone.localdate(), municipality_id=municipality_id
        )
        items = [
            {
                "municipality": line.municipality_id,
                "municipality_name": line.municipality,
                "solution": line.solution_id,
                "solution_name": line.solution,
                "requirement": line.requirement_id,
                "kind": gap_kind,
                "detail": detail,
                "delivered": line.delivered_text,
            }
            for line, gap_kind, detail in report.gap_lines(kind=kind)
        ]
        paginator = StandardPagination()
        page = paginator.paginate_queryset(items, request, view=self)
        return paginator.get_paginated_response(GapSerializer(page, many=True).data)


def register(router) -> None:
    """Add this app's endpoints to the API router."""
    router.register("solution-functions", SolutionFunctionViewSet)
    router.register("solutions", SolutionViewSet)
    router.register("solution-usages", SolutionUsageViewSet)
    router.register("solution-requirements", RequirementViewSet)
    router.register("solution-gaps", SolutionGapViewSet, basename="solutiongap")
