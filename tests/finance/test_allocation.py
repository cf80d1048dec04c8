from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from samdrift.finance.allocation import allocate, blend_weights, split_exactly

ORE = Decimal("0.01")


def test_three_way_split_hands_the_left_over_ore_to_the_first_key_on_a_tie():
    shares = allocate(
        amount=Decimal("100.00"), weights={"b": Decimal(1), "a": Decimal(1), "c": Decimal(1)}
    )
    assert shares == {"b": Decimal("33.33"), "a": Decimal("33.34"), "c": Decimal("33.33")}
    assert list(shares) == ["b", "a", "c"]  # the caller's order is kept


def test_largest_remainder_wins():
    # exact: 0.333…, 0.666… → floors 0.33 / 0.66, remainders 0.3 / 0.6 → the øre goes to "y".
    shares = allocate(amount=Decimal("1.00"), weights={"x": Decimal(1), "y": Decimal(2)})
    assert shares == {"x": Decimal("0.33"), "y": Decimal("0.67")}


def test_credit_is_symmetric():
    weights = {"0301": Decimal("3"), "4601": Decimal("7"), "5001": Decimal("11")}
    debit = allocate(amount=Decimal("1000.00"), weights=weights)
    credit = allocate(amount=Decimal("-1000.00"), weights=weights)
    assert credit == {k: -v for k, v in debit.items()}
    assert sum(credit.values()) == Decimal("-1000.00")


def test_zero_weight_gets_nothing():
    shares = allocate(amount=Decimal("0.05"), weights={1: Decimal(0), 2: Decimal(1), 3: Decimal(1)})
    assert shares[1] == 0
    assert sum(shares.values()) == Decimal("0.05")


def test_other_quantum():
    shares = allocate(
        amount=Decimal("10"),
        weights={"a": Decimal(1), "b": Decimal(1), "c": Decimal(1)},
        quantum=Decimal("1"),
    )
    assert shares == {"a": Decimal(4), "b": Decimal(3), "c": Decimal(3)}


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({}, "no keys"),
        ({"a": Decimal(0), "b": Decimal(0)}, "sum to zero"),
        ({"a": Decimal(1), "b": Decimal(-1)}, "'b' is negative"),
    ],
)
def test_bad_weights(weights, message):
    with pytest.raises(ValueError, match=message):
        allocate(amount=Decimal("10.00"), weights=weights)


def test_amount_must_be_whole_ore():
    with pytest.raises(ValueError, match="round it"):
        allocate(amount=Decimal("10.005"), weights={"a": Decimal(1)})


def test_blend_one_third_equal_two_thirds_population():
    population = {"A": Decimal(1000), "B": Decimal(3000), "C": Decimal(6000)}
    equal = {k: Decimal(1) for k in population}
    blended = blend_weights([(Decimal(1) / 3, equal), (Decimal(2) / 3, population)])
    # A: 1/9 + 2/3 × 0.1 = 0.17777…; B: 1/9 + 0.2 = 0.31111…; C: 1/9 + 0.4 = 0.51111…
    assert abs(blended["A"] - Decimal("0.177777777777")) < Decimal("1e-12")
    assert abs(blended["C"] - Decimal("0.511111111111")) < Decimal("1e-12")
    shares = allocate(amount=Decimal("90000.00"), weights=blended)
    assert shares == {"A": Decimal("16000.00"), "B": Decimal("28000.00"), "C": Decimal("46000.00")}


def test_blend_key_missing_from_a_part_counts_zero():
    blended = blend_weights(
        [(Decimal("0.5"), {"A": Decimal(1)}), (Decimal("0.5"), {"A": Decimal(1), "B": Decimal(1)})]
    )
    assert blended == {"A": Decimal("0.75"), "B": Decimal("0.25")}


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ([], "no parts"),
        ([(Decimal("0.5"), {"A": Decimal(1)})], "sum to 1"),
        ([(Decimal("1.5"), {"A": Decimal(1)}), (Decimal("-0.5"), {"A": Decimal(1)})], "negative"),
        ([(Decimal("1"), {"A": Decimal(0)})], "sum to zero"),
        ([(Decimal("1"), {})], "no keys"),
    ],
)
def test_blend_bad_input(parts, message):
    with pytest.raises(ValueError, match=message):
        blend_weights(parts)


amounts = st.integers(min_value=-(10**11), max_value=10**11).map(lambda n: Decimal(n) * ORE)
weight_maps = st.dictionaries(
    keys=st.integers(min_value=1000, max_value=9999),
    values=st.decimals(min_value=Decimal("0"), max_value=Decimal("1000000"), places=3),
    min_size=1,
    max_size=30,
).filter(lambda w: sum(w.values()) > 0)


