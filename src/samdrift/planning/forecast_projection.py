"""The forecast's projection: the inputs (``forecast_inputs``) month by month under one
set of assumptions, into amounts per participant (a municipality, or a member joining in
a scenario), component and month. ``planning.forecast`` turns them into forecasts.

Per group of identical holdings, never per device: devices held all horizon per
municipality and product (their replacements per due month), devices rated piece by
piece per identical device, subscriptions per holder, service, quantity and days. The
devices a scenario's growth adds or takes away are ``planning.growth``'s (the investment
need's too).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from samdrift.billing.allocation import shares_from_blend, split_to_service_areas
from samdrift.finance.money import ZERO, round_to_ore
from samdrift.finance.proration import overlap_days, prorate
from samdrift.planning.forecast_inputs import ForecastInputs
from samdrift.planning.forecast_members import MemberChanges, scenario_blend
from samdrift.planning.forecast_pricing import (
    HUNDRED,
    Prices,
    index_factor,
    indexed,
    new_device_prices,
)
from samdrift.planning.growth import grow, growth_months
from samdrift.planning.models import Scenario, ScenarioPoolChange
from samdrift.planning.rules import RuleBook

ONE = Decimal(1)
# What a month's cost is made of (``planning.forecast.MonthCost``'s amounts).
COMPONENTS = (
    "devices",
    "subscriptions",
    "usage",
    "one_offs",
    "pools",
    "credits",
    "usage_estimate",
)


@dataclass(frozen=True)
class Assumptions:
    """A scenario's assumptions, read once."""

    scenario: Scenario
    index_percent: Decimal
    growth_percent: Decimal
    lease_term_months: int | None
    annual_rate_percent: Decimal | None
    pool_growth_percent: Decimal
    pool_growth: dict[int, Decimal]

    @classmethod
    def of(cls, scenario: Scenario) -> Assumptions:
        pool_growth = {}
        if scenario.pk is not None:
            pool_growth = dict(
                ScenarioPoolChange.objects.filter(scenario=scenario).values_list(
                    "pool_id", "growth_percent"
                )
            )
        return cls(
            scenario=scenario,
            index_percent=scenario.index_percent,
            growth_percent=scenario.growth_percent,
            lease_term_months=scenario.lease_term_months or None,
            annual_rate_percent=scenario.annual_rate_percent,
            pool_growth_percent=scenario.pool_growth_percent,
            pool_growth=pool_growth,
        )


class Ledger:
    """Amounts per participant (municipality id, or a joining member's key), component
    and month, for the wanted participants only."""

    def __init__(self, count: int, participants: Iterable, changes: MemberChanges, area):
        self.count, self.changes, self.area = count, changes, area
        self.rows = {
            participant: {name: [ZERO] * count for name in COMPONENTS}
            for participant in participants
        }

    def wants(self, participant, area_id=None) -> bool:
        return participant in self.rows and (self.area is None or area_id == self.area)

    def add(self, participant, component: str, k: int, amount: Decimal) -> None:
        """Add to a participant's month (nothing once it has left); the caller has
        checked the service area, or the amount is the participant's whole."""
        row = self.rows.get(participant)
        if row is None or not 0 <= k < self.count or self.changes.gone(participant, k):
            return
        row[component][k] += amount

    def add_held(self, participant, area_id, component: str, k: int, amount: Decimal) -> None:
        """Add what a service area (or the municipality itself, None) holds."""
        if self.area is None or area_id == self.area:
            self.add(participant, component, k, amount)


