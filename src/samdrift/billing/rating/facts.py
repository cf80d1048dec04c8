"""What rating makes: charge facts, the scope of inputs rated, and missing-price problems.

A fact is everything a ``Charge`` row holds except period, run, invoice and the period it
adjusts, named as the model's fields (a foreign key holds the id). A named tuple, not a
model or a dataclass: a run makes a million of them, and the writer formats each one as a
tuple in C (``billing.writing``).
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Q
from django.utils.translation import gettext as _

from samdrift.billing.choices import ChargeSource

QUANTITY_ONE = Decimal("1.000")
# Plain strings: reading an enum member's value costs a descriptor call per charge.
SOURCE_ASSET = ChargeSource.ASSET.value
SOURCE_SUBSCRIPTION = ChargeSource.SUBSCRIPTION.value
SOURCE_USAGE = ChargeSource.USAGE.value
SOURCE_ONE_OFF = ChargeSource.ONE_OFF.value
SOURCE_COST_POOL = ChargeSource.COST_POOL.value
SOURCE_BUYOUT = ChargeSource.BUYOUT.value
SOURCE_SLA_CREDIT = ChargeSource.SLA_CREDIT.value
BUYOUT_VAT_REASON = "Buyout of the municipality's equipment, credited without VAT"
DEFAULT_EXEMPTION_REASON = "Exempt from VAT"


class Fact(NamedTuple):
    """One charge as rating made it (the fields of ``Charge`` of the same names)."""

    municipality: int
    service_area: int | None
    person: int | None
    asset: int | None
    subscription: int | None
    source: str
    source_id: int
    product: int | None
    service: int | None
    cost_pool: int | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    days_active: int | None
    days_in_month: int | None
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    amount: Decimal
    vat_rate: Decimal


FACT_FIELDS = list(Fact._fields)

# The first columns every service input (subscription, usage record, one-off charge) is
# read with: its id, who holds it and what it is of.
HOLDER_COLUMNS = [
    "pk",
    "municipality_id",
    "service_area_id",
    "person_id",
    "asset_id",
    "service_id",
]

# A Fact from a tuple of all its fields in order, for the paths most facts take: a third
# of the cost of ``Fact(...)``, whose constructor is a Python function of 19 arguments.
fact_from_fields = functools.partial(tuple.__new__, Fact)


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
    sla_credits: bool = True


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
