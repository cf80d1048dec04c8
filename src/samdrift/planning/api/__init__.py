"""REST endpoints of lifecycle planning. Same permissions as the pages: rows from
``restrict`` (a campaign is seen by the municipalities whose devices it took in, each
seeing its own devices only), writes by role, the models' own validation naming the
field; another municipality's object is a 404.

- ``replacement-rules``, ``product-support``: read by every login; operators and finance
  write and delete.
- ``campaigns`` (+ ``POST …/{id}/refresh/`` and ``…/close/``, operators),
  ``campaign-devices`` (read).
- ``scenarios`` (+ ``POST …/{id}/compute/``, ``GET …/{id}/results/``),
  ``scenario-members``, ``scenario-pool-changes``: the collaboration's, for those who see
  every municipality (others find none: 404); operators and finance write.
- computed, read-only: ``planning/plan/``, ``planning/due-devices/``,
  ``planning/investment/`` (those who see every municipality; 403 for the others),
  ``planning/forecast/`` (``?municipality=&service_area=&years=``; a municipality's users
  their own, a manager their area's).
"""

from samdrift.planning.api.figures import (
    DueDeviceViewSet,
    ForecastViewSet,
    InvestmentViewSet,
    PlanViewSet,
)
from samdrift.planning.api.records import (
    CampaignDeviceViewSet,
    CampaignViewSet,
    ProductSupportViewSet,
    ReplacementRuleViewSet,
    ScenarioMemberViewSet,
    ScenarioPoolChangeViewSet,
    ScenarioViewSet,
)


def register(router) -> None:
    """Add this app's endpoints to the API router."""
    router.register("replacement-rules", ReplacementRuleViewSet)
    router.register("product-support", ProductSupportViewSet)
    router.register("campaigns", CampaignViewSet)
    router.register("campaign-devices", CampaignDeviceViewSet)
    router.register("scenarios", ScenarioViewSet)
    router.register("scenario-members", ScenarioMemberViewSet)
    router.register("scenario-pool-changes", ScenarioPoolChangeViewSet)
    router.register("planning/plan", PlanViewSet, basename="planningplan")
    router.register("planning/due-devices", DueDeviceViewSet, basename="planningduedevice")
    router.register("planning/investment", InvestmentViewSet, basename="planninginvestment")
    router.register("planning/forecast", ForecastViewSet, basename="planningforecast")
