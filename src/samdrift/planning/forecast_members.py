"""Members that join or leave in a scenario: what a joining municipality would hold, what
a leaving one settles, and how each changes the split of the cost pools.

**Joining.** Persons and devices are the entered figures, or estimated from the
population as the members have them: ``population × members' devices / members'
population`` (devices charged on the first forecast day) and likewise persons (active on
that day). The devices follow the members' mix of products, each as its standard
replacement (``RuleBook.rule_for``), and the per-user subscriptions the members' number
per person, both spread by largest remainder (``finance.allocation.allocate`` in whole
units). A joining member has no agreement: it pays the price for new devices, and list
prices for services. Without a population it is estimated from the persons the same way.

In a cost pool's key a joining member weighs: equal shares 1, population its
population, persons its persons, devices its devices; fixed percentages and custom
weights 0 (they are entered per member, and no one has entered its).

**Leaving.** From its month a leaving member is charged nothing; its weights are taken out
of every key, so its share of a pool is split over the others by the same key (the pool
total unchanged). Under fixed percentages its percentage is left unallocated, as billing
leaves any percentage no member holds. It settles the book value of the devices the
collaboration owns that it holds (purchased or bought out, in service) on its leaving
day: ``finance.depreciation.book_value`` over the product's useful life, down to the
residual of its category's lease model.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count

from samdrift.billing.allocation import KeyBlend
from samdrift.billing.choices import AllocationBasis
from samdrift.catalogue.choices import ServiceUnit
from samdrift.core.dating import active_on
from samdrift.finance.allocation import allocate
from samdrift.finance.depreciation import age_in_months, book_value
from samdrift.finance.money import ZERO, round_to_ore
from samdrift.inventory.models import Asset, Assignment, Subscription
from samdrift.leasing.financing import owned_fleet
from samdrift.leasing.prices import charged_assignments, charged_subscriptions_on
from samdrift.organisations.models import Person
from samdrift.organisations.selectors import active_persons_on
from samdrift.planning.choices import MemberChange
from samdrift.planning.forecast_inputs import ForecastInputs
from samdrift.planning.models import ScenarioMember
from samdrift.planning.rules import RuleBook

UNIT = Decimal(1)
HUNDRED = Decimal(100)


def whole(value: Decimal) -> int:
    return int(value.quantize(UNIT, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Join:
    """A municipality joining on month ``on`` (an index), with what it would hold."""

    key: str  # its place among municipality numbers in a key (sorts after them)
    name: str
    on: int
    population: int
    persons: int
    devices: dict[int, int] = field(default_factory=dict)  # product → units
    subscriptions: dict[tuple[int, Decimal], int] = field(default_factory=dict)

    @property
    def device_count(self) -> int:
        return sum(self.devices.values())


@dataclass
class MemberChanges:
    joins: list[Join] = field(default_factory=list)
    leaves: dict[int, int] = field(default_factory=dict)  # municipality id → month index
    settlements: dict[int, Decimal] = field(default_factory=dict)  # municipality id → amount

    def gone(self, municipality_id: int, k: int) -> bool:
        leaves = self.leaves.get(municipality_id)
        return leaves is not None and k >= leaves


def member_changes(scenario, inputs: ForecastInputs, rules: RuleBook) -> MemberChanges:
    """The joins and leaves of ``scenario`` (None or the baseline: none)."""
    changes = MemberChanges()
    if scenario is None or scenario.pk is None:
        return changes
    members = list(ScenarioMember.objects.filter(scenario=scenario).order_by("on", "pk"))
    if not members:
        return changes
    horizon = inputs.horizon
    joins = [member for member in members if member.change == MemberChange.JOINS]
    leaves = [member for member in members if member.change == MemberChange.LEAVES]
    for member in leaves:
        changes.leaves[member.municipality_id] = horizon.index(member.on)
    if leaves:
        changes.settlements = _settlements(leaves)
    if joins:
        measure = _Members.measure(inputs, rules)
        changes.joins = [
            measure.join(member, key=f"~join~{index:03d}", on=horizon.index(member.on))
            for index, member in enumerate(joins)
        ]
    return changes


@dataclass
class _Members:
    """What the members hold on the first forecast day, to estimate a joiner from."""

    population: int
    persons: int
    devices: Counter  # replacement product → devices
    subscriptions: Counter  # (service, quantity) → per-user subscriptions

    @classmethod
    def measure(cls, inputs: ForecastInputs, rules: RuleBook) -> _Members:
        day = inputs.horizon.start
        if inputs.complete:
            devices, subscriptions = cls._held_in(inputs, rules)
        else:
            devices, subscriptions = cls._held_on(day, rules)
        return cls(
            population=sum(population for _n, _num, population in inputs.municipalities.values()),
            persons=Person.objects.filter(active_persons_on(day)).count(),
            devices=devices,
            subscriptions=subscriptions,
        )

    @staticmethod
    def _held_in(inputs: ForecastInputs, rules: RuleBook) -> tuple[Counter, Counter]:
        """Devices and per-user subscriptions charged on the first day, from the inputs
        (read for every member)."""
        day = inputs.horizon.start
        devices: Counter = Counter()
        for (_m, _a, product_id), n in inputs.stable.items():
            devices[rules.rule_for(product_id).replacement_id] += n
        for device, n in inputs.moving.items():
            if any(_holds(lower, upper, day) for _m, _a, lower, upper in device.pieces):
                devices[rules.rule_for(device.product_id).replacement_id] += n
        subscriptions: Counter = Counter()
        for (_m, _a, service_id, quantity, lower, upper), n in inputs.subscriptions.items():
            per_user = inputs.service_units.get(service_id) == ServiceUnit.PER_USER
            if per_user and _holds(lower, upper, day):
                subscriptions[(service_id, quantity)] += n
        return devices, subscriptions

    @staticmethod
    def _held_on(day: datetime.date, rules: RuleBook) -> tuple[Counter, Counter]:
        """The same, read from the database (the inputs are some members' only)."""
        devices: Counter = Counter()
        for product_id, n in (
            Assignment.objects.filter(active_on(day))
            .filter(charged_assignments())
            .values_list("asset__product_id")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            devices[rules.rule_for(product_id).replacement_id] += n
        subscriptions: Counter = Counter()
        for service_id, quantity, n in (
            Subscription.objects.filter(
                active_on(day), charged_subscriptions_on(day), service__unit=ServiceUnit.PER_USER
            )
            .values_list("service_id", "quantity")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            subscriptions[(service_id, quantity)] += n
        return devices, subscriptions

    def per(self, value: int, numerator: int, denominator: int) -> int:
        return whole(Decimal(value) * numerator / denominator) if denominator else 0

    def join(self, member: ScenarioMember, *, key: str, on: int) -> Join:
        population = member.population
        persons = member.persons
        if persons is None:
            persons = self.per(population or 0, self.persons, self.population)
        if population is None:
            population = self.per(persons, self.population, self.persons)
        devices = member.devices
        if devices is None:
            devices = self.per(population, sum(self.devices.values()), self.population)
        subscriptions = self.per(persons, sum(self.subscriptions.values()), self.persons)
        return Join(
            key=key,
            name=member.name,
            on=on,
            population=population,
            persons=persons,
            devices=_spread(devices, self.devices),
            subscriptions=_spread(subscriptions, self.subscriptions),
        )


def _spread(units: int, mix: Counter) -> dict:
    """``units`` whole units over the keys of ``mix`` in proportion (largest remainder)."""
    weights = {key: Decimal(n) for key, n in mix.items() if n > 0}
    if units <= 0 or not weights:
        return {}
    shares = allocate(amount=Decimal(units), weights=weights, quantum=UNIT)
    return {key: int(share) for key, share in shares.items() if share}


def _settlements(leaves: list[ScenarioMember]) -> dict[int, Decimal]:
    """Book value, on its leaving day, of each leaving member's owned devices: one query,
    grouped by product, acquisition date and cost."""
    on_of = {member.municipality_id: member.on for member in leaves}
    totals: dict[int, Decimal] = {municipality_id: ZERO for municipality_id in on_of}
    rows = (
        owned_fleet(Asset.objects.filter(municipality_id__in=list(on_of)))
        .filter(acquisition_date__isnull=False, acquisition_cost__isnull=False)
        .values_list(
            "municipality_id",
            "acquisition_date",
            "acquisition_cost",
            "product__useful_life_months",
            "product__category__useful_life_months",
            "product__category__lease_model__residual_percent",
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    for municipality_id, acquired, cost, life, category_life, residual_percent, n in rows:
        on: datetime.date = on_of[municipality_id]
        age = age_in_months(acquired=acquired, on=on) if acquired <= on else 0
        value = book_value(
            cost=cost,
            residual=cost * (residual_percent or ZERO) / HUNDRED,
            useful_life_months=life or category_life,
            age_months=age,
        )
        totals[municipality_id] += value * n
    return {municipality_id: round_to_ore(total) for municipality_id, total in totals.items()}


def _holds(lower: datetime.date, upper: datetime.date | None, day: datetime.date) -> bool:
    return lower <= day and (upper is None or upper > day)


def scenario_blend(
    blend: KeyBlend, *, numbers_gone: frozenset, joined: tuple[Join, ...]
) -> KeyBlend:
    """``blend`` without the members gone (numbers) and with the members joined."""
    parts = []
    for part in blend.parts:
        weights = {n: w for n, w in part.weights.items() if n not in numbers_gone}
        for join in joined:
            weight = _join_weight(part.basis, join)
            if weight:
                weights[join.key] = weight
        if part.basis != AllocationBasis.FIXED and not any(weights.values()):
            continue  # nobody left to weigh: the other parts take the whole
        parts.append(replace(part, weights=weights))
    return replace(blend, parts=tuple(parts))


def _join_weight(basis: str, join: Join) -> Decimal:
    if basis == AllocationBasis.EQUAL:
        return UNIT
    if basis == AllocationBasis.POPULATION:
        return Decimal(join.population)
    if basis == AllocationBasis.PERSONS:
        return Decimal(join.persons)
    if basis == AllocationBasis.DEVICES:
        return Decimal(join.device_count)
    return ZERO  # fixed percentages and custom weights are entered per member
