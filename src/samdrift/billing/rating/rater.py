"""The rating engine: from the effective-dated inputs of one month to charge facts.

Set-based: one streamed query per source (assignments, subscriptions, usage, one-off
charges, cost pools, amounts owed, service credits), a few small look-up queries (prices,
agreed prices, asset prices, item names), then pure Python over the rows. Nothing here
writes: the services measure the allocation keys' weights before a run rates
(``billing.services.pools.measure_pool_keys``), and ``billing.services.runs.bill_period``
streams the facts into the database.

Rules (docs/billing.md has the full text):

- A day is priced by the first of: the asset's own price (``AssetPrice``, bought-out
  assets), the municipality's agreed price (``AgreedPrice`` of the agreement in force),
  the list price (``PriceVersion``). A day with none of them is an error. That rule, and
  what is not charged (municipality-owned equipment), live in ``leasing.prices``, which
  the pages showing a monthly cost use too.
- Monthly prices are prorated by days (``finance.proration.prorate``) over the half-open
  overlap of the input with the month. All the pieces of one asset (or subscription) in a
  month are rounded together (``finance.allocation.split_exactly``), so a move on day 10
  gives two charges that add up to exactly one month.
- Usage is priced at the day-weighted price of the month; one-off charges at their own
  price; cost pools are split by their allocation key; amounts owed (buyouts) are credits,
  and so are the service credits of approved SLA reports (``credits``).

Each source has its module (``assets``, ``subscriptions``, ``usage``, ``pools``,
``credits``); the
:class:`Rater` puts them together in a fixed order.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from samdrift.billing.rating.assets import AssetRating
from samdrift.billing.rating.credits import ServiceCreditRating
from samdrift.billing.rating.facts import Fact, PriceProblem, Scope
from samdrift.billing.rating.pools import PoolRating
from samdrift.billing.rating.prices import PROGRESS_EVERY, Pricing
from samdrift.billing.rating.subscriptions import SubscriptionRating
from samdrift.billing.rating.usage import UsageRating
from samdrift.catalogue.models import Product, Service
from samdrift.finance.proration import days_in_month, month_bounds
from samdrift.leasing.prices import PriceBook


@dataclass
class Rater(AssetRating, SubscriptionRating, UsageRating, PoolRating, ServiceCreditRating, Pricing):
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

    def facts(self) -> Iterator[Fact]:
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
        if "sla_credit" not in skip and self.scope.sla_credits:
            yield from self.service_credit_facts()
