"""Rating shared costs and credits: cost pools split by their allocation key
(``billing.allocation``), and amounts owed to municipalities (buyouts), credited."""

from __future__ import annotations

from collections.abc import Iterator

from samdrift.billing.allocation import pool_shares
from samdrift.billing.models import CostPool
from samdrift.billing.rating.facts import (
    QUANTITY_ONE,
    SOURCE_BUYOUT,
    SOURCE_COST_POOL,
    Fact,
)
from samdrift.core.dating import overlapping
from samdrift.finance.money import ZERO, round_to_ore
from samdrift.finance.proration import overlap_days, prorate
from samdrift.leasing.models import AmountOwed


class PoolRating:
    """Part of :class:`~samdrift.billing.rating.rater.Rater`."""

    def pool_facts(self) -> Iterator[Fact]:
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
                yield Fact(
                    municipality=municipality_id,
                    service_area=area_id,
                    person=None,
                    asset=None,
                    subscription=None,
                    source=SOURCE_COST_POOL,
                    source_id=pool.pk,
                    product=None,
                    service=None,
                    cost_pool=pool.pk,
                    description="",
                    quantity=QUANTITY_ONE,
                    unit_price=share,
                    days_active=days,
                    days_in_month=self.dim,
                    valid_from=max(pool.valid_from, self.start),
                    valid_to=min(pool.valid_to or self.end, self.end),
                    amount=share,
                    vat_rate=pool.vat_rate,
                )
        self._tick("cost_pool", made, done=True)

    def amount_owed_facts(self) -> Iterator[Fact]:
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
            yield Fact(
                municipality=municipality_id,
                service_area=None,
                person=None,
                asset=None,
                subscription=None,
                source=SOURCE_BUYOUT,
                source_id=pk,
                product=None,
                service=None,
                cost_pool=None,
                description=text[:200],
                quantity=QUANTITY_ONE,
                unit_price=credit,
                days_active=None,
                days_in_month=None,
                valid_from=None,
                valid_to=None,
                amount=credit,
                vat_rate=ZERO,
            )
        self._tick("buyout", made, done=True)
