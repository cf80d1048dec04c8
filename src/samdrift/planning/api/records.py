"""The stored rows of planning: rules, ends of support, campaigns, scenarios."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from samdrift.core.api import (
    ChangeLogMixin,
    ReadOnlySamdriftViewSet,
    RestrictedQuerysetMixin,
    SamdriftViewSet,
)
from samdrift.core.drf import StandardPagination
from samdrift.planning import scenarios as scenario_services
from samdrift.planning.campaigns import close_campaign, refresh_progress
from samdrift.planning.filtersets import (
    CampaignDeviceFilterSet,
    CampaignFilterSet,
    ProductSupportFilterSet,
    ReplacementRuleFilterSet,
    ScenarioFilterSet,
    ScenarioMemberFilterSet,
    ScenarioPoolChangeFilterSet,
)
from samdrift.planning.models import (
    Campaign,
    CampaignDevice,
    ProductSupport,
    ReplacementRule,
    Scenario,
    ScenarioMember,
    ScenarioPoolChange,
)
from samdrift.planning.selectors import visible_campaigns, with_progress
from samdrift.planning.serializers import (
    CampaignDeviceSerializer,
    CampaignSerializer,
    ProductSupportSerializer,
    ReplacementRuleSerializer,
    ScenarioMemberSerializer,
    ScenarioPoolChangeSerializer,
    ScenarioResultSerializer,
    ScenarioSerializer,
)
from samdrift.planning.services import delete_rule, delete_support


def _require_operator(request) -> None:
    if not request.user.is_operator:
        raise PermissionDenied(_("Only the operator may do this."))


class ReplacementRuleViewSet(mixins.DestroyModelMixin, SamdriftViewSet):
    """A category's replacement rule: a maximum age, or the lease term; and its standard
    replacement product."""

    queryset = ReplacementRule.objects.select_related("category", "replacement_product")
    serializer_class = ReplacementRuleSerializer
    filterset_class = ReplacementRuleFilterSet
    ordering_fields = ["category__name", "max_age_months"]

    def perform_destroy(self, instance):
        delete_rule(rule=instance)


class ProductSupportViewSet(mixins.DestroyModelMixin, SamdriftViewSet):
    """A product's end of support (security updates end on that day)."""

    queryset = ProductSupport.objects.select_related("product")
    serializer_class = ProductSupportSerializer
    filterset_class = ProductSupportFilterSet
    ordering_fields = ["end_of_support", "product__name"]

    def perform_destroy(self, instance):
        delete_support(support=instance)


class CampaignViewSet(
    RestrictedQuerysetMixin,
    ChangeLogMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Replacement campaigns (operators create them from a criterion). A municipality's
    users see those that took in devices of theirs, with the counts of their own."""

    queryset = Campaign.objects.select_related("municipality").prefetch_related("products")
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilterSet
    ordering_fields = ["starts_on", "name", "target_date"]

    def get_queryset(self):
        user = self.request.user
        queryset = super().get_queryset()
        visible = visible_campaigns(user).values("pk")
        return with_progress(queryset.filter(pk__in=visible), user)

    def _respond(self, campaign, **extra):
        campaign = self.get_queryset().get(pk=campaign.pk)
        return Response({**self.get_serializer(campaign).data, **extra})

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def refresh(self, request, pk=None):
        """Check progress: which devices were replaced, ordered or retired since."""
        _require_operator(request)
        campaign = self.get_object()
        counts = refresh_progress(campaign)
        return self._respond(campaign, progress=counts)

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        _require_operator(request)
        campaign = self.get_object()
        close_campaign(campaign)
        return self._respond(campaign)


class CampaignDeviceViewSet(ReadOnlySamdriftViewSet):
    """The devices each campaign took in, and how far each one's replacement has come."""

    queryset = CampaignDevice.objects.select_related("campaign")
    serializer_class = CampaignDeviceSerializer
    filterset_class = CampaignDeviceFilterSet
    ordering_fields = ["due_on", "progress", "replaced_on"]


class CollaborationOnlyMixin:
    """Scenarios are the collaboration's: a municipality's users find none (404)."""

    def get_queryset(self):
        queryset = super().get_queryset()
        if not self.request.user.sees_all_municipalities:
            return queryset.none()
        return queryset


class ScenarioViewSet(CollaborationOnlyMixin, SamdriftViewSet):
    """Forecast assumptions: the baseline and its copies. ``POST`` makes a copy of the
    baseline under the name given (with any assumptions given)."""

    queryset = Scenario.objects.all()
    serializer_class = ScenarioSerializer
    filterset_class = ScenarioFilterSet
    ordering_fields = ["name", "computed_at"]

    @extend_schema(request=None, responses=ScenarioSerializer)
    @action(detail=True, methods=["post"])
    def compute(self, request, pk=None):
        """Compute the scenario beside the baseline (replaces its saved results)."""
        scenario = self.get_object()
        scenario_services.compute_scenario(scenario)
        scenario = self.get_queryset().get(pk=scenario.pk)
        return Response(self.get_serializer(scenario).data)

    @extend_schema(responses=ScenarioResultSerializer(many=True), filters=False)
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        pagination_class=StandardPagination,
    )
    def results(self, request, pk=None):
        """The computed months per municipality: baseline, scenario and settlement."""
        scenario = self.get_object()
        rows = scenario.results.select_related("municipality").order_by("name", "month")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ScenarioResultSerializer(page, many=True).data)


class AddRemoveViewSet(
    RestrictedQuerysetMixin,
    ChangeLogMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Rows that are added and removed, never changed (a change is a removal and an
    addition)."""


class ScenarioMemberViewSet(CollaborationOnlyMixin, AddRemoveViewSet):
    """A municipality joining or leaving in a scenario."""

    queryset = ScenarioMember.objects.select_related("scenario", "municipality")
    serializer_class = ScenarioMemberSerializer
    filterset_class = ScenarioMemberFilterSet
    ordering_fields = ["on"]

    def perform_destroy(self, instance):
        scenario_services.remove_member(instance)


class ScenarioPoolChangeViewSet(CollaborationOnlyMixin, AddRemoveViewSet):
    """A cost pool's own yearly growth in a scenario."""

    queryset = ScenarioPoolChange.objects.select_related("scenario", "pool")
    serializer_class = ScenarioPoolChangeSerializer
    filterset_class = ScenarioPoolChangeFilterSet
    ordering_fields = ["growth_percent"]

    def perform_destroy(self, instance):
        scenario_services.set_pool_change(
            instance.scenario, pool=instance.pool, growth_percent=None
        )
