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

from django.db import transaction
from django.db.models import Case, Count, DateField, F, Max, Q, Value, When

from samdrift.billing.allocation import KeyBlend, area_weights, key_blends
from samdrift.billing.bulk import stream_rows
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
from samdrift.leasing.prices import (
    MONTHLY_UNITS,
    NOT_CHARGED_ORIGINS,
    PriceBook,
    charged_assignments,
)
from samdrift.organisations.models import Municipality
from samdrift.planning.plan import LATER, DueMonths, fleet_rows
from samdrift.planning.rules import DUE_COLUMNS, RuleBook
from samdrift.servicedesk.selectors import credits_for_billing

CHUNK_SIZE = 20_000

# The columns of ``planning.plan.fleet_rows``.
FLEET_COLUMNS = [*DUE_COLUMNS, "municipality_id", "service_area_id"]

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
    complete: bool = True  # read for every municipality (not a few)


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
        complete=municipality_ids is None,
    )
    # One transaction: PostgreSQL streams the fleet through a server-side cursor.
    with transaction.atomic():
        _load_devices(inputs, rule_books, mine, municipality_ids)
        _load_subscriptions(inputs, mine)
        _load_usage_and_one_offs(inputs, mine)
        _load_pools(inputs)
        _load_credits(inputs, mine, municipality_ids)
    return inputs


def _last_price_year() -> int | None:
    latest = PriceVersion.objects.aggregate(latest=Max("valid_from"))["latest"]
    return latest.year if latest else None


def _overlapping(queryset, horizon: Horizon):
    """Rows overlapping the horizon (``core.dating.overlapping``), the start written as
    "not on or after its end": SQLite then scans the table rather than walking the date
    index to nearly every row (two to four times faster at a million rows)."""
    return queryset.filter(overlapping(horizon.start, None)).exclude(valid_from__gte=horizon.end)


def _load_devices(
    inputs: ForecastInputs,
    rule_books: list[RuleBook],
    mine: Q,
    municipality_ids: list[int] | None,
) -> None:
    horizon = inputs.horizon
    start, end = horizon.start, horizon.end
    every = _overlapping(Assignment.objects.filter(charged_assignments()), horizon)
    charged = every.filter(mine)
    whole_horizon = Q(valid_from__lte=start) & (Q(valid_to__isnull=True) | Q(valid_to__gte=end))
    # Nearly every assignment is held all horizon. Written as "not from after the start"
    # and grouped by product first, SQLite reads the table straight through instead of
    # walking a date or municipality index to every row (1 s, not 4–6 s, at a million).
    held = (
        Assignment.objects.filter(charged_assignments(), mine)
        .exclude(valid_from__gt=start)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=end))
    )
    for product_id, municipality_id, area_id, n in (
        held.values_list("asset__product_id", "municipality_id", "service_area_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        inputs.stable[(municipality_id, area_id, product_id)] += n
    # The devices rated piece by piece: moving within the horizon, or priced on their own
    # (the assets whose prices the price book read: a subquery, not a list of ids).
    own_priced = AssetPrice.objects.filter(overlapping(start, end)).values("asset_id")
    moving = charged.filter(~whole_horizon | Q(asset_id__in=own_priced))
    if mine:
        # All pieces of a moving device, also those held by others: billing rounds them
        # together (the projection keeps only the wanted municipalities' amounts).
        moving = every.filter(asset_id__in=moving.values("asset_id"))
    months = [DueMonths(rules, as_of=start, until=end) for rules in rule_books]
    taken = _load_moving_devices(inputs, months, moving, _wanted(municipality_ids))
    # Due dates of the charged fleet, counted per identical row (``planning.plan``), each
    # rule book applied to the counts; less the devices rated piece by piece.
    # (plan.count_rows, read with billing's faster streamer: a quarter less time.)
    fleet = fleet_rows(Asset.objects.exclude(origin__in=NOT_CHARGED_ORIGINS).filter(mine))
    rows = Counter(stream_rows(fleet, FLEET_COLUMNS))
    width = len(DUE_COLUMNS)
    for month_of, less in zip(months, taken, strict=True):
        counted: Counter = Counter()
        index_of: dict = {}
        for row, n in rows.items():
            month = month_of(row[:width])
            if month is LATER:
                continue
            index = index_of.get(month)
            if index is None:
                index = index_of[month] = _index_of(month, horizon)
            counted[(row[width], row[width + 1], row[0], index)] += n
        counted.subtract(less)
        inputs.stable_due.append(+counted)


def _load_moving_devices(
    inputs: ForecastInputs, months: list[DueMonths], queryset, wanted
) -> list[Counter]:
    """Devices rated piece by piece, read per assignment (few: moves, starts and ends
    within the horizon, own prices) and counted per identical device. Those held the
    whole horizon are taken out of ``stable``; returns, per rule book, their due counts
    as ``_load_devices`` counts the fleet's, to take out of those."""
    horizon = inputs.horizon
    own_prices = inputs.book.asset_prices
    columns = [
        "asset_id",
        "municipality_id",
        "service_area_id",
        "valid_from",
        "valid_to",
        "asset__status",
        "asset__municipality_id",
        "asset__service_area_id",
        *(f"asset__{column}" for column in DUE_COLUMNS),
    ]
    taken = [Counter() for _ in months]
    rows = queryset.order_by("asset_id", "valid_from").values_list(*columns)
    for asset_id, group in itertools.groupby(
        rows.iterator(chunk_size=CHUNK_SIZE), key=operator.itemgetter(0)
    ):
        pieces: list[Piece] = []
        for row in group:
            lower = max(row[3], horizon.start)
            upper = None if row[4] is None or row[4] >= horizon.end else row[4]
            pieces.append((row[1], row[2], lower, upper))
        status, holder, due_columns = row[5], row[6:8], row[8:]
        product_id = due_columns[0]
        dues = []
        for month_of, less in zip(months, taken, strict=True):
            if status not in IN_SERVICE:
                dues.append(None)
                continue
            index = _index_of(month_of(due_columns), horizon)
            dues.append(index)
            if index is not None and holder[0] is not None and wanted(holder[0]):
                less[(*holder, product_id, index)] += 1
        (first_holder, first_area, lower, upper), *others = pieces
        if not others and lower == horizon.start and upper is None and wanted(first_holder):
            # Counted as held all horizon, but priced on its own: rated here instead.
            inputs.stable[(first_holder, first_area, product_id)] -= 1
        device = MovingDevice(
            product_id=product_id,
            pieces=tuple(pieces),
            own_asset_id=asset_id if asset_id in own_prices else None,
            due=tuple(dues),
        )
        inputs.moving[device] += 1
    inputs.stable = +inputs.stable
    return taken


def _wanted(municipality_ids: list[int] | None):
    """Whether a municipality id is one of ``municipality_ids`` (None: all are)."""
    if municipality_ids is None:
        return lambda municipality_id: True
    return set(municipality_ids).__contains__


def _index_of(month, horizon: Horizon) -> int | None:
    """A due month (``planning.plan.DueMonths``) as an index: -1 overdue at the start,
    None not due within the horizon."""
    if month is LATER:
        return None
    if month is None:
        return -1
    return horizon.index(month)


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
        _overlapping(Subscription.objects.filter(service__unit__in=MONTHLY_UNITS), horizon)
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
    """Pools overlapping the horizon whose key is measured. Billing measures a key once,
    before it first rates the pool (``measure_pool_keys``); a forecast only reads, and
    measuring early would fix a future pool's weights on today's figures, so a pool
    whose key is not measured yet (one not entered through ``create_cost_pool``) is left
    out."""
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
