"""Subscriptions to services and usage records."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from samdrift.catalogue.models import Service
from samdrift.core.dating import overlapping
from samdrift.core.membership import foreign_member_errors
from samdrift.core.services import save_object
from samdrift.inventory.models import Asset, Assignment, Subscription, UsageRecord
from samdrift.organisations.models import Location, Municipality, Person, ServiceArea


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
