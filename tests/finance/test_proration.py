from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samdrift.finance.allocation import allocate
from samdrift.finance.proration import days_in_month, month_bounds, overlap_days, prorate


def test_days_in_month():
    assert days_in_month(date(2024, 2, 10)) == 29
    assert days_in_month(date(2025, 2, 1)) == 28
    assert days_in_month(date(2025, 12, 31)) == 31


def test_month_bounds_half_open():
    assert month_bounds(date(2025, 3, 17)) == (date(2025, 3, 1), date(2025, 4, 1))
    assert month_bounds(date(2025, 12, 5)) == (date(2025, 12, 1), date(2026, 1, 1))


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2025, 1, 1), None, 31),  # open-ended, covers the month
        (date(2025, 1, 10), None, 22),  # from day 10
        (date(2024, 12, 1), date(2025, 1, 10), 9),  # ends on day 10 (exclusive)
        (date(2025, 1, 10), date(2025, 1, 10), 0),  # empty period
        (date(2025, 2, 1), None, 0),  # starts after the month
        (date(2024, 1, 1), date(2025, 1, 1), 0),  # ended on the first (exclusive)
    ],
)
def test_overlap_days(start, end, days):
    first, after = month_bounds(date(2025, 1, 1))
    assert overlap_days(start=start, end=end, period_start=first, period_end=after) == days


def test_overlap_needs_an_end():
    with pytest.raises(ValueError, match="end"):
        overlap_days(
            start=date(2025, 1, 1), end=None, period_start=date(2025, 1, 1), period_end=None
        )


def test_overlap_refuses_inverted_period():
    with pytest.raises(ValueError, match="end"):
        overlap_days(
            start=date(2025, 1, 5),
            end=date(2025, 1, 1),
            period_start=date(2025, 1, 1),
            period_end=date(2025, 2, 1),
        )


def test_prorate():
    assert prorate(monthly_amount=Decimal("310"), active_days=10, days_in_month=31) == 100
    assert prorate(monthly_amount=Decimal("299.99"), active_days=28, days_in_month=28) == Decimal(
        "299.99"
    )
    assert prorate(monthly_amount=Decimal("100"), active_days=0, days_in_month=30) == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"active_days": -1}, "active_days"),
        ({"active_days": 32}, "active_days"),
        ({"days_in_month": 0}, "days_in_month"),
    ],
)
def test_prorate_bad_input(kwargs, field):
    base = dict(monthly_amount=Decimal("100"), active_days=10, days_in_month=31)
    with pytest.raises(ValueError, match=field):
        prorate(**{**base, **kwargs})


months = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 1)).map(
    lambda d: d.replace(day=1)
)
amounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("1000000"), places=4)


@given(month=months, amount=amounts, data=st.data())
def test_split_month_prorations_sum_to_the_month(month, amount, data):
    first, after = month_bounds(month)
    n = days_in_month(month)
    split = first + timedelta(days=data.draw(st.integers(min_value=0, max_value=n)))
    before = overlap_days(
        start=first - timedelta(days=40), end=split, period_start=first, period_end=after
    )
    since = overlap_days(start=split, end=None, period_start=first, period_end=after)
    assert before + since == n
    total = prorate(monthly_amount=amount, active_days=before, days_in_month=n) + prorate(
        monthly_amount=amount, active_days=since, days_in_month=n
    )
    # Full precision: equal to the month up to the 28-digit context's last digit.
    assert abs(total - amount) <= Decimal("1e-20")
    # Rounded charges that must add up exactly are split with allocate() by days.
    shares = allocate(
        amount=amount.quantize(Decimal("0.01")), weights={"a": Decimal(before), "b": Decimal(since)}
    )
    assert sum(shares.values()) == amount.quantize(Decimal("0.01"))


@given(
    month=months,
    cuts=st.lists(st.integers(min_value=0, max_value=31), max_size=6),
    amount=amounts,
)
def test_any_number_of_cuts_covers_the_month_once(month, cuts, amount):
    first, after = month_bounds(month)
    n = days_in_month(month)
    points = sorted({first, after, *(first + timedelta(days=min(c, n)) for c in cuts)})
    days = [
        overlap_days(start=a, end=b, period_start=first, period_end=after)
        for a, b in pairwise(points)
    ]
    assert sum(days) == n
    total = sum(prorate(monthly_amount=amount, active_days=d, days_in_month=n) for d in days)
    assert abs(total - amount) <= Decimal("1e-20")
