"""Straight-line book value by whole months of age (DESIGN.md, "Book value").

``book value = cost - (cost - residual) * min(age, L) / L`` for a useful life of ``L``
months. Norwegian municipalities depreciate ICT equipment linearly over at most five
years (the caller enforces L ≤ 60; the formula itself does not depend on it).
"""

import calendar
from datetime import date
from decimal import Decimal

from samdrift.finance._checks import require_finite, require_non_negative, require_positive


def book_value(
    *, cost: Decimal, residual: Decimal, useful_life_months: int, age_months: int
) -> Decimal:
    """The value left after ``age_months`` of linear depreciation from ``cost`` down to
    ``residual`` over ``useful_life_months``; never below ``residual``. Full precision."""
    require_finite("cost", cost)
    require_finite("residual", residual)
    require_non_negative("cost", cost)
    require_non_negative("residual", residual)
    if residual > cost:
        raise ValueError(f"residual ({residual}) must not exceed cost ({cost}).")
    require_positive("useful_life_months", useful_life_months)
    require_non_negative("age_months", age_months)
    used = min(age_months, useful_life_months)
    if used == useful_life_months:
        return residual  # exactly, without a rounding tail from the division
    return cost - (cost - residual) * used / useful_life_months


def add_months(start: date, months: int) -> date:
    """``start`` moved by whole months, clamped to the last day of a shorter month
    (31 January + 1 month = 28/29 February)."""
    month_index = start.year * 12 + (start.month - 1) + months
    year, month0 = divmod(month_index, 12)
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(start.day, last_day))


def age_in_months(*, acquired: date, on: date) -> int:
    """Whole months completed between ``acquired`` and ``on``.

    A month is completed on the same day-of-month one month later, or on the last day of
    a shorter month (acquired 31 January → one month on 29 February 2024). Raises
    ``ValueError`` when ``acquired`` is after ``on``.
    """
    if acquired > on:
        raise ValueError(f"acquired ({acquired.isoformat()}) is after on ({on.isoformat()}).")
    months = (on.year - acquired.year) * 12 + (on.month - acquired.month)
    if add_months(acquired, months) > on:
        months -= 1
    return months
