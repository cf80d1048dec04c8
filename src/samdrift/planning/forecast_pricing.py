"""Prices month by month over the horizon, as billing would charge them.

The price of a day is ``leasing.prices.PriceBook``'s (own → agreed → list); a month is
prorated and rounded as the rater does (``finance.allocation.split_exactly`` over the
pieces of one thing in one month; a whole month at one price is ``round(quantity ×
price)``, ``leasing.prices.whole_month_amount``).

**The yearly index.** From each January after the base year (the later of the first
month's year and the last year with a published price version), agreed and list prices
are ``finance.indexation.index_adjust(price, 100, 100 · (1 + i)^k)``, ``k`` years after
the base year, to the quantum the price list's indexation uses
(``leasing.pricing.indexation.index_quantum``). An asset's own price is not indexed: it is
the annuity of what the collaboration paid for that asset, fixed when it was bought out.
Each year's prices are a copy of the price book with indexed layers, so the layering
itself stays ``PriceBook.segments``'.

**New devices** (replacements, growth, members that join) are priced by a second book
whose list layer is, in a scenario with its own lease term or interest rate, the lease
price of the product's standard cost under an unsaved copy of its category's lease model
with that term and rate (``leasing.pricing.lease_price``); agreed prices still come first.

A price changes only where a layer's span starts or ends, or in January: a whole-month
series is computed in those months and carried over the others (``series``), so a
municipality's price of a product is computed a handful of times, not sixty.
"""

from __future__ import annotations

import copy
import datetime
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal

from samdrift.finance.allocation import split_exactly
from samdrift.finance.indexation import index_adjust
from samdrift.finance.money import ZERO, round_to_ore
from samdrift.finance.proration import days_in_month, month_bounds
from samdrift.leasing.models import LeaseModel
from samdrift.leasing.prices import PriceBook
from samdrift.leasing.pricing.indexation import index_quantum
from samdrift.leasing.pricing.lease_price import lease_price
from samdrift.planning.forecast_inputs import ForecastInputs, Piece

HUNDRED = Decimal(100)
ONE_DAY = datetime.timedelta(days=1)


def index_factor(percent: Decimal, years: int) -> Decimal:
    """The index after ``years`` yearly steps of ``percent``, on a base of 100."""
    return HUNDRED * (1 + percent / HUNDRED) ** years if years > 0 else HUNDRED


def indexed(amount: Decimal, new_index: Decimal) -> Decimal:
    """``amount`` moved from index 100 to ``new_index`` (as the yearly indexation)."""
    if new_index == HUNDRED:
        return amount
    return index_adjust(
        price=amount, old_index=HUNDRED, new_index=new_index, quantum=index_quantum(amount)
    )


def _indexed_spans(layer: dict, new_index: Decimal) -> dict:
    return {
        key: [
            (valid_from, valid_to, indexed(amount, new_index))
            for valid_from, valid_to, amount in spans
        ]
        for key, spans in layer.items()
    }


def _book_copy(
    book: PriceBook, *, new_index: Decimal, list_prices: dict | None = None
) -> PriceBook:
    """``book`` with its agreed and list layers indexed (and its list layer replaced for
    the items of ``list_prices``); own prices as they are. A copy of its three layers:
    ``PriceBook`` keeps them as plain dictionaries of spans."""
    priced = copy.copy(book)
    layer = dict(book.list_prices)
    if list_prices:
        layer.update(list_prices)
    priced.list_prices = _indexed_spans(layer, new_index)
    priced.agreed = _indexed_spans(book.agreed, new_index)
    priced._cache = {}
    return priced


