"""Writing the ordering catalogue: offers, bundles and their parts (operators)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from samdrift.core.services import save_object
from samdrift.ordering.models import Bundle, BundlePart, CatalogueOffer, OrderLine
from samdrift.ordering.states import OPEN_STATES


def save_offer(*, offer: CatalogueOffer, changes: dict[str, Any] | None = None) -> CatalogueOffer:
    """Create or change an offer (a product or a service that may be ordered)."""
    return save_object(instance=offer, changes=changes)


def save_bundle(*, bundle: Bundle, changes: dict[str, Any] | None = None) -> Bundle:
    """Create or change a bundle's name, code, lead time, one-off fee, activity."""
    return save_object(instance=bundle, changes=changes)


def save_bundle_part(*, part: BundlePart, changes: dict[str, Any] | None = None) -> BundlePart:
    """Add or change a part of a bundle (a product or a service in a quantity)."""
    changes = changes or {}
    if part.pk and "bundle" in changes and changes["bundle"] != part.bundle:
        raise ValidationError({"bundle": _("A part cannot move to another bundle.")})
    return save_object(instance=part, changes=changes)


def remove_bundle_part(*, part: BundlePart) -> None:
    """Remove a part; refused while an open order has the bundle on a line (its delivery
    goes part by part)."""
    with transaction.atomic():
        in_use = OrderLine.objects.filter(
            bundle_id=part.bundle_id, order__state__in=OPEN_STATES
        ).exists()
        if in_use:
            raise ValidationError(
                {"bundle": _("An open order has this bundle; deactivate it instead.")}
            )
        try:
            part.delete()
        except ProtectedError:
            raise ValidationError(
                {"bundle": _("This part was delivered on an order; deactivate the bundle instead.")}
            ) from None
