"""Writes of the gains app: baselines, the cost index, indicators, the collaboration's
unbilled costs, the action plan with its milestones, gains, gains per municipality and
measurements. One transaction each.

Validation comes first (the model's own rules through ``full_clean``, and the rules
that span rows here), raising ValidationError naming the field; nothing is written then.
The change log is written in the same transaction, by the model signals, attributed to
``core.actor``. An action's relations (municipalities, solutions, services,
prerequisites) are logged with the action's row, as sorted id lists, so the log says who
changed which municipalities an action concerns (as ``SolutionUsage`` logs its service
areas).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from samdrift.core.services import save_object
from samdrift.gains.choices import GainType
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
    check_percent,
)
from samdrift.organisations.models import Municipality

# The relations of an action, logged with its row.
ACTION_RELATIONS = Action.logged_relations


# Reference data and baselines --------------------------------------------------------------


def save_cost_index(*, index: CostIndex, changes: dict[str, Any] | None = None) -> CostIndex:
    """Create or change a year's cost index value (``changes`` applied first)."""
    return save_object(instance=index, changes=changes)


@transaction.atomic
def delete_cost_index(*, index: CostIndex) -> None:
    """Forget a year's index value: comparisons carry the previous year's forward."""
    index.delete()


def save_indicator(*, indicator: Indicator, changes: dict[str, Any] | None = None) -> Indicator:
    """Create or change an indicator. Its unit cannot become a percentage while values
    outside 0–100 are recorded for it (its baselines, gains and measurements)."""
    changes = dict(changes or {})
    for name, value in changes.items():
        setattr(indicator, name, value)
    indicator.full_clean()
    if indicator.pk is not None and "unit" in changes:
        _check_values_fit_unit(indicator)
    with transaction.atomic():
        indicator.save()
    return indicator


def _check_values_fit_unit(indicator: Indicator) -> None:
    values = [
        *IndicatorBaseline.objects.filter(indicator=indicator).values_list("value", flat=True),
        *Gain.objects.filter(indicator=indicator).values_list("baseline_value", flat=True),
        *Gain.objects.filter(indicator=indicator).values_list("target_value", flat=True),
        *Measurement.objects.filter(gain__indicator=indicator).values_list("value", flat=True),
    ]
    try:
        for value in values:
            check_percent(indicator, value=value)
    except ValidationError:
        raise ValidationError(
            {
                "unit": _(
                    "Values outside 0–100 are recorded for this indicator: it cannot be "
                    "a percentage."
                )
            }
        ) from None


def delete_indicator(*, indicator: Indicator) -> None:
    """Delete an indicator no baseline or gain uses."""
    with transaction.atomic():
        in_use = (
            IndicatorBaseline.objects.filter(indicator=indicator).exists()
            or Gain.objects.filter(indicator=indicator).exists()
        )
        if in_use:
            raise ValidationError(
                {"indicator": _("The indicator is used by a baseline or a gain; it is kept.")}
            )
        indicator.delete()


def save_baseline_cost(
    *, cost: BaselineCost, changes: dict[str, Any] | None = None
) -> BaselineCost:
    """Create or change one category of a municipality's baseline (for staff, the amount
    is computed as FTEs × cost per FTE by the model)."""
    return save_object(instance=cost, changes=changes)


@transaction.atomic
def delete_baseline_cost(*, cost: BaselineCost) -> None:
    cost.delete()


def save_indicator_baseline(
    *, baseline: IndicatorBaseline, changes: dict[str, Any] | None = None
) -> IndicatorBaseline:
    """Create or change a municipality's value of an indicator before the collaboration."""
    return save_object(instance=baseline, changes=changes)


@transaction.atomic
def delete_indicator_baseline(*, baseline: IndicatorBaseline) -> None:
    baseline.delete()


def save_collaboration_cost(
    *, cost: CollaborationCost, changes: dict[str, Any] | None = None
) -> CollaborationCost:
    """Create or change a cost of the collaboration that no invoice carries."""
    return save_object(instance=cost, changes=changes)


@transaction.atomic
def delete_collaboration_cost(*, cost: CollaborationCost) -> None:
    cost.delete()


