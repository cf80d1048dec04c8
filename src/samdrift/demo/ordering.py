"""Demo step "ordering": the standard catalogue on offer, bundles, an approval rule, and
orders in every state, placed through the ordering services as the demo's logins.

- Offers for the standard products and services with lead times; a one-off installation
  fee on a few (laptops, desktops, printers, the network per site).
- Bundles: "Lærerarbeidsplass" (laptop + user workplace, with an installation fee) and
  "Elevsett" (pupil laptop + pupil account).
- The largest member's rule: the municipality contact must approve as well above
  5 000 kr a month; the smallest member's contact may approve their own orders.
- Orders in every state across the members: draft, submitted, approved, accepted, partly
  delivered, delivered, rejected (with the reason) and cancelled; a bulk school order of
  30 pupil laptops delivered partly from stock; a non-standard request priced by the
  operator; deliveries from stock assets of the right product (or newly registered
  devices when the stock runs out), whose one-off fees become billing's one-off charges.
- A return: an employee leaving gives their devices back, one to stock and one to
  disposal with a data-wipe certificate; their subscriptions end.

Runs after ``logins`` (the orders are placed, approved and delivered as those users) and
before ``billing`` (so that the deliveries and installation fees are billed). The
services stamp the audit trail with the current time; the step then dates it on the
planned days before today, so the orders look placed over the last weeks.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone

from samdrift.core.actor import acting_as
from samdrift.core.changelog import record_bulk_changes
from samdrift.core.choices import ChangeAction, Role
from samdrift.core.models import User
from samdrift.demo.bulk import reset_sequences
from samdrift.demo.context import DemoContext
from samdrift.demo.names import ascii_slug
from samdrift.inventory.choices import AssetStatus
from samdrift.inventory.models import Asset, Assignment, Subscription
from samdrift.ordering.choices import LineKind, OrderState, ReturnDisposition
from samdrift.ordering.models import (
    Bundle,
    BundlePart,
    CatalogueOffer,
    Order,
    OrderTransition,
    Return,
)
from samdrift.ordering.notifications import without_mail
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
    set_approval_rule,
    submit_order,
)
from samdrift.organisations.choices import LocationKind, PersonKind
from samdrift.organisations.models import Person
from samdrift.organisations.services import end_person

D = Decimal

# Product key: (lead time in days, one-off installation fee or None).
PRODUCT_OFFERS = {
    "laptop": (7, D("450.00")),
    "power-laptop": (14, D("450.00")),
    "desktop": (7, D("650.00")),
    "pupil-laptop": (10, None),
    "pupil-tablet": (10, None),
    "staff-tablet": (5, None),
    "phone": (3, None),
    "basic-phone": (3, None),
    "printer-a4": (10, D("1200.00")),
    "printer-a3": (21, D("2500.00")),
    "copier": (21, D("3500.00")),
}
SERVICE_OFFERS = {
    "user-workplace": (2, None),
    "politician-workplace": (2, None),
    "pupil-account": (1, None),
    "network-site": (30, D("9500.00")),
}

# Extra routine orders per member by size (on top of the fixed scenarios).
ROUTINE = {"small": 1, "medium": 3, "large": 2}


# The orders are placed in the last couple of months.
PEOPLE_ACTIVE_SINCE = datetime.timedelta(days=120)


def generate(ctx: DemoContext) -> None:
    # The orders are made-up history: their notifications fill the inboxes, but no mail is
    # sent (the console would print a hundred of them over the demo's logins).
    with without_mail():
        _generate(ctx)


def _generate(ctx: DemoContext) -> None:
    # The services let the database number the rows they add: move PostgreSQL's sequences
    # past the ids the earlier steps inserted explicitly (and, at the end, the allocator
    # past the services' rows).
    numbered_by_services = [Asset, Assignment, Subscription]
    reset_sequences(numbered_by_services)
    assets_before = Asset.objects.count()
    world = _World(ctx)
    _catalogue(ctx, world)
    largest, smallest = world.largest, world.smallest
    with acting_as(world.contact[largest.pk]):
        set_approval_rule(municipality=largest, contact_approval_above=D("5000.00"))
    with acting_as(world.contact[smallest.pk]):
        set_approval_rule(
            municipality=smallest, contact_approval_above=None, allow_self_approval=True
        )
    _largest_scenarios(ctx, world)
    for municipality in ctx.municipalities:
        if municipality.pk != largest.pk:
            _member_scenarios(ctx, world, municipality)
        for n in range(ROUTINE.get(ctx.size.name, 2)):
            _routine(ctx, world, municipality, n)
    _return(ctx, world)
    world.date_the_trail()
    # Lines delivered with a newly bought device (when the stock ran short) added assets.
    ctx.counts[Asset._meta.label] += Asset.objects.count() - assets_before
    states = Order.objects.values_list("state").annotate(n=Count("pk")).order_by("state")
    for state, n in states:
        ctx.counts[f"ordering.Order[{state}]"] += n
    ctx.summary(Order, Order.objects.count(), "orders placed through the ordering services")
    ctx.counts[Return._meta.label] += Return.objects.count()
    for model in numbered_by_services:
        highest = model._base_manager.aggregate(highest=Max("pk"))["highest"] or 0
        following = ctx.ids.take(model, 0)
        if highest >= following:
            ctx.ids.take(model, highest - following + 1)


class _World:
    """The users, people, stock and places the scenarios draw from."""

    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.rng = ctx.rng("ordering")
        by_size = sorted(ctx.municipalities, key=lambda m: (m.population, m.number))
        self.largest, self.smallest = by_size[-1], by_size[0]
        users = {u.username: u for u in User.objects.all()}
        self.admin = users["admin"]
        self.contact = {m.pk: users[f"contact-{ascii_slug(m.name)}"] for m in ctx.municipalities}
        self.manager = users[f"manager-{ascii_slug(self.largest.name)}"]
        assert self.manager.role == Role.SERVICE_AREA
        self.products = ctx.products
        self.services = ctx.services
        self._stock: dict[int, list[int]] = {}
        self._new_assets = 0
        self._people: dict[tuple[int, int | None], list[Person]] = {}
        # order pk → planned (created day, [(to_state, day) …]) for the audit trail
        self.plans: dict[int, datetime.date] = {}
        self.delivered_on: dict[int, list[datetime.date]] = defaultdict(list)

    # people and places -----------------------------------------------------------------

    def people(self, municipality, area=None, count=1, kind=PersonKind.EMPLOYEE) -> list[Person]:
        key = (municipality.pk, area.pk if area is not None else None, kind)
        if key not in self._people:
            rows = [
                row
                for row in self.ctx.persons.get(municipality.pk, [])
                if row.active_to is None
                and row.kind == kind
                # Active since before the oldest order (a recipient must be active on the
                # delivery day) and still active.
                and row.active_from <= self.ctx.today - PEOPLE_ACTIVE_SINCE
                and (area is None or row.service_area_id == area.pk)
            ]
            ids = [row.id for row in rows[:400]]
            self._people[key] = list(Person.objects.filter(pk__in=ids).order_by("pk"))
        pool = self._people[key]
        return self.rng.sample(pool, min(count, len(pool)))

    def area(self, municipality, key):
        areas = self.ctx.service_areas[municipality.pk]
        return areas.get(key) or next(iter(areas.values()))

    def school(self, municipality):
        schools = [
            loc for loc in self.ctx.locations.get(municipality.pk, [])
            if loc.kind == LocationKind.SCHOOL
        ]  # fmt: skip
        return schools[0] if schools else None

    # stock ----------------------------------------------------------------------------

    def stock_asset(self, product) -> dict:
        """The next stock asset of ``product`` (``{"asset": …}``), or a newly bought one
        to register (``{"new_asset": …}``) when the stock has run out."""
        if product.pk not in self._stock:
            # Not held, and not handed back after the earliest delivery day of the step
            # (history is never rewritten).
            cutoff = self.ctx.today - datetime.timedelta(days=30)
            held = Assignment.objects.filter(
                Q(valid_to__isnull=True) | Q(valid_to__gt=cutoff), asset=OuterRef("pk")
            )
            self._stock[product.pk] = list(
                Asset.objects.filter(product=product, status=AssetStatus.IN_STOCK)
                .exclude(Exists(held))
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        pool = self._stock[product.pk]
        if pool:
            return {"asset": Asset.objects.get(pk=pool.pop(0))}
        self._new_assets += 1
        n = self._new_assets
        return {
            "new_asset": {
                "tag": f"BST{n:06d}",
                "serial": f"ORD{self.ctx.seed:03d}{n:06d}",
                "acquisition_cost": product.standard_cost,
            }
        }

    # the audit trail ------------------------------------------------------------------

    def date_the_trail(self) -> None:
        """Date each order's transitions on its planned days (the services stamped them
        with the current time): submitted on the day placed, approvals the next day,
        acceptance the day after, deliveries on their delivery days."""
        tz = timezone.get_current_timezone()

        def at(day, hour):
            return datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=tz)

        changed_orders = []
        changed_rows = []
        orders = Order.objects.filter(pk__in=self.plans).order_by("pk")
        trails = defaultdict(list)
        for row in OrderTransition.objects.filter(order__in=orders).order_by("pk"):
            trails[row.order_id].append(row)
        for order in orders:
            day = self.plans[order.pk]
            deliveries = sorted(self.delivered_on.get(order.pk, []))
            for index, row in enumerate(trails[order.pk]):
                if row.to_state == OrderState.SUBMITTED and row.from_state == OrderState.DRAFT:
                    row.at = at(day, 9)
                elif row.to_state in (OrderState.SUBMITTED, OrderState.APPROVED):
                    row.at = at(day + datetime.timedelta(days=1), 10 + index)
                elif row.to_state == OrderState.ACCEPTED:
                    row.at = at(day + datetime.timedelta(days=2), 8)
                elif row.to_state == OrderState.PARTLY_DELIVERED and deliveries:
                    row.at = at(deliveries[0], 15)
                elif row.to_state == OrderState.DELIVERED and deliveries:
                    row.at = at(deliveries[-1], 15)
                else:  # rejected, cancelled
                    row.at = at(day + datetime.timedelta(days=2), 11)
                changed_rows.append(row)
                if row.to_state == OrderState.SUBMITTED and row.from_state == OrderState.DRAFT:
                    order.submitted_at = row.at
                if row.to_state == OrderState.ACCEPTED:
                    order.accepted_at = row.at
            changed_orders.append(order)
        OrderTransition.objects.bulk_update(changed_rows, ["at"])
        Order.objects.bulk_update(changed_orders, ["submitted_at", "accepted_at"])


def _catalogue(ctx: DemoContext, world: _World) -> None:
    offers = []
    for key, (lead, fee) in PRODUCT_OFFERS.items():
        if key in ctx.products:
            offers.append(
                CatalogueOffer(
                    product=ctx.products[key],
                    lead_time_days=lead,
                    one_off_fee=fee,
                    note="Installasjon og oppsett inkludert" if fee else "",
                )
            )
    for code, (lead, fee) in SERVICE_OFFERS.items():
        if code in ctx.services:
            offers.append(
                CatalogueOffer(service=ctx.services[code], lead_time_days=lead, one_off_fee=fee)
            )
    CatalogueOffer.objects.bulk_create(offers)
    record_bulk_changes(offers, action=ChangeAction.CREATE)
    teacher = Bundle(
        name="Lærerarbeidsplass",
        code="laererarbeidsplass",
        description="A teacher's workplace: laptop and user workplace, installed.",
        lead_time_days=7,
        one_off_fee=D("800.00"),
    )
    pupils = Bundle(
        name="Elevsett",
        code="elevsett",
        description="A pupil laptop with the pupil account on the school platform.",
        lead_time_days=10,
    )
    Bundle.objects.bulk_create([teacher, pupils])
    parts = [
        BundlePart(bundle=teacher, product=ctx.products["laptop"]),
        BundlePart(bundle=teacher, service=ctx.services["user-workplace"]),
        BundlePart(bundle=pupils, product=ctx.products["pupil-laptop"]),
        BundlePart(bundle=pupils, service=ctx.services["pupil-account"]),
    ]
    BundlePart.objects.bulk_create(parts)
    record_bulk_changes([teacher, pupils, *parts], action=ChangeAction.CREATE)
    world.teacher_bundle, world.pupil_bundle = teacher, pupils
    ctx.counts[CatalogueOffer._meta.label] += len(offers)
    ctx.counts[Bundle._meta.label] += 2


# Driving an order through its states ---------------------------------------------------


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def _place(world: _World, *, municipality, by, area, lines, age, location=None, comment=""):
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


def _drive(world: _World, order, *, to: str, by, approvers=(), reason="", deliver=None):
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


def _deliver(world: _World, order, *, share: float) -> None:
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


def _largest_scenarios(ctx: DemoContext, world: _World) -> None:
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


def _member_scenarios(ctx: DemoContext, world: _World, m) -> None:
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


def _routine(ctx: DemoContext, world: _World, m, n: int) -> None:
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


def _return(ctx: DemoContext, world: _World) -> None:
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
