"""The stored rows of the gains app: the plan, its gains, baselines and reference data.
Every one may be deleted by those who write it (through ``gains.services``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import mixins
from rest_framework.exceptions import PermissionDenied

from samdrift.core.api import SamdriftViewSet
from samdrift.gains import services
from samdrift.gains.filtersets import (
    ActionFilterSet,
    BaselineCostFilterSet,
    CollaborationCostFilterSet,
    CostIndexFilterSet,
    GainFilterSet,
    GainShareFilterSet,
    IndicatorBaselineFilterSet,
    IndicatorFilterSet,
    MeasurementFilterSet,
    MilestoneFilterSet,
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
from samdrift.gains.serializers import (
    ActionSerializer,
    BaselineCostSerializer,
    CollaborationCostSerializer,
    CostIndexSerializer,
    GainSerializer,
    GainShareSerializer,
    IndicatorBaselineSerializer,
    IndicatorSerializer,
    MeasurementSerializer,
    MilestoneSerializer,
)


class GainsViewSet(mixins.DestroyModelMixin, SamdriftViewSet):
    """List, read, create, change and delete, through the app's services."""

    delete_with = None  # the service's delete_*, called with the object

    def perform_destroy(self, instance):
        type(self).delete_with(instance)


class ActionViewSet(GainsViewSet):
    """The improvement and action plan. ``?municipality=`` gives the actions concerning
    one (those of all members included); ``?overdue=true`` the open ones past their
    deadline."""

    queryset = Action.objects.prefetch_related(
        "municipalities", "solutions", "services", "prerequisites"
    )
    serializer_class = ActionSerializer
    filterset_class = ActionFilterSet
    ordering_fields = ["deadline", "start", "title", "status"]
    delete_with = staticmethod(lambda obj: services.delete_action(action=obj))


class MilestoneViewSet(GainsViewSet):
    queryset = Milestone.objects.all()
    serializer_class = MilestoneSerializer
    filterset_class = MilestoneFilterSet
    ordering_fields = ["due", "done_on"]
    delete_with = staticmethod(lambda obj: services.delete_milestone(milestone=obj))


class GainViewSet(GainsViewSet):
    queryset = Gain.objects.select_related("indicator")
    serializer_class = GainSerializer
    filterset_class = GainFilterSet
    ordering_fields = ["first_year", "last_year", "type"]
    delete_with = staticmethod(lambda obj: services.delete_gain(gain=obj))


class GainShareViewSet(GainsViewSet):
    """A gain in one municipality: its gains owner, the yearly amount expected, and
    whether the municipality took it out of its budget."""

    queryset = GainShare.objects.select_related("municipality")
    serializer_class = GainShareSerializer
    filterset_class = GainShareFilterSet
    ordering_fields = ["expected_amount", "municipality__name"]
    delete_with = staticmethod(lambda obj: services.delete_share(share=obj))


class MeasurementViewSet(GainsViewSet):
    """What a gain realised in a municipality. A municipality's contact records their
    own municipality's (naming another is a 403, whatever the id)."""

    queryset = Measurement.objects.select_related("municipality")
    serializer_class = MeasurementSerializer
    filterset_class = MeasurementFilterSet
    ordering_fields = ["measured_on", "amount"]
    delete_with = staticmethod(lambda obj: services.delete_measurement(measurement=obj))

    def create(self, request, *args, **kwargs):
        user = request.user
        named = str(request.data.get("municipality", user.municipality_id))
        if (
            not user.sees_all_municipalities
            and user.municipality_id is not None
            and named != str(user.municipality_id)
        ):
            raise PermissionDenied(_("You may only record your own municipality's measurements."))
        return super().create(request, *args, **kwargs)


class BaselineCostViewSet(GainsViewSet):
    """What a municipality's ICT cost alone in a year, per category (staff: FTEs × cost
    per FTE, computed)."""

    queryset = BaselineCost.objects.select_related("municipality")
    serializer_class = BaselineCostSerializer
    filterset_class = BaselineCostFilterSet
    ordering_fields = ["year", "category", "amount"]
    delete_with = staticmethod(lambda obj: services.delete_baseline_cost(cost=obj))


class IndicatorBaselineViewSet(GainsViewSet):
    queryset = IndicatorBaseline.objects.select_related("municipality", "indicator")
    serializer_class = IndicatorBaselineSerializer
    filterset_class = IndicatorBaselineFilterSet
    ordering_fields = ["measured_on"]
    delete_with = staticmethod(lambda obj: services.delete_indicator_baseline(baseline=obj))


class IndicatorViewSet(SamdriftViewSet):
    """What is measured to show a gain. Not deleted through the API: baselines and gains
    keep using an indicator once recorded (the page deletes one nothing uses)."""

    queryset = Indicator.objects.all()
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilterSet
    ordering_fields = ["name"]


class CostIndexViewSet(GainsViewSet):
    queryset = CostIndex.objects.all()
    serializer_class = CostIndexSerializer
    filterset_class = CostIndexFilterSet
    ordering_fields = ["year"]
    delete_with = staticmethod(lambda obj: services.delete_cost_index(index=obj))


class CollaborationCostViewSet(GainsViewSet):
    """The collaboration's costs no invoice carries (for those who see every
    municipality)."""

    queryset = CollaborationCost.objects.all()
    serializer_class = CollaborationCostSerializer
    filterset_class = CollaborationCostFilterSet
    ordering_fields = ["year", "amount"]
    delete_with = staticmethod(lambda obj: services.delete_collaboration_cost(cost=obj))
