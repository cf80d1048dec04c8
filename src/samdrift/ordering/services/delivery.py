"""Delivering an accepted order, line by line.

A device is an asset in stock of the line's product (or one bought for it and
registered here), assigned to the line's person and the order's service area **from
the delivery date** through ``inventory.services.assign_asset``: billing charges it from
that day through the assignment history, with no further step. A service starts a
subscription that day. Two operators delivering the same stock asset at once: the
asset row is locked (``select_for_update``) and a unique constraint on open deliveries
backs the lock, so the second one is refused cleanly.

A line with a one-off fee (installation) is billed through billing's one-off charges:
each delivery that completes units of the line enters a ``OneOffCharge`` for those units
× the fee snapshotted on the line, dated the delivery day, with the order number as its
reference (for a bundle: when a whole bundle is complete).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.billing.services.one_offs import add_one_off_charge
from samdrift.catalogue.models import Product, Service
from samdrift.core.actor import current_actor
from samdrift.core.invoice_language import in_invoice_language
from samdrift.inventory.choices import AssetStatus
from samdrift.inventory.models import Asset
from samdrift.inventory.services import assign_asset, create_asset, subscribe
from samdrift.ordering.choices import LineKind, OrderState
from samdrift.ordering.models import BundlePart, Delivery, Order, OrderLine
from samdrift.ordering.services.orders import lock_order, state_label, transition
from samdrift.ordering.states import DELIVERABLE_STATES
from samdrift.organisations.models import Person


def deliver_line(
    *,
    line: OrderLine,
    on: datetime.date,
    asset: Asset | None = None,
    new_asset: Mapping[str, Any] | None = None,
    person: Person | None = None,
    part: BundlePart | None = None,
    quantity: int | None = None,
) -> Delivery:
    """Deliver part of ``line`` on ``on``; returns the ``Delivery``.

    - a product (or a non-standard line reviewed as a product, or a bundle ``part`` that
      is a product): one device — ``asset``, in stock and of that product, or
      ``new_asset`` ``{"tag", "serial", "acquisition_cost"}`` registered now — assigned
      to ``person`` (default: the line's) and the order's service area (default: the
      person's) from ``on``;
    - a service (or a service part, or a non-standard line reviewed as a service):
      ``quantity`` (default: all that is left) as one subscription from ``on``;
    - a non-standard line without catalogue item: ``quantity`` recorded as handed over.

    Refuses more than ordered, an asset of another product or not in stock, a person of
    another municipality, and an order that is not accepted. The order becomes partly
    delivered, or delivered when every line is complete.
    """
    with transaction.atomic():
        order = lock_order(line.order_id)
        line = (
            OrderLine.objects.select_for_update(of=("self",))
            .select_related("person")
            .get(pk=line.pk)
        )
        if order.state not in DELIVERABLE_STATES:
            raise ValidationError(
                {
                    "state": _("Only an accepted order is delivered; %(number)s is %(state)s.")
                    % {"number": order.number, "state": state_label(order.state)}
                }
            )
        kind, product_id, service_id, ordered, delivered = _what_is_delivered(line, part)
        left = ordered - delivered
        person = person if person is not None else line.person
        if person is not None and person.municipality_id != order.municipality_id:
            raise ValidationError(
                {
                    "person": _("%(person)s belongs to another municipality than the order.")
                    % {"person": person}
                }
            )
        service_area = order.service_area or (person.service_area if person else None)
        if kind == "product":
            if quantity not in (None, 1):
                raise ValidationError({"quantity": _("A device is delivered one at a time.")})
            quantity = 1
        elif quantity is None:
            quantity = left
        if quantity < 1 or quantity > left:
            raise ValidationError(
                {
                    "quantity": _(
                        "%(line)s has %(left)s of %(ordered)s left to deliver; %(n)s is more "
                        "than ordered."
                    )
                    % {"line": line.label, "left": left, "ordered": ordered, "n": quantity}
                    if quantity > left
                    else _("The quantity must be at least 1.")
                }
            )
        delivery = Delivery(
            line=line,
            part=part,
            quantity=quantity,
            delivered_on=on,
            by=current_actor().resolved_user(),
        )
        note = _("Order %(number)s") % {"number": order.number}
        if kind == "product":
            delivery.asset = _pick_asset(product_id, asset, new_asset, on)
            _save_delivery(delivery)
            assign_asset(
                asset=delivery.asset,
                municipality=order.municipality,
                service_area=service_area,
                person=person,
                location=order.delivery_location,
                valid_from=on,
                note=note,
            )
        else:
            if asset is not None or new_asset is not None:
                raise ValidationError({"asset": _("This line is not delivered as a device.")})
            if kind == "service":
                delivery.subscription = subscribe(
                    service=_service(service_id),
                    municipality=order.municipality,
                    service_area=service_area,
                    person=person,
                    valid_from=on,
                    quantity=Decimal(quantity),
                    note=note,
                )
            _save_delivery(delivery)
        before = line.delivered_quantity
        _count_delivered(line)
        if line.delivered_quantity > before and line.one_off_fee:
            _charge_one_off_fee(
                order=order,
                line=line,
                units=line.delivered_quantity - before,
                on=on,
                service_area=service_area,
                person=person,
                asset=delivery.asset if line.kind != LineKind.BUNDLE else None,
            )
        _advance(order)
    return delivery


def _charge_one_off_fee(
    *,
    order: Order,
    line: OrderLine,
    units: int,
    on: datetime.date,
    service_area,
    person: Person | None,
    asset: Asset | None,
) -> None:
    """Enter the one-off fee of ``units`` newly delivered units of ``line`` as a billing
    one-off charge dated ``on``: billed in that month (in the next open one as an
    adjustment when that month is closed)."""
    service, vat_rate = _fee_vat(line)
    with in_invoice_language():  # the charge's text goes onto the invoice as it is
        text = _("Installation: %(item)s — order %(number)s") % {
            "item": line.label,
            "number": order.number,
        }
    add_one_off_charge(
        municipality=order.municipality,
        service_area=service_area,
        person=person,
        asset=asset,
        service=service,
        description=text[:200],
        date=on,
        quantity=Decimal(units),
        unit_price=line.one_off_fee,
        vat_rate=vat_rate,
        reference=order.number,
    )


def _fee_vat(line: OrderLine) -> tuple[Service | None, Decimal | None]:
    """(service, VAT rate) of a line's one-off fee: a service's own rate and exemption
    (the service is named on the charge), a product's rate, for a bundle the highest rate
    of its parts. ``None`` leaves billing's standard rate; so does a zero-rated product,
    which has no exemption reason to give."""
    if line.kind == LineKind.BUNDLE:
        parts = line.bundle.parts.select_related("product", "service")
        rates = [part.item.vat_rate for part in parts]
        return None, (max(rates) or None) if rates else None
    if line.service_id:
        return line.service, None
    if line.product_id:
        return None, line.product.vat_rate or None
    return None, None


def _what_is_delivered(
    line: OrderLine, part: BundlePart | None
) -> tuple[str, int | None, int | None, int, int]:
    """(kind "product"/"service"/"other", product id, service id, units ordered, units
    delivered) of what a delivery of ``line`` (and ``part``) hands over."""
    if line.kind == LineKind.BUNDLE:
        if part is None or part.bundle_id != line.bundle_id:
            raise ValidationError(
                {
                    "part": _("Say which part of the bundle %(bundle)s is delivered.")
                    % {"bundle": line.label}
                }
            )
        delivered = line.deliveries.filter(part=part).aggregate(n=Sum("quantity"))["n"] or 0
        ordered = line.quantity * part.quantity
        if part.product_id:
            return "product", part.product_id, None, ordered, delivered
        return "service", None, part.service_id, ordered, delivered
    if part is not None:
        raise ValidationError({"part": _("Only a bundle line is delivered part by part.")})
    if line.kind == LineKind.NON_STANDARD and not line.reviewed:
        raise ValidationError(
            {"line": _("Review and price the non-standard request before delivering it.")}
        )
    if line.product_id:
        kind = "product"
    elif line.service_id:
        kind = "service"
    else:
        kind = "other"
    return kind, line.product_id, line.service_id, line.quantity, line.delivered_quantity


def _pick_asset(
    product_id: int, asset: Asset | None, new_asset: Mapping[str, Any] | None, on: datetime.date
) -> Asset:
    """The asset to hand over, locked: the stock asset given, checked, or a new one."""
    if (asset is None) == (new_asset is None):
        raise ValidationError(
            {"asset": _("Pick an asset in stock, or register the newly bought one.")}
        )
    if new_asset is not None:
        return create_asset(
            product=Product.objects.get(pk=product_id),
            asset_tag=str(new_asset.get("tag") or "").strip(),
            serial_number=str(new_asset.get("serial") or "").strip(),
            acquisition_cost=new_asset.get("acquisition_cost"),
            acquisition_date=min(on, timezone.localdate()),
            status=AssetStatus.IN_STOCK,
        )
    locked = (
        Asset.objects.select_for_update(of=("self",)).select_related("product").get(pk=asset.pk)
    )
    if locked.product_id != product_id:
        raise ValidationError(
            {
                "asset": _("%(asset)s is a %(product)s; this line needs a %(wanted)s.")
                % {
                    "asset": locked,
                    "product": locked.product,
                    "wanted": Product.objects.get(pk=product_id),
                }
            }
        )
    held = locked.assignments.filter(valid_to__isnull=True).exists()
    if locked.status != AssetStatus.IN_STOCK or held:
        raise ValidationError(
            {
                "asset": _("%(asset)s is not in stock (it is %(status)s).")
                % {
                    "asset": locked,
                    "status": AssetStatus(locked.status).label if not held else _("held"),
                }
            }
        )
    return locked


def _save_delivery(delivery: Delivery) -> None:
    """Insert the delivery; the open-delivery constraint is the last guard against the
    same asset going to two lines (the row lock is the first)."""
    try:
        with transaction.atomic():
            delivery.save()
    except IntegrityError as error:
        raise ValidationError(
            {"asset": _("%(asset)s has already been delivered.") % {"asset": delivery.asset}}
        ) from error


def _service(service_id: int):
    return Service.objects.get(pk=service_id)


def _count_delivered(line: OrderLine) -> None:
    """Recount ``line.delivered_quantity`` from its deliveries (a bundle: whole bundles,
    the fewest any part makes up)."""
    if line.kind == LineKind.BUNDLE:
        totals = dict(
            line.deliveries.values("part_id")
            .annotate(n=Sum("quantity"))
            .values_list("part_id", "n")
        )
        parts = list(line.bundle.parts.all())
        delivered = min((totals.get(p.pk, 0) // p.quantity for p in parts), default=0)
    else:
        delivered = line.deliveries.aggregate(n=Sum("quantity"))["n"] or 0
    if delivered != line.delivered_quantity:
        line.delivered_quantity = delivered
        line.save(update_fields=["delivered_quantity", "last_updated"])


def _advance(order: Order) -> None:
    """Partly delivered after the first delivery; delivered when no line has any left."""
    remaining = any(
        line.delivered_quantity < line.quantity
        for line in order.lines.only("quantity", "delivered_quantity")
    )
    if not remaining:
        transition(order, OrderState.DELIVERED)
    elif order.state == OrderState.ACCEPTED:
        transition(order, OrderState.PARTLY_DELIVERED)
