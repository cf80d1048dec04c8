"""The scenario's yearly device growth (``Scenario.growth_percent``), the rule written once
for the cost forecast (``forecast_projection``) and the investment need (``investment``):

- **when**: each 1 January strictly after the projection's first forecast month
  (``growth_months``); for the investment need the first forecast month is the one after
  ``as_of``, so both grow in the same months;
- **how many**: per member, the member's fleet × the percent rounded half up to whole
  units (a half away from zero), spread over its (service area or 0, product) in
  proportion to what it holds by largest remainder (``finance.allocation.allocate``);
- **compounded**: the units join the member's fleet, so the next January's growth is of
  the larger fleet; a negative rate takes devices away the same way.

A pure function of counts: what a unit more costs or buys (its product's standard
replacement) is the caller's.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from samdrift.finance.allocation import allocate

UNIT = Decimal(1)
HUNDRED = Decimal(100)

Member = TypeVar("Member", bound=Hashable)
Key = TypeVar("Key", bound=Hashable)  # (service area id or 0, product id)
Month = TypeVar("Month")  # a first day, or a month index: anything ordered


def growth_months(first: datetime.date, until: datetime.date) -> list[datetime.date]:
    """Each 1 January strictly after ``first`` (the first forecast month) and before
    ``until``."""
    return [
        datetime.date(year, 1, 1)
        for year in range(first.year + 1, until.year + 1)
        if datetime.date(year, 1, 1) < until
    ]


def grow(
    *,
    fleets: Mapping[Member, Mapping[Key, int]],
    percent: Decimal,
    months: Iterable[Month],
    arrivals: Mapping[Member, tuple[Month, Mapping[Key, int]]] | None = None,
    departures: Mapping[Member, Month] | None = None,
) -> dict[Member, dict[Key, dict[Month, int]]]:
    """Units added (negative: taken away) per member, key and growth month, for members
    holding ``fleets`` (member → key → devices) at the start, under a yearly growth of
    ``percent`` (module docstring). ``arrivals``: a member joining with its fleet in a
    month (it grows from the first growth month on or after it); ``departures``: a member
    leaving in a month (no growth from then on)."""
    if not percent:
        return {}
    added: dict = defaultdict(lambda: defaultdict(dict))
    held: dict = {member: Counter(fleet) for member, fleet in fleets.items()}
    arrivals = arrivals or {}
    departures = departures or {}
    for month in months:
        for member, (on, fleet) in arrivals.items():
            if on <= month and member not in held:
                held[member] = Counter(fleet)
        for member, fleet in held.items():
            leaves = departures.get(member)
            if leaves is not None and month >= leaves:
                continue
            weights = {key: Decimal(max(n, 0)) for key, n in fleet.items()}
            total = sum(weights.values(), Decimal(0))
            units = int((total * percent / HUNDRED).quantize(UNIT, rounding=ROUND_HALF_UP))
            if not units:
                continue
            shares = allocate(amount=Decimal(units), weights=weights, quantum=UNIT)
            for key, share in shares.items():
                if share:
                    fleet[key] += int(share)
                    added[member][key][month] = int(share)
    return {member: dict(keys) for member, keys in added.items()}
