"""Returns: equipment and services given back on a date (a person leaves, a device is
replaced). The assignment ends on the return date — the first day no longer held, as
every period in Samdrift is half-open — so billing stops that day; the person's
subscriptions end the same day; the asset goes to stock, to repair or to disposal (with
the reference of the data-wipe certificate)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from samdrift.core.actor import current_actor
from samdrift.inventory.choices import AssetStatus
from samdrift.inventory.models import Asset, Assignment, Subscription
from samdrift.inventory.services import change_asset_status, end_assignment, end_subscription
from samdrift.ordering.choices import ReturnDisposition
from samdrift.ordering.models import Delivery, Return, ReturnLine
from samdrift.organisations.models import Municipality, Person
from samdrift.ui.formatting import format_day

# The asset statuses a disposition leads to, step by step along the asset lifecycle.
STATUS_STEPS = {
    ReturnDisposition.STOCK: (AssetStatus.IN_STOCK,),
    ReturnDisposition.REPAIR: (AssetStatus.IN_REPAIR,),
    ReturnDisposition.DISPOSAL: (AssetStatus.RETIRED, AssetStatus.DISPOSED),
}


@dataclass(frozen=True)
class ReturnItem:
    """One asset to take back: where it goes and, for disposal, the wipe certificate."""

    asset: Asset
    disposition: str = ReturnDisposition.STOCK
    wipe_certificate: str = ""


def return_assets(
    *,
    municipality: Municipality,
    on: datetime.date,
    items: Iterable[ReturnItem | tuple],
    person: Person | None = None,
    reason: str = "",
    end_subscriptions: bool = True,
) -> Return:
    """Take assets back from ``municipality`` on ``on`` and, for a ``person``, end their
    subscriptions running that day (``end_subscriptions``). ``items`` are ``ReturnItem``
    or ``(asset, disposition, certificate)`` tuples.

    Each asset must be held by the municipality (an open assignment); disposal needs a
    wipe certificate reference. Everything is checked before anything is written.
    """
    items = [item if isinstance(item, ReturnItem) else ReturnItem(*item) for item in items]
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if person is not None and person.municipality_id != municipality.pk:
        add(
            "person",
            _("%(person)s belongs to another municipality than %(municipality)s.")
            % {"person": person, "municipality": municipality},
        )
    seen: set[int] = set()
    for item in items:
        if item.disposition not in ReturnDisposition.values:
            add(
                "disposition",
                _("Choose stock, repair or disposal for %(asset)s.") % {"asset": item.asset},
            )
        if item.disposition == ReturnDisposition.DISPOSAL and not item.wipe_certificate.strip():
            add(
                "wipe_certificate",
                _("%(asset)s goes to disposal: give the data-wipe certificate reference.")
                % {"asset": item.asset},
            )
        if item.asset.pk in seen:
            add("asset", _("%(asset)s is listed twice.") % {"asset": item.asset})
        seen.add(item.asset.pk)

    with transaction.atomic():
        assets = {
            a.pk: a for a in Asset.objects.select_for_update().filter(pk__in=seen).order_by("pk")
        }
        held = {
            a.asset_id: a
            for a in Assignment.objects.filter(asset_id__in=seen, valid_to__isnull=True)
        }
        for item in items:
            assignment = held.get(item.asset.pk)
            if assignment is None or assignment.municipality_id != municipality.pk:
                add(
                    "asset",
                    _("%(asset)s is not held by %(municipality)s.")
                    % {"asset": item.asset, "municipality": municipality},
                )
            elif on <= assignment.valid_from:
                add(
                    "on",
                    _("%(asset)s was handed over on %(date)s; it can only be returned after.")
                    % {"asset": item.asset, "date": format_day(assignment.valid_from)},
                )
        subscriptions = []
        if person is not None and end_subscriptions:
            subscriptions = list(
                Subscription.objects.filter(person=person, valid_from__lt=on).filter(
                    Q(valid_to__isnull=True) | Q(valid_to__gt=on)
                )
            )
        if not items and not subscriptions:
            add("items", _("Nothing to return."))
        if errors:
            raise ValidationError(errors)

        ret = Return.objects.create(
            municipality=municipality,
            service_area=person.service_area if person is not None else None,
            person=person,
            return_on=on,
            reason=reason,
            by=current_actor().resolved_user(),
        )
        for item in items:
            asset = assets[item.asset.pk]
            end_assignment(asset=asset, on=on)
            asset.refresh_from_db()
            for status in STATUS_STEPS[item.disposition]:
                if asset.status != status:
                    asset = change_asset_status(asset=asset, status=status, on=on)
            for delivery in Delivery.objects.filter(asset=asset, returned_on__isnull=True):
                delivery.returned_on = on
                delivery.save(update_fields=["returned_on", "last_updated"])
            ReturnLine.objects.create(
                ret=ret,
                asset=asset,
                disposition=item.disposition,
                wipe_certificate=item.wipe_certificate.strip(),
            )
        for subscription in subscriptions:
            end_subscription(subscription=subscription, on=on)
            ReturnLine.objects.create(ret=ret, subscription=subscription)
    return ret
