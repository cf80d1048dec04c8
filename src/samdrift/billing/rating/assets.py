"""Rating devices: an asset's assignments in the month, priced per day by the asset's
own price, the agreed price or the list price (``leasing.prices``)."""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterator

from django.utils.translation import gettext as _

from samdrift.billing.bulk import stream_rows
from samdrift.billing.rating.facts import QUANTITY_ONE, SOURCE_ASSET, Fact, fact_from_fields
from samdrift.billing.rating.prices import PROGRESS_EVERY
from samdrift.core.dating import overlapping
from samdrift.finance.allocation import split_exactly
from samdrift.inventory.models import Assignment
from samdrift.leasing.prices import charged_assignments

_ASSET_OF_ROW = operator.itemgetter(1)  # assignment rows come ordered by asset


class AssetRating:
    """Part of :class:`~samdrift.billing.rating.rater.Rater`."""

    def asset_facts(self) -> Iterator[Fact]:
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
        own_prices = self.prices.asset_prices
        whole_month_asset = self._whole_month_asset
        made = 0
        for asset_id, group in itertools.groupby(rows, key=_ASSET_OF_ROW):
            pieces = list(group)
            if len(pieces) == 1 and asset_id not in own_prices:
                fact = whole_month_asset(pieces[0])
                if fact is not None:
                    made += 1
                    if made % PROGRESS_EVERY == 0:
                        self._tick("asset", PROGRESS_EVERY)
                    yield fact
                    continue
            yield from self._asset_group(pieces)
        self._tick("asset", made % PROGRESS_EVERY, done=True)

    def _whole_month_asset(self, row: tuple) -> Fact | None:
        """The charge of an asset held by one municipality the whole month, when one price
        applies to every day of it; None: it is rated piece by piece."""
        (
            pk,
            asset_id,
            municipality_id,
            area_id,
            person_id,
            valid_from,
            valid_to,
            product_id,
            _tag,
        ) = row
        start, end, dim = self.start, self.end, self.dim
        if valid_from > start or (valid_to is not None and valid_to < end):
            return None
        priced = self._whole_month("product", municipality_id, product_id, QUANTITY_ONE)
        if priced is None:
            return None
        price, amount, vat_rate = priced
        # All fields in order, without keywords: this is the path most of a million facts
        # take, and keywords would cost it a tenth more time.
        return fact_from_fields(
            (
                municipality_id,  # municipality
                area_id,  # service_area
                person_id,  # person
                asset_id,  # asset
                None,  # subscription
                SOURCE_ASSET,  # source
                pk,  # source_id
                product_id,  # product
                None,  # service
                None,  # cost_pool
                "",  # description
                QUANTITY_ONE,  # quantity
                price,  # unit_price
                dim,  # days_active
                dim,  # days_in_month
                start,  # valid_from
                end,  # valid_to
                amount,  # amount
                vat_rate,  # vat_rate
            )
        )

    def _asset_group(self, group: list[tuple]) -> Iterator[Fact]:
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
            if missing:
                self._no_price(
                    item=_("product “%(name)s”") % {"name": self.products[product_id][0]},
                    municipality_id=municipality_id,
                    subject=_("asset %(tag)s") % {"tag": tag},
                    missing=missing,
                )
            for seg_from, seg_to, price in priced:
                pieces.append((row, seg_from, seg_to, price, (seg_to - seg_from).days))
        if not pieces:
            return
        amounts = split_exactly(
            pieces=[(piece[3], piece[4]) for piece in pieces], days_in_month=dim
        )
        for (row, seg_from, seg_to, price, days), amount in zip(pieces, amounts, strict=True):
            pk, asset_id, municipality_id, area_id, person_id = row[:5]
            product_id = row[7]
            yield Fact(
                municipality=municipality_id,
                service_area=area_id,
                person=person_id,
                asset=asset_id,
                subscription=None,
                source=SOURCE_ASSET,
                source_id=pk,
                product=product_id,
                service=None,
                cost_pool=None,
                description="",
                quantity=QUANTITY_ONE,
                unit_price=price,
                days_active=days,
                days_in_month=dim,
                valid_from=seg_from,
                valid_to=seg_to,
                amount=amount,
                vat_rate=self.products[product_id][1],
            )
        self._tick("asset", len(pieces))
