"""Pricing for the rater: the whole-month look-up most inputs take, and recording the
days an input has no price (``PriceProblem``). The price rule itself (asset price →
agreed price → list price) is ``leasing.prices.PriceBook``."""

from __future__ import annotations

import datetime
from decimal import Decimal

from samdrift.billing.rating.facts import PriceProblem
from samdrift.leasing.prices import whole_month_amount

PROGRESS_EVERY = 5000
_MISSING = object()


class Pricing:
    """Part of :class:`~samdrift.billing.rating.rater.Rater` (its month, price book, item
    look-ups, problems)."""

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
            # As ``split_exactly`` rounds one whole-month piece (a device's quantity is 1).
            amount = whole_month_amount(unit_price=price, quantity=quantity)
            vat_rate = self.products[item_id][1] if kind == "product" else self.services[item_id][1]
            result = (price, amount, vat_rate)
        self._whole_month_cache[key] = result
        return result

    def _no_price(
        self,
        *,
        item: str,
        municipality_id: int,
        subject: str,
        missing: list[tuple[datetime.date, datetime.date]],
    ) -> None:
        """Record the days ``[from, to)`` in ``missing`` without a price for ``item``."""
        for gap_from, gap_to in missing:
            self.problems.append(
                PriceProblem(
                    item=item,
                    municipality_id=municipality_id,
                    subject=subject,
                    start=gap_from,
                    end=gap_to,
                )
            )
