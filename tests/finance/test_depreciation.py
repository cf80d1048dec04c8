from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samdrift.finance.depreciation import add_months, age_in_months, book_value
from samdrift.finance.money import round_to_ore


def test_textbook_example():
    # DESIGN.md: cost 10 000, residual 0, L 60, age 22 → 6 333.33.
    value = book_value(
        cost=Decimal("10000"), residual=Decimal("0"), useful_life_months=60, age_months=22
    )
    assert round_to_ore(value) == Decimal("6333.33")
    assert value > Decimal("6333.333333")  # full precision, not rounded


def test_fully_depreciated_is_exactly_residual():
    args = dict(cost=Decimal("9000"), residual=Decimal("900"), useful_life_months=36)
    assert book_value(**args, age_months=36) == Decimal("900")
    assert book_value(**args, age_months=100) == Decimal("900")
    assert book_value(**args, age_months=0) == Decimal("9000")
    assert book_value(**args, age_months=18) == Decimal("4950")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"cost": Decimal("-1")}, "cost"),
        ({"residual": Decimal("-1")}, "residual"),
        ({"residual": Decimal("10001")}, "residual"),
        ({"useful_life_months": 0}, "useful_life_months"),
        ({"age_months": -1}, "age_months"),
    ],
)
def test_bad_input_names_the_argument(kwargs, field):
    base = dict(cost=Decimal("10000"), residual=Decimal("0"), useful_life_months=60, age_months=1)
    with pytest.raises(ValueError, match=field):
        book_value(**{**base, **kwargs})


@pytest.mark.parametrize(
    ("acquired", "on", "months"),
    [
        (date(2024, 1, 15), date(2024, 1, 15), 0),
        (date(2024, 1, 15), date(2024, 2, 14), 0),
        (date(2024, 1, 15), date(2024, 2, 15), 1),
        (date(2024, 1, 31), date(2024, 2, 28), 0),
        (date(2024, 1, 31), date(2024, 2, 29), 1),  # clamped to the end of a shorter month
        (date(2024, 1, 31), date(2024, 3, 30), 1),
        (date(2024, 1, 31), date(2024, 3, 31), 2),
        (date(2022, 3, 1), date(2024, 1, 1), 22),
        (date(2019, 12, 31), date(2024, 12, 31), 60),
    ],
)
def test_age_in_whole_months(acquired, on, months):
    assert age_in_months(acquired=acquired, on=on) == months


def test_age_refuses_acquisition_after_the_date():
    with pytest.raises(ValueError, match="acquired"):
        age_in_months(acquired=date(2025, 1, 2), on=date(2025, 1, 1))


def test_add_months_clamps():
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)
    assert add_months(date(2023, 5, 10), -5) == date(2022, 12, 10)


dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


@given(acquired=dates, days=st.integers(min_value=0, max_value=4000))
def test_age_is_the_largest_completed_month(acquired, days):
    from datetime import timedelta

    on = acquired + timedelta(days=days)
    months = age_in_months(acquired=acquired, on=on)
    assert add_months(acquired, months) <= on
    assert add_months(acquired, months + 1) > on


@given(
    cost=st.decimals(min_value=Decimal("0"), max_value=Decimal("1000000"), places=2),
    residual_share=st.decimals(min_value=Decimal("0"), max_value=Decimal("1"), places=2),
    life=st.integers(min_value=1, max_value=60),
    age=st.integers(min_value=0, max_value=200),
)
def test_book_value_never_increases_and_never_below_residual(cost, residual_share, life, age):
    residual = cost * residual_share
    now = book_value(cost=cost, residual=residual, useful_life_months=life, age_months=age)
    later = book_value(cost=cost, residual=residual, useful_life_months=life, age_months=age + 1)
    assert later <= now
    assert residual <= later <= now <= cost