def project(
    inputs: ForecastInputs,
    assumptions: Assumptions,
    changes: MemberChanges,
    *,
    rules: RuleBook,
    due_index: int,
    municipality_ids: list[int] | None,
    service_area_id: int | None,
) -> Ledger:
    """Project ``inputs`` month by month under ``assumptions`` and member ``changes``:
    for the given municipalities (None: all, and the members joining)."""
    horizon = inputs.horizon
    new_list = new_device_prices(
        inputs,
        term_months=assumptions.lease_term_months,
        annual_rate_percent=assumptions.annual_rate_percent,
    )
    prices = Prices(inputs, index_percent=assumptions.index_percent, new_list=new_list)
    wanted = list(inputs.municipalities) if municipality_ids is None else municipality_ids
    joins = changes.joins if municipality_ids is None else []
    ledger = Ledger(
        horizon.count, [*wanted, *(join.key for join in joins)], changes, service_area_id
    )
    _stable_devices(inputs, prices, ledger, rules, due_index)
    _moving_devices(inputs, prices, ledger, rules, due_index)
    _growth(inputs, prices, ledger, rules, assumptions.growth_percent, joins)
    _joins(prices, ledger, joins)
    _subscriptions(inputs, prices, ledger)
    _usage_and_one_offs(inputs, prices, ledger)
    _pools(inputs, prices, ledger, assumptions, changes)
    for k, municipality_id, area_id, amount in inputs.credits:
        ledger.add_held(municipality_id, area_id, "credits", k, amount)
    return ledger


def _replacement_starts(due: int | None, count: int) -> int | None:
    """The month a device due in month ``due`` (-1: overdue) is charged as replaced."""
    if due is None:
        return None
    starts = max(due + 1, 1)
    return starts if starts < count else None


def _stable_devices(inputs, prices: Prices, ledger: Ledger, rules, due_index: int) -> None:
    held: Counter = Counter()
    for (municipality_id, area_id, product_id), n in inputs.stable.items():
        if ledger.wants(municipality_id, area_id):
            held[(municipality_id, product_id)] += n
    replaced: dict[tuple, Counter] = defaultdict(Counter)
    for (municipality_id, area_id, product_id, due), n in inputs.stable_due[due_index].items():
        starts = _replacement_starts(due, ledger.count)
        if starts is not None and ledger.wants(municipality_id, area_id):
            replaced[(municipality_id, product_id)][starts] += n
    for (municipality_id, product_id), n in held.items():
        old = prices.series(municipality_id, "product", product_id, ONE)
        starts = replaced.get((municipality_id, product_id))
        new = None
        if starts:
            replacement = rules.rule_for(product_id).replacement_id
            new = prices.series(municipality_id, "product", replacement, ONE, new=True)
        done = 0
        for k in range(ledger.count):
            if starts:
                done = min(done + starts.get(k, 0), n)
            amount = (n - done) * old[k]
            if done:
                amount += done * new[k]
            ledger.add(municipality_id, "devices", k, amount)


def _moving_devices(inputs, prices: Prices, ledger: Ledger, rules, due_index: int) -> None:
    for device, n in inputs.moving.items():
        if not any(ledger.wants(piece[0], piece[1]) for piece in device.pieces):
            continue
        product_id, own = device.product_id, device.own_asset_id
        starts = _replacement_starts(device.due[due_index], ledger.count)
        replacement = rules.rule_for(product_id).replacement_id
        changes = prices.device_edges(device.pieces, product_id, own)
        if starts is not None:
            changes |= prices.device_edges(device.pieces, replacement, None) | {starts}
        parts: list = []
        for k in range(ledger.count):
            if k in changes:
                if starts is not None and k >= starts:
                    parts = prices.device_month(k, device.pieces, replacement, None, new=True)
                else:
                    parts = prices.device_month(k, device.pieces, product_id, own)
            for municipality_id, area_id, amount in parts:
                ledger.add_held(municipality_id, area_id, "devices", k, amount * n)


