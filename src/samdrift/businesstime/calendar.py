"""A service-hours calendar: which hours of which local days the clock runs.

A day's hours come, in this order, from: ``always_open`` (every hour of every day); the
operator's own ``exceptions`` (a closed day, or other hours that day); a Norwegian public
holiday (closed, when ``public_holidays_closed``); the ``weekly`` hours of its weekday
(a weekday not listed is closed). Hours are minutes after local midnight, 0 ≤ open < close
≤ 1440, placed on the clock by ``zones.to_aware``'s rule, so a day keeps its wall-clock hours
across daylight-saving changes (and a 24-hour day is 23 or 25 hours long on those dates).

Each day's window is computed once per calendar and year (``_Year``) with running totals,
so the time open over many whole days is one subtraction.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

import holidays

from samdrift.businesstime.zones import local_date, seconds_of, wall_seconds, zone

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DAY_MINUTES = 1440


class FrozenMap(Mapping):
    """A read-only, hashable mapping (the calendar's ``weekly`` and ``exceptions``), so that a
    calendar can be a dictionary key and be compared by value."""

    __slots__ = ("_data", "_hash")

    def __init__(self, items: Mapping | None = None):
        self._data = dict(items or {})
        self._hash = None

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self) -> Iterator:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __repr__(self) -> str:
        return repr(self._data)


@functools.lru_cache(maxsize=256)
def norwegian_public_holidays(year: int) -> frozenset[datetime.date]:
    """Norway's public holidays in ``year`` (national, moving feasts included), from the
    ``holidays`` package. Not every Sunday: ``include_sundays=False`` (Norway's class can
    count Sundays as holidays). Christmas Eve is not one; operators add it as an exception."""
    return frozenset(holidays.NO(years=year, include_sundays=False))


class _Year(NamedTuple):
    first_ordinal: int  # date.toordinal() of 1 January
    windows: list[tuple[int, int] | None]  # per day of the year: (open, close) epoch seconds
    before: list[int]  # before[i]: seconds open on the days of the year before day i


def _check_minutes(hours: Any, where: str) -> tuple[int, int]:
    """``hours`` as an (open, close) pair of minutes, or ValueError naming ``where``."""
    try:
        opens, closes = hours
    except (TypeError, ValueError):
        raise ValueError(f"{where}: expected (open minute, close minute), got {hours!r}.") from None
    for name, minute in (("opening", opens), ("closing", closes)):
        if isinstance(minute, bool) or not isinstance(minute, int):
            raise ValueError(f"{where}: the {name} minute must be a whole number, got {minute!r}.")
        if not 0 <= minute <= DAY_MINUTES:
            raise ValueError(
                f"{where}: the {name} minute {minute} is outside the day (0–1440, "
                f"1440 = midnight at its end)."
            )
    if opens >= closes:
        raise ValueError(
            f"{where}: the day ends before it starts (opens {_clock(opens)}, closes "
            f"{_clock(closes)}); the closing time must be after the opening time."
        )
    return opens, closes


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@dataclasses.dataclass(frozen=True)
class Calendar:
    """Service hours: ``weekly`` maps a weekday (0 = Monday … 6 = Sunday) to its (open,
    close) minutes; a missing weekday is closed. ``exceptions`` maps a date to ``None``
    (closed) or its own (open, close), overriding weekday and holiday. ``always_open``
    (24/7) ignores all of that. Invalid hours or an unknown time zone raise ValueError."""

    weekly: Mapping[int, tuple[int, int]]
    timezone: str = "Europe/Oslo"
    always_open: bool = False
    public_holidays_closed: bool = True
    exceptions: Mapping[datetime.date, tuple[int, int] | None] = dataclasses.field(
        default_factory=FrozenMap
    )
    _years: dict = dataclasses.field(
        default=None, init=False, repr=False, compare=False, hash=False
    )
    _zone: Any = dataclasses.field(default=None, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        weekly = {}
        for weekday, hours in dict(self.weekly or {}).items():
            if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
                raise ValueError(f"weekly: {weekday!r} is not a weekday (0 = Monday … 6 = Sunday).")
            if hours is not None:  # None, like a missing weekday: closed
                weekly[weekday] = _check_minutes(hours, f"weekly[{weekday}] ({WEEKDAYS[weekday]})")
        exceptions = {}
        for day, hours in dict(self.exceptions or {}).items():
            if isinstance(day, datetime.datetime) or not isinstance(day, datetime.date):
                raise ValueError(f"exceptions: {day!r} is not a date.")
            exceptions[day] = (
                None if hours is None else _check_minutes(hours, f"exceptions[{day.isoformat()}]")
            )
        # ValueError naming the time zone when it is unknown; kept for the hot paths.
        object.__setattr__(self, "_zone", zone(self.timezone))
        object.__setattr__(self, "weekly", FrozenMap(sorted(weekly.items())))
        object.__setattr__(self, "exceptions", FrozenMap(sorted(exceptions.items())))
        object.__setattr__(self, "always_open", bool(self.always_open))
        object.__setattr__(self, "public_holidays_closed", bool(self.public_holidays_closed))
        object.__setattr__(self, "_years", {})

    @classmethod
    def around_the_clock(cls, timezone: str = "Europe/Oslo") -> Calendar:
        """24/7: every second counts (P1 targets, availability of always-on services)."""
        return cls(
            weekly={weekday: (0, DAY_MINUTES) for weekday in range(7)},
            timezone=timezone,
            always_open=True,
            public_holidays_closed=False,
        )

    def hours_on(self, day: datetime.date) -> tuple[int, int] | None:
        """The (open, close) minutes of the local ``day``, or None when closed all day."""
        if self.always_open:
            return (0, DAY_MINUTES)
        if day in self.exceptions:
            return self.exceptions[day]
        if self.public_holidays_closed and day in norwegian_public_holidays(day.year):
            return None
        return self.weekly.get(day.weekday())

    def is_open(self, instant: datetime.datetime) -> bool:
        """Whether the clock runs at ``instant`` (an aware datetime; open ≤ t < close)."""
        second = seconds_of(instant, "instant")
        if self.always_open:
            return True
        window = self._window(local_date(second, self._zone))
        return window is not None and window[0] <= second < window[1]

    # Package internals (clock.py): windows and totals in epoch seconds.

    def _year(self, year: int) -> _Year:
        table = self._years.get(year)
        if table is None:
            table = self._years[year] = self._build_year(year)
        return table

    def _build_year(self, year: int) -> _Year:
        tz = self._zone
        first = datetime.date(year, 1, 1)
        windows: list[tuple[int, int] | None] = []
        before = [0]
        day = first
        while day.year == year:
            hours = self.hours_on(day)
            window = None
            if hours is not None:
                opens, closes = wall_seconds(day, hours[0], tz), wall_seconds(day, hours[1], tz)
                # An opening inside a skipped hour can land after a closing just past it.
                window = (opens, closes) if opens < closes else None
            windows.append(window)
            before.append(before[-1] + (window[1] - window[0] if window else 0))
            day += datetime.timedelta(days=1)
        return _Year(first.toordinal(), windows, before)

    def _window(self, day: datetime.date) -> tuple[int, int] | None:
        """The local ``day``'s open period as epoch seconds [open, close), or None."""
        table = self._year(day.year)
        return table.windows[day.toordinal() - table.first_ordinal]

    def _seconds_on_days(self, first: datetime.date, stop: datetime.date) -> int:
        """Seconds open on the whole local days ``first`` ≤ day < ``stop``."""
        if stop <= first:
            return 0
        start_table = self._year(first.year)
        i = first.toordinal() - start_table.first_ordinal
        if stop.year == first.year:
            return (
                start_table.before[stop.toordinal() - start_table.first_ordinal]
                - (start_table.before[i])
            )
        total = start_table.before[-1] - start_table.before[i]
        for year in range(first.year + 1, stop.year):
            total += self._year(year).before[-1]
        stop_table = self._year(stop.year)
        return total + stop_table.before[stop.toordinal() - stop_table.first_ordinal]
