"""Business time between instants in a calendar, and when a target falls due.

Every function takes aware datetimes (ValueError on a naive one, naming the argument),
counts whole seconds over half-open periods ``[start, end)``, and answers in UTC.
Work is per local day, in epoch seconds (real elapsed time, right across daylight-saving
changes); the whole days in between come from the calendar's running totals.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator

from samdrift.businesstime.calendar import Calendar
from samdrift.businesstime.zones import instant_of, local_date, seconds_of

ONE_DAY = datetime.timedelta(days=1)
# A calendar closed this many days in a row has no more open time to give (due_at stops).
GIVE_UP_AFTER_CLOSED_DAYS = 800


def _seconds(calendar: Calendar, start: int, end: int) -> int:
    """Open seconds in [start, end) (epoch seconds)."""
    if end <= start:
        return 0
    if calendar.always_open:
        return end - start
    tz = calendar._zone
    first, last = local_date(start, tz), local_date(end, tz)
    window = calendar._window(first)
    if first == last:
        return max(0, min(window[1], end) - max(window[0], start)) if window else 0
    # Partial first and last days; the whole days between from the running totals.
    total = max(0, window[1] - max(window[0], start)) if window else 0
    window = calendar._window(last)
    if window:
        total += max(0, min(window[1], end) - window[0])
    return total + calendar._seconds_on_days(first + ONE_DAY, last)


def _windows(calendar: Calendar, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The open periods clipped to [start, end), in order, touching periods joined."""
    if end <= start:
        return
    if calendar.always_open:
        yield start, end
        return
    tz = calendar._zone
    day, last = local_date(start, tz), local_date(end, tz)
    pending = None
    while day <= last:
        window = calendar._window(day)
        day += ONE_DAY
        if window is None:
            continue
        lo, hi = max(window[0], start), min(window[1], end)
        if lo >= hi:
            continue
        if pending and pending[1] == lo:
            pending = (pending[0], hi)
            continue
        if pending:
            yield pending
        pending = (lo, hi)
    if pending:
        yield pending


def open_intervals(
    calendar: Calendar, start: datetime.datetime, end: datetime.datetime
) -> Iterator[tuple[datetime.datetime, datetime.datetime]]:
    """The calendar's open periods clipped to [start, end), as aware UTC datetimes, in
    order; periods that touch (open until midnight, open from midnight) come as one."""
    lo, hi = seconds_of(start, "start"), seconds_of(end, "end")
    for opens, closes in _windows(calendar, lo, hi):
        yield instant_of(opens), instant_of(closes)


def business_seconds(calendar: Calendar, start: datetime.datetime, end: datetime.datetime) -> int:
    """Seconds the calendar is open in [start, end); 0 when ``end`` ≤ ``start``."""
    return _seconds(calendar, seconds_of(start, "start"), seconds_of(end, "end"))


def due_at(calendar: Calendar, start: datetime.datetime, seconds: int) -> datetime.datetime:
    """The earliest instant t ≥ ``start`` with ``business_seconds(calendar, start, t) ==
    seconds``: a target of ``seconds`` business seconds from ``start`` falls due then. For 0,
    ``start`` itself when open, else the next opening. A target that runs out exactly at a
    closing time is due at that closing time. Aware UTC result."""
    begin = seconds_of(start, "start")
    if isinstance(seconds, bool) or not isinstance(seconds, int):
        raise ValueError(f"seconds: expected a whole number of seconds, got {seconds!r}.")
    if seconds < 0:
        raise ValueError(f"seconds: a target cannot be negative ({seconds}).")
    if calendar.always_open:
        return start.astimezone(datetime.UTC) if seconds == 0 else instant_of(begin + seconds)
    remaining, closed_days = seconds, 0
    day = local_date(begin, calendar._zone)
    while True:
        window = calendar._window(day)
        day += ONE_DAY
        if window is not None and window[1] > begin:
            opens = max(window[0], begin)
            if remaining == 0 and opens == begin:
                return start.astimezone(datetime.UTC)  # open at start: due at once
            if remaining <= window[1] - opens:
                return instant_of(opens + remaining)
            remaining -= window[1] - opens
            closed_days = 0
            continue
        closed_days += 1
        if closed_days > GIVE_UP_AFTER_CLOSED_DAYS:
            raise ValueError(
                f"seconds: the calendar has no open hours after {day - ONE_DAY:%Y-%m-%d}, "
                f"so a target of {seconds} s from {start.isoformat()} never falls due."
            )


def _merged(
    start: int, end: int, intervals: Iterable[tuple[datetime.datetime, datetime.datetime | None]]
) -> list[tuple[int, int]]:
    """The union of ``intervals`` clipped to [start, end), as sorted disjoint epoch pairs.
    An interval with no end (``None``) runs to ``end``; one ending at or before its start
    is empty."""
    pieces = []
    for number, (lo, hi) in enumerate(intervals):
        lo = max(seconds_of(lo, f"intervals[{number}] start"), start)
        hi = end if hi is None else min(seconds_of(hi, f"intervals[{number}] end"), end)
        if lo < hi:
            pieces.append((lo, hi))
    pieces.sort()
    merged: list[tuple[int, int]] = []
    for lo, hi in pieces:
        if merged and lo <= merged[-1][1]:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


def overlap_seconds(
    calendar: Calendar,
    start: datetime.datetime,
    end: datetime.datetime,
    intervals: Iterable[tuple[datetime.datetime, datetime.datetime | None]],
) -> int:
    """Business seconds of the union of ``intervals`` clipped to [start, end): e.g. the
    downtime of outages inside service hours in a month. Overlapping intervals count once."""
    lo, hi = seconds_of(start, "start"), seconds_of(end, "end")
    return sum(_seconds(calendar, a, b) for a, b in _merged(lo, hi, intervals))


def business_seconds_excluding(
    calendar: Calendar,
    start: datetime.datetime,
    end: datetime.datetime,
    pauses: Iterable[tuple[datetime.datetime, datetime.datetime | None]],
) -> int:
    """Business seconds in [start, end) outside every pause (e.g. while an incident waits
    for the user or a vendor). Pauses may overlap; each is clipped to [start, end)."""
    lo, hi = seconds_of(start, "start"), seconds_of(end, "end")
    paused = sum(_seconds(calendar, a, b) for a, b in _merged(lo, hi, pauses))
    return _seconds(calendar, lo, hi) - paused
