"""Orders: numbering, the one state-changing function (``transition``), drafting lines,
submitting (validation and price snapshots) and cancelling.

Every function is keyword-only, runs in one transaction, validates first (a
``ValidationError`` naming the field; nothing is written then) and locks the order row
before changing its state. Who made a change is the ambient actor (``core.actor``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.catalogue.models import Product, Service
from samdrift.core.actor import current_actor
from samdrift.core.choices import Role
from samdrift.core.membership import foreign_member_errors
from samdrift.ordering.choices import LineKind, OrderState
from samdrift.ordering.models import (
    Bundle,
    CatalogueOffer,
    OfferRestriction,
    Order,
    OrderLine,
    OrderNumberCounter,
    OrderTransition,
)
from samdrift.ordering.notifications import notify_transition
from samdrift.ordering.pricing import bundle_monthly, item_price, line_monthly_total, price_book
from samdrift.ordering.states import EDITABLE_STATES, allowed
from samdrift.organisations.models import Location, Municipality, Person, ServiceArea
from samdrift.ui.formatting import format_day

NUMBER_PREFIX = "B"
EDITABLE_LINE_FIELDS = frozenset(
    {"product", "service", "bundle", "description", "justification", "quantity", "person"}
)
EDITABLE_ORDER_FIELDS = frozenset({"service_area", "needed_by", "delivery_location", "comment"})


def state_label(state: str) -> str:
    return str(OrderState(state).label) if state in OrderState.values else state


# Numbering and the state machine ----------------------------------------------------------


def next_order_number(*, year: int) -> str:
    """The next order number of ``year``: ``B-2026-000123``, consecutive within the year
    (the year's counter row is locked until the caller's transaction ends)."""
    OrderNumberCounter.objects.get_or_create(year=year)
    counter = OrderNumberCounter.objects.select_for_update().get(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{NUMBER_PREFIX}-{year}-{counter.last_number:06d}"


def transition(order: Order, to: str, *, note: str = "", approval_as: str = "") -> OrderTransition:
    """Move ``order`` to state ``to``: the only code that changes an order's state.

    Refuses a step the table (``ordering.states.TRANSITIONS``) does not allow, so no state
    is skipped; writes the ``OrderTransition`` row (who, when, why) and, through the
    order's save, the change log. The caller holds the transaction and has locked the
    order row (``select_for_update``) before reading its state.
    """
    from_state = order.state
    if not allowed(from_state, to):
        raise ValidationError(
            {
                "state": _("An order cannot go from %(old)s to %(new)s.")
                % {"old": state_label(from_state), "new": state_label(to)}
            }
        )
    now = timezone.now()
    order.state = to
    fields = ["state", "last_updated"]
    if to == OrderState.SUBMITTED:
        order.submitted_at = now
        fields.append("submitted_at")
    elif to == OrderState.ACCEPTED:
        order.accepted_at = now
        fields.append("accepted_at")
    order.save(update_fields=fields)
    return record_transition(
        order, from_state=from_state, to_state=to, at=now, note=note, approval_as=approval_as
    )


def record_transition(
    order: Order,
    *,
    from_state: str,
    to_state: str,
    at: datetime.datetime | None = None,
    note: str = "",
    approval_as: str = "",
) -> OrderTransition:
    """Write one audit row for ``order`` by the current actor. ``transition`` calls it for
    a state change; an approval that is not the last one needed calls it with
    ``from_state == to_state``. Nothing else may write ``OrderTransition`` rows. The
    people concerned are notified from here (``ordering.notifications``)."""
    actor = current_actor()
    step = OrderTransition.objects.create(
        order=order,
        from_state=from_state,
        to_state=to_state,
        by=actor.resolved_user(),
        actor=actor.describe()[:150],
        at=at or timezone.now(),
        note=note,
        approval_as=approval_as,
    )
    notify_transition(order, step)
    return step


def lock_order(order: Order | int) -> Order:
    """The order row, locked for the rest of the transaction."""
    pk = order if isinstance(order, int) else order.pk
    return Order.objects.select_for_update().get(pk=pk)


def _require_editable(order: Order) -> None:
    if order.state not in EDITABLE_STATES:
        raise ValidationError(
            {
                "state": _("Only a draft order can be changed; %(number)s is %(state)s.")
                % {"number": order.number, "state": state_label(order.state)}
            }
        )


# Drafting -----------------------------------------------------------------------------------


def create_order(
    *,
    municipality: Municipality,
    service_area: ServiceArea | None = None,
    needed_by: datetime.date | None = None,
    delivery_location: Location | None = None,
    comment: str = "",
) -> Order:
    """Start a draft order for ``municipality`` (created by the current actor).

    A service-area manager orders for their own area (it is filled in when omitted); a
    municipality user only for their own municipality.
    """
    user = current_actor().resolved_user()
    errors = foreign_member_errors(
        municipality=municipality, service_area=service_area, location=delivery_location
    )
    if delivery_location is not None and "location" in errors:
        errors["delivery_location"] = errors.pop("location")
    if user is not None and not user.sees_all_municipalities:
        if user.municipality_id != municipality.pk:
            errors["municipality"] = _("You may only order for your own municipality.")
        elif user.role == Role.SERVICE_AREA:
            if service_area is None:
                service_area = user.service_area
            elif service_area.pk != user.service_area_id:
                errors["service_area"] = _("You may only order for your own service area.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        order = Order(
            municipality=municipality,
            service_area=service_area,
            needed_by=needed_by,
            delivery_location=delivery_location,
            comment=comment,
            created_by=user,
            number=next_order_number(year=timezone.localdate().year),
        )
        order.full_clean()
        order.save()
    return order


def update_order(*, order: Order, changes: dict[str, Any]) -> Order:
    """Change a draft order's cost centre, needed-by date, delivery location or comment."""
    unknown = set(changes) - EDITABLE_ORDER_FIELDS
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be changed here.")})
    with transaction.atomic():
        order = lock_order(order)
        _require_editable(order)
        for name, value in changes.items():
            setattr(order, name, value)
        errors = foreign_member_errors(
            municipality=order.municipality,
            service_area=order.service_area,
            location=order.delivery_location,
        )
        if "location" in errors:
            errors["delivery_location"] = errors.pop("location")
        if errors:
            raise ValidationError(errors)
        order.full_clean()
        order.save()
    return order


