"""Lease payments as an annuity (DESIGN.md, "Lease price").

Ordinary annuity (payments in arrears), monthly rate ``i = annual_rate / 12``, term ``n``
months, financed value ``PV``, residual (balloon) value ``FV`` left at the end::

    payment = (PV * (1 + i)**n - FV) * i / ((1 + i)**n - 1)      (i ≠ 0)
    payment = (PV - FV) / n                                       (i = 0)

This is the standard time-value-of-money identity ``PV = pmt * a(n, i) + FV * v**n`` solved
for ``pmt`` — the same figure as numpy-financial's ``pmt(i, n, -PV, FV)``. An annuity-due
(payments in advance) pays each instalment one month earlier, so it is the arrears payment
discounted by one period: ``payment / (1 + i)``.

The identity holds for any rate above −100 % a year (``1 + i > 0``), so a negative rate (a
scenario's assumption, money that costs less than nothing to borrow) gives a payment
below the straight repayment; −100 % or less has no meaning and is refused.
"""

from decimal import Decimal, localcontext

from samdrift.finance._checks import require_finite, require_non_negative, require_positive

# Enough digits that (1 + i)**n for n ≤ 1200 months keeps far more than øre precision.
_PRECISION = 40


def annuity_payment(
    *,
    present_value: Decimal,
    annual_rate: Decimal,
    months: int,
    residual_value: Decimal = Decimal(0),
    in_advance: bool = False,
) -> Decimal:
    """The level monthly payment that repays ``present_value`` down to ``residual_value``
    over ``months`` at ``annual_rate`` (a fraction: 0.05 is 5 % a year; above −1, so a
    negative rate is allowed). Full precision; round where the amount is written.

    Raises ``ValueError`` naming the argument for a negative value or residual, a rate
    of −100 % or less, a term below one month, or a residual above the financed value.
    """
    require_finite("present_value", present_value)
    require_finite("annual_rate", annual_rate)
    require_finite("residual_value", residual_value)
    require_non_negative("present_value", present_value)
    if annual_rate <= -1:
        raise ValueError(f"annual_rate must be above -100 % (above -1; got {annual_rate}).")
    require_non_negative("residual_value", residual_value)
    if isinstance(months, bool) or not isinstance(months, int):
        raise TypeError(f"months must be a whole number of months, not {months!r}.")
    require_positive("months", months)
    if residual_value > present_value:
        raise ValueError(
            f"residual_value ({residual_value}) must not exceed present_value ({present_value})."
        )
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        i = annual_rate / 12
        if i == 0:
            payment = (present_value - residual_value) / months
        else:
            growth = (1 + i) ** months
            payment = (present_value * growth - residual_value) * i / (growth - 1)
            if in_advance:
                payment = payment / (1 + i)
    # Leave the high-precision context with a value rounded to the caller's precision.
    return +payment
