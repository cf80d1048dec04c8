"""Rating subscriptions: monthly services prorated over the days they ran (a user's
service stops when the person leaves), and one-off services on the day they start."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.utils.translation import gettext as _

from samdrift.billing.bulk import stream_rows
from samdrift.billing.rating.facts import (
    HOLDER_COLUMNS,
    SOURCE_SUBSCRIPTION,
    Fact,
    fact_from_fields,
)
from samdrift.catalogue.choices import ServiceUnit
from samdrift.core.dating import overlapping
from samdrift.finance.allocation import split_exactly
from samdrift.finance.money import round_to_ore
from samdrift.inventory.models import Subscription
from samdrift.leasing.prices import MONTHLY_UNITS

_ONE_OFF_UNIT = ServiceUnit.ONE_OFF.value


class SubscriptionRating:
    """Part of :class:`~samdrift.billing.rating.rater.Rater`."""

    def subscription_facts(self) -> Iterator[Fact]:
        queryset = Subscription.objects.filter(overlapping(self.start, self.end))
        if self.scope.subscriptions is not None:
            queryset = queryset.filter(self.scope.subscriptions)
        rows = stream_rows(
            queryset.order_by("pk"),
            [
                *HOLDER_COLUMNS,
                "quantity",
                "valid_from",
                "valid_to",
                "person__active_from",
                "person__active_to",
            ],
            decimals=(6,),
            hasher=self.input_hash,
        )
        services, whole_month_service = self.services, self._whole_month_service
        made = 0
        for row in rows:
            unit = services[row[5]][2]
            if unit in MONTHLY_UNITS:
                # The common case, a whole month at one price: looked up, not rated.
                fact = whole_month_service(row)
                if fact is not None:
                    made += 1
                    yield fact
                    continue
                facts = self._monthly_service(row)
            elif unit == _ONE_OFF_UNIT:
                facts = self._one_off_service(row)
            else:
                continue
            made += len(facts)
            yield from facts
        self._tick("subscription", made, done=True)

    def _subscription_fact(self, row: tuple, **values) -> Fact:
        """A fact of the subscription ``row``; ``values``: what is particular to the charge
        (price, amount, days and dates)."""
        pk, municipality_id, area_id, person_id, asset_id, service_id, quantity = row[:7]
        return Fact(
            municipality=municipality_id,
            service_area=area_id,
            person=person_id,
            asset=asset_id,
            subscription=pk,
            source=SOURCE_SUBSCRIPTION,
            source_id=pk,
            product=None,
            service=service_id,
            cost_pool=None,
            description="",
            quantity=quantity,
            vat_rate=self.services[service_id][1],
            **values,
        )

    def _one_off_service(self, row: tuple) -> list[Fact]:
        """A one-off service is charged once, at the price of the day it starts."""
        pk, municipality_id, _area, _person, _asset, service_id, quantity, valid_from = row[:8]
        if not self.start <= valid_from < self.end:
            return []
        priced, missing = self.prices.segments(
            municipality_id=municipality_id,
            kind="service",
            item_id=service_id,
            start=valid_from,
            end=valid_from + datetime.timedelta(days=1),
        )
        if missing:
            self._missing_service(service_id, municipality_id, pk, missing)
            return []
        price = priced[0][2]
        return [
            self._subscription_fact(
                row,
                unit_price=price,
                days_active=None,
                days_in_month=None,
                valid_from=valid_from,
                valid_to=None,
                amount=round_to_ore(quantity * price),
            )
        ]

    def _monthly_service(self, row: tuple) -> list[Fact]:
        """A monthly service, prorated over its days in the month: one charge per price."""
        pk, municipality_id, _area, person_id, _asset, service_id, quantity = row[:7]
        valid_from, valid_to, person_from, person_to = row[7:]
        start, end, dim = self.start, self.end, self.dim
        lower = max(valid_from, start)
        upper = end if valid_to is None or valid_to > end else valid_to
        if person_id is not None:
            # A user's service stops when the person leaves (a backdated leave too).
            lower = max(lower, person_from)
            if person_to is not None and person_to < upper:
                upper = person_to
        if upper <= lower:
            return []
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
            return []
        amounts = split_exactly(
            pieces=[(quantity * price, (to - fr).days) for fr, to, price in priced],
            days_in_month=dim,
        )
        return [
            self._subscription_fact(
                row,
                unit_price=price,
                days_active=(seg_to - seg_from).days,
                days_in_month=dim,
                valid_from=seg_from,
                valid_to=seg_to,
                amount=amount,
            )
            for (seg_from, seg_to, price), amount in zip(priced, amounts, strict=True)
        ]

    def _whole_month_service(self, row: tuple) -> Fact | None:
        """The charge of a monthly service held the whole month (by a person there all
        month), when one price applies to every day of it; None: it is rated by
        ``_monthly_service``."""
        pk, municipality_id, area_id, person_id, asset_id, service_id, quantity = row[:7]
        valid_from, valid_to, person_from, person_to = row[7:]
        start, end, dim = self.start, self.end, self.dim
        if valid_from > start or (valid_to is not None and valid_to < end):
            return None
        if person_id is not None and (
            person_from > start or (person_to is not None and person_to < end)
        ):
            return None
        whole = self._whole_month("service", municipality_id, service_id, quantity)
        if whole is None:
            return None
        price, amount, vat_rate = whole
        # All fields in order, as in ``_whole_month_asset``: the path most take.
        return fact_from_fields(
            (
                municipality_id,  # municipality
                area_id,  # service_area
                person_id,  # person
                asset_id,  # asset
                pk,  # subscription
                SOURCE_SUBSCRIPTION,  # source
                pk,  # source_id
                None,  # product
                service_id,  # service
                None,  # cost_pool
                "",  # description
                quantity,  # quantity
                price,  # unit_price
                dim,  # days_active
                dim,  # days_in_month
                start,  # valid_from
                end,  # valid_to
                amount,  # amount
                vat_rate,  # vat_rate
            )
        )

    def _missing_service(self, service_id, municipality_id, subscription_id, missing) -> None:
        self._no_price(
            item=_("service “%(name)s”") % {"name": self.services[service_id][0]},
            municipality_id=municipality_id,
            subject=_("subscription %(id)s") % {"id": subscription_id},
            missing=missing,
        )
