"""Reads of the gains app, starting from what the user may see (``core.permissions.restrict``).

The action plan is the collaboration's: a municipality's users see the actions that
concern their municipality (those of all, and their own), with their milestones and
gains, and of the gains per municipality and measurements only their municipality's.
Baselines are whole-municipality money: a service-area manager sees none. The
collaboration's unbilled costs are for those who see every municipality.

Each selector loads what its rows show with ``select_related``/``prefetch_related``, so
that a list answers in a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

import datetime

from django.db.models import Prefetch, QuerySet

from samdrift.core.permissions import restrict
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
from samdrift.gains.realisation import Realisation, realisation


def visible_cost_index(user) -> QuerySet[CostIndex]:
    return restrict(CostIndex.objects.all(), user)


def visible_indicators(user) -> QuerySet[Indicator]:
    return restrict(Indicator.objects.all(), user)


def visible_baseline_costs(user) -> QuerySet[BaselineCost]:
    return restrict(BaselineCost.objects.select_related("municipality"), user)


def visible_indicator_baselines(user) -> QuerySet[IndicatorBaseline]:
    return restrict(IndicatorBaseline.objects.select_related("municipality", "indicator"), user)


def visible_collaboration_costs(user) -> QuerySet[CollaborationCost]:
    return restrict(CollaborationCost.objects.all(), user)


def visible_shares(user) -> QuerySet[GainShare]:
    """The gains per municipality ``user`` may see, with their gain, action, indicator,
    municipality and gains owner's login."""
    return restrict(
        GainShare.objects.select_related(
            "gain__action", "gain__indicator", "municipality", "owner_user"
        ),
        user,
    )


def visible_measurements(user) -> QuerySet[Measurement]:
    """The measurements ``user`` may see, with their gain, action, indicator and
    municipality."""
    return restrict(
        Measurement.objects.select_related("gain__action", "gain__indicator", "municipality"),
        user,
    )


def visible_milestones(user) -> QuerySet[Milestone]:
    return restrict(Milestone.objects.select_related("action"), user)


def visible_gains(user) -> QuerySet[Gain]:
    """The gains ``user`` may see, with their action and indicator, and (prefetched) the
    gains per municipality the user may see."""
    return restrict(Gain.objects.select_related("action", "indicator"), user).prefetch_related(
        Prefetch("shares", queryset=visible_shares(user).order_by("municipality__number"))
    )


def visible_actions(user) -> QuerySet[Action]:
    """The actions ``user`` may see, with their municipalities, solutions, services and
    prerequisites prefetched (the prerequisites restricted to the user as well)."""
    return restrict(Action.objects.all(), user).prefetch_related(
        "municipalities",
        "solutions",
        "services",
        Prefetch("prerequisites", queryset=restrict(Action.objects.all(), user)),
    )


def action_with_details(user) -> QuerySet[Action]:
    """``visible_actions`` with milestones and gains (each gain's visible shares) too:
    for an action's page or an export of the whole plan."""
    return visible_actions(user).prefetch_related(
        Prefetch("milestones", queryset=visible_milestones(user).select_related(None)),
        Prefetch("gains", queryset=visible_gains(user)),
    )


def visible_realisation(
    user,
    *,
    start: datetime.date,
    end: datetime.date,
    actions: QuerySet[Action] | None = None,
) -> Realisation:
    """Planned vs realised over ``[start, end)`` of what ``user`` may see (optionally of
    some actions only): the rule of ``gains.realisation`` over restricted rows."""
    shares = visible_shares(user)
    measurements = visible_measurements(user)
    if actions is not None:
        ids = actions.values("pk")
        shares = shares.filter(gain__action__in=ids)
        measurements = measurements.filter(gain__action__in=ids)
    return realisation(shares=shares, measurements=measurements, start=start, end=end)