def add_line(
    *,
    order: Order,
    kind: str,
    quantity: int = 1,
    product: Product | None = None,
    service: Service | None = None,
    bundle: Bundle | None = None,
    person: Person | None = None,
    description: str = "",
    justification: str = "",
) -> OrderLine:
    """Add a line to a draft order: a catalogue product or service, a bundle, or a
    non-standard request (``description`` and ``justification`` required)."""
    with transaction.atomic():
        order = lock_order(order)
        _require_editable(order)
        line = OrderLine(
            order=order,
            kind=kind,
            quantity=quantity,
            product=product,
            service=service,
            bundle=bundle,
            person=person,
            description=description,
            justification=justification,
        )
        _raise(_line_errors(order, [line]))
        line.save()
    return line


def update_line(*, line: OrderLine, changes: dict[str, Any]) -> OrderLine:
    """Change a line of a draft order (its item, quantity, person or texts)."""
    unknown = set(changes) - EDITABLE_LINE_FIELDS
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be changed here.")})
    with transaction.atomic():
        order = lock_order(line.order_id)
        _require_editable(order)
        line = OrderLine.objects.get(pk=line.pk)
        for name, value in changes.items():
            setattr(line, name, value)
        _raise(_line_errors(order, [line]))
        line.save()
    return line


def remove_line(*, line: OrderLine) -> None:
    """Remove a line from a draft order."""
    with transaction.atomic():
        order = lock_order(line.order_id)
        _require_editable(order)
        OrderLine.objects.get(pk=line.pk).delete()


# Validation ---------------------------------------------------------------------------------


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _line_name(line: OrderLine, index: int | None) -> str:
    label = (
        line.description
        if line.kind == LineKind.NON_STANDARD
        else str(line.bundle or line.product or line.service or "")
    )
    if index is None:
        return label
    return _("Line %(n)s (%(item)s)") % {"n": index, "item": label}


