"""Rating what is counted or entered rather than held: usage records (a month's total of
a service, priced at the month's day-weighted price) and one-off charges (their own
price)."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from samdrift.billing.bulk import stream_rows
from samdrift.billing.models import OneOffCharge
from samdrift.billing.rating.facts import HOLDER_COLUMNS, SOURCE_ONE_OFF, SOURCE_USAGE, Fact
from samdrift.core.money import round_unit_price
from samdrift.finance.money import ZERO, round_to_ore
from samdrift.inventory.models import UsageRecord


class UsageRating:
    """Part of :class:`~samdrift.billing.rating.rater.Rater`."""

    def usage_facts(self) -> Iterator[Fact]:
        queryset = UsageRecord.objects.filter(month=self.start)
        if self.scope.usage is not None:
            queryset = queryset.filter(self.scope.usage)
        rows = stream_rows(
            queryset.order_by("pk"),
            [
                *HOLDER_COLUMNS,
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
                self._no_price(
                    item=_("service “%(name)s”") % {"name": name},
                    municipality_id=municipality_id,
                    subject=_("usage record %(id)s") % {"id": pk},
                    missing=missing,
                )
                continue
            # Usage is a month's total; each day's price weighs by its days.
            weighted = sum((price * (to - fr).days for fr, to, price in priced), ZERO) / self.dim
            made += 1
            yield Fact(
                municipality=municipality_id,
                service_area=area_id,
                person=person_id,
                asset=asset_id,
                subscription=None,
                source=SOURCE_USAGE,
                source_id=pk,
                product=None,
                service=service_id,
                cost_pool=None,
                description="",
                quantity=quantity,
                unit_price=round_unit_price(weighted),
                days_active=None,
                days_in_month=None,
                valid_from=self.start,
                valid_to=self.end,
                amount=round_to_ore(quantity * weighted),
                vat_rate=vat_rate,
            )
        self._tick("usage", made, done=True)

    def one_off_facts(self) -> Iterator[Fact]:
        queryset = OneOffCharge.objects.filter(date__gte=self.start, date__lt=self.end)
        if self.scope.one_offs is not None:
            queryset = queryset.filter(self.scope.one_offs)
        made = 0
        for row in stream_rows(
            queryset.order_by("pk"),
            [
                *HOLDER_COLUMNS,
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
            yield Fact(
                municipality=municipality_id,
                service_area=area_id,
                person=person_id,
                asset=asset_id,
                subscription=None,
                source=SOURCE_ONE_OFF,
                source_id=pk,
                product=None,
                service=service_id,
                cost_pool=None,
                description=text[:200],
                quantity=quantity,
                unit_price=unit_price,
                days_active=None,
                days_in_month=None,
                valid_from=date,
                valid_to=None,
                amount=round_to_ore(quantity * unit_price),
                vat_rate=vat_rate,
            )
        self._tick("one_off", made, done=True)
