"""The VAT of a category's lines: one rounding of the category (BR-CO-17), shared out so
that the lines add up to it. Expected values use exact fractions and a rounding written
here, not the code under test."""

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from samdrift.finance.vat import distribute_vat

ORE = Decimal("0.01")


def half_up_ore(value: Fraction) -> Fraction:
    """``value`` rounded to whole øre, ties away from zero."""
    ore = abs(value) * 100
    whole = int(ore)
    if ore - whole >= Fraction(1, 2):
        whole += 1
    return Fraction(whole if value >= 0 else -whole, 100)


def test_three_lines_share_the_rounded_category_vat():
    # 25 % of 0.02 each is 0.005 → 0.01 a line (0.03), but the category's 0.06 × 25 % is
    # 0.015 → 0.02: one øre comes back from the first of the equally large lines.
    total, shares = distribute_vat(nets=[ORE * 2] * 3, rate=Decimal("25"))
    assert total == Decimal("0.02")
    assert shares == [Decimal("0.00"), Decimal("0.01"), Decimal("0.01")]


def test_the_difference_goes_to_the_largest_line_first():
    nets = [Decimal("0.02"), Decimal("100.02"), Decimal("0.02")]
    total, shares = distribute_vat(nets=nets, rate=Decimal("25"))
    # lines: 0.005 → 0.01, 25.005 → 25.01, 0.01 (sum 25.03); category 100.06 × 25 % = 25.015
    # → 25.02: the largest line gives one øre back.
    assert total == Decimal("25.02")
    assert shares == [Decimal("0.01"), Decimal("25.00"), Decimal("0.01")]


def test_zero_rate_gives_no_vat():
    assert distribute_vat(nets=[Decimal("10.00"), Decimal("-3.00")], rate=Decimal("0")) == (
        Decimal("0.00"),
        [Decimal("0.00"), Decimal("0.00")],
    )


nets_lists = st.lists(
    st.integers(min_value=-(10**9), max_value=10**9).map(lambda n: Decimal(n) * ORE),
    min_size=1,
    max_size=40,
)
rates = st.sampled_from([Decimal("0"), Decimal("6"), Decimal("12"), Decimal("15"), Decimal("25")])


@given(nets=nets_lists, rate=rates)
def test_shares_sum_to_the_category_vat_rounded_once(nets, rate):
    total, shares = distribute_vat(nets=nets, rate=rate)
    exact = sum((Fraction(net) for net in nets), Fraction(0)) * Fraction(rate) / 100
    assert Fraction(total) == half_up_ore(exact)
    assert sum(shares, Decimal(0)) == total
    assert len(shares) == len(nets)


@given(nets=nets_lists, rate=rates)
def test_each_share_is_within_one_ore_of_its_lines_own_vat(nets, rate):
    _total, shares = distribute_vat(nets=nets, rate=rate)
    for net, share in zip(nets, shares, strict=True):
        assert share == share.quantize(ORE)
        own = half_up_ore(Fraction(net) * Fraction(rate) / 100)
        assert abs(Fraction(share) - own) <= Fraction(1, 100)
        # and so within one and a half øre of the exact, unrounded VAT of the line
        assert abs(Fraction(share) - Fraction(net) * Fraction(rate) / 100) <= Fraction(3, 200)


@given(
    nets=st.lists(
        st.integers(min_value=-(10**9), max_value=10**9).map(lambda n: Decimal(n) * ORE),
        min_size=1,
        max_size=20,
        unique_by=abs,
    ),
    rate=rates,
    data=st.data(),
)
def test_a_line_gets_the_same_vat_in_any_order(nets, rate, data):
    # Lines of different sizes: which line an øre goes to depends on sizes, not positions.
    order = data.draw(st.permutations(range(len(nets))))
    _total, shares = distribute_vat(nets=nets, rate=rate)
    _total, shuffled = distribute_vat(nets=[nets[i] for i in order], rate=rate)
    assert shuffled == [shares[i] for i in order]
