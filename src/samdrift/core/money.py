"""Money in one place: precision, rounding and the model fields that store it.

Amounts are ``decimal.Decimal`` kroner. Intermediate results keep full precision; an
amount is rounded to the øre once, where it is written (DESIGN.md, "The money rules").
Unit prices keep four decimals so that a price per printed page (0.0850 kr) is exact.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.core.validators import MinValueValidator
from django.db import models

# One rounding rule for the whole project: the pure finance package owns it.
from samdrift.finance.money import ORE as ORE
from samdrift.finance.money import ZERO as ZERO
from samdrift.finance.money import round_to_ore as round_to_ore

CURRENCY = "NOK"
UNIT_PRICE_QUANTUM = Decimal("0.0001")


def round_unit_price(amount: Decimal) -> Decimal:
    return amount.quantize(UNIT_PRICE_QUANTUM, rounding=ROUND_HALF_UP)


class MoneyField(models.DecimalField):
    """A kroner amount with øre: NUMERIC(14, 2) — up to 999 999 999 999.99."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)


class UnitPriceField(models.DecimalField):
    """A price per unit, never negative: NUMERIC(14, 4)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 4)
        kwargs.setdefault("validators", [MinValueValidator(ZERO)])
        super().__init__(*args, **kwargs)


def non_negative() -> list[MinValueValidator]:
    return [MinValueValidator(ZERO)]
