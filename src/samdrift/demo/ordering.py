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

This module sets the stage (offers, bundles, rules, the logins: ``World``); the orders
themselves are ``demo.ordering_scenarios``.
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
from samdrift.demo.ordering_scenarios import (
    largest_scenarios,
    member_scenarios,
    return_devices,
    routine,
)
from samdrift.inventory.choices import AssetStatus
from samdrift.inventory.models import Asset, Assignment, Subscription
from samdrift.ordering.choices import OrderState
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
    set_approval_rule,
)
from samdrift.organisations.choices import LocationKind, PersonKind
from samdrift.organisations.models import Person

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
    world = World(ctx)
    _catalogue(ctx, world)
    largest, smallest = world.largest, world.smallest
    with acting_as(world.contact[largest.pk]):
        set_approval_rule(municipality=largest, contact_approval_above=D("5000.00"))
    with acting_as(world.contact[smallest.pk]):
        set_approval_rule(
            municipality=smallest, contact_approval_above=None, allow_self_approval=True
        )
    largest_scenarios(ctx, world)
    for municipality in ctx.municipalities:
        if municipality.pk != largest.pk:
            member_scenarios(ctx, world, municipality)
        for n in range(ROUTINE.get(ctx.size.name, 2)):
            routine(ctx, world, municipality, n)
    return_devices(ctx, world)
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


class World:
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


def _catalogue(ctx: DemoContext, world: World) -> None:
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