def new_device_prices(
    inputs: ForecastInputs, *, term_months: int | None, annual_rate_percent: Decimal | None
) -> dict:
    """The list layer for new devices under a scenario's lease term or rate: per product
    of a category with a lease model, its lease price with the scenario's term and rate
    (an unsaved copy of the model). Empty when the scenario changes neither."""
    if term_months is None and annual_rate_percent is None:
        return {}
    spans = {}
    for product in inputs.products.values():
        model = product.category.lease_model
        if model is None:
            continue
        assumed = LeaseModel(
            name=model.name,
            term_months=term_months or model.term_months,
            annual_rate=(
                model.annual_rate if annual_rate_percent is None else annual_rate_percent / HUNDRED
            ),
            residual_percent=model.residual_percent,
            monthly_service_fee=model.monthly_service_fee,
            payment_timing=model.payment_timing,
        )
        amount = lease_price(cost=product.standard_cost, lease_model=assumed).amount
        spans[("product", product.pk)] = [(inputs.horizon.start, None, amount)]
    return spans


class Prices:
    """Month-by-month charges of the forecast's inputs under one index assumption."""

    def __init__(self, inputs: ForecastInputs, *, index_percent: Decimal, new_list: dict):
        horizon = inputs.horizon
        self.inputs = inputs
        self.months = horizon.months
        self.bounds = [month_bounds(month) for month in self.months]
        self.dims = [days_in_month(month) for month in self.months]
        self.base_year = max(horizon.start.year, inputs.last_price_year or 0)
        years = sorted({month.year for month in self.months})
        self.factors = {year: index_factor(index_percent, year - self.base_year) for year in years}
        self.books = {
            year: (
                inputs.book
                if self.factors[year] == HUNDRED
                else _book_copy(inputs.book, new_index=self.factors[year])
            )
            for year in years
        }
        self.new_books = (
            {
                year: _book_copy(inputs.book, new_index=self.factors[year], list_prices=new_list)
                for year in years
            }
            if new_list
            else self.books
        )
        # Months where every price may change: the first, and each January.
        self.year_starts = {0} | {k for k, month in enumerate(self.months) if month.month == 1}
        self._series: dict[tuple, list[Decimal]] = {}

    def book(self, k: int, *, new: bool = False) -> PriceBook:
        year = self.months[k].year
        return self.new_books[year] if new else self.books[year]

    def edges(self, municipality_id, kind: str, item_id: int, *, new: bool = False) -> set[int]:
        """Months in which the agreed or list price of an item may change: those holding
        a span's start or end, and the month after (a change mid-month spills into it)."""
        book = self.new_books[self.months[0].year] if new else self.inputs.book
        months = set()
        for layer in (
            book.agreed.get((municipality_id, kind, item_id), ()),
            book.list_prices.get((kind, item_id), ()),
        ):
            for valid_from, valid_to, _amount in layer:
                months |= self._around(valid_from)
                if valid_to is not None:
                    months |= self._around(valid_to)
        return months

    def _around(self, day: datetime.date) -> set[int]:
        k = self.inputs.horizon.index(day)
        return {k, k + 1} if day.day != 1 else {k}

    def series(
        self, municipality_id, kind: str, item_id: int, quantity: Decimal, *, new: bool = False
    ) -> list[Decimal]:
        """The charge of one item held a whole month, month by month (rounded as billing
        rounds one subscription or device): ``sum(split_exactly(quantity × price, days))``
        over the month's priced pieces; zero for days without a price (billing reports
        them and charges nothing)."""
        key = (municipality_id, kind, item_id, quantity, new)
        cached = self._series.get(key)
        if cached is not None:
            return cached
        changes = self.year_starts | self.edges(municipality_id, kind, item_id, new=new)
        amounts = []
        amount = ZERO
        for k, (start, end) in enumerate(self.bounds):
            if k in changes:
                amount = self.held(
                    self.book(k, new=new), municipality_id, kind, item_id, quantity, start, end, k
                )
            amounts.append(amount)
        self._series[key] = amounts
        return amounts

    def held(
        self, book: PriceBook, municipality_id, kind, item_id, quantity, lower, upper, k
    ) -> Decimal:
        """The charge of one item held ``[lower, upper)`` within month ``k``."""
        priced, _missing = book.segments(
            municipality_id=municipality_id, kind=kind, item_id=item_id, start=lower, end=upper
        )
        if not priced:
            return ZERO
        pieces = [(quantity * price, (to - fr).days) for fr, to, price in priced]
        return sum(split_exactly(pieces=pieces, days_in_month=self.dims[k]), ZERO)

    def weighted_prices(self, municipality_id, service_id: int) -> list[Decimal | None]:
        """A usage service's day-weighted price month by month (usage is a month's total);
        None in a month with a day without a price (billing then reports each record and
        charges none of it)."""
        key = (municipality_id, "usage", service_id)
        cached = self._series.get(key)
        if cached is not None:
            return cached
        changes = self.year_starts | self.edges(municipality_id, "service", service_id)
        prices: list[Decimal | None] = []
        weighted = None
        for k, (start, end) in enumerate(self.bounds):
            if k in changes:
                priced, missing = self.book(k).segments(
                    municipality_id=municipality_id,
                    kind="service",
                    item_id=service_id,
                    start=start,
                    end=end,
                )
                weighted = None
                if not missing:
                    days = sum((p * (to - fr).days for fr, to, p in priced), ZERO)
                    weighted = days / self.dims[k]
            prices.append(weighted)
        self._series[key] = prices
        return prices

    def usage_series(self, municipality_id, service_id: int, records: Counter) -> list[Decimal]:
        """The charge of usage ``records`` (quantity → number of records) month by month:
        each record's quantity at the weighted price, rounded once per record."""
        amounts = []
        amount, previous = ZERO, None
        for weighted in self.weighted_prices(municipality_id, service_id):
            if weighted is not previous:
                amount = ZERO
                if weighted is not None:
                    amount = sum(
                        (round_to_ore(quantity * weighted) * n for quantity, n in records.items()),
                        ZERO,
                    )
                previous = weighted
            amounts.append(amount)
        return amounts

    def one_off_service(self, municipality_id, service_id, quantity, day: datetime.date) -> Decimal:
        """A one-off service, charged once at the price of the day it starts."""
        k = self.inputs.horizon.index(day)
        priced, missing = self.book(k).segments(
            municipality_id=municipality_id,
            kind="service",
            item_id=service_id,
            start=day,
            end=day + ONE_DAY,
        )
        if missing:
            return ZERO
        return round_to_ore(quantity * priced[0][2])

    def device_month(
        self,
        k: int,
        pieces: Iterable[Piece],
        product_id: int,
        own_asset_id: int | None,
        *,
        new: bool = False,
    ) -> list[tuple[int, int | None, Decimal]]:
        """One device's charges in month ``k``: ``(municipality, service area, amount)``
        per piece it is held in that month, all its pieces rounded together as billing
        rounds one asset's month."""
        start, end = self.bounds[k]
        book = self.book(k, new=new)
        parts = []
        for municipality_id, area_id, lower, upper in pieces:
            lower = max(lower, start)
            upper = end if upper is None or upper > end else upper
            if upper <= lower:
                continue
            priced, _missing = book.segments(
                municipality_id=municipality_id,
                kind="product",
                item_id=product_id,
                start=lower,
                end=upper,
                asset_id=own_asset_id,
            )
            parts += [(municipality_id, area_id, price, (to - fr).days) for fr, to, price in priced]
        if not parts:
            return []
        amounts = split_exactly(
            pieces=[(price, days) for _m, _a, price, days in parts], days_in_month=self.dims[k]
        )
        return [
            (municipality_id, area_id, amount)
            for (municipality_id, area_id, _price, _days), amount in zip(
                parts, amounts, strict=True
            )
        ]

    def device_edges(self, pieces: Iterable[Piece], product_id: int, own_asset_id) -> set[int]:
        """Months in which a moving device's charge may differ from the month before."""
        months = set(self.year_starts)
        for municipality_id, _area, lower, upper in pieces:
            months |= self._around(lower)
            if upper is not None:
                months |= self._around(upper)
            months |= self.edges(municipality_id, "product", product_id)
        for valid_from, valid_to, _amount in self.inputs.book.asset_prices.get(own_asset_id, ()):
            months |= self._around(valid_from)
            if valid_to is not None:
                months |= self._around(valid_to)
        return months
