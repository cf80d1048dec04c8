"""Properties of ``add_months``, the one month-arithmetic rule (finance, demo and web use it)."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from samdrift.finance.depreciation import add_months

# Keep clear of date.min/date.max so that ±600 months stays representable.
days = st.dates(min_value=date(100, 1, 1), max_value=date(9000, 12, 31))
early_days = days.filter(lambda d: d.day <= 28)
shifts = st.integers(min_value=-600, max_value=600)


def _last_day(year: int, month: int) -> int:
    """Counted by stepping back from the next month's first day (not via ``calendar``)."""
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


@given(days, shifts)
def test_lands_in_the_right_month_with_the_day_clamped(start, months):
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day == min(start.day, _last_day(result.year, result.month))


@given(early_days, shifts, shifts)
def test_adding_n_then_m_is_adding_n_plus_m(start, n, m):
    assert add_months(add_months(start, n), m) == add_months(start, n + m)


@given(early_days, shifts)
def test_moving_back_undoes_moving_forward(start, months):
    assert add_months(add_months(start, months), -months) == start


@given(days)
def test_zero_months_is_the_same_day(start):
    assert add_months(start, 0) == start


def test_month_ends_clamp():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert add_months(date(2024, 8, 31), 1) == date(2024, 9, 30)
    assert add_months(date(2024, 12, 15), 1) == date(2025, 1, 15)