# The action plan -------------------------------------------------------------------------


def _ids(objects: Iterable[models.Model | int]) -> list[int]:
    return sorted({o if isinstance(o, int) else o.pk for o in objects})


def _prerequisite_errors(action: Action, prerequisites: list[int]) -> str | None:
    """Why these prerequisites cannot be: the action itself, or a cycle (an action that,
    through its own prerequisites, requires this one). One query for the whole graph."""
    if action.pk is None:
        return None  # a new action: nothing can require it yet
    if action.pk in prerequisites:
        return _("An action cannot require itself.")
    through = Action.prerequisites.through
    requires: dict[int, list[int]] = {}
    for from_id, to_id in through.objects.values_list("from_action_id", "to_action_id"):
        requires.setdefault(from_id, []).append(to_id)
    requires[action.pk] = list(prerequisites)
    # A new prerequisite that leads back to the action along "requires" closes a cycle.
    culprit = next((pk for pk in prerequisites if _reaches(requires, pk, action.pk)), None)
    if culprit is None:
        return None
    title = Action.objects.filter(pk=culprit).values_list("title", flat=True).first()
    return _(
        "“%(other)s” already requires “%(action)s” (directly or through other actions): "
        "the two cannot require each other."
    ) % {"other": title or culprit, "action": action.title}


def _reaches(requires: dict[int, list[int]], start: int, goal: int) -> bool:
    seen: set[int] = set()
    stack = [start]
    while stack:
        current = stack.pop()
        if current == goal:
            return True
        if current not in seen:
            seen.add(current)
            stack.extend(requires.get(current, ()))
    return False


def _no_longer_concerned(action: Action, municipalities: list[int] | None) -> list[str]:
    """Names of municipalities with gains per municipality or measurements of this action
    that it would no longer concern (``municipalities`` None: all are concerned)."""
    if action.pk is None or municipalities is None:
        return []
    kept = set(municipalities)
    used = set(
        GainShare.objects.filter(gain__action=action).values_list("municipality_id", flat=True)
    ) | set(
        Measurement.objects.filter(gain__action=action).values_list("municipality_id", flat=True)
    )
    dropped = used - kept
    if not dropped:
        return []
    return list(
        Municipality.objects.filter(pk__in=dropped).order_by("name").values_list("name", flat=True)
    )


def save_action(
    *,
    action: Action,
    changes: dict[str, Any] | None = None,
    municipalities: Iterable[Municipality | int] | None = None,
    solutions: Iterable[models.Model | int] | None = None,
    services: Iterable[models.Model | int] | None = None,
    prerequisites: Iterable[Action | int] | None = None,
) -> Action:
    """Create or change an action of the plan with its relations (None: leave as stored).

    Refused, naming the field: municipalities listed for an action of all municipalities,
    none for an action of some; a municipality dropped while gains or measurements of the
    action are recorded for it; an action requiring itself or one that requires it
    (directly or through others). An action made one of all municipalities forgets its
    list. The fields and the relations are logged as one change.
    """
    for name, value in (changes or {}).items():
        setattr(action, name, value)
    before = action.stored_relation_ids()
    wanted = {
        "municipalities": _ids(municipalities) if municipalities is not None else None,
        "solutions": _ids(solutions) if solutions is not None else None,
        "services": _ids(services) if services is not None else None,
        "prerequisites": _ids(prerequisites) if prerequisites is not None else None,
    }
    if action.all_municipalities and wanted["municipalities"] is None:
        wanted["municipalities"] = []  # all: the list means nothing any more
    after = {name: ids if ids is not None else before[name] for name, ids in wanted.items()}

    errors: dict[str, Any] = {}
    try:
        action.full_clean()
    except ValidationError as error:
        errors.update(error.message_dict)
    if action.all_municipalities and after["municipalities"]:
        errors["municipalities"] = _(
            "The action concerns all municipalities: list none, or untick “all municipalities”."
        )
    elif not action.all_municipalities and not after["municipalities"]:
        errors["municipalities"] = _(
            "Choose the municipalities the action concerns, or tick “all municipalities”."
        )
    elif not action.all_municipalities:
        dropped = _no_longer_concerned(action, after["municipalities"])
        if dropped:
            errors["municipalities"] = _(
                "Gains or measurements of this action are recorded for %(names)s: remove "
                "them first, or keep the municipality."
            ) % {"names": ", ".join(dropped)}
    if wanted["prerequisites"] is not None:
        problem = _prerequisite_errors(action, after["prerequisites"])
        if problem:
            errors["prerequisites"] = problem
    if errors:
        raise ValidationError(errors)

    with transaction.atomic(), action.logging_relations(before=before, after=after):
        action.save()
        for name in ACTION_RELATIONS:
            if after[name] != before[name]:
                getattr(action, name).set(after[name])
    return action