def growth_units(inputs, percent: Decimal, changes: MemberChanges, joins) -> dict:
    """The units ``planning.growth.grow`` adds (or takes away) per participant, (service
    area or 0, product) and month index, from the fleet held on the first day (a joining
    member's from its month; none once a member has left)."""
    fleet: dict = defaultdict(Counter)  # participant → (area or 0, product) → devices
    for (municipality_id, area_id, product_id), n in inputs.stable.items():
        fleet[municipality_id][(area_id or 0, product_id)] += n
    horizon = inputs.horizon
    for device, n in inputs.moving.items():
        for municipality_id, area_id, lower, upper in device.pieces:
            if lower <= horizon.start and (upper is None or upper > horizon.start):
                fleet[municipality_id][(area_id or 0, device.product_id)] += n
    return grow(
        fleets=fleet,
        percent=percent,
        months=[horizon.index(month) for month in growth_months(horizon.start, horizon.end)],
        arrivals={
            join.key: (join.on, {(0, product): n for product, n in join.devices.items()})
            for join in joins
        },
        departures=changes.leaves,
    )


def _growth(inputs, prices: Prices, ledger: Ledger, rules, percent: Decimal, joins) -> None:
    """The growth units (``growth_units``) charged: a device more is its product's
    standard replacement at the price of new devices; a device less is taken away at its
    own product's price."""
    if not percent:
        return
    joined = {join.key for join in joins}
    added = growth_units(inputs, percent, ledger.changes, joins)
    for participant, keys in added.items():
        priced_as = None if participant in joined else participant
        for (area_id, product_id), starts in keys.items():
            if not ledger.wants(participant, area_id or None):
                continue
            units = 0
            series = None
            for k in range(ledger.count):
                units += starts.get(k, 0)
                if not units:
                    continue
                if series is None:
                    series = (
                        prices.series(
                            priced_as,
                            "product",
                            rules.rule_for(product_id).replacement_id,
                            ONE,
                            new=True,
                        )
                        if units > 0
                        else prices.series(priced_as, "product", product_id, ONE)
                    )
                ledger.add(participant, "devices", k, units * series[k])


def _joins(prices: Prices, ledger: Ledger, joins) -> None:
    """A joining member's devices (priced as new devices) and per-user subscriptions
    (list prices), from its month on."""
    for join in joins:
        for product_id, units in join.devices.items():
            series = prices.series(None, "product", product_id, ONE, new=True)
            for k in range(max(join.on, 0), ledger.count):
                ledger.add(join.key, "devices", k, units * series[k])
        for (service_id, quantity), n in join.subscriptions.items():
            series = prices.series(None, "service", service_id, quantity)
            for k in range(max(join.on, 0), ledger.count):
                ledger.add(join.key, "subscriptions", k, n * series[k])


def _subscriptions(inputs, prices: Prices, ledger: Ledger) -> None:
    horizon = inputs.horizon
    held: Counter = Counter()
    for (
        municipality_id,
        area_id,
        service_id,
        quantity,
        lower,
        upper,
    ), n in inputs.subscriptions.items():
        if ledger.wants(municipality_id, area_id):
            held[(municipality_id, service_id, quantity, lower, upper)] += n
    for (municipality_id, service_id, quantity, lower, upper), n in held.items():
        series = prices.series(municipality_id, "service", service_id, quantity)
        for k, (start, end) in enumerate(prices.bounds):
            if upper is not None and upper <= start:
                break
            if lower >= end:
                continue
            if lower <= start and (upper is None or upper >= end):
                amount = series[k]
            else:
                amount = prices.held(
                    prices.book(k),
                    municipality_id,
                    "service",
                    service_id,
                    quantity,
                    max(lower, start),
                    end if upper is None or upper > end else upper,
                    k,
                )
            ledger.add(municipality_id, "subscriptions", k, amount * n)
    for (municipality_id, area_id, service_id, quantity, day), n in inputs.one_off_services.items():
        amount = prices.one_off_service(municipality_id, service_id, quantity, day)
        ledger.add_held(municipality_id, area_id, "subscriptions", horizon.index(day), amount * n)


