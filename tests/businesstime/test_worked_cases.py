"""Hand-worked cases for the service-hours calendar of issue #13: Monday–Friday 07:30–16:00
Europe/Oslo with Norwegian public holidays closed. Expected instants are written as local
wall times and worked out by hand in the comments."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from samdrift.businesstime import (
    Calendar,
    business_seconds,
    business_seconds_excluding,
    due_at,
    norwegian_public_holidays,
    open_intervals,
    overlap_seconds,
    to_aware,
)

OSLO = ZoneInfo("Europe/Oslo")
HOUR = 3600
OFFICE = Calendar(weekly={weekday: (7 * 60 + 30, 16 * 60) for weekday in range(5)})
DAY = 8.5 * HOUR  # 07:30–16:00


def oslo(*args) -> datetime:
    return datetime(*args, tzinfo=OSLO)


def test_p2_opened_friday_afternoon_is_due_monday_morning():
    # Friday 6 March 2026, no holiday near: 15:30–16:00 is 30 min, the remaining 1 h 30
    # from Monday 9 March 07:30 ends at 09:00.
    due = due_at(OFFICE, oslo(2026, 3, 6, 15, 30), 2 * HOUR)
    assert due == oslo(2026, 3, 9, 9, 0)
    assert due.tzinfo is UTC
    assert due == datetime(2026, 3, 9, 8, 0, tzinfo=UTC)  # CET is UTC+1


def test_opened_on_constitution_day_starts_counting_the_next_morning():
    # 17 May 2028 is a Wednesday (a working weekday, closed as Constitution Day):
    # the clock starts on Thursday 18 May 07:30, so a 2 h target is due 09:30.
    assert not OFFICE.is_open(oslo(2028, 5, 17, 10, 0))
    assert Calendar(weekly=OFFICE.weekly, public_holidays_closed=False).is_open(
        oslo(2028, 5, 17, 10, 0)
    )
    assert due_at(OFFICE, oslo(2028, 5, 17, 10, 0), 0) == oslo(2028, 5, 18, 7, 30)
    assert due_at(OFFICE, oslo(2028, 5, 17, 10, 0), 2 * HOUR) == oslo(2028, 5, 18, 9, 30)
    assert business_seconds(OFFICE, oslo(2028, 5, 17, 10), oslo(2028, 5, 18, 8)) == HOUR / 2
    # 17 May 2027 is a Monday (also Whit Monday that year): from Tuesday 18 May 07:30.
    assert due_at(OFFICE, oslo(2027, 5, 17, 10, 0), 0) == oslo(2027, 5, 18, 7, 30)
    # 17 May 2026 is a Sunday: from Monday 18 May 07:30.
    assert due_at(OFFICE, oslo(2026, 5, 17, 10, 0), 0) == oslo(2026, 5, 18, 7, 30)


def test_easter_2026():
    # Maundy Thursday 2 April, Good Friday 3 April and Easter Monday 6 April are closed.
    # Opened Wednesday 1 April 15:00 with 2 h: 1 h on Wednesday, 1 h from Tuesday 7 April
    # 07:30.
    assert due_at(OFFICE, oslo(2026, 4, 1, 15, 0), 2 * HOUR) == oslo(2026, 4, 7, 8, 30)
    for closed in (2, 3, 6):
        assert not OFFICE.is_open(oslo(2026, 4, closed, 12, 0))
    # The week of 30 March: only Monday 30, Tuesday 31 March and Wednesday 1 April.
    assert business_seconds(OFFICE, oslo(2026, 3, 30), oslo(2026, 4, 6)) == 3 * DAY


def test_ascension_and_whit_monday_2026():
    # Ascension Day Thursday 14 May 2026: opened Wednesday 13 May 15:00, 1 h that day,
    # the other hour on Friday 15 May from 07:30.
    assert due_at(OFFICE, oslo(2026, 5, 13, 15, 0), 2 * HOUR) == oslo(2026, 5, 15, 8, 30)
    # Whit Monday 25 May 2026: opened Friday 22 May 15:00, due Tuesday 26 May 08:30.
    assert due_at(OFFICE, oslo(2026, 5, 22, 15, 0), 2 * HOUR) == oslo(2026, 5, 26, 8, 30)
    assert not OFFICE.is_open(oslo(2026, 5, 25, 12, 0))
    assert OFFICE.is_open(oslo(2026, 5, 26, 12, 0))


def test_moving_feasts_come_from_the_holidays_package_and_sundays_are_not_all_holidays():
    days = norwegian_public_holidays(2026)
    assert {
        date(2026, 4, 2),
        date(2026, 4, 3),
        date(2026, 4, 6),
        date(2026, 5, 14),
        date(2026, 5, 25),
        date(2026, 5, 17),
    } <= days
    assert date(2026, 12, 24) not in days  # Christmas Eve: an operator's exception
    assert date(2026, 3, 8) not in days  # an ordinary Sunday
    assert len(days) == 12


CHRISTMAS = Calendar(
    weekly=OFFICE.weekly,
    exceptions={date(2026, 12, 23): (7 * 60 + 30, 12 * 60), date(2026, 12, 24): None},
)


def test_christmas_eve_closed_and_a_shortened_day():
    # Wednesday 23 December 2026 is open 07:30–12:00, Thursday 24 (exception) and Friday 25
    # (Christmas Day) are closed. Opened 23 December 11:00 with 2 h: 1 h that morning, 1 h
    # from Monday 28 December 07:30.
    assert due_at(CHRISTMAS, oslo(2026, 12, 23, 11, 0), 2 * HOUR) == oslo(2026, 12, 28, 8, 30)
    assert not CHRISTMAS.is_open(oslo(2026, 12, 23, 12, 0))
    assert not CHRISTMAS.is_open(oslo(2026, 12, 24, 9, 0))
    assert OFFICE.is_open(oslo(2026, 12, 24, 9, 0))  # without the exception it is a workday
    # The week of 21 December: Monday and Tuesday 8.5 h, Wednesday 4.5 h.
    assert business_seconds(CHRISTMAS, oslo(2026, 12, 21), oslo(2026, 12, 28)) == 21.5 * HOUR


def test_an_exception_opens_a_holiday():
    special = Calendar(weekly=OFFICE.weekly, exceptions={date(2026, 5, 17): (600, 720)})
    assert business_seconds(special, oslo(2026, 5, 17), oslo(2026, 5, 18)) == 2 * HOUR


@pytest.mark.parametrize(
    ("day", "hours"),
    [
        (date(2026, 3, 29), 23),  # spring forward: 02:00 → 03:00
        (date(2026, 10, 25), 25),  # fall back: 03:00 → 02:00
        (date(2026, 3, 28), 24),
    ],
)
def test_a_24_7_day_has_23_or_25_hours_at_the_changes(day, hours):
    start, end = oslo(day.year, day.month, day.day), oslo(day.year, day.month, day.day + 1)
    assert business_seconds(Calendar.around_the_clock(), start, end) == hours * HOUR
    # The same through the day-by-day path: every weekday open 00:00–24:00.
    every_day = Calendar(weekly={d: (0, 1440) for d in range(7)}, public_holidays_closed=False)
    assert business_seconds(every_day, start, end) == hours * HOUR
    assert list(open_intervals(every_day, start, end)) == [
        (start.astimezone(UTC), end.astimezone(UTC))
    ]


def test_to_aware_across_both_changes():
    # 02:30 on 29 March 2026 does not exist: read on winter time (UTC+1), so 01:30 UTC,
    # which the clock shows as 03:30 CEST.
    gap = to_aware(datetime(2026, 3, 29, 2, 30))
    assert gap == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert gap.astimezone(OSLO).strftime("%H:%M %Z") == "03:30 CEST"
    # 02:30 on 25 October 2026 happens twice: the first time, on summer time (UTC+2).
    doubled = to_aware(datetime(2026, 10, 25, 2, 30))
    assert doubled == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert doubled.astimezone(OSLO).strftime("%H:%M %Z") == "02:30 CEST"
    # Ordinary times on either side, and an aware input only converted.
    assert to_aware(datetime(2026, 7, 1, 12, 0)) == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    assert to_aware(datetime(2026, 1, 1, 12, 0)) == datetime(2026, 1, 1, 11, 0, tzinfo=UTC)
    assert to_aware(oslo(2026, 1, 1, 12, 0)) == datetime(2026, 1, 1, 11, 0, tzinfo=UTC)
    assert to_aware(datetime(2026, 1, 1, 12, 0), "UTC") == datetime(2026, 1, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("friday", "tuesday"),
    [(date(2026, 3, 27), date(2026, 3, 31)), (date(2026, 10, 23), date(2026, 10, 27))],
)
def test_office_hours_keep_their_wall_clock_over_the_dst_weekend(friday, tuesday):
    start = oslo(friday.year, friday.month, friday.day)
    end = oslo(tuesday.year, tuesday.month, tuesday.day)
    # Friday and Monday, 8.5 h each, whatever the offset.
    assert business_seconds(OFFICE, start, end) == 2 * DAY
    monday = friday + timedelta(days=3)
    intervals = list(open_intervals(OFFICE, start, end))
    assert intervals[1] == (
        oslo(monday.year, monday.month, monday.day, 7, 30),
        oslo(monday.year, monday.month, monday.day, 16, 0),
    )
    # Friday 15:00 + 2 h = Monday 08:30 local, on the other side of the change.
    assert due_at(OFFICE, oslo(friday.year, friday.month, friday.day, 15), 2 * HOUR) == oslo(
        monday.year, monday.month, monday.day, 8, 30
    )


def test_an_opening_inside_the_skipped_hour():
    # Sundays 02:30–04:00 on 29 March 2026: 02:30 is read as 03:30 CEST, so 30 minutes.
    sunday = Calendar(weekly={6: (150, 240)}, public_holidays_closed=False)
    assert business_seconds(sunday, oslo(2026, 3, 29), oslo(2026, 3, 30)) == HOUR / 2
    # Closing 03:00 falls before the opening read that way: the day has no open time.
    short = Calendar(weekly={6: (150, 180)}, public_holidays_closed=False)
    assert business_seconds(short, oslo(2026, 3, 29), oslo(2026, 3, 30)) == 0


def test_due_at_zero_and_at_a_closing_time():
    assert due_at(OFFICE, oslo(2026, 3, 4, 10, 0), 0) == oslo(2026, 3, 4, 10, 0)
    assert due_at(OFFICE, oslo(2026, 3, 4, 6, 0), 0) == oslo(2026, 3, 4, 7, 30)
    assert due_at(OFFICE, oslo(2026, 3, 4, 16, 0), 0) == oslo(2026, 3, 5, 7, 30)
    # Exactly the rest of the day: due at closing, not the next morning.
    assert due_at(OFFICE, oslo(2026, 3, 4, 15, 0), HOUR) == oslo(2026, 3, 4, 16, 0)


def test_pauses_and_downtime():
    start, end = oslo(2026, 3, 2, 8, 0), oslo(2026, 3, 4, 8, 0)  # Mon 08:00 → Wed 08:00
    assert business_seconds(OFFICE, start, end) == 8 * HOUR + DAY + HOUR / 2
    pauses = [
        (oslo(2026, 3, 2, 15, 0), oslo(2026, 3, 3, 9, 0)),  # Mon 1 h + Tue 1.5 h
        (oslo(2026, 3, 3, 8, 0), oslo(2026, 3, 3, 10, 0)),  # overlaps: adds Tue 09–10
        (oslo(2026, 3, 1, 0, 0), oslo(2026, 3, 2, 9, 0)),  # before start: Mon 08–09
    ]
    paused = HOUR + 1.5 * HOUR + HOUR + HOUR
    assert overlap_seconds(OFFICE, start, end, pauses) == paused
    assert business_seconds_excluding(OFFICE, start, end, pauses) == (
        8 * HOUR + DAY + HOUR / 2 - paused
    )
    # A pause still running (no end) lasts to the end; an inverted one is empty.
    assert overlap_seconds(OFFICE, start, end, [(oslo(2026, 3, 3, 15, 0), None)]) == 1.5 * HOUR
    assert overlap_seconds(OFFICE, start, end, [(end, start)]) == 0


def test_24_7_calendar_ignores_holidays_and_exceptions():
    always = Calendar(weekly={}, always_open=True, exceptions={date(2026, 12, 24): None})
    assert business_seconds(always, oslo(2026, 12, 24), oslo(2026, 12, 26)) == 48 * HOUR
    assert due_at(always, oslo(2026, 12, 24, 23, 0), 2 * HOUR) == oslo(2026, 12, 25, 1, 0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weekly": {0: (960, 450)}}, r"weekly\[0\] \(Monday\).*ends before it starts"),
        ({"weekly": {4: (600, 600)}}, r"Friday.*ends before it starts"),
        ({"weekly": {2: (-1, 600)}}, r"Wednesday.*outside the day"),
        ({"weekly": {2: (60, 1441)}}, r"Wednesday.*outside the day"),
        ({"weekly": {7: (60, 120)}}, r"7 is not a weekday"),
        ({"weekly": {0: (60, 120)}, "timezone": "Europe/Atlantis"}, r"timezone.*Atlantis"),
        ({"weekly": {}, "exceptions": {date(2026, 12, 23): (720, 450)}}, r"2026-12-23"),
        ({"weekly": {0: "all day"}}, r"Monday.*expected \(open minute, close minute\)"),
    ],
)
def test_invalid_calendars_are_refused_naming_the_field(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Calendar(**kwargs)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match=r"start.*no time zone"):
        business_seconds(OFFICE, datetime(2026, 3, 2, 8), oslo(2026, 3, 3))
    with pytest.raises(ValueError, match=r"instant.*no time zone"):
        OFFICE.is_open(datetime(2026, 3, 2, 8))
    with pytest.raises(ValueError, match=r"seconds.*negative"):
        due_at(OFFICE, oslo(2026, 3, 2), -1)


def test_a_never_open_calendar_has_no_due_time():
    with pytest.raises(ValueError, match="never falls due"):
        due_at(Calendar(weekly={}), oslo(2026, 3, 2), HOUR)


def test_calendars_are_hashable_values():
    same = Calendar(weekly={d: [450, 960] for d in reversed(range(5))})
    assert same == OFFICE
    assert hash(same) == hash(OFFICE)
    assert {OFFICE: 1}[same] == 1
    assert same.weekly[0] == (450, 960)
    assert Calendar.around_the_clock() != OFFICE
