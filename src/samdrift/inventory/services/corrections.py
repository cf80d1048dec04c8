"""Corrections of assignments entered wrongly: the one place history is rewritten,
on purpose and with a reason."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from samdrift.core.actor import with_message
from samdrift.inventory.choices import OUT_OF_SERVICE, AssetStatus
from samdrift.inventory.figures import assets_changed, keeps_figures
from samdrift.inventory.models import Asset, Assignment
from samdrift.inventory.services.assignments import periods_overlap, refresh_holder


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Final = _Unchanged()  # ``valid_to`` not given (None means "open-ended")
REASON_MAX_LENGTH = 300  # what the change log's message keeps


@dataclass
class AssignmentChange:
    """One assignment touched by a correction: its period before and after (None: voided)."""

    assignment: Assignment
    before: tuple[datetime.date, datetime.date | None]
    after: tuple[datetime.date, datetime.date | None] | None

    def __post_init__(self) -> None:
        self.assignment_id = self.assignment.pk  # kept: deleting a voided row clears its pk


@dataclass
class Correction:
    """What ``correct_assignment`` does (or did): the assignments whose periods change."""

    assignment: Assignment
    void: bool
    reason: str
    changes: list[AssignmentChange] = dataclass_field(default_factory=list)


def plan_correction(
    *,
    assignment: Assignment,
    reason: str,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | _Unchanged | None = UNCHANGED,
    void: bool = False,
) -> Correction:
    """Check a correction of ``assignment`` and say what it would change; writes nothing.

    A correction rewrites the history on purpose, for an assignment entered wrongly: it
    is voided (it never happened) or its dates change. The neighbours that touched it
    follow, so no gap or overlap appears: when a wrong move is voided, the assignment it
    ended runs on as if the move never happened; when a move's date is corrected, the
    assignment before ends on the new date. Anything else the new dates would overlap is
    refused, naming it.
    """
    reason = (reason or "").strip()
    errors = _reason_errors(reason)
    history = list(
        Assignment.objects.filter(asset_id=assignment.asset_id)
        .select_related("asset", "person")
        .order_by("valid_from")
    )
    target = next((a for a in history if a.pk == assignment.pk), None)
    if target is None:  # voided meanwhile, e.g. in another tab
        raise ValidationError({"assignment": _("This assignment no longer exists.")})
    plan = Correction(assignment=target, void=void, reason=reason)
    if void:
        _plan_void(plan, history, errors)
    else:
        new_from = valid_from or target.valid_from
        new_to = target.valid_to if isinstance(valid_to, _Unchanged) else valid_to
        _check_new_dates(target, new_from, new_to, errors)
        followers = _plan_new_dates(plan, history, new_from, new_to, errors)
        _overlap_errors(history, {target.pk, *followers}, new_from, new_to, errors)
    if errors:
        raise ValidationError(errors)
    return plan


def _reason_errors(reason: str) -> dict[str, str]:
    if not reason:
        return {"reason": _("Give the reason for the correction; it is kept in the change log.")}
    if len(reason) > REASON_MAX_LENGTH:
        return {
            "reason": _("Keep the reason to %(max)s characters (it has %(n)s).")
            % {"max": REASON_MAX_LENGTH, "n": len(reason)}
        }
    return {}


def _previous(history: list[Assignment], target: Assignment) -> Assignment | None:
    """The assignment that ended the day ``target`` began (the one it moved from)."""
    return next((a for a in history if a.valid_to == target.valid_from), None)


def _following(history: list[Assignment], target: Assignment) -> Assignment | None:
    """The assignment that began the day ``target`` ended (the one it moved to)."""
    if target.valid_to is None:
        return None
    return next((a for a in history if a.valid_from == target.valid_to), None)


def _plan_void(plan: Correction, history: list[Assignment], errors: dict[str, str]) -> None:
    """Void ``plan.assignment``: the assignment before it runs on to where it ended."""
    target = plan.assignment
    asset = target.asset
    old_from, old_to = target.valid_from, target.valid_to
    plan.changes.append(AssignmentChange(target, (old_from, old_to), None))
    previous = _previous(history, target)
    if previous is None:
        return
    if old_to is None and asset.status in OUT_OF_SERVICE:
        errors["void"] = _(
            "%(asset)s is %(status)s: the assignment before this one cannot run on."
        ) % {"asset": asset, "status": AssetStatus(asset.status).label}
    plan.changes.insert(
        0,
        AssignmentChange(
            previous,
            (previous.valid_from, previous.valid_to),
            (previous.valid_from, old_to),
        ),
    )


def _check_new_dates(
    target: Assignment,
    new_from: datetime.date,
    new_to: datetime.date | None,
    errors: dict[str, str],
) -> None:
    """The new period by itself: changed, ending after it starts, ending if the asset is
    out of service, its person active on a new start."""
    asset = target.asset
    old_from, old_to = target.valid_from, target.valid_to
    if (new_from, new_to) == (old_from, old_to):
        errors.setdefault(
            "valid_from", _("Nothing to correct: give other dates, or void the assignment.")
        )
    if new_to is not None and new_to <= new_from:
        errors["valid_to"] = _("The assignment must end after it starts (%(date)s).") % {
            "date": new_from.isoformat()
        }
    if new_to is None and asset.status in OUT_OF_SERVICE:
        errors["valid_to"] = _("%(asset)s is %(status)s: the assignment must end.") % {
            "asset": asset,
            "status": AssetStatus(asset.status).label,
        }
    if (
        target.person is not None
        and new_from != old_from
        and not target.person.is_active_on(new_from)
    ):
        errors["valid_from"] = _("%(person)s is not active on %(date)s.") % {
            "person": target.person,
            "date": new_from.isoformat(),
        }


def _plan_new_dates(
    plan: Correction,
    history: list[Assignment],
    new_from: datetime.date,
    new_to: datetime.date | None,
    errors: dict[str, str],
) -> set[int]:
    """Move ``plan.assignment`` to its new period, the neighbours that touched it
    following; returns the ids of the neighbours that follow."""
    target = plan.assignment
    old_from, old_to = target.valid_from, target.valid_to
    previous, following = _previous(history, target), _following(history, target)
    followers: set[int] = set()
    if previous is not None and new_from != old_from:
        if new_from <= previous.valid_from:
            errors["valid_from"] = _(
                "That would leave nothing of the assignment from %(start)s before it; "
                "void that one first."
            ) % {"start": previous.valid_from.isoformat()}
        else:
            followers.add(previous.pk)
            plan.changes.append(
                AssignmentChange(
                    previous,
                    (previous.valid_from, previous.valid_to),
                    (previous.valid_from, new_from),
                )
            )
    plan.changes.append(AssignmentChange(target, (old_from, old_to), (new_from, new_to)))
    if following is not None and new_to != old_to:
        if new_to is None or (following.valid_to is not None and new_to >= following.valid_to):
            errors["valid_to"] = _(
                "That would leave nothing of the assignment from %(start)s after it; "
                "void that one first."
            ) % {"start": following.valid_from.isoformat()}
        else:
            followers.add(following.pk)
            plan.changes.append(
                AssignmentChange(
                    following,
                    (following.valid_from, following.valid_to),
                    (new_to, following.valid_to),
                )
            )
    return followers


def _overlap_errors(
    history: list[Assignment],
    moved: set[int],
    new_from: datetime.date,
    new_to: datetime.date | None,
    errors: dict[str, str],
) -> None:
    """Refuse a new period that overlaps any assignment the correction does not move."""
    for other in history:
        if other.pk in moved:
            continue
        if periods_overlap(other.valid_from, other.valid_to, new_from, new_to):
            errors.setdefault(
                "valid_from" if other.valid_from < new_from else "valid_to",
                _("Overlaps the assignment from %(start)s to %(end)s.")
                % {
                    "start": other.valid_from.isoformat(),
                    "end": other.valid_to.isoformat() if other.valid_to else "…",
                },
            )


@keeps_figures
def correct_assignment(
    *,
    assignment: Assignment,
    reason: str,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | _Unchanged | None = UNCHANGED,
    void: bool = False,
) -> Correction:
    """Void ``assignment`` or change its dates, for an assignment entered wrongly.

    Checked as ``plan_correction`` says, then written in one transaction: every changed
    and voided assignment gets its change-log row (before → after) carrying ``reason``,
    and the asset's holder follows the assignment in force today. Billing needs nothing
    more: a change inside a closed month is re-rated by the next run and the difference
    billed as adjustments, as for any late change (``billing.adjustments``).
    """
    with transaction.atomic():
        asset = Asset.objects.select_for_update().get(pk=assignment.asset_id)
        held_by = asset.municipality_id
        plan = plan_correction(
            assignment=assignment,
            reason=reason,
            valid_from=valid_from,
            valid_to=valid_to,
            void=void,
        )
        with with_message(plan.reason):
            # Shrink and delete before anything grows: no two rows ever share a start.
            for change in sorted(plan.changes, key=_shrinking_first):
                row = change.assignment
                if change.after is None:
                    row.delete()
                    continue
                row.valid_from, row.valid_to = change.after
                row.save(update_fields=["valid_from", "valid_to", "last_updated"])
            asset.refresh_from_db()
            refresh_holder(asset)
        assets_changed(municipality_ids={held_by, asset.municipality_id})
    return plan


def _shrinking_first(change: AssignmentChange) -> int:
    if change.after is None:
        return 0
    (old_from, old_to), (new_from, new_to) = change.before, change.after
    grows = new_from < old_from or (old_to is not None and (new_to is None or new_to > old_to))
    return 2 if grows else 1
