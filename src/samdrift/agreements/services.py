"""Write operations on service agreements and their agreed prices.

Each validates the whole object and writes it, with its change-log row, in one
transaction; the actor is whoever the entry point set (docs/services.md)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from samdrift.agreements.models import AgreedPrice, ServiceAgreement
from samdrift.catalogue.models import Product, Service
from samdrift.core.services import save_object
from samdrift.organisations.models import Municipality


def create_agreement(
    *,
    municipality: Municipality,
    name: str,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    reference: str = "",
    notes: str = "",
    maintenance_notice_days: int = 5,
    pause_awaiting_user: bool = True,
    pause_awaiting_vendor: bool = True,
) -> ServiceAgreement:
    """Make an agreement for ``municipality``; refused when it overlaps another of its own.
    ``maintenance_notice_days``: planned maintenance announced at least this long before
    does not count as downtime; the ``pause_*`` flags: whether waiting for the user or a
    vendor stops the response and resolution clocks."""
    agreement = ServiceAgreement(
        municipality=municipality,
        name=name,
        valid_from=valid_from,
        valid_to=valid_to,
        reference=reference,
        notes=notes,
        maintenance_notice_days=maintenance_notice_days,
        pause_awaiting_user=pause_awaiting_user,
        pause_awaiting_vendor=pause_awaiting_vendor,
    )
    return save_object(instance=agreement)


def update_agreement(*, agreement: ServiceAgreement, changes: dict[str, Any]) -> ServiceAgreement:
    """Edit an agreement's fields (the notice days and pausing rules of its service levels
    too); refused when it would overlap another of its own."""
    return save_object(instance=agreement, changes=changes)


def end_agreement(*, agreement: ServiceAgreement, on: datetime.date) -> ServiceAgreement:
    """End an agreement: ``on`` is the first day it is no longer in force. Billing finds a
    change that reaches into a closed month on its next run and bills the difference."""
    if on <= agreement.valid_from:
        raise ValidationError(
            {"valid_to": _("Must be after the start (%(date)s).") % {"date": agreement.valid_from}}
        )
    return save_object(instance=agreement, changes={"valid_to": on})


def set_agreed_price(
    *,
    agreement: ServiceAgreement,
    amount: Decimal,
    product: Product | None = None,
    service: Service | None = None,
    note: str = "",
) -> AgreedPrice:
    """Agree a price for a product or service under ``agreement`` (replacing an earlier one
    for the same item in that agreement)."""
    if (product is None) == (service is None):
        raise ValidationError(
            {"product": _("Give either a product or a service, not both or neither.")}
        )
    if amount is None or amount < 0:
        raise ValidationError({"amount": _("A price cannot be negative.")})
    item = {"product": product} if product is not None else {"service": service}
    with transaction.atomic():
        price = AgreedPrice.objects.filter(agreement=agreement, **item).first()
        if price is None:
            price = AgreedPrice(agreement=agreement, **item)
        return save_object(instance=price, changes={"amount": amount, "note": note})


def update_agreed_price(*, price: AgreedPrice, changes: dict[str, Any]) -> AgreedPrice:
    """Edit an agreed price (its amount, note or item). Billing finds a change that
    reaches into a closed month on its next run and bills the difference."""
    return save_object(instance=price, changes=changes)


def delete_agreed_price(*, price: AgreedPrice) -> None:
    """Remove an agreed price: the item is billed at the catalogue's price again. Billing
    finds the deletion in the change log, as it finds an edit, and bills the difference of
    a closed month it reaches into on its next run (``billing.adjustments``)."""
    with transaction.atomic():
        price.delete()
