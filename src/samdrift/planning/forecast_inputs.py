"""What the forecast reads: every input billing rates, for the whole horizon at once.

A fixed number of queries whatever the size of the fleet (tests/planning pins it); the
big sources are grouped in the database, so Python works on groups, not on devices:

- **devices** held the whole horizon by one holder, without an own price: counted per
  municipality, service area and product (``stable``); their due dates come from
  ``planning.plan.due_counts``. The rest — devices that move, start or stop within the
  horizon, or have their own price (bought out) — are few; each one's assignments are read
  (``moving``) so it is rated as billing rates it, all its pieces of a month rounded
  together, and identical ones are counted once;
- **subscriptions** of monthly services per holder, service, quantity and the days they
  run within the horizon (a person's leaving clips them, as billing does); one-off services
  starting within it;
- **usage** recorded for months of the horizon, and each municipality's latest recorded
  month before it (the estimate of the months after the first);
- **one-off charges**, **cost pools** with their keys' weights, **amounts owed** and
  the unbilled **service credits** (as billing takes them in the first month);
- **prices**: one ``PriceBook`` over the horizon, and the latest year with a published
  price version (the yearly index starts after it).

Everything a scenario adds (members that join or leave) is read by ``forecast_members``.
"""

from __future__ import annotations

import datetime
import itertools
import operator
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, DateField, Exists, F, Max, OuterRef, Q, Value, When

from samdrift.billing.allocation import KeyBlend, area_weights, key_blends
from samdrift.billing.models import CostPool, OneOffCharge
from samdrift.billing.rating.credits import billed_credit_ids, credit_shares, credited_bases
from samdrift.catalogue.choices import ServiceUnit
from samdrift.catalogue.models import PriceVersion, Product, Service
from samdrift.core.dating import overlapping
from samdrift.finance.depreciation import add_months
from samdrift.finance.money import round_to_ore
from samdrift.inventory.choices import IN_SERVICE
from samdrift.inventory.models import Asset, Assignment, Subscription, UsageRecord
from samdrift.leasing.models import AmountOwed, AssetPrice
from samdrift.leasing.prices import MONTHLY_UNITS, PriceBook, charged_assignments
from samdrift.organisations.models import Municipality
from samdrift.planning.plan import due_counts
from samdrift.planning.rules import DUE_COLUMNS, RuleBook
from samdrift.servicedesk.selectors import credits_for_billing

CHUNK_SIZE = 20_000

# A piece of a device's holding: (municipality, service area, from, to or None).
Piece = tuple[int, int | None, datetime.date, datetime.date | None]


@dataclass(frozen=True)
class Horizon:
    """The forecast's months: ``count`` months from ``start`` (a first day)."""

    start: datetime.date
    count: int

    @property
    def months(self) -> list[datetime.date]:
        return [add_months(self.start, k) for k in range(self.count)]

    @property
    def end(self) -> datetime.date:
        return add_months(self.start, self.count)

    def index(self, day: datetime.date) -> int:
        """The month of ``day`` as an index (negative before the horizon)."""
        return (day.year - self.start.year) * 12 + day.month - self.start.month


@dataclass(frozen=True)
class MovingDevice:
    """A device rated piece by piece: its holdings within the horizon, its own price
    (the id of a device with these prices in the price book), and its due date."""

    product_id: int
    pieces: tuple[Piece, ...]
    own_asset_id: int | None
    due: tuple  # per rule book: the due month index (-1 overdue) or None


