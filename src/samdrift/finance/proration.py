"""Day proration over half-open periods ``[start, end)`` (DESIGN.md, "Proration").

A charge covers the days something was active in the month:
``monthly_amount * active_days / days_in_month``. Periods are half-open so that a change
on day 10 ends one period and starts the next on the same date with no day counted twice.
"""

import calendar
from datetime import date
from decimal import Decimal

from samdrift.finance._checks import require_finite, require_non_negative, require_positive


def days_in_month(month: date) -> int:
    """The number of days in the month that contains ``month``."""
    return calendar.monthrange(month.year, month.month)[1]


def month_bounds(month: date) -> tuple[date, date]:
    """The half-open month containing ``month``: (first day, first day of the next month)."""
    first = month.replace(day=1)
    if first.month == 12:
        return first, date(first.year + 1, 1, 1)
    return first, date(first.year, first.month + 1, 1)


def overlap_days(
    *, start: date, end: date | None, period_start: date, period_end: date | None
) -> int:
    """Days that ``[start, end)`` and ``[period_start, period_end)`` have in common
    (``None`` as an end = open-ended). Zero when they do not meet."""
    if end is not None and end < start:
        raise ValueError(f"end ({end.isoformat()}) is before start ({start.isoformat()}).")
    if period_end is not None and period_end < period_start:
        raise ValueError(
            f"period_end ({period_end.isoformat()}) is before period_start "
            f"({period_start.isoformat()})."
        )
    if end is None and period_end is None:
        raise ValueError("At least one of end and period_end must be given (infinite overlap).")
    lower = max(start, period_start)
    upper = min(d for d in (end, period_end) if d is not None)
    return max((upper - lower).days, 0)


def prorate(*, monthly_amount: Decimal, active_days: int, days_in_month: int) -> Decimal:
    """``monthly_amount`` for ``active_days`` of a month of ``days_in_month`` days.

    Full precision (round where the charge is written). Charges that must add up to exactly
    one month after rounding (a change of service area mid-month) are split with
    :func:`samdrift.finance.allocation.allocate` using the days as weights.
    """
    require_finite("monthly_amount", monthly_amount)
    require_positive("days_in_month", days_in_month)
    require_non_negative("active_days", active_days)
    if active_days > days_in_month:
        raise ValueError(
            f"active_days ({active_days}) must not exceed days_in_month ({days_in_month})."
        )
    if active_days == days_in_month:
        return monthly_amount
    return monthly_amount * active_days / days_in_month