def _line_errors(
    order: Order, lines: list[OrderLine], *, numbered: bool = False
) -> dict[str, list[str]]:
    """Every problem of ``lines`` of ``order``, by field: quantity below 1, an item that
    does not match the kind or cannot be ordered by the municipality, a person of
    another municipality or no longer active, a non-standard request without a
    description or justification. Orderability is read in two queries for all lines."""
    errors: dict[str, list[str]] = {}

    def add(field: str, line: OrderLine, index: int, message: str) -> None:
        prefix = _line_name(line, index) + ": " if numbered else ""
        errors.setdefault(field, []).append(prefix + message)

    orderable = orderable_ids(
        municipality_id=order.municipality_id,
        product_ids={line.product_id for line in lines if line.kind == LineKind.PRODUCT},
        service_ids={line.service_id for line in lines if line.kind == LineKind.SERVICE},
        bundle_ids={line.bundle_id for line in lines if line.kind == LineKind.BUNDLE},
    )
    today = timezone.localdate()
    for index, line in enumerate(lines, start=1):
        if line.quantity is None or int(line.quantity) < 1:
            add("quantity", line, index, _("The quantity must be at least 1."))
        if line.kind not in LineKind.values:
            add("kind", line, index, _("Choose product, service, bundle or non-standard."))
            continue
        item_field = {
            LineKind.PRODUCT: "product",
            LineKind.SERVICE: "service",
            LineKind.BUNDLE: "bundle",
        }.get(line.kind)
        if item_field is not None:
            others = {"product", "service", "bundle"} - {item_field}
            item_id = getattr(line, f"{item_field}_id")
            if item_id is None:
                add(item_field, line, index, _("Choose what to order."))
            elif item_id not in orderable[item_field]:
                add(
                    item_field,
                    line,
                    index,
                    _("%(item)s cannot be ordered by %(municipality)s.")
                    % {"item": getattr(line, item_field), "municipality": order.municipality},
                )
            for other in others:
                if getattr(line, f"{other}_id") is not None:
                    add(
                        other,
                        line,
                        index,
                        _("A %(kind)s line names only its %(field)s.")
                        % {"kind": LineKind(line.kind).label, "field": item_field},
                    )
        else:  # non-standard
            if line.bundle_id is not None:
                add("bundle", line, index, _("A non-standard request cannot name a bundle."))
            if not line.description.strip():
                add("description", line, index, _("Describe what is requested."))
            if not line.justification.strip():
                add(
                    "justification",
                    line,
                    index,
                    _("Say why the standard catalogue does not serve the need."),
                )
        if line.person_id is not None:
            person = line.person
            if person.municipality_id != order.municipality_id:
                add(
                    "person",
                    line,
                    index,
                    _("%(person)s belongs to another municipality than %(municipality)s.")
                    % {"person": person, "municipality": order.municipality},
                )
            elif person.active_to is not None and person.active_to <= today:
                add(
                    "person",
                    line,
                    index,
                    _("%(person)s is no longer active (left on %(date)s).")
                    % {"person": person, "date": format_day(person.active_to)},
                )
    return errors


def orderable_ids(
    *,
    municipality_id: int,
    product_ids: Iterable[int | None] = (),
    service_ids: Iterable[int | None] = (),
    bundle_ids: Iterable[int | None] = (),
) -> dict[str, set[int]]:
    """Which of the given products, services and bundles ``municipality_id`` may order
    (two queries at most): an active offer of an active item, or an active bundle, not
    restricted to other municipalities."""
    product_ids = {i for i in product_ids if i is not None}
    service_ids = {i for i in service_ids if i is not None}
    bundle_ids = {i for i in bundle_ids if i is not None}
    result: dict[str, set[int]] = {"product": set(), "service": set(), "bundle": set()}
    if product_ids or service_ids:
        rows = (
            CatalogueOffer.objects.filter(open_to(municipality_id), active=True)
            .filter(
                Q(product_id__in=product_ids, product__active=True)
                | Q(service_id__in=service_ids, service__active=True)
            )
            .values_list("product_id", "service_id")
        )
        for product_id, service_id in rows:
            if product_id:
                result["product"].add(product_id)
            else:
                result["service"].add(service_id)
    if bundle_ids:
        result["bundle"] = set(
            Bundle.objects.filter(
                open_to(municipality_id, field="bundle"), active=True, pk__in=bundle_ids
            ).values_list("pk", flat=True)
        )
    return result


def open_to(municipality_id: int, *, field: str = "offer") -> Q:
    """Offers (``field="offer"``) or bundles (``field="bundle"``) that ``municipality_id``
    may order: without restriction rows, or with one naming it."""
    rows = OfferRestriction.objects.filter(**{field: OuterRef("pk")})
    return ~Exists(rows) | Exists(rows.filter(municipality_id=municipality_id))


# Submitting and cancelling ------------------------------------------------------------------


