"""Handing assets to holders and taking them back.

Each is one transaction: validation first (raising ValidationError that names the
field), then the writes, whose change-log rows are written in the same transaction.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.core.dating import active_on
from samdrift.core.membership import foreign_member_errors
from samdrift.inventory.choices import OUT_OF_SERVICE, AssetStatus
from samdrift.inventory.figures import assets_changed, keeps_figures
from samdrift.inventory.holders import HOLDER_FIELDS
from samdrift.inventory.models import Asset, Assignment
from samdrift.organisations.models import Location, Municipality, Person, ServiceArea


@keeps_figures
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
    errors = _assignment_errors(municipality, service_area, person, location, valid_from, valid_to)
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        asset = Asset.objects.select_for_update().get(pk=asset.pk)
        held_by = asset.municipality_id
        if asset.status in OUT_OF_SERVICE:
            raise ValidationError(
                {
                    "asset": _("%(asset)s is %(status)s and cannot be assigned.")
                    % {"asset": asset, "status": AssetStatus(asset.status).label}
                }
            )
        history = list(asset.assignments.order_by("valid_from"))
        open_assignment = next((a for a in history if a.valid_to is None), None)
        _refuse_overlap(history, open_assignment, valid_from, valid_to)
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
        refresh_holder(asset)
        assets_changed(municipality_ids={held_by, asset.municipality_id})
    return assignment


def _assignment_errors(
    municipality: Municipality,
    service_area: ServiceArea | None,
    person: Person | None,
    location: Location | None,
    valid_from: datetime.date,
    valid_to: datetime.date | None,
) -> dict[str, str]:
    """What is wrong with an assignment before the asset's history is read: members of
    another municipality, an end before the start, a person not active on the day."""
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
    return errors


def _refuse_overlap(
    history: list[Assignment],
    open_assignment: Assignment | None,
    valid_from: datetime.date,
    valid_to: datetime.date | None,
) -> None:
    """Refuse a new period that overlaps the history, except the open assignment that
    began earlier: the new one ends it."""
    for earlier in history:
        if earlier is open_assignment and earlier.valid_from < valid_from:
            continue  # ended by this assignment
        if periods_overlap(earlier.valid_from, earlier.valid_to, valid_from, valid_to):
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


@keeps_figures
def end_assignment(*, asset: Asset, on: datetime.date) -> Assignment | None:
    """Take an asset back from its holder on ``on`` (it goes back in stock)."""
    with transaction.atomic():
        asset = Asset.objects.select_for_update().get(pk=asset.pk)
        held_by = asset.municipality_id
        closed = close_open_assignment(asset, on)
        if closed is not None and asset.status == AssetStatus.DEPLOYED:
            asset.status = AssetStatus.IN_STOCK
            asset.save(update_fields=["status", "last_updated"])
        refresh_holder(asset)
        assets_changed(municipality_ids={held_by, asset.municipality_id})
    return closed


def close_open_assignment(asset: Asset, on: datetime.date) -> Assignment | None:
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


def refresh_holder(asset: Asset) -> None:
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


def periods_overlap(start_a, end_a, start_b, end_b) -> bool:
    """Do the half-open periods [start_a, end_a) and [start_b, end_b) share a day?"""
    return (end_b is None or start_a < end_b) and (end_a is None or start_b < end_a)