@dataclass
class ForecastInputs:
    horizon: Horizon
    municipalities: dict[int, tuple[str, str, int]]  # id → (name, number, population)
    book: PriceBook
    last_price_year: int | None
    products: dict[int, Product]
    service_units: dict[int, str]
    # (municipality, area, product) → devices held all horizon at the book's prices.
    stable: Counter = field(default_factory=Counter)
    # per rule book: (municipality, area, product, due month index or -1 overdue) → count
    stable_due: list[Counter] = field(default_factory=list)
    moving: Counter = field(default_factory=Counter)  # MovingDevice → count
    # (municipality, area, service, quantity, from, to or None) → subscriptions
    subscriptions: Counter = field(default_factory=Counter)
    # (municipality, area, service, quantity, start day) → one-off services starting then
    one_off_services: Counter = field(default_factory=Counter)
    # (month index, municipality, area, service, quantity) → usage records
    usage: Counter = field(default_factory=Counter)
    # (municipality, area, service, quantity) → records of its latest month before
    usage_base: Counter = field(default_factory=Counter)
    # (month index, municipality, area, amount of each) → one-off charges
    one_offs: Counter = field(default_factory=Counter)
    pools: list[CostPool] = field(default_factory=list)
    blends: dict[int, KeyBlend] = field(default_factory=dict)
    areas: dict = field(default_factory=dict)
    # (month index, municipality, area or None, amount) credits, already negative
    credits: list[tuple[int, int, int | None, Decimal]] = field(default_factory=list)


def load_inputs(
    *,
    horizon: Horizon,
    rule_books: list[RuleBook],
    municipality_ids: list[int] | None = None,
) -> ForecastInputs:
    """Read everything the forecast needs over ``horizon`` (for the given municipalities;
    None: all). ``rule_books``: one per set of assumptions projected (a scenario's lease
    term moves due dates)."""
    start, end = horizon.start, horizon.end
    mine = Q() if municipality_ids is None else Q(municipality_id__in=municipality_ids)
    products = {
        product.pk: product for product in Product.objects.select_related("category__lease_model")
    }
    inputs = ForecastInputs(
        horizon=horizon,
        municipalities={
            pk: (name, number, population)
            for pk, name, number, population in Municipality.objects.values_list(
                "pk", "name", "number", "population"
            )
        },
        book=PriceBook(start=start, end=end),
        last_price_year=_last_price_year(),
        products=products,
        service_units=dict(Service.objects.values_list("pk", "unit")),
    )
    _load_devices(inputs, rule_books, mine)
    _load_subscriptions(inputs, mine)
    _load_usage_and_one_offs(inputs, mine)
    _load_pools(inputs)
    _load_credits(inputs, mine, municipality_ids)
    return inputs


def _last_price_year() -> int | None:
    latest = PriceVersion.objects.aggregate(latest=Max("valid_from"))["latest"]
    return latest.year if latest else None


def _own_price_in(horizon: Horizon, asset_ref: str) -> Exists:
    return Exists(
        AssetPrice.objects.filter(
            overlapping(horizon.start, horizon.end), asset_id=OuterRef(asset_ref)
        )
    )


