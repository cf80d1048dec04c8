"""Lifecycle planning's models: when devices fall due for replacement, the campaigns that
replace them, the assumptions of the cost forecast and its scenarios, and the counts the
overview keeps instead of scanning.

Why a package: one module of 670 lines mixed three kinds of rows that change for
different reasons — the lifecycle's rules and campaigns (``replacement``), the
forecast's scenarios (``scenarios``, the collaboration's only) and the derived figures
(``figures``, recounted by their writers, never edited). Every model is re-exported
here, so ``from samdrift.planning.models import X`` (and Django's app registry) find
them as before.
"""

from samdrift.planning.models.figures import (
    FleetFigure,
    FleetFigureStamp,
    HolderFigure,
    HoldingFigure,
    HoldingFigureStamp,
    PersonFigure,
)
from samdrift.planning.models.replacement import (
    Campaign,
    CampaignDevice,
    ProductSupport,
    ReplacementRule,
)
from samdrift.planning.models.scenarios import (
    MAX_YEARS,
    PERCENT_FLOOR,
    Scenario,
    ScenarioMember,
    ScenarioPoolChange,
    ScenarioResult,
    percent_field,
)

__all__ = [
    "MAX_YEARS",
    "PERCENT_FLOOR",
    "Campaign",
    "CampaignDevice",
    "FleetFigure",
    "FleetFigureStamp",
    "HolderFigure",
    "HoldingFigure",
    "HoldingFigureStamp",
    "PersonFigure",
    "ProductSupport",
    "ReplacementRule",
    "Scenario",
    "ScenarioMember",
    "ScenarioPoolChange",
    "ScenarioResult",
    "percent_field",
]
