"""The rating engine: from the effective-dated inputs of one month to charge facts.

Set-based: one streamed query per source (assignments, subscriptions, usage, one-off
charges, cost pools, amounts owed), a few small look-up queries (prices, agreed prices,
asset prices, item names), then pure Python over the rows. Nothing here writes charges;
``billing.services.bill_period`` streams the facts into the database.

Rules (docs/billing.md has the full text):

- A day is priced by the first of: the asset's own price (``AssetPrice``, bought-out
  assets), the municipality's agreed price (``AgreedPrice`` of the agreement in force),
  the list price (``PriceVersion``). A day with none of them is an error. That rule, and
  what is not charged (municipality-owned equipment), live in ``leasing.prices``, which
  the pages showing a monthly cost use too.
- Monthly prices are prorated by days (``finance.proration.prorate``) over the half-open
  overlap of the input with the month. All the pieces of one asset (or subscription) in a
  month are rounded together: their total is rounded once and split over the pieces by
  ``finance.allocation.allocate``, so a move on day 10 gives two charges that add up to
  exactly one month.
- Usage is priced at the day-weighted price of the month; one-off charges at their own
  price; cost pools are split by their allocation key; amounts owed (buyouts) are credits.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import operator
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from samdrift.billing.allocation import pool_shares
from samdrift.billing.bulk import stream_rows
from samdrift.billing.choices import ChargeSource
from samdrift.billing.models import CostPool, OneOffCharge
from samdrift.catalogue.choices import ServiceUnit
from samdrift.catalogue.models import Product, Service
from samdrift.core.dating import overlapping
from samdrift.core.money import round_unit_price
from samdrift.finance.allocation import allocate
from samdrift.finance.money import ORE, ZERO, round_to_ore
from samdrift.finance.proration import days_in_month, month_bounds, overlap_days, prorate
from samdrift.inventory.models import Assignment, Subscription, UsageRecord
from samdrift.leasing.models import AmountOwed
from samdrift.leasing.prices import (
    MONTHLY_UNITS,
    PriceBook,
    charged_assignments,
    whole_month_amount,
)

ONE = Decimal("1")
QUANTITY_ONE = Decimal("1.000")
PROGRESS_EVERY = 5000
_MISSING = object()
_ASSET_OF_ROW = operator.itemgetter(1)  # assignment rows come ordered by asset
# Plain strings: reading an enum member's value costs a descriptor call per charge.
SOURCE_ASSET = ChargeSource.ASSET.value
SOURCE_SUBSCRIPTION = ChargeSource.SUBSCRIPTION.value
SOURCE_USAGE = ChargeSource.USAGE.value
SOURCE_ONE_OFF = ChargeSource.ONE_OFF.value
SOURCE_COST_POOL = ChargeSource.COST_POOL.value
SOURCE_BUYOUT = ChargeSource.BUYOUT.value
BUYOUT_VAT_REASON = "Buyout of the municipality's equipment, credited without VAT"
DEFAULT_EXEMPTION_REASON = "Exempt from VAT"

# A charge fact: everything a Charge row holds except period, run, invoice and
# adjusts_period. Plain tuples, because a run makes a million of them.
(
    F_MUNICIPALITY,
    F_SERVICE_AREA,
    F_PERSON,
    F_ASSET,
    F_SUBSCRIPTION,
    F_SOURCE,
    F_SOURCE_ID,
    F_PRODUCT,
    F_SERVICE,
    F_COST_POOL,
    F_DESCRIPTION,
    F_QUANTITY,
    F_UNIT_PRICE,
    F_DAYS,
    F_DIM,
    F_FROM,
    F_TO,
    F_AMOUNT,
    F_VAT,
) = range(19)

FACT_FIELDS = [
    "municipality",
    "service_area",
    "person",
    "asset",
    "subscription",
    "source",
    "source_id",
    "product",
    "service",
    "cost_pool",
    "description",
    "quantity",
    "unit_price",
    "days_active",
    "days_in_month",
    "valid_from",
    "valid_to",
    "amount",
    "vat_rate",
]


@dataclass
class Scope:
    """Which inputs to rate: everything (a normal run), or the subset an adjustment check
    re-rates. ``None`` means all rows of a source, an empty ``Q`` with ``skip`` none."""

    assignments: Q | None = None
    subscriptions: Q | None = None
    usage: Q | None = None
    one_offs: Q | None = None
    pools: Q | None = None
    skip: frozenset[str] = frozenset()
    amounts_owed: bool = True


@dataclass
class PriceProblem:
    """Days of an input for which no price was found."""

    item: str
    municipality_id: int
    subject: str
    start: datetime.date
    end: datetime.date

    def message(self, municipality_names: dict[int, str]) -> str:
        last_day = self.end - datetime.timedelta(days=1)
        days = (
            self.start.isoformat()
            if self.start == last_day
            else f"{self.start.isoformat()}–{last_day.isoformat()}"
        )
        return _("No price for %(item)s on %(days)s (%(subject)s, %(municipality)s).") % {
            "item": self.item,
            "days": days,
            "subject": self.subject,
            "municipality": municipality_names.get(self.municipality_id, self.municipality_id),
        }


def _split_exactly(pieces: list[tuple[Decimal, int]], dim: int) -> list[Decimal]:
    """Amounts of pieces ``(monthly amount, days)`` that add up to their rounded total.

    One piece: ``round(prorate(...))``. Several (a move or price change mid-month): the
    total is rounded once and allocated by each piece's exact value, so the pieces add up
    to what one whole month (or the whole active time) costs, to the øre.
    """
    if len(pieces) == 1:
        monthly, days = pieces[0]
        if days == dim:  # the common case, a whole month: no proration needed
            return [round_to_ore(monthly)]
        return [round_to_ore(prorate(monthly_amount=monthly, active_days=days, days_in_month=dim))]
    exact = [monthly * days / dim for monthly, days in pieces]
    total = round_to_ore(sum(exact, ZERO))
    if total == 0 or all(value == 0 for value in exact):
        return [ZERO.quantize(ORE)] * len(pieces)
    if any(value < 0 for value in exact):
        return [round_to_ore(value) for value in exact]
    shares = allocate(amount=total, weights=dict(enumerate(exact)))
    return [shares[index] for index in range(len(pieces))]


@dataclass
class Rater:
    """Rates one month. ``facts()`` yields charge facts in a fixed order (so that the same
    inputs give the same content hash); problems (missing prices) are collected."""

    month: datetime.date
    scope: Scope = field(default_factory=Scope)
    problems: list[PriceProblem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    progress: object = None
    _pending: dict[str, int] = field(default_factory=dict)

    def __post_init__(self):
        self.start, self.end = month_bounds(self.month)
        self.dim = days_in_month(self.month)
        self.products = {
            row[0]: row[1:] for row in Product.objects.values_list("pk", "name", "vat_rate")
        }
        self.services = {
            row[0]: row[1:]
            for row in Service.objects.values_list(
                "pk", "name", "vat_rate", "unit", "vat_exemption_reason"
            )
        }
        self.prices = PriceBook(start=self.start, end=self.end)
        self._whole_month_cache: dict[tuple, tuple | None] = {}
        # The inputs' content hash: every input row read, in the order read.
        self.input_hash = hashlib.sha256()
        self.input_hash.update(
            repr(
                (
                    self.month,
                    sorted(self.products.items()),
                    sorted(self.services.items()),
                    sorted(self.prices.list_prices.items()),
                    sorted(self.prices.agreed.items()),
                    sorted(self.prices.asset_prices.items()),
                )
            ).encode()
        )

    def _tick(self, stage: str, count: int = 1, *, done: bool = False) -> None:
        """Count made charges; report progress every few thousand (a progress bar redraw
        per asset would cost more than rating it)."""
        self.counts[stage] = self.counts.get(stage, 0) + count
        if self.progress is None:
            return
        pending = self._pending.get(stage, 0) + count
        if done or pending >= PROGRESS_EVERY:
            if pending:
                self.progress(stage, pending)
            pending = 0
        self._pending[stage] = pending

    def facts(self) -> Iterator[tuple]:
        skip = self.scope.skip
        if "asset" not in skip:
            yield from self.asset_facts()
        if "subscription" not in skip:
            yield from self.subscription_facts()
        if "usage" not in skip:
            yield from self.usage_facts()
        if "one_off" not in skip:
            yield from self.one_off_facts()
        if "cost_pool" not in skip:
            yield from self.pool_facts()
        if "buyout" not in skip and self.scope.amounts_owed:
            yield from self.amount_owed_facts()

    # -- devices ------------------------------------------------------------------------
    def asset_facts(self) -> Iterator[tuple]:
        queryset = Assignment.objects.filter(overlapping(self.start, self.end)).filter(
            charged_assignments()
        )
        if self.scope.assignments is not None:
            queryset = queryset.filter(self.scope.assignments)
        rows = stream_rows(
            queryset.order_by("asset_id", "valid_from"),
            [
                "pk",
                "asset_id",
                "municipality_id",
                "service_area_id",
                "person_id",
                "valid_from",
                "valid_to",
                "asset__product_id",
                "asset__asset_tag",
            ],
            hasher=self.input_hash,
        )
        # Most assets are held by one municipality the whole month at one price: their
        # charge is the same for every asset of a product and municipality, so it is
        # looked up (``_whole_month``) instead of rated piece by piece. Everything else
        # (moves, a price change or agreement starting mid-month, own asset prices, days
        # without a price) goes through ``_asset_group``, which the fast path must agree
        # with exactly (tests/billing/test_rating.py compares them).
        start, end, dim = self.start, self.end, self.dim
        own_prices = self.prices.asset_prices
        whole_month = self._whole_month
        made = 0
        for asset_id, group in itertools.groupby(rows, key=_ASSET_OF_ROW):
            pieces = list(group)
            if len(pieces) == 1:
                row = pieces[0]
                pk, _asset, municipality_id, area_id, person_id = row[:5]
                valid_from, valid_to, product_id = row[5:8]
                if (
                    valid_from <= start
                    and (valid_to is None or valid_to >= end)
                    and asset_id not in own_prices
                ):
                    priced = whole_month("product", municipality_id, product_id, QUANTITY_ONE)
                    if priced is not None:
                        price, amount, vat_rate = priced
                        made += 1
                        if made % PROGRESS_EVERY == 0:
                            self._tick("asset", PROGRESS_EVERY)
                        yield (
                            municipality_id,
                            area_id,
                            person_id,
                            asset_id,
                            None,
                            SOURCE_ASSET,
                            pk,
                            product_id,
                            None,
                            None,
                            "",
                            QUANTITY_ONE,
                            price,
                            dim,
                            dim,
                            start,
                            end,
                            amount,
                            vat_rate,
                        )
                        continue
            yield from self._asset_group(pieces)
        self._tick("asset", made % PROGRESS_EVERY, done=True)

    def _whole_month(
        self, kind: str, municipality_id: int, item_id: int, quantity: Decimal
    ) -> tuple[Decimal, Decimal, Decimal] | None:
        """(unit price, amount, VAT rate) of ``quantity`` of an item held by a municipality
        for the whole month, when one price applies to every day of it (else None: the
        caller rates it piece by piece). Cached: a million inputs share a few hundred."""
        key = (kind, municipality_id, item_id, quantity)
        cached = self._whole_month_cache.get(key, _MISSING)
        if cached is not _MISSING:
            return cached
        priced, missing = self.prices.segments(
            municipality_id=municipality_id,
            kind=kind,
            item_id=item_id,
            start=self.start,
            end=self.end,
        )
        result = None
        if len(priced) == 1 and not missing:
            price = priced[0][2]
            # As ``_split_exactly`` rounds one whole-month piece (a device's quantity is 1).
            amount = whole_month_amount(unit_price=price, quantity=quantity)
            vat_rate = self.products[item_id][1] if kind == "product" else self.services[item_id][1]
            result = (price, amount, vat_rate)
        self._whole_month_cache[key] = result
        return result

    def _asset_group(self, group: list[tuple]) -> Iterator[tuple]:
        start, end, dim = self.start, self.end, self.dim
        pieces = []
        for row in group:
            asset_id, municipality_id = row[1], row[2]
            valid_from, valid_to, product_id, tag = row[5:]
            lower = valid_from if valid_from > start else start
            upper = end if valid_to is None or valid_to > end else valid_to
            priced, missing = self.prices.segments(
                municipality_id=municipality_id,
                kind="product",
                item_id=product_id,
                start=lower,
                end=upper,
                asset_id=asset_id,
            )
            for gap_from, gap_to in missing:
                self.problems.append(
                    PriceProblem(
                        item=_("product “%(name)s”") % {"name": self.products[product_id][0]},
                        municipality_id=municipality_id,
                        subject=_("asset %(tag)s") % {"tag": tag},
                        start=gap_from,
                        end=gap_to,
                    )
                )
            for seg_from, seg_to, price in priced:
                pieces.append((row, seg_from, seg_to, price, (seg_to - seg_from).days))
        if not pieces:
            return
        amounts = _split_exactly([(piece[3], piece[4]) for piece in pieces], dim)
        for (row, seg_from, seg_to, price, days), amount in zip(pieces, amounts, strict=True):
            product_id = row[7]
            yield (
                row[2],
                row[3],
                row[4],
                row[1],
                None,
                SOURCE_ASSET,
                row[0],
                product_id,
                None,
                None,
                "",
                QUANTITY_ONE,
                price,
                days,
                dim,
                seg_from,
                seg_to,
                amount,
                self.products[product_id][1],
            )
        self._tick("asset", len(pieces))

    # -- subscriptions ------------------------------------------------------------------
    def subscription_facts(self) -> Iterator[tuple]:
        queryset = Subscription.objects.filter(overlapping(self.start, self.end))
        if self.scope.subscriptions is not None:
            queryset = queryset.filter(self.scope.subscriptions)
        rows = stream_rows(
            queryset.order_by("pk"),
            [
                "pk",
                "municipality_id",
                "service_area_id",
                "person_id",
                "asset_id",
                "service_id",
                "quantity",
                "valid_from",
                "valid_to",
                "person__active_from",
                "person__active_to",
            ],
            decimals=(6,),
            hasher=self.input_hash,
        )
        start, end, dim = self.start, self.end, self.dim
        made = 0
        for row in rows:
            (pk, municipality_id, area_id, person_id, asset_id, service_id, quantity) = row[:7]
            valid_from, valid_to, person_from, person_to = row[7:]
            _name, vat_rate, unit, _reason = self.services[service_id]
            if unit == ServiceUnit.ONE_OFF:
                if start <= valid_from < end:
                    priced, missing = self.prices.segments(
                        municipality_id=municipality_id,
                        kind="service",
                        item_id=service_id,
                        start=valid_from,
                        end=valid_from + datetime.timedelta(days=1),
                    )
                    if missing:
                        self._missing_service(service_id, municipality_id, pk, missing)
                        continue
                    price = priced[0][2]
                    made += 1
                    yield (
                        municipality_id,
                        area_id,
                        person_id,
                        asset_id,
                        pk,
                        SOURCE_SUBSCRIPTION,
                        pk,
                        None,
                        service_id,
                        None,
                        "",
                        quantity,
                        price,
                        None,
                        None,
                        valid_from,
                        None,
                        round_to_ore(quantity * price),
                        vat_rate,
                    )
                continue
            if unit not in MONTHLY_UNITS:
                continue
            lower = max(valid_from, start)
            upper = end if valid_to is None or valid_to > end else valid_to
            if person_id is not None:
                # A user's service stops when the person leaves (a backdated leave too).
                lower = max(lower, person_from)
                if person_to is not None and person_to < upper:
                    upper = person_to
            if upper <= lower:
                continue
            if lower == start and upper == end:
                # The common case, a whole month at one price: looked up, not rated.
                whole = self._whole_month("service", municipality_id, service_id, quantity)
                if whole is not None:
                    price, amount, _vat = whole
                    made += 1
                    yield (
                        municipality_id,
                        area_id,
                        person_id,
                        asset_id,
                        pk,
                        SOURCE_SUBSCRIPTION,
                        pk,
                        None,
                        service_id,
                        None,
                        "",
                        quantity,
                        price,
                        dim,
                        dim,
                        start,
                        end,
                        amount,
                        vat_rate,
                    )
                    continue
            priced, missing = self.prices.segments(
                municipality_id=municipality_id,
                kind="service",
                item_id=service_id,
                start=lower,
                end=upper,
            )
            if missing:
                self._missing_service(service_id, municipality_id, pk, missing)
            if not priced:
                continue
            amounts = _split_exactly(
                [(quantity * price, (to - fr).days) for fr, to, price in priced], dim
            )
            for (seg_from, seg_to, price), amount in zip(priced, amounts, strict=True):
                made += 1
                yield (
                    municipality_id,
                    area_id,
                    person_id,
                    asset_id,
                    pk,
                    SOURCE_SUBSCRIPTION,
                    pk,
                    None,
                    service_id,
                    None,
                    "",
                    quantity,
                    price,
                    (seg_to - seg_from).days,
                    dim,
                    seg_from,
                    seg_to,
                    amount,
                    vat_rate,
                )
        self._tick("subscription", made, done=True)

    def _missing_service(self, service_id, municipality_id, subscription_id, missing) -> None:
        for gap_from, gap_to in missing:
            self.problems.append(
                PriceProblem(
                    item=_("service “%(name)s”") % {"name": self.services[service_id][0]},
                    municipality_id=municipality_id,
                    subject=_("subscription %(id)s") % {"id": subscription_id},
                    start=gap_from,
                    end=gap_to,
                )
            )

    # -- usage ----------------------------------------------------------------------------
    def usage_facts(self) -> Iterator[tuple]:
        queryset = UsageRecord.objects.filter(month=self.start)
        if self.scope.usage is not None:
            queryset = queryset.filter(self.scope.usage)
        rows = stream_rows(
            queryset.order_by("pk"),
            [
                "pk",
                "municipality_id",
                "service_area_id",
                "person_id",
                "asset_id",
                "service_id",
                "quantity",
            ],
            decimals=(6,),
            hasher=self.input_hash,
        )
        made = 0
        for pk, municipality_id, area_id, person_id, asset_id, service_id, quantity in rows:
            name, vat_rate, _unit, _reason = self.services[service_id]
            priced, missing = self.prices.segments(
                municipality_id=municipality_id,
                kind="service",
                item_id=service_id,
                start=self.start,
                end=self.end,
            )
            if missing:
                for gap_from, gap_to in missing:
                    self.problems.append(
                        PriceProblem(
                            item=_("service “%(name)s”") % {"name": name},
                            municipality_id=municipality_id,
                            subject=_("usage record %(id)s") % {"id": pk},
                            start=gap_from,
                            end=gap_to,
                        )
                    )
                continue
            # Usage is a month's total; each day's price weighs by its days.
            weighted = sum((price * (to - fr).days for fr, to, price in priced), ZERO) / self.dim
            made += 1
            yield (
                municipality_id,
                area_id,
                person_id,
                asset_id,
                None,
                SOURCE_USAGE,
                pk,
                None,
                service_id,
                None,
                "",
                quantity,
                round_unit_price(weighted),
                None,
                None,
                self.start,
                self.end,
                round_to_ore(quantity * weighted),
                vat_rate,
            )
        self._tick("usage", made, done=True)

    # -- one-off charges ----------------------------------------------------------------------
    def one_off_facts(self) -> Iterator[tuple]:
        queryset = OneOffCharge.objects.filter(date__gte=self.start, date__lt=self.end)
        if self.scope.one_offs is not None:
            queryset = queryset.filter(self.scope.one_offs)
        made = 0
        for row in stream_rows(
            queryset.order_by("pk"),
            [
                "pk",
                "municipality_id",
                "service_area_id",
                "person_id",
                "asset_id",
                "service_id",
                "description",
                "quantity",
                "unit_price",
                "date",
                "vat_rate",
            ],
            decimals=(7, 8, 10),
            hasher=self.input_hash,
        ):
            pk, municipality_id, area_id, person_id, asset_id, service_id, text = row[:7]
            quantity, unit_price, date, vat_rate = row[7:]
            made += 1
            yield (
                municipality_id,
                area_id,
                person_id,
                asset_id,
                None,
                SOURCE_ONE_OFF,
                pk,
                None,
                service_id,
                None,
                text[:200],
                quantity,
                unit_price,
                None,
                None,
                date,
                None,
                round_to_ore(quantity * unit_price),
                vat_rate,
            )
        self._tick("one_off", made, done=True)

    # -- cost pools ---------------------------------------------------------------------------
    def pool_facts(self) -> Iterator[tuple]:
        queryset = CostPool.objects.filter(overlapping(self.start, self.end))
        if self.scope.pools is not None:
            queryset = queryset.filter(self.scope.pools)
        made = 0
        for pool in queryset.select_related("key").order_by("pk"):
            days = overlap_days(
                start=pool.valid_from,
                end=pool.valid_to,
                period_start=self.start,
                period_end=self.end,
            )
            month_amount = round_to_ore(
                prorate(
                    monthly_amount=pool.monthly_amount, active_days=days, days_in_month=self.dim
                )
            )
            shares = pool_shares(pool=pool, amount=month_amount)
            self.input_hash.update(
                repr(
                    (pool.pk, pool.monthly_amount, pool.valid_from, pool.valid_to, shares)
                ).encode()
            )
            for municipality_id, area_id, share in shares:
                made += 1
                yield (
                    municipality_id,
                    area_id,
                    None,
                    None,
                    None,
                    SOURCE_COST_POOL,
                    pool.pk,
                    None,
                    None,
                    pool.pk,
                    "",
                    QUANTITY_ONE,
                    share,
                    days,
                    self.dim,
                    max(pool.valid_from, self.start),
                    min(pool.valid_to or self.end, self.end),
                    share,
                    pool.vat_rate,
                )
        self._tick("cost_pool", made, done=True)

    # -- amounts owed (buyouts) -----------------------------------------------------------------
    def amount_owed_facts(self) -> Iterator[tuple]:
        """Unsettled amounts owed that fall due in this month or earlier: a credit each."""
        rows = (
            AmountOwed.objects.filter(due_month__lt=self.end, settled_reference__isnull=True)
            .order_by("due_month", "pk")
            .values_list("pk", "municipality_id", "amount", "description")
        )
        rows = list(rows)
        self.input_hash.update(repr(rows).encode())
        made = 0
        for pk, municipality_id, amount, text in rows:
            made += 1
            credit = -round_to_ore(amount)
            yield (
                municipality_id,
                None,
                None,
                None,
                None,
                SOURCE_BUYOUT,
                pk,
                None,
                None,
                None,
                text[:200],
                QUANTITY_ONE,
                credit,
                None,
                None,
                None,
                None,
                credit,
                ZERO,
            )
        self._tick("buyout", made, done=True)
