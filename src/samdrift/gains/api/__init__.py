"""REST endpoints of the gains app. Same permissions as the pages: rows from
``restrict`` (an action is seen by the municipalities it concerns, a municipality's
shares, measurements and baselines by that municipality; baselines by no service-area
manager), writes by role (operators and finance; a municipality contact records their
own municipality's measurements), the models' own validation naming the field; another
municipality's object is a 404.

- ``gain-actions``, ``gain-milestones``, ``gains``, ``gain-shares``,
  ``gain-measurements``: the plan and its gains.
- ``baseline-costs``, ``indicator-baselines``: a municipality's baseline.
- ``indicators``, ``cost-index``: shared reference data; ``collaboration-costs``: the
  collaboration's (for those who see every municipality).
- computed, read-only: ``gains/realisation/`` (``?year=`` or ``?start=&end=``) and
  ``gains/comparison/`` (``?municipality=``; whole-municipality money: 403 for a
  service-area manager).
"""

from samdrift.gains.api.figures import ComparisonViewSet, RealisationViewSet
from samdrift.gains.api.records import (
    ActionViewSet,
    BaselineCostViewSet,
    CollaborationCostViewSet,
    CostIndexViewSet,
    GainShareViewSet,
    GainViewSet,
    IndicatorBaselineViewSet,
    IndicatorViewSet,
    MeasurementViewSet,
    MilestoneViewSet,
)


def register(router) -> None:
    """Add this app's endpoints to the API router."""
    router.register("gain-actions", ActionViewSet, basename="gain-actions")
    router.register("gain-milestones", MilestoneViewSet, basename="gain-milestones")
    router.register("gains/realisation", RealisationViewSet, basename="gains-realisation")
    router.register("gains/comparison", ComparisonViewSet, basename="gains-comparison")
    router.register("gains", GainViewSet, basename="gains")
    router.register("gain-shares", GainShareViewSet, basename="gain-shares")
    router.register("gain-measurements", MeasurementViewSet, basename="gain-measurements")
    router.register("baseline-costs", BaselineCostViewSet, basename="baseline-costs")
    router.register("indicator-baselines", IndicatorBaselineViewSet, basename="indicator-baselines")
    router.register("indicators", IndicatorViewSet, basename="indicators")
    router.register("cost-index", CostIndexViewSet, basename="cost-index")
    router.register("collaboration-costs", CollaborationCostViewSet, basename="collaboration-costs")