@given(amount=amounts, weights=weight_maps)
def test_allocation_sums_exactly_and_each_share_is_within_one_ore(amount, weights):
    shares = allocate(amount=amount, weights=weights)
    assert set(shares) == set(weights)
    assert sum(shares.values()) == amount
    total = sum(weights.values())
    for key, share in shares.items():
        assert share == share.quantize(ORE)
        exact = amount * weights[key] / total
        assert abs(share - exact) < ORE


@given(amount=amounts, weights=weight_maps)
def test_allocation_is_deterministic_and_order_independent(amount, weights):
    reversed_weights = dict(reversed(list(weights.items())))
    assert allocate(amount=amount, weights=weights) == allocate(
        amount=amount, weights=reversed_weights
    )


@given(
    amount=amounts,
    a=weight_maps,
    b=weight_maps,
    third=st.integers(min_value=0, max_value=3),
)
def test_blended_allocations_sum_exactly(amount, a, b, third):
    fraction = Decimal(third) / 3
    blended = blend_weights([(fraction, a), (1 - fraction, b)])
    # Summed in the default 28-digit context, so allow its last digits.
    assert abs(sum(blended.values()) - 1) < Decimal("1e-25")
    shares = allocate(amount=amount, weights=blended)
    assert sum(shares.values()) == amount


# -- split_exactly: the pieces of one thing in one month --------------------------------


def test_a_move_on_day_ten_splits_one_month_into_two_charges_of_exactly_one_month():
    # 30-day month, 9 + 21 days of 100.00: 30.00 and 70.00; of 99.99: 29.997 → 30.00 and
    # 69.993 → 69.99 (sum 99.99, the month's price, not 99.99 + rounding drift).
    assert split_exactly(
        pieces=[(Decimal("100.00"), 9), (Decimal("100.00"), 21)], days_in_month=30
    ) == [
        Decimal("30.00"),
        Decimal("70.00"),
    ]
    assert split_exactly(
        pieces=[(Decimal("99.99"), 9), (Decimal("99.99"), 21)], days_in_month=30
    ) == [
        Decimal("30.00"),
        Decimal("69.99"),
    ]


def test_one_piece_is_prorated_and_rounded_half_up():
    # 10 × 3 / 31 = 0.9677… → 0.97
    assert split_exactly(pieces=[(Decimal("10.00"), 3)], days_in_month=31) == [Decimal("0.97")]


def half_up_ore(value: Fraction) -> Fraction:
    ore = abs(value) * 100
    whole = int(ore) + (1 if ore - int(ore) >= Fraction(1, 2) else 0)
    return Fraction(whole if value >= 0 else -whole, 100)


# Whole øre: the exact values are summed as Decimals, whose division is not exact, so a
# total that falls on half an øre (a price of 3869.485) may round down instead of up.
monthly_prices = st.integers(min_value=0, max_value=10**8).map(lambda n: Decimal(n) * ORE)


@given(
    dim=st.sampled_from([28, 29, 30, 31]),
    data=st.data(),
)
def test_pieces_of_a_month_add_up_to_one_rounded_month(dim, data):
    # Cut the month at random days; every piece at the same monthly price (a move between
    # service areas): the charges add up to the month's price rounded once.
    cuts = sorted(data.draw(st.sets(st.integers(min_value=1, max_value=dim - 1), max_size=5)))
    bounds = [0, *cuts, dim]
    price = data.draw(monthly_prices)
    pieces = [(price, bounds[i + 1] - bounds[i]) for i in range(len(bounds) - 1)]
    amounts = split_exactly(pieces=pieces, days_in_month=dim)
    assert Fraction(sum(amounts, Decimal(0))) == half_up_ore(Fraction(price))


@given(
    dim=st.sampled_from([28, 29, 30, 31]),
    pieces=st.lists(
        st.tuples(monthly_prices, st.integers(min_value=0, max_value=28)), min_size=1, max_size=6
    ),
)
def test_pieces_sum_to_their_total_rounded_once_and_each_is_near_its_share(dim, pieces):
    amounts = split_exactly(pieces=pieces, days_in_month=dim)
    exact = [Fraction(price) * days / dim for price, days in pieces]
    # Not on a half øre exactly (see ``monthly_prices``).
    assume((sum(exact, Fraction(0)) * 200).denominator != 1 or sum(exact) * 200 % 2 == 0)
    total = half_up_ore(sum(exact, Fraction(0)))
    assert all(amount == amount.quantize(ORE) for amount in amounts)
    if len(pieces) == 1:
        assert Fraction(amounts[0]) == half_up_ore(exact[0])
        return
    assert Fraction(sum(amounts, Decimal(0))) == total
    if total:
        for amount, value in zip(amounts, exact, strict=True):
            # within one øre of its exact share of the rounded total
            assert abs(Fraction(amount) - total * value / sum(exact)) < Fraction(1, 100)
