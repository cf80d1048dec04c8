"""Write operations on the catalogue. Prices are effective-dated: publishing a price
closes the open version and adds a new one; an existing version is never edited.

Each validates the whole object and writes it, with its change-log row, in one
transaction; the actor is whoever the entry point set (docs/services.md)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from samdrift.catalogue.models import PriceVersion, Product, ProductCategory, Service
from samdrift.core.services import save_object
from samdrift.ui.formatting import format_day


def save_category(
    *, category: ProductCategory, changes: dict[str, Any] | None = None
) -> ProductCategory:
    """Create or edit a product category (``changes`` applied to ``category`` first)."""
    return save_object(instance=category, changes=changes)


def save_product(*, product: Product, changes: dict[str, Any] | None = None) -> Product:
    """Create or edit a catalogue product; its prices have ``publish_price``."""
    return save_object(instance=product, changes=changes)


def save_service(*, service: Service, changes: dict[str, Any] | None = None) -> Service:
    """Create or edit a catalogue service; its prices have ``publish_price``."""
    return save_object(instance=service, changes=changes)


def publish_price(
    *,
    amount: Decimal,
    valid_from: datetime.date,
    product: Product | None = None,
    service: Service | None = None,
    note: str = "",
) -> PriceVersion:
    """Make ``amount`` the price of a product or service from ``valid_from``.

    The version in force until then is closed the day before (``valid_to = valid_from``).
    A price may not start on or before the start of the newest version: that would
    rewrite a price already in force.
    """
    if (product is None) == (service is None):
        raise ValidationError(_("Give either a product or a service, not both or neither."))
    if amount is None or amount < 0:
        raise ValidationError({"amount": _("A price cannot be negative.")})
    item_filter = {"product": product} if product is not None else {"service": service}
    with transaction.atomic():
        # Lock the item's versions so two publications cannot both close the same one.
        versions = list(
            PriceVersion.objects.select_for_update().filter(**item_filter).order_by("-valid_from")
        )
        newest = versions[0] if versions else None
        if newest is not None and valid_from <= newest.valid_from:
            raise ValidationError(
                {
                    "valid_from": _(
                        "A price from %(date)s already exists; a new price must start after it "
                        "(prices in force are never rewritten)."
                    )
                    % {"date": format_day(newest.valid_from)}
                }
            )
        if newest is not None and (newest.valid_to is None or newest.valid_to > valid_from):
            newest.valid_to = valid_from
            newest.save(update_fields=["valid_to", "last_updated"])
        version = PriceVersion(amount=amount, valid_from=valid_from, note=note, **item_filter)
        version.full_clean()
        version.save()
    return version