def submit_order(*, order: Order, note: str = "") -> Order:
    """Send a draft order for approval: every line validated (all problems reported at
    once, by field, nothing written), then each line's unit prices snapshotted — the
    municipality's price of the day (agreed, else list), a bundle summed from its parts —
    and the order's added monthly cost and one-off fees totalled."""
    today = timezone.localdate()
    with transaction.atomic():
        order = lock_order(order)
        _require_editable(order)
        lines = list(
            order.lines.select_related("person", "product", "service", "bundle").order_by("pk")
        )
        if not lines:
            raise ValidationError({"lines": _("Add at least one line before submitting.")})
        errors = _line_errors(order, lines, numbered=True)
        if order.needed_by is not None and order.needed_by < today:
            errors.setdefault("needed_by", []).append(
                _("The needed-by date %(date)s has passed.") % {"date": format_day(order.needed_by)}
            )
        _raise(errors)
        _snapshot_prices(order, lines, day=today)
        transition(order, OrderState.SUBMITTED, note=note)
    return order


def price_lines(
    order: Order, lines: list[OrderLine], *, day: datetime.date
) -> dict[str, list[str]]:
    """Set each line's unit prices of ``day`` on the objects (nothing saved): what
    submitting would snapshot, and what a draft's page shows. Returns the errors of the
    lines without a price that day."""
    book = price_book(day)
    offers = {
        (offer.product_id, offer.service_id): offer
        for offer in CatalogueOffer.objects.filter(
            Q(product_id__in={line.product_id for line in lines if line.product_id})
            | Q(service_id__in={line.service_id for line in lines if line.service_id})
        )
    }
    bundle_ids = {line.bundle_id for line in lines if line.bundle_id}
    bundles = {
        bundle.pk: bundle
        for bundle in Bundle.objects.filter(pk__in=bundle_ids).prefetch_related("parts")
    }
    errors: dict[str, list[str]] = {}
    for index, line in enumerate(lines, start=1):
        if line.kind == LineKind.NON_STANDARD:
            continue  # priced by the operator's review
        if line.kind == LineKind.BUNDLE:
            bundle = bundles[line.bundle_id]
            price = bundle_monthly(
                book, municipality_id=order.municipality_id, parts=bundle.parts.all(), day=day
            )
            source, fee = "bundle", bundle.one_off_fee
            field = "bundle"
        else:
            kind = line.kind
            item_id = line.product_id if kind == LineKind.PRODUCT else line.service_id
            price, source = item_price(
                book, municipality_id=order.municipality_id, kind=kind, item_id=item_id, day=day
            )
            offer = offers.get(
                (line.product_id, None) if kind == LineKind.PRODUCT else (None, line.service_id)
            )
            fee = offer.one_off_fee if offer is not None else None
            field = kind
        if price is None:
            errors.setdefault(field, []).append(
                _("%(line)s: no price in force on %(date)s; it cannot be ordered yet.")
                % {"line": _line_name(line, index), "date": format_day(day)}
            )
            continue
        line.monthly_price, line.price_source, line.one_off_fee = price, source, fee
    return errors


def _snapshot_prices(order: Order, lines: list[OrderLine], *, day: datetime.date) -> None:
    """Write each line's unit prices of ``day`` and the order's totals (a line without a
    price that day is refused, naming it)."""
    _raise(price_lines(order, lines, day=day))
    for line in lines:
        if line.kind != LineKind.NON_STANDARD:
            line.save(
                update_fields=["monthly_price", "price_source", "one_off_fee", "last_updated"]
            )
    set_totals(order, lines)


def set_totals(order: Order, lines: list[OrderLine]) -> None:
    """Total the lines' snapshots on the order (unpriced lines count nothing yet)."""
    monthly = Decimal("0.00")
    one_off = Decimal("0.00")
    for line in lines:
        monthly += line_monthly_total(line) or Decimal("0")
        if line.one_off_fee is not None:
            one_off += line.one_off_fee * line.quantity
    order.monthly_total, order.one_off_total = monthly, one_off
    order.save(update_fields=["monthly_total", "one_off_total", "last_updated"])


def cancel_order(*, order: Order, reason: str = "") -> Order:
    """Cancel an order before anything of it is delivered: by the one who created it, the
    municipality contact, or an operator."""
    user = current_actor().resolved_user()
    with transaction.atomic():
        order = lock_order(order)
        if user is not None and not user.is_operator:
            is_creator = order.created_by_id == user.pk
            is_contact = (
                user.role == Role.MUNICIPALITY and user.municipality_id == order.municipality_id
            )
            if not (is_creator or is_contact):
                raise ValidationError(
                    {
                        "user": _(
                            "Only the one who placed the order, the municipality contact or "
                            "an operator may cancel it."
                        )
                    }
                )
        if order.state == OrderState.PARTLY_DELIVERED:
            raise ValidationError(
                {
                    "state": _("Part of %(number)s is delivered; return it instead of cancelling.")
                    % {"number": order.number}
                }
            )
        transition(order, OrderState.CANCELLED, note=reason)
    return order
