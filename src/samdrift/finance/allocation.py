"""Split an amount by weights so the shares add up to the amount exactly
(DESIGN.md, "Allocation").

Largest-remainder method (Hamilton): every exact share ``amount * w / Σw`` is floored to
the quantum (the øre), then the quanta left over go one each to the keys with the largest
remainders; ties go to the key that sorts first, so the result is stable from run to run
(use e.g. municipality numbers as keys). Exact shares are computed with
:class:`fractions.Fraction`, so no rounding of the intermediate division can move an øre.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import TypeVar

from samdrift.finance.money import ORE, ZERO, round_to_ore
from samdrift.finance.proration import prorate

K = TypeVar("K", bound=Hashable)

# Tolerance for blend fractions written as finite decimals, e.g. Decimal(1) / 3 + Decimal(2) / 3.
_FRACTION_TOLERANCE = Fraction(1, 10**20)
_PRECISION = 40


def _as_fraction(name: str, value: Decimal | int | Fraction) -> Fraction:
    if isinstance(value, float):
        raise TypeError(f"{name} must be a Decimal, not a float (floats are inexact).")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"{name} must be a finite number (got {value}).")
    return Fraction(value)


def allocate(
    *, amount: Decimal, weights: Mapping[K, Decimal], quantum: Decimal = ORE
) -> dict[K, Decimal]:
    """Split ``amount`` over the keys of ``weights`` in proportion to the weights.

    The shares are multiples of ``quantum``, sum to ``amount`` exactly and each lies within
    one quantum of its exact share. A negative amount (a credit) is split like its absolute
    value and negated, so ``allocate(-x) == -allocate(x)``. Keys with weight zero get zero.
    The keys must be mutually orderable (they break ties).

    Raises ``ValueError`` with the reason when there are no keys, a weight is negative, the
    weights sum to zero, or ``amount`` is not a whole number of quanta.
    """
    if not weights:
        raise ValueError("Cannot allocate: there are no keys to allocate to (weights is empty).")
    q = _as_fraction("quantum", quantum)
    if q <= 0:
        raise ValueError(f"quantum must be greater than zero (got {quantum}).")
    exact_amount = _as_fraction("amount", amount)
    units_fraction = exact_amount / q
    if units_fraction.denominator != 1:
        raise ValueError(
            f"amount ({amount}) is not a whole number of {quantum}; round it before allocating."
        )
    fractions: dict[K, Fraction] = {}
    for key, weight in weights.items():
        w = _as_fraction(f"weight of {key!r}", weight)
        if w < 0:
            raise ValueError(f"Cannot allocate: the weight of {key!r} is negative ({weight}).")
        fractions[key] = w
    total = sum(fractions.values(), Fraction(0))
    if total == 0:
        raise ValueError("Cannot allocate: the weights sum to zero, so there is no basis.")

    sign = -1 if units_fraction < 0 else 1
    units = abs(units_fraction.numerator)
    floors: dict[K, int] = {}
    remainders: dict[K, Fraction] = {}
    for key, w in fractions.items():
        exact_units = units * w / total
        floors[key] = math.floor(exact_units)
        remainders[key] = exact_units - floors[key]
    left_over = units - sum(floors.values())
    # Sorting the keys first makes the tie-break the keys' order; sorted() is stable, so the
    # second sort by remainder keeps that order among equal remainders.
    by_key = sorted(fractions)
    by_remainder = sorted(by_key, key=lambda k: remainders[k], reverse=True)
    for key in by_remainder[:left_over]:
        floors[key] += 1
    # An integer times the quantum carries the quantum's exponent: 0.01 → two decimals.
    return {key: Decimal(sign * floors[key]) * quantum for key in weights}


def blend_weights(parts: Sequence[tuple[Decimal, Mapping[K, Decimal]]]) -> dict[K, Decimal]:
    """Combine allocation keys, e.g. "1/3 equal + 2/3 by population".

    Each part is ``(fraction, weights)``: the part's weights are normalised to shares of one,
    then scaled by its fraction; a key missing from a part has weight zero there. The
    fractions must be non-negative and sum to one (within 1e-20, so ``Decimal(1) / 3`` and
    ``Decimal(2) / 3`` are accepted). The result is a weight per key, summing to one, ready
    for :func:`allocate`.
    """
    if not parts:
        raise ValueError("Cannot blend: no parts were given.")
    fraction_sum = Fraction(0)
    combined: dict[K, Fraction] = {}
    for index, (fraction, weights) in enumerate(parts, start=1):
        f = _as_fraction(f"fraction of part {index}", fraction)
        if f < 0:
            raise ValueError(f"The fraction of part {index} is negative ({fraction}).")
        fraction_sum += f
        if not weights:
            raise ValueError(f"Part {index} has no keys.")
        exact = {key: _as_fraction(f"weight of {key!r}", w) for key, w in weights.items()}
        for key, w in exact.items():
            if w < 0:
                raise ValueError(f"Part {index}: the weight of {key!r} is negative ({w}).")
        total = sum(exact.values(), Fraction(0))
        if total == 0:
            raise ValueError(f"Part {index}: the weights sum to zero, so it has no basis.")
        for key, w in exact.items():
            combined[key] = combined.get(key, Fraction(0)) + f * w / total
    if abs(fraction_sum - 1) > _FRACTION_TOLERANCE:
        raise ValueError(
            f"The fractions of the parts must sum to 1 (they sum to {float(fraction_sum):g})."
        )
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return {
            key: Decimal(value.numerator) / Decimal(value.denominator)
            for key, value in combined.items()
        }


def split_exactly(*, pieces: Sequence[tuple[Decimal, int]], days_in_month: int) -> list[Decimal]:
    """Amounts of the pieces ``(monthly amount, days)`` of one thing in one month (a move or
    a price change mid-month splits it), rounded to the øre so that they add up to their
    rounded total: what one whole month (or the whole active time) costs, to the øre.

    One piece: ``round(prorate(...))``. Several: the total is rounded once and allocated by
    each piece's exact value (:func:`allocate`). Pieces with a negative value (a credit)
    are each rounded on their own.
    """
    if len(pieces) == 1:
        monthly, days = pieces[0]
        if days == days_in_month:  # the common case, a whole month: no proration needed
            return [round_to_ore(monthly)]
        return [
            round_to_ore(
                prorate(monthly_amount=monthly, active_days=days, days_in_month=days_in_month)
            )
        ]
    exact = [monthly * days / days_in_month for monthly, days in pieces]
    total = round_to_ore(sum(exact, ZERO))
    if total == 0 or all(value == 0 for value in exact):
        return [ZERO.quantize(ORE)] * len(pieces)
    if any(value < 0 for value in exact):
        return [round_to_ore(value) for value in exact]
    shares = allocate(amount=total, weights=dict(enumerate(exact)))
    return [shares[index] for index in range(len(pieces))]
