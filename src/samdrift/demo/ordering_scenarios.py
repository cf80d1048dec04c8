"""The orders of demo step "ordering" (``demo.ordering``): each driven through the
ordering services as the demo's logins — placed, submitted, approved, accepted,
delivered, rejected or cancelled — in the largest member's scenarios, every other
member's, a few routine orders each, and a leaving employee's return."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Q

from samdrift.core.actor import acting_as
from samdrift.demo.context import DemoContext
from samdrift.inventory.models import Asset, Assignment
from samdrift.ordering.choices import LineKind, OrderState, ReturnDisposition
from samdrift.ordering.services import (
    ReturnItem,
    accept_order,
    add_line,
    approve_order,
    cancel_order,
    create_order,
    deliver_line,
    reject_order,
    return_assets,
    review_line,
    submit_order,
)
from samdrift.organisations.choices import PersonKind
from samdrift.organisations.models import Person
from samdrift.organisations.services import end_person

if TYPE_CHECKING:
    from samdrift.demo.ordering import World

D = Decimal


# Driving an order through its states ---------------------------------------------------


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def _place(world: World, *, municipality, by, area, lines, age, location=None, comment=""):
    """A draft order placed ``age`` days before today by ``by`` with ``lines``."""
    with acting_as(by):
        order = create_order(
            municipality=municipality,
            service_area=area,
            delivery_location=location,
            comment=comment,
        )
        for line in lines:
            add_line(order=order, **line)
    world.plans[order.pk] = world.ctx.today - _days(age)
    return order


def _drive(world: World, order, *, to: str, by, approvers=(), reason="", deliver=None):
    """Take ``order`` (a draft) to state ``to``: submitted by ``by``, approved by
    ``approvers`` in turn, accepted and delivered by the operator."""
    if to == OrderState.DRAFT:
        return order
    if to == OrderState.CANCELLED and not approvers:
        with acting_as(by):
            submit_order(order=order)
            cancel_order(order=order, reason=reason)
        return order
    with acting_as(by):
        submit_order(order=order)
    if to == OrderState.SUBMITTED:
        return order
    if to == OrderState.REJECTED:
        with acting_as(approvers[0]):
            reject_order(order=order, reason=reason)
        return order
    # The operator prices a non-standard request before the budget owners approve.
    with acting_as(world.admin):
        for line in order.lines.filter(kind=LineKind.NON_STANDARD, reviewed=False):
            review_line(
                line=line,
                monthly_price=D("95.00"),
                one_off_fee=D("1500.00"),
                product=world.products.get("staff-tablet"),
                note="Leveres som ansattnettbrett med tegnepenn; pennen som engangsgebyr.",
            )
    for approver in approvers:
        with acting_as(approver):
            approve_order(order=order)
    if to == OrderState.APPROVED:
        return order
    if to == OrderState.CANCELLED:
        with acting_as(approvers[-1]):
            cancel_order(order=order, reason=reason)
        return order
    with acting_as(world.admin):
        accept_order(order=order)
    if to == OrderState.ACCEPTED:
        return order
    _deliver(world, order, share=1.0 if to == OrderState.DELIVERED else (deliver or 0.5))
    return order


def _deliver(world: World, order, *, share: float) -> None:
    """Deliver ``share`` of every line (all of it for 1.0), a few days after acceptance
    and never after today."""
    accepted = world.plans[order.pk] + _days(2)
    with acting_as(world.admin):
        for index, line in enumerate(order.lines.select_related("bundle", "product", "service")):
            units = line.quantity if share >= 1 else max(1, int(line.quantity * share))
            if share < 1 and index > 0:
                continue  # a partial delivery: the first line only
            on = min(world.ctx.today, accepted + _days(3 + index))
            world.delivered_on[order.pk].append(on)
            if line.kind == LineKind.BUNDLE:
                for part in line.bundle.parts.select_related("product", "service"):
                    for _ in range(units * part.quantity if part.product_id else 1):
                        extra = world.stock_asset(part.product) if part.product_id else {}
                        qty = {} if part.product_id else {"quantity": units * part.quantity}
                        deliver_line(line=line, part=part, on=on, **extra, **qty)
            elif line.product_id:
                for _ in range(units):
                    deliver_line(line=line, on=on, **world.stock_asset(line.product))
            else:
                deliver_line(line=line, on=on, quantity=units)


# The scenarios ---------------------------------------------------------------------------


def largest_scenarios(ctx: DemoContext, world: World) -> None:
    """The largest member: its education manager orders, the contact approves (and, above
    5 000 kr a month, the second approval), the operator accepts and delivers."""
    m = world.largest
    education = world.manager.service_area
    contact, manager = world.contact[m.pk], world.manager
    p, s = world.products, world.services
    school = world.school(m)
    teachers = world.people(m, education, 6)

    # The bulk school order: 30 pupil laptops and their accounts for a school (above
    # 5 000 kr a month, so the manager and the contact both approve). The school's request
    # came by e-mail; the service desk registered it. 12 delivered from stock so far.
    bulk = _place(
        world,
        municipality=m,
        by=world.admin,
        area=education,
        location=school,
        age=12,
        comment="Klassesett for 5. trinn, registrert av servicedesken etter e-post fra rektor.",
        lines=[
            {"kind": LineKind.PRODUCT, "product": p["pupil-laptop"], "quantity": 30},
            {"kind": LineKind.SERVICE, "service": s["pupil-account"], "quantity": 30},
        ],
    )
    _drive(
        world,
        bulk,
        to=OrderState.PARTLY_DELIVERED,
        by=world.admin,
        approvers=(manager, contact),
        deliver=0.4,
    )

    # Two teacher workstations, delivered in full (with the installation fee).
    order = _place(
        world,
        municipality=m,
        by=manager,
        area=education,
        age=20,
        lines=[
            {"kind": LineKind.BUNDLE, "bundle": world.teacher_bundle, "person": teacher}
            for teacher in teachers[:2]
        ],
    )
    _drive(world, order, to=OrderState.DELIVERED, by=manager, approvers=(contact,))

    # A non-standard request, priced by the operator and accepted; not yet delivered.
    order = _place(
        world,
        municipality=m,
        by=manager,
        area=education,
        age=6,
        lines=[
            {
                "kind": LineKind.NON_STANDARD,
                "description": "Tegnebrett med penn for kunst og håndverk",
                "justification": "Faglærer i kunst og håndverk trenger tegnebrett i "
                "undervisningen; standard nettbrett mangler trykkfølsom penn.",
                "person": teachers[2],
            }
        ],
    )
    _drive(world, order, to=OrderState.ACCEPTED, by=manager, approvers=(contact,))

    # Waiting for the operator; waiting for the contact; a draft; rejected; cancelled.
    lines = [
        {"kind": LineKind.PRODUCT, "product": p["laptop"], "person": teachers[3]},
        {"kind": LineKind.SERVICE, "service": s["user-workplace"], "person": teachers[3]},
    ]
    order = _place(world, municipality=m, by=manager, area=education, age=3, lines=lines)
    _drive(world, order, to=OrderState.APPROVED, by=manager, approvers=(contact,))
    order = _place(
        world,
        municipality=m,
        by=manager,
        area=education,
        age=1,
        lines=[{"kind": LineKind.PRODUCT, "product": p["staff-tablet"], "person": teachers[4]}],
    )
    _drive(world, order, to=OrderState.SUBMITTED, by=manager)
    _place(
        world,
        municipality=m,
        by=manager,
        area=education,
        age=0,
        lines=[{"kind": LineKind.PRODUCT, "product": p["phone"], "person": teachers[5]}],
    )
    order = _place(
        world,
        municipality=m,
        by=manager,
        area=education,
        age=9,
        lines=[{"kind": LineKind.PRODUCT, "product": p["power-laptop"], "person": teachers[0]}],
    )
    _drive(
        world,
        order,
        to=OrderState.REJECTED,
        by=manager,
        approvers=(contact,),
        reason="En standard bærbar PC dekker behovet; kraftig PC er for tegnere og utviklere.",
    )
    order = _place(
        world,
        municipality=m,
        by=manager,
        area=education,
        age=8,
        lines=[{"kind": LineKind.PRODUCT, "product": p["printer-a4"], "quantity": 2}],
    )
    _drive(
        world,
        order,
        to=OrderState.CANCELLED,
        by=manager,
        reason="Skolen fikk overta skrivere fra biblioteket.",
    )


def member_scenarios(ctx: DemoContext, world: World, m) -> None:
    """Another member: its contact orders; the service desk registers orders for it that
    the contact approves (the smallest member's contact approves their own)."""
    contact = world.contact[m.pk]
    self_approves = m.pk == world.smallest.pk
    placer = contact if self_approves else world.admin
    area = world.area(m, "administration")
    staff = world.people(m, area, 2) or world.people(m, None, 2)
    p, s = world.products, world.services
    person = staff[0] if staff else None
    order = _place(
        world,
        municipality=m,
        by=placer,
        area=area,
        age=18,
        lines=[
            {"kind": LineKind.PRODUCT, "product": p["laptop"], "person": person},
            {"kind": LineKind.SERVICE, "service": s["user-workplace"], "person": person},
        ],
    )
    _drive(world, order, to=OrderState.DELIVERED, by=placer, approvers=(contact,))
    order = _place(
        world,
        municipality=m,
        by=contact,
        area=area,
        age=2,
        lines=[{"kind": LineKind.PRODUCT, "product": p["basic-phone"], "quantity": 3}],
    )
    state = (OrderState.SUBMITTED, OrderState.CANCELLED, OrderState.DRAFT)[int(m.number) % 3]
    reason = "Bestilt to ganger ved en feil." if state == OrderState.CANCELLED else ""
    _drive(world, order, to=state, by=contact, reason=reason)


def routine(ctx: DemoContext, world: World, m, n: int) -> None:
    """A routine order: a device and a workplace for an employee, in a state drawn at
    random (most delivered)."""
    rng = ctx.rng("ordering", "routine", m.number, n)
    contact = world.contact[m.pk]
    self_approves = m.pk == world.smallest.pk
    if m.pk == world.largest.pk:
        placer, area = world.manager, world.manager.service_area
    else:
        placer, area = (contact if self_approves else world.admin), world.area(m, "health")
    person = (world.people(m, area, 1) or world.people(m, None, 1) or [None])[0]
    product = rng.choice(["laptop", "desktop", "staff-tablet", "phone"])
    lines = [{"kind": LineKind.PRODUCT, "product": world.products[product], "person": person}]
    if rng.random() < 0.5:
        lines.append(
            {
                "kind": LineKind.SERVICE,
                "service": world.services["user-workplace"],
                "person": person,
            }
        )
    state = rng.choice(
        [OrderState.DELIVERED] * 4
        + [OrderState.ACCEPTED, OrderState.APPROVED, OrderState.SUBMITTED, OrderState.REJECTED]
    )
    order = _place(world, municipality=m, by=placer, area=area, age=rng.randint(8, 25), lines=lines)
    _drive(
        world,
        order,
        to=state,
        by=placer,
        approvers=(contact,),
        reason="Ikke budsjettdekning i år; bestill igjen i januar.",
    )


def return_devices(ctx: DemoContext, world: World) -> None:
    """An employee of the largest member leaves: two devices back, one to stock and one
    to disposal (with the data-wipe certificate); their subscriptions end."""
    m = world.largest
    on = ctx.today - _days(5)
    held = (
        Assignment.objects.filter(
            municipality=m,
            person__isnull=False,
            person__kind=PersonKind.EMPLOYEE,
            valid_to__isnull=True,
            valid_from__lt=on,
        )
        .values("person_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
        .order_by("person_id")
    )
    first = held.first()
    if first is None:
        return
    person = Person.objects.get(pk=first["person_id"])
    assets = list(
        Asset.objects.filter(
            Q(assignments__person=person, assignments__valid_to__isnull=True)
        ).order_by("pk")[:2]
    )
    with acting_as(world.admin):
        return_assets(
            municipality=m,
            person=person,
            on=on,
            reason="Sluttet i kommunen",
            items=[
                ReturnItem(assets[0], ReturnDisposition.STOCK),
                ReturnItem(
                    assets[1], ReturnDisposition.DISPOSAL, f"WIPE-{on:%Y%m%d}-{assets[1].pk}"
                ),
            ],
        )
        end_person(person=person, on=on)