def delete_action(*, action: Action) -> None:
    """Delete an action with its milestones, gains, gains per municipality and
    measurements (each logged); the actions that required it no longer do."""
    before = action.stored_relation_ids()
    with transaction.atomic(), action.logging_relations(before=before, after=before):
        action.delete()


def save_milestone(*, milestone: Milestone, changes: dict[str, Any] | None = None) -> Milestone:
    """Create or change a milestone of an action."""
    return save_object(instance=milestone, changes=changes)


@transaction.atomic
def delete_milestone(*, milestone: Milestone) -> None:
    milestone.delete()


# Gains -----------------------------------------------------------------------------------

# Fields of a gain whose change changes the amounts of its shares and measurements.
_VALUING = ("type", "hourly_rate")


def save_gain(*, gain: Gain, changes: dict[str, Any] | None = None) -> Gain:
    """Create or change a gain of an action.

    A gain with gains per municipality or measurements keeps its action and its type
    (they were valued by it); a new hourly rate revalues its time saved (each share's
    expected amount and each measurement's amount, logged).
    """
    changes = dict(changes or {})
    stored = Gain.objects.filter(pk=gain.pk).first() if gain.pk is not None else None
    for name, value in changes.items():
        setattr(gain, name, value)
    errors: dict[str, Any] = {}
    try:
        gain.full_clean()
    except ValidationError as error:
        errors.update(error.message_dict)
    recorded = stored is not None and (
        GainShare.objects.filter(gain=gain).exists()
        or Measurement.objects.filter(gain=gain).exists()
    )
    if recorded and gain.action_id != stored.action_id:
        errors["action"] = _(
            "Gains per municipality or measurements are recorded for this gain: it stays "
            "with its action."
        )
    if recorded and gain.type != stored.type:
        errors["type"] = _(
            "Gains per municipality or measurements are valued by this type: remove them "
            "first to change it."
        )
    if errors:
        raise ValidationError(errors)
    revalue = stored is not None and any(
        getattr(stored, name) != getattr(gain, name) for name in _VALUING
    )
    with transaction.atomic():
        gain.save()
        if revalue and gain.type == GainType.TIME_SAVED:
            for share in GainShare.objects.filter(gain=gain).select_related("municipality"):
                share.gain = gain
                save_object(instance=share)
            for measurement in Measurement.objects.filter(gain=gain).select_related("municipality"):
                measurement.gain = gain
                save_object(instance=measurement)
    return gain


@transaction.atomic
def delete_gain(*, gain: Gain) -> None:
    """Delete a gain with its shares and measurements (each logged)."""
    gain.delete()


def save_share(*, share: GainShare, changes: dict[str, Any] | None = None) -> GainShare:
    """Create or change a gain in one municipality: its gains owner and expected yearly
    amount (for time saved: hours × the gain's hourly rate, computed by the model). The
    action must concern the municipality."""
    return save_object(instance=share, changes=changes)


@transaction.atomic
def delete_share(*, share: GainShare) -> None:
    share.delete()


def save_measurement(
    *, measurement: Measurement, changes: dict[str, Any] | None = None
) -> Measurement:
    """Record or correct what a gain realised in one municipality (for time saved: hours ×
    the gain's hourly rate, computed by the model). The action must concern the
    municipality; the date is not in the future."""
    return save_object(instance=measurement, changes=changes)


@transaction.atomic
def delete_measurement(*, measurement: Measurement) -> None:
    measurement.delete()
