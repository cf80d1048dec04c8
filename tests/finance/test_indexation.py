from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samdrift.finance.indexation import index_adjust


def test_deflator_example():
    assert index_adjust(
        price=Decimal("1000.00"), old_index=Decimal("100"), new_index=Decimal("104.3")
    ) == Decimal("1043.00")


def test_rounds_half_up_to_the_ore():
    # 99.99 × 1.035 = 103.48965 → 103.49
    assert index_adjust(
        price=Decimal("99.99"), old_index=Decimal("1"), new_index=Decimal("1.035")
    ) == Decimal("103.49")
    # 0.10 × 1.05 = 0.105 → 0.11 (half up)
    assert index_adjust(
        price=Decimal("0.10"), old_index=Decimal("100"), new_index=Decimal("105")
    ) == Decimal("0.11")


def test_finer_quantum_for_unit_prices():
    assert index_adjust(
        price=Decimal("0.0850"),
        old_index=Decimal("100"),
        new_index=Decimal("105"),
        quantum=Decimal("0.0001"),
    ) == Decimal("0.0893")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"price": Decimal("-1")}, "price"),
        ({"old_index": Decimal("0")}, "old_index"),
        ({"new_index": Decimal("-2")}, "new_index"),
    ],
)
def test_bad_input(kwargs, field):
    base = dict(price=Decimal("100"), old_index=Decimal("100"), new_index=Decimal("103"))
    with pytest.raises(ValueError, match=field):
        index_adjust(**{**base, **kwargs})


@given(
    price=st.decimals(min_value=Decimal("0"), max_value=Decimal("1000000"), places=2),
    index=st.decimals(min_value=Decimal("1"), max_value=Decimal("1000"), places=1),
)
def test_same_index_keeps_the_price(price, index):
    assert index_adjust(price=price, old_index=index, new_index=index) == price
