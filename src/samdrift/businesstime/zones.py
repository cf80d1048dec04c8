"""Instants and wall times: the one rule for turning a local clock reading into an instant.

Inside the package every instant is a whole number of seconds since the Unix epoch (UTC),
so that subtraction is always real elapsed time. (Python subtracts two datetimes that share
a ``tzinfo`` by their wall clocks, which is wrong across a daylight-saving change; working in
epoch seconds avoids it.) Fractions of a second are dropped: business time counts whole
seconds.
"""

from __future__ import annotations

import datetime
import functools
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = datetime.UTC
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)
ONE_SECOND = datetime.timedelta(seconds=1)


@functools.lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The time zone ``name`` (an IANA key such as ``"Europe/Oslo"``); ValueError if unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise ValueError(
            f"timezone: {name!r} is not a known time zone (use an IANA name such as 'Europe/Oslo')."
        ) from error


def require_aware(instant: datetime.datetime, name: str) -> None:
    """ValueError naming ``name`` unless ``instant`` is a datetime that knows its offset."""
    if not isinstance(instant, datetime.datetime):
        raise ValueError(f"{name}: expected a datetime, got {type(instant).__name__}.")
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(
            f"{name}: {instant.isoformat()} has no time zone; pass an aware datetime "
            f"(to_aware() reads a local wall time)."
        )


def seconds_of(instant: datetime.datetime, name: str = "instant") -> int:
    """Whole seconds since the epoch of an aware datetime (fractions dropped, rounding down)."""
    require_aware(instant, name)
    return (instant - EPOCH) // ONE_SECOND


def instant_of(seconds: int) -> datetime.datetime:
    """The aware UTC datetime ``seconds`` after the epoch."""
    return EPOCH + datetime.timedelta(seconds=seconds)


def to_aware(naive: datetime.datetime, timezone: str = "Europe/Oslo") -> datetime.datetime:
    """A local wall time in ``timezone`` as an aware UTC datetime. Never raises for a wall
    time that the clock skipped or showed twice:

    - **skipped** (spring forward, e.g. 2026-03-29 02:30 in Oslo, where the clock jumps from
      02:00 to 03:00): read with the offset in force *before* the jump, so it lands as far
      after the jump as it was after 02:00 — 02:30 becomes 03:30 CEST = 01:30 UTC;
    - **shown twice** (fall back, e.g. 2026-10-25 02:30 in Oslo): the *first* occurrence,
      still on summer time — 02:30 CEST = 00:30 UTC.

    Both are Python's ``fold=0`` (PEP 495). An already aware datetime is only converted to
    UTC. The same rule places the opening and closing minutes of a calendar's days.
    """
    if naive.tzinfo is not None and naive.utcoffset() is not None:
        return naive.astimezone(UTC)
    return naive.replace(tzinfo=zone(timezone), fold=0).astimezone(UTC)


def wall_seconds(day: datetime.date, minute: int, tz: ZoneInfo) -> int:
    """Epoch seconds of ``minute`` (0–1440; 1440 = the midnight ending the day) on the local
    ``day`` in ``tz``, by the rule of ``to_aware``."""
    if minute >= 1440:
        day, minute = day + datetime.timedelta(days=1), minute - 1440
    hour, minute = divmod(minute, 60)
    local = datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz, fold=0)
    return (local - EPOCH) // ONE_SECOND


def local_date(seconds: int, tz: ZoneInfo) -> datetime.date:
    """The local calendar day in ``tz`` that contains the epoch second ``seconds``."""
    return datetime.datetime.fromtimestamp(seconds, tz).date()
