"""Planned vs realised: what the gains of the action plan were expected to bring and what
they brought, per action, gain, municipality and year. The one place this rule is written.

- planned(share, year) = the share's expected yearly amount when the gain is expected
  that year (``first_year <= year <= last_year``) and its action is not cancelled, else 0.
  For part of a year (a quarter) it is expected × months/12, rounded to the øre once per
  cell (``round_to_ore``). The months of a year counted are the calendar months whose
  first day lies in ``[start, end)``: pass month boundaries.
- realised(gain, municipality, year) = the sum of the measurements' amounts with
  ``measured_on`` in ``[start, end)`` and in that year.
- Cells are keyed (action, gain, municipality, year); the totals per action, per
  municipality, per year and the grand total are sums of the same cells, so they
  reconcile by construction.

``realisation`` reads the querysets it is given (restricted by the caller to what the
user may see) in two queries, whatever the number of actions; ``compute`` is the rule on
plain rows, without the database.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet

from samdrift.finance.money import ZERO, round_to_ore
from samdrift.gains.choices import ActionStatus
from samdrift.gains.models import GainShare, Measurement

PERCENT_QUANTUM = Decimal("0.1")


@dataclass(frozen=True)
class Totals:
    planned: Decimal = ZERO
    realised: Decimal = ZERO

    @property
    def difference(self) -> Decimal:
        """Realised − planned: negative when less was realised than planned."""
        return self.realised - self.planned

    @property
    def realised_percent(self) -> Decimal | None:
        """Realised as a percentage of planned (one decimal); None when nothing was
        planned."""
        if not self.planned:
            return None
        return (self.realised * 100 / self.planned).quantize(PERCENT_QUANTUM, ROUND_HALF_UP)

    def __add__(self, other: Totals) -> Totals:
        return Totals(self.planned + other.planned, self.realised + other.realised)


@dataclass(frozen=True)
class Cell:
    action_id: int
    gain_id: int
    municipality_id: int
    year: int
    planned: Decimal
    realised: Decimal

    @property
    def difference(self) -> Decimal:
        return self.realised - self.planned

    @property
    def totals(self) -> Totals:
        return Totals(self.planned, self.realised)


@dataclass(frozen=True)
class ShareRow:
    """What ``compute`` needs of a gain per municipality."""

    action_id: int
    gain_id: int
    municipality_id: int
    expected_amount: Decimal
    first_year: int
    last_year: int
    cancelled: bool


@dataclass(frozen=True)
class MeasurementRow:
    """What ``compute`` needs of a measurement."""

    action_id: int
    gain_id: int
    municipality_id: int
    measured_on: datetime.date
    amount: Decimal


@dataclass(frozen=True)
class Realisation:
    start: datetime.date
    end: datetime.date
    months: dict[int, int]  # year -> months of it in [start, end)
    cells: list[Cell] = field(default_factory=list)

    def _by(self, key: Callable[[Cell], Hashable]) -> dict:
        totals: dict = {}
        for cell in self.cells:
            k = key(cell)
            totals[k] = totals.get(k, Totals()) + cell.totals
        return totals

    def by_action(self) -> dict[int, Totals]:
        return self._by(lambda c: c.action_id)

    def by_gain(self) -> dict[int, Totals]:
        return self._by(lambda c: c.gain_id)

    def by_municipality(self) -> dict[int, Totals]:
        return self._by(lambda c: c.municipality_id)

    def by_year(self) -> dict[int, Totals]:
        return self._by(lambda c: c.year)

    def by_action_and_municipality(self) -> dict[tuple[int, int], Totals]:
        return self._by(lambda c: (c.action_id, c.municipality_id))

    @property
    def total(self) -> Totals:
        return sum((cell.totals for cell in self.cells), Totals())

    @property
    def years(self) -> list[int]:
        return sorted(self.months)


def months_by_year(start: datetime.date, end: datetime.date) -> dict[int, int]:
    """Per year, the calendar months whose first day lies in ``[start, end)``."""
    months: dict[int, int] = {}
    year, month = start.year, start.month
    if start.day > 1:  # the first day of start's month is before start
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    while datetime.date(year, month, 1) < end:
        months[year] = months.get(year, 0) + 1
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def planned_amount(expected: Decimal, months: int) -> Decimal:
    """The expected yearly amount for ``months`` of a year, rounded once to the øre."""
    if months == 12:
        return round_to_ore(expected)
    return round_to_ore(expected * months / 12)


def compute(
    *,
    shares: Iterable[ShareRow],
    measurements: Iterable[MeasurementRow],
    start: datetime.date,
    end: datetime.date,
) -> Realisation:
    """The cells of planned vs realised over ``[start, end)`` (``end`` exclusive)."""
    months = months_by_year(start, end)
    planned: dict[tuple[int, int, int, int], Decimal] = {}
    for share in shares:
        if share.cancelled:
            continue
        for year, count in months.items():
            if share.first_year <= year <= share.last_year:
                key = (share.action_id, share.gain_id, share.municipality_id, year)
                planned[key] = planned.get(key, ZERO) + planned_amount(share.expected_amount, count)
    realised: dict[tuple[int, int, int, int], Decimal] = {}
    for row in measurements:
        if not start <= row.measured_on < end:
            continue
        key = (row.action_id, row.gain_id, row.municipality_id, row.measured_on.year)
        realised[key] = realised.get(key, ZERO) + row.amount
    keys = sorted(
        {k for k, amount in planned.items() if amount} | set(realised),
    )
    cells = [
        Cell(*key, planned=planned.get(key, ZERO), realised=realised.get(key, ZERO)) for key in keys
    ]
    return Realisation(start=start, end=end, months=months, cells=cells)


def realisation(
    *,
    shares: QuerySet[GainShare],
    measurements: QuerySet[Measurement],
    start: datetime.date,
    end: datetime.date,
) -> Realisation:
    """Planned vs realised over ``[start, end)`` of the given (restricted) rows: one query
    for the shares, one for the measurements."""
    share_rows = [
        ShareRow(
            action_id=row["gain__action_id"],
            gain_id=row["gain_id"],
            municipality_id=row["municipality_id"],
            expected_amount=row["expected_amount"],
            first_year=row["gain__first_year"],
            last_year=row["gain__last_year"],
            cancelled=row["gain__action__status"] == ActionStatus.CANCELLED,
        )
        for row in shares.order_by().values(
            "gain_id",
            "gain__action_id",
            "municipality_id",
            "expected_amount",
            "gain__first_year",
            "gain__last_year",
            "gain__action__status",
        )
    ]
    measurement_rows = [
        MeasurementRow(
            action_id=row["gain__action_id"],
            gain_id=row["gain_id"],
            municipality_id=row["municipality_id"],
            measured_on=row["measured_on"],
            amount=row["amount"],
        )
        for row in measurements.filter(measured_on__gte=start, measured_on__lt=end)
        .order_by()
        .values("gain_id", "gain__action_id", "municipality_id", "measured_on", "amount")
    ]
    return compute(shares=share_rows, measurements=measurement_rows, start=start, end=end)
