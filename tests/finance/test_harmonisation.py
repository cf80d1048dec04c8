"""The harmonisation saving: C − U × C*/U*, checked by property and by example."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samdrift.finance.harmonisation import cost_per_user, harmonisation_saving

money = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False)
users = st.integers(min_value=1, max_value=100_000)


def test_the_example_of_the_docs():
    # 110 000 today for 50 users; the candidate costs 80 000 for 40 (2 000 per user).
    assert harmonisation_saving(
        current_cost=Decimal("110000"),
        users=50,
        candidate_cost=Decimal("80000"),
        candidate_users=40,
    ) == Decimal("10000.00")


def test_no_users_no_price_per_user():
    assert cost_per_user(cost=Decimal("100"), users=0) is None
    assert (
        harmonisation_saving(
            current_cost=Decimal("1"), users=1, candidate_cost=Decimal("1"), candidate_users=0
        )
        is None
    )


def test_floats_and_negative_costs_are_refused():
    with pytest.raises(TypeError):
        cost_per_user(cost=1.5, users=1)
    with pytest.raises(ValueError):
        cost_per_user(cost=Decimal("-1"), users=1)


@given(cost=money, n=users)
def test_everyone_already_on_the_candidate_saves_nothing(cost, n):
    assert harmonisation_saving(
        current_cost=cost, users=n, candidate_cost=cost, candidate_users=n
    ) == Decimal("0.00")


@given(candidate=money, n=users, other=money, m=users)
def test_the_saving_is_what_the_others_pay_above_the_candidates_price(candidate, n, other, m):
    saving = harmonisation_saving(
        current_cost=candidate + other, users=n + m, candidate_cost=candidate, candidate_users=n
    )
    expected = other - m * candidate / n
    assert abs(saving - expected) <= Decimal("0.005")
