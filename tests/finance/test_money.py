from decimal import Decimal

from samdrift.core import money as core_money
from samdrift.finance.money import ORE, round_to_ore


def test_round_half_away_from_zero():
    assert round_to_ore(Decimal("328.685714")) == Decimal("328.69")
    assert round_to_ore(Decimal("0.005")) == Decimal("0.01")
    assert round_to_ore(Decimal("-0.005")) == Decimal("-0.01")
    assert round_to_ore(Decimal("0.0049999")) == Decimal("0.00")
    assert round_to_ore(Decimal("12")).as_tuple().exponent == -2


def test_core_money_uses_the_same_rule():
    assert core_money.round_to_ore is round_to_ore
    assert core_money.ORE == ORE == Decimal("0.01")