def _load_devices(inputs: ForecastInputs, rule_books: list[RuleBook], mine: Q) -> None:
    horizon = inputs.horizon
    start, end = horizon.start, horizon.end
    every = Assignment.objects.filter(overlapping(start, end)).filter(charged_assignments())
    charged = every.filter(mine)
    whole_horizon = Q(valid_from__lte=start) & (Q(valid_to__isnull=True) | Q(valid_to__gte=end))
    own_price = _own_price_in(horizon, "asset_id")
    stable = charged.filter(whole_horizon).exclude(own_price)
    for municipality_id, area_id, product_id, n in (
        stable.values_list("municipality_id", "service_area_id", "asset__product_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        inputs.stable[(municipality_id, area_id, product_id)] += n
    stable_assets = Asset.objects.filter(
        Exists(stable.filter(asset_id=OuterRef("pk"))), municipality__isnull=False
    )
    for rules in rule_books:
        counted: Counter = Counter()
        for (municipality_id, area_id, product_id, month), n in due_counts(
            assets=stable_assets, rules=rules, as_of=start, until=end
        ).items():
            index = -1 if month is None else horizon.index(month)
            counted[(municipality_id, area_id, product_id, index)] += n
        inputs.stable_due.append(counted)
    # All pieces of a moving device, also those held by others: billing rounds them
    # together (the projection keeps only the wanted municipalities' amounts).
    moving = charged.filter(~whole_horizon | own_price)
    if mine:
        moving = every.filter(asset_id__in=moving.values("asset_id"))
    _load_moving_devices(inputs, rule_books, moving)


def _load_moving_devices(inputs: ForecastInputs, rule_books: list[RuleBook], queryset) -> None:
    """Devices rated piece by piece, read per assignment (few: moves, starts and ends
    within the horizon, own prices) and counted per identical device."""
    horizon = inputs.horizon
    own_prices = inputs.book.asset_prices
    columns = [
        "asset_id",
        "municipality_id",
        "service_area_id",
        "valid_from",
        "valid_to",
        "asset__status",
        *(f"asset__{column}" for column in DUE_COLUMNS),
    ]
    rows = queryset.order_by("asset_id", "valid_from").values_list(*columns)
    for asset_id, group in itertools.groupby(
        rows.iterator(chunk_size=CHUNK_SIZE), key=operator.itemgetter(0)
    ):
        pieces: list[Piece] = []
        for row in group:
            lower = max(row[3], horizon.start)
            upper = None if row[4] is None or row[4] >= horizon.end else row[4]
            pieces.append((row[1], row[2], lower, upper))
        status, due_columns = row[5], row[6:]
        dues = tuple(
            _due_index(rules, due_columns, horizon) if status in IN_SERVICE else None
            for rules in rule_books
        )
        device = MovingDevice(
            product_id=due_columns[0],
            pieces=tuple(pieces),
            own_asset_id=asset_id if asset_id in own_prices else None,
            due=dues,
        )
        inputs.moving[device] += 1


def _due_index(rules: RuleBook, columns: tuple, horizon: Horizon) -> int | None:
    """The due month's index (-1: overdue at the start), None: not due in the horizon."""
    due = rules.due(*columns)
    if due is None or due.on >= horizon.end:
        return None
    if due.on < horizon.start:
        return -1
    return horizon.index(due.on)


def _clipped(field_name: str, horizon: Horizon, *, upper: bool) -> Case:
    """A date column clipped to the horizon: a start before it reads as its first day, an
    end after it as open (None), so rows that differ only outside the horizon group."""
    if upper:
        return Case(
            When(**{f"{field_name}__gte": horizon.end}, then=Value(None, output_field=DateField())),
            default=F(field_name),
            output_field=DateField(),
        )
    return Case(
        When(**{f"{field_name}__lt": horizon.start}, then=Value(horizon.start)),
        default=F(field_name),
        output_field=DateField(),
    )


def _load_subscriptions(inputs: ForecastInputs, mine: Q) -> None:
    horizon = inputs.horizon
    start, end = horizon.start, horizon.end
    # Grouped by holder, service, quantity and the days within the horizon; a person
    # only clips those days, so persons who have not left group together.
    grouped = (
        Subscription.objects.filter(overlapping(start, end), service__unit__in=MONTHLY_UNITS)
        .filter(mine)
        .annotate(
            lower=_clipped("valid_from", horizon, upper=False),
            upper=_clipped("valid_to", horizon, upper=True),
            person_lower=_clipped("person__active_from", horizon, upper=False),
            person_upper=_clipped("person__active_to", horizon, upper=True),
        )
        .values_list(
            "municipality_id",
            "service_area_id",
            "service_id",
            "quantity",
            "lower",
            "upper",
            "person_lower",
            "person_upper",
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    for area_key, lower, upper, person_lower, person_upper, n in (
        (row[:4], *row[4:]) for row in grouped
    ):
        # A user's service stops when the person leaves (billing's clip).
        if person_lower is not None and person_lower > lower:
            lower = person_lower
        if person_upper is not None and (upper is None or person_upper < upper):
            upper = person_upper
        if upper is not None and upper <= lower:
            continue
        inputs.subscriptions[(*area_key, lower, upper)] += n
    for row in (
        Subscription.objects.filter(
            service__unit=ServiceUnit.ONE_OFF, valid_from__gte=start, valid_from__lt=end
        )
        .filter(mine)
        .values_list("municipality_id", "service_area_id", "service_id", "quantity", "valid_from")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        inputs.one_off_services[row[:5]] += row[5]


def _load_usage_and_one_offs(inputs: ForecastInputs, mine: Q) -> None:
    horizon = inputs.horizon
    start, end = horizon.start, horizon.end
    columns = ("municipality_id", "service_area_id", "service_id", "quantity")
    for month, *holder, n in (
        UsageRecord.objects.filter(month__gte=start, month__lt=end)
        .filter(mine)
        .values_list("month", *columns)
        .annotate(n=Count("pk"))
        .order_by()
    ):
        inputs.usage[(horizon.index(month), *holder)] += n
    latest = dict(
        UsageRecord.objects.filter(month__lte=start)
        .filter(mine)
        .values_list("municipality_id")
        .annotate(latest=Max("month"))
        .values_list("municipality_id", "latest")
        .order_by()
    )
    if latest:
        months = Q()
        for municipality_id, month in latest.items():
            months |= Q(municipality_id=municipality_id, month=month)
        for *holder, n in (
            UsageRecord.objects.filter(months)
            .values_list(*columns)
            .annotate(n=Count("pk"))
            .order_by()
        ):
            inputs.usage_base[tuple(holder)] += n
    for day, municipality_id, area_id, quantity, unit_price, n in (
        OneOffCharge.objects.filter(date__gte=start, date__lt=end)
        .filter(mine)
        .values_list("date", "municipality_id", "service_area_id", "quantity", "unit_price")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        amount = round_to_ore(quantity * unit_price)  # as billing rates each charge
        inputs.one_offs[(horizon.index(day), municipality_id, area_id, amount)] += n


def _load_pools(inputs: ForecastInputs) -> None:
    """Pools overlapping the horizon whose key is measured (billing measures a key
    before it rates; a key not yet measured has nothing to split by here either)."""
    horizon = inputs.horizon
    pools = list(
        CostPool.objects.filter(
            overlapping(horizon.start, horizon.end), key__measured_at__isnull=False
        )
        .select_related("key")
        .order_by("pk")
    )
    keys = {pool.key_id: pool.key for pool in pools}
    inputs.pools = pools
    inputs.blends = key_blends(keys.values())
    split = [pool.key for pool in pools if pool.split_to_service_areas]
    inputs.areas = area_weights(split) if split else {}


def _load_credits(inputs: ForecastInputs, mine: Q, municipality_ids: list[int] | None) -> None:
    """Amounts owed (credited in the month they fall due; those already due, in the first
    month) and the unbilled credits of approved SLA reports (all in the first month)."""
    horizon = inputs.horizon
    for municipality_id, due_month, amount in (
        AmountOwed.objects.filter(due_month__lt=horizon.end, settled_reference__isnull=True)
        .filter(mine)
        .order_by("due_month", "pk")
        .values_list("municipality_id", "due_month", "amount")
    ):
        index = max(horizon.index(due_month), 0)
        inputs.credits.append((index, municipality_id, None, -round_to_ore(amount)))
    credits = credits_for_billing(before=horizon.start, exclude_ids=billed_credit_ids())
    if municipality_ids is not None:
        wanted = set(municipality_ids)
        credits = [credit for credit in credits if credit.municipality_id in wanted]
    if not credits:
        return
    bases = credited_bases(credits)
    for credit in credits:
        key = (credit.municipality_id, credit.service_id, credit.month)
        base = dict(sorted(bases.get(key, {}).items(), key=lambda item: item[0] or 0))
        for area_id, amount in credit_shares(percent=credit.percent, base=base):
            inputs.credits.append((0, credit.municipality_id, area_id, amount))
