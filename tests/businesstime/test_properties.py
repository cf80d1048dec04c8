"""Properties of business time that hold for any calendar and any instants: it adds up over
adjacent periods, never decreases, and due_at inverts it."""

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from samdrift.businesstime import (
    Calendar,
    business_seconds,
    business_seconds_excluding,
    due_at,
    open_intervals,
    overlap_seconds,
)

CALENDARS = [
    Calendar(weekly={weekday: (450, 960) for weekday in range(5)}),  # office, holidays closed
    Calendar.around_the_clock(),
    Calendar(
        weekly={0: (0, 1440), 2: (120, 200), 5: (600, 1440), 6: (0, 90)},  # odd hours
        exceptions={date(2026, 12, 24): None, date(2026, 3, 29): (150, 1440)},
    ),
    Calendar(weekly={d: (0, 1440) for d in range(7)}, public_holidays_closed=False),
    Calendar(weekly={1: (60, 180), 6: (90, 200)}, timezone="America/New_York"),
    Calendar(weekly={3: (300, 900)}, timezone="Australia/Lord_Howe"),  # 30-minute DST shift
]
calendars = st.sampled_from(CALENDARS)

FIRST = datetime(2025, 12, 1, tzinfo=UTC)
SPAN = int(timedelta(days=500).total_seconds())
# Whole seconds from December 2025 to April 2027: both DST changes of 2026 and 2027 Easter.
instants = st.integers(0, SPAN).map(lambda s: FIRST + timedelta(seconds=s))
SECOND = timedelta(seconds=1)
OSLO = ZoneInfo("Europe/Oslo")


def ordered(n):
    return st.lists(instants, min_size=n, max_size=n).map(sorted)


@given(calendars, ordered(3))
def test_time_adds_up_over_adjacent_periods(calendar, abc):
    a, b, c = abc
    assert business_seconds(calendar, a, c) == (
        business_seconds(calendar, a, b) + business_seconds(calendar, b, c)
    )


@given(calendars, ordered(3))
def test_time_never_decreases_and_never_exceeds_elapsed_time(calendar, abc):
    a, b, c = abc
    assert 0 <= business_seconds(calendar, a, b) <= business_seconds(calendar, a, c)
    assert business_seconds(calendar, b, c) <= business_seconds(calendar, a, c)
    assert business_seconds(calendar, a, c) <= (c - a).total_seconds()
    assert business_seconds(calendar, c, a) == 0 or a == c


@given(calendars, ordered(2))
def test_due_at_of_the_time_to_an_open_instant_is_that_instant(calendar, ab):
    start, x = ab
    seconds = business_seconds(calendar, start, x)
    due = due_at(calendar, start, seconds)
    # In general the earliest instant with that much time: never after x, same time.
    # (Zero is the exception by definition: a closed start waits for the next opening.)
    assert business_seconds(calendar, start, due) == seconds
    assert start <= due <= x or (seconds == 0 and not calendar.is_open(start))
    if x > start and calendar.is_open(x - SECOND):  # the clock runs up to x
        assert due == x


@given(calendars, instants, st.integers(0, 200 * 3600))
def test_due_at_gives_exactly_the_target_and_no_earlier_instant_does(calendar, start, seconds):
    due = due_at(calendar, start, seconds)
    assert due.tzinfo is UTC
    assert due >= start
    assert business_seconds(calendar, start, due) == seconds
    if due > start:
        assert business_seconds(calendar, start, due - SECOND) < seconds or seconds == 0
    if seconds == 0:
        assert due == start if calendar.is_open(start) else calendar.is_open(due)


@given(calendars, instants, st.integers(0, 100 * 3600), st.integers(0, 100 * 3600))
def test_due_at_never_decreases_with_the_target(calendar, start, one, other):
    low, high = sorted((one, other))
    assert due_at(calendar, start, low) <= due_at(calendar, start, high)


@given(calendars, ordered(2))
def test_open_intervals_sum_to_business_time(calendar, ab):
    start, end = ab
    intervals = list(open_intervals(calendar, start, end))
    assert sum(int((hi - lo).total_seconds()) for lo, hi in intervals) == business_seconds(
        calendar, start, end
    )
    for (lo, hi), (next_lo, _) in itertools.pairwise(intervals):
        assert start <= lo < hi < next_lo <= end  # ordered, disjoint, apart
    for lo, hi in intervals:
        assert calendar.is_open(lo) and calendar.is_open(hi - SECOND)


@settings(max_examples=60)
@given(calendars, ordered(2), st.lists(ordered(2), max_size=5))
def test_pauses_and_overlap_agree_with_business_time(calendar, ab, pauses):
    start, end = ab
    total = business_seconds(calendar, start, end)
    inside = overlap_seconds(calendar, start, end, pauses)
    assert business_seconds_excluding(calendar, start, end, pauses) == total - inside
    assert 0 <= inside <= total
    assert inside <= sum(
        business_seconds(calendar, max(lo, start), min(hi, end)) for lo, hi in pauses
    )
    # Counting each second of the union once: the same as walking the open intervals and
    # keeping what a pause covers, second by second over whole intervals.
    if pauses:
        lo = min(p[0] for p in pauses)
        hi = max(p[1] for p in pauses)
        covering = overlap_seconds(calendar, start, end, [(lo, hi)])
        assert inside <= covering


OFFICE_WITH_CHRISTMAS = Calendar(
    weekly={weekday: (450, 960) for weekday in range(5)},
    exceptions={date(2026, 12, 24): None, date(2026, 12, 23): (450, 720)},
)
HOLIDAYS_2026 = {  # written out by hand: Norway's public holidays in 2026 on weekdays
    date(2026, 1, 1),
    date(2026, 4, 2),
    date(2026, 4, 3),
    date(2026, 4, 6),
    date(2026, 5, 1),
    date(2026, 5, 14),
    date(2026, 5, 25),
    date(2026, 12, 25),
}


def office_open_by_hand(instant: datetime) -> bool:
    """Independently of the module: the Oslo wall clock at ``instant`` inside 07:30–16:00
    on a working day of 2026 (23 December until 12:00, 24 December closed)."""
    wall = instant.astimezone(OSLO)
    day, minute = wall.date(), wall.hour * 60 + wall.minute
    if day == date(2026, 12, 24) or day in HOLIDAYS_2026 or day.weekday() >= 5:
        return False
    return 450 <= minute < (720 if day == date(2026, 12, 23) else 960)


YEAR_2026 = datetime(2026, 1, 1, tzinfo=OSLO)
minutes_2026 = st.integers(0, 364 * 24 * 60 - 6000).map(
    lambda m: YEAR_2026.astimezone(UTC) + timedelta(minutes=m)
)


@settings(max_examples=40, deadline=None)
@given(minutes_2026, st.integers(0, 5 * 24 * 60))
def test_business_time_equals_counting_open_minutes_by_hand(start, minutes):
    end = start + timedelta(minutes=minutes)
    by_hand = sum(office_open_by_hand(start + timedelta(minutes=m)) for m in range(minutes))
    assert business_seconds(OFFICE_WITH_CHRISTMAS, start, end) == by_hand * 60
