"""One-off charges (hours of work, an installation fee), entered by hand."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from samdrift.billing.models import (
    OneOffCharge,
)
from samdrift.catalogue.models import Service
from samdrift.core.membership import foreign_member_errors
from samdrift.core.services import save_object
from samdrift.inventory.models import Asset
from samdrift.organisations.models import Municipality, Person, ServiceArea


def _check_members(*, municipality, service_area, person, asset) -> None:
    """The service area, person and asset must be the municipality's (or the asset the
    collaboration's pool's)."""
    errors = foreign_member_errors(
        municipality=municipality, service_area=service_area, person=person
    )
    if asset is not None and asset.municipality_id not in (None, municipality.pk):
        errors["asset"] = _("%(asset)s is held by another municipality.") % {"asset": asset}
    if errors:
        raise ValidationError(errors)


def add_one_off_charge(
    *,
    municipality: Municipality,
    description: str,
    date: datetime.date,
    unit_price: Decimal,
    quantity: Decimal = Decimal("1"),
    service_area: ServiceArea | None = None,
    person: Person | None = None,
    asset: Asset | None = None,
    service: Service | None = None,
    vat_rate: Decimal | None = None,
    vat_exemption_reason: str = "",
    reference: str = "",
) -> OneOffCharge:
    """Enter a one-off charge (hours of work, an installation fee). VAT defaults to the
    service's. Dated in a closed month, it is billed as an adjustment next run."""
    _check_members(municipality=municipality, service_area=service_area, person=person, asset=asset)
    if vat_rate is None:
        vat_rate = service.vat_rate if service is not None else Decimal("25.00")
        if service is not None and not vat_exemption_reason:
            vat_exemption_reason = service.vat_exemption_reason
    charge = OneOffCharge(
        municipality=municipality,
        service_area=service_area,
        person=person,
        asset=asset,
        service=service,
        description=description,
        date=date,
        quantity=quantity,
        unit_price=unit_price,
        vat_rate=vat_rate,
        vat_exemption_reason=vat_exemption_reason,
        reference=reference,
    )
    return save_object(instance=charge)


ONE_OFF_FIELDS = (
    "municipality",
    "service_area",
    "person",
    "asset",
    "service",
    "description",
    "date",
    "quantity",
    "unit_price",
    "vat_rate",
    "vat_exemption_reason",
    "reference",
)


def update_one_off_charge(*, charge: OneOffCharge, changes: dict[str, Any]) -> OneOffCharge:
    """Correct an entered one-off charge (a wrong price or date). Checked as when it was
    entered; the change log keeps the old values. Moved into a closed month (or changed
    there), the difference is billed as an adjustment next run, as for any fact."""
    unknown = set(changes) - set(ONE_OFF_FIELDS)
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be changed here.") for name in sorted(unknown)}
        )
    for name, value in changes.items():
        setattr(charge, name, value)
    _check_members(
        municipality=charge.municipality,
        service_area=charge.service_area,
        person=charge.person,
        asset=charge.asset,
    )
    return save_object(instance=charge)
