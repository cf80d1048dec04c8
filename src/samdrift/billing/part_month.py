"""What a fractional quantity on an invoice line is: a monthly price for part of a month.

Rating prorates a monthly price by days (``finance.proration``): a charge is
``price × quantity × days active / days in the month``, and a line's quantity is the sum
of ``quantity × days / days in the month`` over its charges (``billing.lines``). So a
line of 0,53 at 348,70 kr a month is 15,90 (device- or user-) days of a 30-day month.
The explanation is worked back from the line's stored quantity, price and amount and
the month it rates, never by rating again; the invoice page, its print page and the
specification all show this one text.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from samdrift.billing.choices import ChargeSource
from samdrift.finance.proration import days_in_month
from samdrift.leasing.prices import MONTHLY_UNITS
from samdrift.ui.formatting import format_money, format_number

DAYS_PLACES = 2


def part_month_text(*, amount: Decimal, monthly: Decimal, days: Decimal, month_days: int) -> str:
    """ "218,47 kr of 348,70 kr × 15,90 days/30": ``amount`` is ``monthly`` for ``days``
    of a month of ``month_days`` days. Whole days are shown without decimals."""
    whole = days == days.to_integral_value()
    return _("%(amount)s of %(monthly)s × %(days)s days/%(month_days)s") % {
        "amount": format_money(amount),
        "monthly": format_money(monthly),
        "days": format_number(days, 0 if whole else DAYS_PLACES),
        "month_days": month_days,
    }


def is_prorated(line) -> bool:
    """Whether the line's price is a monthly price prorated by days: a device's, or a
    monthly service's (a cost pool's price is its share, already prorated; usage and
    one-offs are not prorated at all)."""
    if line.source == ChargeSource.ASSET:
        return True
    return (
        line.source == ChargeSource.SUBSCRIPTION
        and line.service_id is not None
        and line.service.unit in MONTHLY_UNITS
    )


def line_part_month(line, *, invoice_month: datetime.date) -> str:
    """The explanation of ``line``'s quantity when it is a fraction of prorated months,
    else "". ``invoice_month``: the month the invoice bills; an adjustment line rates the
    month it adjusts (select ``adjusts_period`` and ``service`` with the lines)."""
    quantity = line.quantity
    if quantity == quantity.to_integral_value() or not is_prorated(line):
        return ""
    month = line.adjusts_period.month if line.adjusts_period_id else invoice_month
    month_days = days_in_month(month)
    return part_month_text(
        amount=line.net_amount,
        monthly=line.unit_price,
        days=quantity * month_days,
        month_days=month_days,
    )


def charge_part_month(row: dict) -> str:
    """The same explanation for one charge of a specification (``charge_rows``): its
    amount of its monthly amount for its days, when it ran part of the month."""
    days, month_days = row["days_active"], row["days_in_month"]
    # A cost pool's charge has days too, but its price is its share, already prorated.
    if row["source"] == ChargeSource.COST_POOL or days is None or days == month_days:
        return ""
    return part_month_text(
        amount=row["amount"],
        monthly=row["unit_price"] * row["quantity"],
        days=Decimal(days),
        month_days=month_days,
    )
