"""Write operations on assets, assignments and subscriptions.

Each is one transaction: validation first (raising ValidationError that names the
field), then the writes, whose change-log rows are written in the same transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.catalogue.models import Product, Service
from samdrift.core.actor import with_message
from samdrift.core.bulk import InstanceFactory, insert_objects
from samdrift.core.dating import active_on, overlapping
from samdrift.core.membership import foreign_member_errors
from samdrift.core.services import save_object
from samdrift.inventory.choices import ASSET_TRANSITIONS, OUT_OF_SERVICE, AssetStatus
from samdrift.inventory.holders import HOLDER_FIELDS
from samdrift.inventory.models import Asset, Assignment, Subscription, UsageRecord
from samdrift.organisations.models import Location, Municipality, Person, ServiceArea


def create_asset(*, product: Product, asset_tag: str, **fields: Any) -> Asset:
    """Register an asset (in stock unless a status is given): validated field by field
    (``full_clean``), then written as one row of :func:`create_assets`."""
    asset = Asset(product=product, asset_tag=asset_tag)
    for name, value in fields.items():
        setattr(asset, name, value)
    asset.full_clean()
    values = {f.attname: getattr(asset, f.attname) for f in Asset._meta.concrete_fields}
    with transaction.atomic():
        (created,), _assignments = create_assets(rows=[NewAsset(values=values)])
    created.product = product  # as the caller gave it: no query to name it
    return created


@dataclass(frozen=True)
class NewAsset:
    """One asset to create: its fields by attribute name (``product_id``, ``asset_tag``
    …) and, if someone holds it, the holder's ids (``municipality_id``,
    ``service_area_id``, ``person_id``, ``location_id``) and the day it was handed over."""

    values: Mapping[str, Any]
    holder: Mapping[str, int | None] | None = None
    held_from: datetime.date | None = None


def create_assets(
    *,
    rows: Sequence[NewAsset],
    note: str = "",
    today: datetime.date | None = None,
    changelog: bool = True,
    write: Callable[[type[models.Model], list], None] | None = None,
) -> tuple[list[Asset], list[Assignment]]:
    """Create many assets, each held one with its assignment from its day (``note`` on
    each): the one way an asset comes into the register, one INSERT per table whatever
    the number of rows. The asset mirrors the holder in force ``today``; one from a later
    date takes effect on that day (``inventory.holders``), as through ``assign_asset``.

    The caller has checked the rows as a set (a form's ``full_clean``, an import's or a
    buyout's row checks). Every row is change-logged by the writer, unless
    ``changelog=False``: where one summary row stands for a generated batch. ``write``
    (model, objects) replaces the plain insert for a caller that reports progress (an
    import). The caller holds the transaction.
    """
    today = today or timezone.localdate()
    if write is None:

        def write(model: type[models.Model], objects: list) -> None:
            insert_objects(objects, changelog=changelog)

    assets = asset_instances(rows, today=today)
    write(Asset, assets)
    held = [
        (asset.pk, row.holder, row.held_from)
        for asset, row in zip(assets, rows, strict=True)
        if row.holder is not None
    ]
    assignments = assignment_instances(held, note=note)
    write(Assignment, assignments)
    return assets, assignments


def asset_instances(rows: Iterable[NewAsset], *, today: datetime.date) -> list[Asset]:
    """Unsaved assets of ``rows``, each mirroring its holder if held by ``today``."""
    factory = InstanceFactory(Asset)
    assets = []
    for row in rows:
        values = row.values  # make() copies it: no copy here (100,000s of rows)
        if row.holder is not None and row.held_from <= today:
            values = {**values, **row.holder}
        assets.append(factory.make(values))
    return assets


def assignment_instances(
    holdings: Iterable[tuple[int, Mapping[str, int | None], datetime.date]], *, note: str
) -> list[Assignment]:
    """Unsaved assignments: (asset id, holder ids, from) each, open-ended, with ``note``."""
    factory = InstanceFactory(Assignment)
    assignments = []
    for asset_id, holder, when in holdings:
        values = dict(holder)
        values.update(asset_id=asset_id, valid_from=when, note=note)
        assignments.append(factory.make(values))
    return assignments


def update_asset(*, asset: Asset, changes: dict[str, Any]) -> Asset:
    """Change an asset's descriptive fields. Status and holder have their own operations."""
    forbidden = set(changes) & {"status", *HOLDER_FIELDS}
    if forbidden:
        field = sorted(forbidden)[0]
        raise ValidationError({field: _("Use the status change or assignment operation for this.")})
    return save_object(instance=asset, changes=changes)


def change_asset_status(*, asset: Asset, status: str, on: datetime.date | None = None) -> Asset:
    """Move an asset along its lifecycle. Taking it out of use ends its assignment on ``on``."""
    on = on or datetime.date.today()
    with transaction.atomic():
        asset = Asset.objects.select_for_update().get(pk=asset.pk)
        if status == asset.status:
            return asset
        if status not in ASSET_TRANSITIONS.get(asset.status, frozenset()):
            raise ValidationError(
                {
                    "status": _(
                        "An asset cannot go from %(old)s to %(new)s. Allowed next: %(allowed)s."
                    )
                    % {
                        "old": AssetStatus(asset.status).label,
                        "new": AssetStatus(status).label
                        if status in AssetStatus.values
                        else status,
                        "allowed": ", ".join(
                            str(AssetStatus(s).label)
                            for s in sorted(ASSET_TRANSITIONS[asset.status])
                        )
                        or "–",
                    }
                }
            )
        if status in OUT_OF_SERVICE or status == AssetStatus.IN_STOCK:
            _close_open_assignment(asset, on)
        asset.status = status
        asset.save()
        _refresh_holder(asset)
    return asset


def assign_asset(
    *,
    asset: Asset,
    municipality: Municipality,
    valid_from: datetime.date,
    service_area: ServiceArea | None = None,
    person: Person | None = None,
    location: Location | None = None,
    valid_to: datetime.date | None = None,
    note: str = "",
) -> Assignment:
    """Hand an asset to a municipality (and service area, person, location) from a date.

    The open assignment that began earlier is closed on ``valid_from``; any other overlap
    with the history is refused, because the past is never rewritten. A move between
    service areas on day 10 thus leaves two assignments that together cover the month.
    """
    errors: dict[str, str] = foreign_member_errors(
        municipality=municipality, service_area=service_area, person=person, location=location
    )
    if valid_to is not None and valid_to <= valid_from:
        errors["valid_to"] = _("The assignment must end after it starts (%(date)s).") % {
            "date": valid_from.isoformat()
        }
    if person is not None and "person" not in errors and not person.is_active_on(valid_from):
        errors["person"] = _("%(person)s is not active on %(date)s.") % {
            "person": person,
            "date": valid_from.isoformat(),
        }
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        asset = Asset.objects.select_for_update().get(pk=asset.pk)
        if asset.status in OUT_OF_SERVICE:
            raise ValidationError(
                {
                    "asset": _("%(asset)s is %(status)s and cannot be assigned.")
                    % {"asset": asset, "status": AssetStatus(asset.status).label}
                }
            )
        history = list(asset.assignments.order_by("valid_from"))
        open_assignment = next((a for a in history if a.valid_to is None), None)
        for earlier in history:
            if earlier is open_assignment and earlier.valid_from < valid_from:
                continue  # ended by this assignment, below
            if _periods_overlap(earlier.valid_from, earlier.valid_to, valid_from, valid_to):
                raise ValidationError(
                    {
                        "valid_from": _(
                            "Overlaps the assignment from %(start)s to %(end)s; history is never "
                            "rewritten. Choose a date after %(start)s."
                        )
                        % {
                            "start": earlier.valid_from.isoformat(),
                            "end": earlier.valid_to.isoformat() if earlier.valid_to else "…",
                        }
                    }
                )
        if open_assignment is not None and open_assignment.valid_from < valid_from:
            open_assignment.valid_to = valid_from
            open_assignment.save(update_fields=["valid_to", "last_updated"])
        assignment = Assignment(
            asset=asset,
            municipality=municipality,
            service_area=service_area,
            person=person,
            location=location,
            valid_from=valid_from,
            valid_to=valid_to,
            note=note,
        )
        assignment.full_clean(validate_unique=False, validate_constraints=False)
        assignment.save()
        if asset.status in (AssetStatus.ORDERED, AssetStatus.IN_STOCK) and valid_to is None:
            asset.status = AssetStatus.DEPLOYED
            asset.save(update_fields=["status", "last_updated"])
        _refresh_holder(asset)
    return assignment


def end_assignment(*, asset: Asset, on: datetime.date) -> Assignment | None:
    """Take an asset back from its holder on ``on`` (it goes back in stock)."""
    with transaction.atomic():
        asset = Asset.objects.select_for_update().get(pk=asset.pk)
        closed = _close_open_assignment(asset, on)
        if closed is not None and asset.status == AssetStatus.DEPLOYED:
            asset.status = AssetStatus.IN_STOCK
            asset.save(update_fields=["status", "last_updated"])
        _refresh_holder(asset)
    return closed


def _close_open_assignment(asset: Asset, on: datetime.date) -> Assignment | None:
    open_assignment = asset.assignments.filter(valid_to__isnull=True).first()
    if open_assignment is None:
        return None
    if on <= open_assignment.valid_from:
        raise ValidationError(
            {
                "valid_to": _(
                    "The current assignment began on %(date)s; it can only end after that."
                )
                % {"date": open_assignment.valid_from.isoformat()}
            }
        )
    open_assignment.valid_to = on
    open_assignment.save(update_fields=["valid_to", "last_updated"])
    return open_assignment


def _refresh_holder(asset: Asset) -> None:
    """Mirror the assignment in force today (if any) on the asset row. One dated later
    takes effect on its day (``inventory.holders``), not when it is entered."""
    holder = asset.assignments.filter(active_on(timezone.localdate())).first()
    changed = []
    for field in HOLDER_FIELDS:
        value = getattr(holder, f"{field}_id") if holder is not None else None
        if getattr(asset, f"{field}_id") != value:
            setattr(asset, f"{field}_id", value)
            changed.append(field)
    if changed:
        asset.save(update_fields=[*changed, "last_updated"])


def _periods_overlap(start_a, end_a, start_b, end_b) -> bool:
    """Do the half-open periods [start_a, end_a) and [start_b, end_b) share a day?"""
    return (end_b is None or start_a < end_b) and (end_a is None or start_b < end_a)


# --- corrections ---------------------------------------------------------------------------


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
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = _("Give the reason for the correction; it is kept in the change log.")
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = _("Keep the reason to %(max)s characters (it has %(n)s).") % {
            "max": REASON_MAX_LENGTH,
            "n": len(reason),
        }
    history = list(
        Assignment.objects.filter(asset_id=assignment.asset_id)
        .select_related("asset", "person")
        .order_by("valid_from")
    )
    target = next((a for a in history if a.pk == assignment.pk), None)
    if target is None:  # voided meanwhile, e.g. in another tab
        raise ValidationError({"assignment": _("This assignment no longer exists.")})
    asset = target.asset
    old_from, old_to = target.valid_from, target.valid_to
    previous = next((a for a in history if a.valid_to == old_from), None)
    following = (
        next((a for a in history if a.valid_from == old_to), None) if old_to is not None else None
    )
    out_of_service = asset.status in OUT_OF_SERVICE
    plan = Correction(assignment=target, void=void, reason=reason)

    if void:
        plan.changes.append(AssignmentChange(target, (old_from, old_to), None))
        if previous is not None:
            if old_to is None and out_of_service:
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
        if errors:
            raise ValidationError(errors)
        return plan

    new_from = valid_from or old_from
    new_to = old_to if isinstance(valid_to, _Unchanged) else valid_to
    if (new_from, new_to) == (old_from, old_to):
        errors.setdefault(
            "valid_from", _("Nothing to correct: give other dates, or void the assignment.")
        )
    if new_to is not None and new_to <= new_from:
        errors["valid_to"] = _("The assignment must end after it starts (%(date)s).") % {
            "date": new_from.isoformat()
        }
    if new_to is None and out_of_service:
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
    for other in history:
        if other.pk == target.pk or other.pk in followers:
            continue
        if _periods_overlap(other.valid_from, other.valid_to, new_from, new_to):
            errors.setdefault(
                "valid_from" if other.valid_from < new_from else "valid_to",
                _("Overlaps the assignment from %(start)s to %(end)s.")
                % {
                    "start": other.valid_from.isoformat(),
                    "end": other.valid_to.isoformat() if other.valid_to else "…",
                },
            )
    if errors:
        raise ValidationError(errors)
    return plan


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
            _refresh_holder(asset)
    return plan


def _shrinking_first(change: AssignmentChange) -> int:
    if change.after is None:
        return 0
    (old_from, old_to), (new_from, new_to) = change.before, change.after
    grows = new_from < old_from or (old_to is not None and (new_to is None or new_to > old_to))
    return 2 if grows else 1


def subscribe(
    *,
    service: Service,
    municipality: Municipality,
    valid_from: datetime.date,
    quantity: Decimal = Decimal("1"),
    service_area: ServiceArea | None = None,
    person: Person | None = None,
    location: Location | None = None,
    asset: Asset | None = None,
    valid_to: datetime.date | None = None,
    note: str = "",
) -> Subscription:
    """Start a subscription to a service."""
    errors = foreign_member_errors(
        municipality=municipality, service_area=service_area, person=person, location=location
    )
    if asset is not None and asset.municipality_id not in (None, municipality.pk):
        errors["asset"] = _("%(asset)s is held by another municipality.") % {"asset": asset}
    if valid_to is not None and valid_to <= valid_from:
        errors["valid_to"] = _("The subscription must end after it starts (%(date)s).") % {
            "date": valid_from.isoformat()
        }
    if errors:
        raise ValidationError(errors)
    subscription = Subscription(
        service=service,
        municipality=municipality,
        service_area=service_area,
        person=person,
        location=location,
        asset=asset,
        quantity=quantity,
        valid_from=valid_from,
        valid_to=valid_to,
        note=note,
    )
    return save_object(instance=subscription)


def end_subscription(*, subscription: Subscription, on: datetime.date) -> Subscription:
    """End a subscription: ``on`` is the first day it no longer runs."""
    if on <= subscription.valid_from:
        raise ValidationError(
            {
                "valid_to": _("Must be after the start (%(date)s).")
                % {"date": subscription.valid_from.isoformat()}
            }
        )
    if subscription.valid_to is not None and subscription.valid_to <= on:
        raise ValidationError(
            {
                "valid_to": _("The subscription already ended on %(date)s.")
                % {"date": subscription.valid_to.isoformat()}
            }
        )
    return save_object(instance=subscription, changes={"valid_to": on})


def _usage_errors(record: UsageRecord) -> dict[str, str]:
    """Errors for a usage record whose service area, person, location or asset is not
    the municipality's (the asset: not held by it at any time in the month)."""
    municipality = record.municipality if record.municipality_id else None
    errors = foreign_member_errors(
        municipality=municipality,
        service_area=record.service_area,
        person=record.person,
        location=record.location,
    )
    if record.asset_id and municipality is not None and record.month:
        month_end = (record.month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        held = Assignment.objects.filter(
            overlapping(record.month, month_end),
            asset_id=record.asset_id,
            municipality=municipality,
        ).exists()
        if not held:
            errors["asset"] = _("%(asset)s was not held by %(municipality)s in %(month)s.") % {
                "asset": record.asset,
                "municipality": municipality,
                "month": record.month.strftime("%Y-%m"),
            }
    return errors


def record_usage(
    *,
    service: Service,
    municipality: Municipality,
    month: datetime.date,
    quantity: Decimal,
    service_area: ServiceArea | None = None,
    person: Person | None = None,
    location: Location | None = None,
    asset: Asset | None = None,
    reference: str = "",
    note: str = "",
) -> UsageRecord:
    """Record a measured quantity of a service used in one month (pages printed, hours)."""
    record = UsageRecord(
        service=service,
        municipality=municipality,
        month=month,
        quantity=quantity,
        service_area=service_area,
        person=person,
        location=location,
        asset=asset,
        reference=reference,
        note=note,
    )
    errors = _usage_errors(record)
    if errors:
        raise ValidationError(errors)
    return save_object(instance=record)


def update_usage(*, record: UsageRecord, changes: dict[str, Any]) -> UsageRecord:
    """Correct a usage record (a misread meter). The change log keeps the old value."""
    for name, value in changes.items():
        setattr(record, name, value)
    errors = _usage_errors(record)
    if errors:
        raise ValidationError(errors)
    return save_object(instance=record)
