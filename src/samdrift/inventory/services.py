"""Write operations on assets, assignments and subscriptions.

Each is one transaction: validation first (raising ValidationError that names the
field), then the writes, whose change-log rows are written in the same transaction.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from samdrift.catalogue.models import Product, Service
from samdrift.core.dating import overlapping
from samdrift.core.services import save_object
from samdrift.inventory.choices import ASSET_TRANSITIONS, OUT_OF_SERVICE, AssetStatus
from samdrift.inventory.models import Asset, Assignment, Subscription, UsageRecord
from samdrift.organisations.models import Location, Municipality, Person, ServiceArea
from samdrift.organisations.services import foreign_member_errors

# Fields kept in step with the open assignment; only assign_asset/end_assignment set them.
HOLDER_FIELDS = ("municipality", "service_area", "person", "location")


def create_asset(*, product: Product, asset_tag: str, **fields: Any) -> Asset:
    """Register an asset (in stock unless a status is given)."""
    asset = Asset(product=product, asset_tag=asset_tag)
    return save_object(instance=asset, changes=fields)


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
    """Mirror the open assignment (if any) on the asset row."""
    latest = asset.assignments.order_by("-valid_from").first()
    holder = latest if latest is not None and latest.valid_to is None else None
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