def _usage_and_one_offs(inputs, prices: Prices, ledger: Ledger) -> None:
    recorded: dict[tuple, Counter] = defaultdict(Counter)  # (k, holder, area, service)
    for (k, municipality_id, area_id, service_id, quantity), n in inputs.usage.items():
        recorded[(k, municipality_id, area_id, service_id)][quantity] += n
    for (k, municipality_id, area_id, service_id), records in recorded.items():
        amount = prices.usage_series(municipality_id, service_id, records)[k]
        ledger.add_held(municipality_id, area_id, "usage", k, amount)
    months_recorded = {(k, municipality_id) for k, municipality_id, _a, _s in recorded}
    estimated: dict[tuple, Counter] = defaultdict(Counter)  # (holder, area, service)
    for (municipality_id, area_id, service_id, quantity), n in inputs.usage_base.items():
        if ledger.wants(municipality_id, area_id):
            estimated[(municipality_id, service_id)][quantity] += n
    for (municipality_id, service_id), records in estimated.items():
        series = prices.usage_series(municipality_id, service_id, records)
        for k in range(1, ledger.count):
            if (k, municipality_id) not in months_recorded:
                ledger.add(municipality_id, "usage_estimate", k, series[k])
    for (k, municipality_id, area_id, amount), n in inputs.one_offs.items():
        ledger.add_held(municipality_id, area_id, "one_offs", k, amount * n)


def _pools(inputs, prices: Prices, ledger: Ledger, assumptions: Assumptions, changes) -> None:
    """Each pool's month amount (indexed and grown after the base year, prorated, rounded
    as billing rounds it) split by its key as the members stand that month."""
    numbers = {pk: number for pk, (_name, number, _population) in inputs.municipalities.items()}
    split_cache: dict[tuple, dict] = {}
    for pool in inputs.pools:
        growth = assumptions.pool_growth.get(pool.pk, assumptions.pool_growth_percent)
        for k, (start, end) in enumerate(prices.bounds):
            days = overlap_days(
                start=pool.valid_from, end=pool.valid_to, period_start=start, period_end=end
            )
            if not days:
                continue
            years = prices.months[k].year - prices.base_year
            monthly = pool.monthly_amount
            if years > 0:
                factor = index_factor(assumptions.index_percent, years)
                factor *= (1 + growth / HUNDRED) ** years
                monthly = indexed(monthly, factor)
            amount = round_to_ore(
                prorate(monthly_amount=monthly, active_days=days, days_in_month=prices.dims[k])
            )
            if not amount:
                continue
            gone = frozenset(
                numbers[pk]
                for pk, leaves in changes.leaves.items()
                if leaves <= k and pk in numbers
            )
            joined = tuple(join for join in changes.joins if join.on <= k)
            key = (pool.pk, amount, gone, tuple(join.key for join in joined))
            shares = split_cache.get(key)
            if shares is None:
                shares = split_cache[key] = _split(inputs, pool, amount, gone, joined)
            for participant, area_id, share in shares:
                ledger.add_held(participant, area_id, "pools", k, share)


def _split(inputs, pool, amount: Decimal, gone: frozenset, joined: tuple) -> list[tuple]:
    blend = inputs.blends[pool.key_id]
    if gone or joined:
        blend = scenario_blend(blend, numbers_gone=gone, joined=joined)
    if not blend.parts:
        return []  # no member left to weigh: the pool is unallocated
    shares, _unallocated = shares_from_blend(blend=blend, amount=amount)
    by_municipality = {
        blend.ids_by_number[number]: share
        for number, share in shares.items()
        if number in blend.ids_by_number
    }
    rows = (
        split_to_service_areas(shares=by_municipality, areas=inputs.areas.get(pool.key_id, {}))
        if pool.split_to_service_areas
        else [(pk, None, share) for pk, share in sorted(by_municipality.items()) if share]
    )
    joined_keys = {join.key for join in joined}
    rows += [(key, None, share) for key, share in shares.items() if key in joined_keys and share]
    return rows
