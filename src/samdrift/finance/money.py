"""The one rounding rule for kroner amounts (DESIGN.md, "The money rules")."""

from decimal import ROUND_HALF_UP, Decimal

ORE = Decimal("0.01")
ZERO = Decimal("0")


def round_to_ore(amount: Decimal) -> Decimal:
    """Round a kroner amount to whole øre, half away from zero (the Norwegian convention).

    ``ROUND_HALF_UP`` in :mod:`decimal` rounds ties away from zero, so a credit of
    -0.005 rounds to -0.01, mirroring +0.005 → 0.01.
    """
    return amount.quantize(ORE, rounding=ROUND_HALF_UP)
