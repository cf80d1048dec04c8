"""Write operations on the catalogue. Prices are effective-dated: publishing a price
closes the open version and adds a new one; an existing version is never edited."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from samdrift.catalogue.models import PriceVersion, Product, Service


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
                    % {"date": newest.valid_from.isoformat()}
                }
            )
        if newest is not None and (newest.valid_to is None or newest.valid_to > valid_from):
            newest.valid_to = valid_from
            newest.save(update_fields=["valid_to", "last_updated"])
        version = PriceVersion(amount=amount, valid_from=valid_from, note=note, **item_filter)
        version.full_clean()
        version.save()
    return version
