"""Numbers, money and dates as people read them: the one place that formats them.

Norwegian Bokmål: ``1 234 567,50 kr`` and ``31.12.2026``; English: ``NOK 1,234,567.50`` and
``2026-12-31``. Amounts are Decimal in and text out; a float is refused rather than
silently rounded. Display rounding (half up, to the øre) never changes a stored amount.
The thousands separator is an ordinary space; the stylesheet keeps amounts on one line.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language

MONEY_PLACES = 2
MAX_UNIT_PRICE_PLACES = 4


def is_norwegian(language: str | None = None) -> bool:
    """Whether ``language`` (default: the active one) is Norwegian."""
    language = (language or get_language() or "en").lower()
    return language.startswith(("nb", "no", "nn"))


def _group(digits: str, separator: str) -> str:
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return separator.join(groups)


def format_decimal(value: Decimal | int, places: int, language: str | None = None) -> str:
    """``value`` rounded half up to ``places`` decimals, grouped by thousands."""
    if isinstance(value, float):
        raise TypeError("Money and quantities are Decimal, never float.")
    number = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    whole, _dot, fraction = f"{abs(number):f}".partition(".")
    norwegian = is_norwegian(language)
    grouped = _group(whole, " " if norwegian else ",")
    if places == 0:
        return f"{sign}{grouped}"
    return f"{sign}{grouped}{',' if norwegian else '.'}{fraction}"


def money_places(amount: Decimal) -> int:
    """Two decimals, or up to four when a unit price needs them (0.0850 kr a page)."""
    exponent = amount.normalize().as_tuple().exponent
    needed = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return min(max(needed, MONEY_PLACES), MAX_UNIT_PRICE_PLACES)


def format_money(amount: Decimal | int | None, language: str | None = None) -> str:
    """``1 234 567,50 kr`` (nb) or ``NOK 1,234,567.50`` (en); empty for None."""
    if amount is None or amount == "":
        return ""
    if isinstance(amount, float):
        raise TypeError("Money is Decimal, never float.")
    amount = Decimal(amount)
    text = format_decimal(amount, money_places(amount), language)
    return f"{text} kr" if is_norwegian(language) else f"NOK {text}"


def format_number(
    value: Decimal | int | None, places: int | None = None, language: str | None = None
) -> str:
    """A grouped number; without ``places``, as many decimals as it has (at most 3)."""
    if value is None or value == "":
        return ""
    if places is None:
        exponent = Decimal(value).normalize().as_tuple().exponent
        places = min(-exponent, 3) if isinstance(exponent, int) and exponent < 0 else 0
    return format_decimal(value, places, language)


def format_month(value: datetime.date | None) -> str:
    """A month in the active language: "november 2026", "November 2026"."""
    if value is None:
        return ""
    return date_format(value, "F Y")


def format_minutes(value: int | None) -> str:
    """A duration in minutes as hours and minutes, "25:30" (targets of 1,530 minutes read
    better so, and the same in every language)."""
    if value is None or value == "":
        return ""
    hours, minutes = divmod(int(value), 60)
    return f"{hours}:{minutes:02d}"


def format_day(value: datetime.date | None, language: str | None = None) -> str:
    """``31.12.2026`` (nb) or ``2026-12-31`` (en); empty for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    if is_norwegian(language):
        return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"
    return value.isoformat()


def format_moment(value: datetime.datetime | None, language: str | None = None) -> str:
    """A point in time in Oslo time: ``31.12.2026 14:05`` (nb), ``2026-12-31 14:05`` (en)."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{format_day(local.date(), language)} {local:%H:%M}"
