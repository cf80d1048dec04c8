"""Reading an amount as people write it, in Norwegian or English: one rule for every
place that takes a number as text (an import's cells).

``1 234,50``, ``1234.50``, ``1.234,50``, ``1,234.50``, ``kr 1 234,-``, ``(100)`` and
``−5`` are all read; exponent notation (a spreadsheet's lost digits) and anything else
is refused with ``AmountError``, whose ``reason`` the caller words in its own message.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation


class AmountError(ValueError):
    """Text that is not an amount; ``reason`` says why (``EXPONENT`` or ``NOT_A_NUMBER``)."""

    EXPONENT = "exponent"
    NOT_A_NUMBER = "not a number"

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"{reason}: {text!r}")
        self.text = text
        self.reason = reason


# Spaces that spreadsheets and Norwegian typography put between thousands.
THOUSANDS_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009\u2007'")
CURRENCY_WORDS = re.compile(
    r"^(?:kr\.?|nok|usd|eur|sek|dkk|gbp|[$€£])\s*|\s*(?:kr\.?|nok|usd|eur|sek|dkk|gbp|[$€£]|,-|\.-)$",
    re.IGNORECASE,
)
# Currencies written the US/UK way put a comma between thousands: $1,234 is 1234.
THOUSANDS_COMMA_CURRENCY = re.compile(r"^\s*(?:usd|gbp|[$£])|(?:usd|gbp|[$£])\s*$", re.IGNORECASE)
# Exponent notation (1e3) is how a spreadsheet shows a number it has lost the digits of;
# never a cost someone wrote.
EXPONENT = re.compile(r"\d[eE][+-]?\d")
# A number beginning and ending like this has no currency word for CURRENCY_WORDS to remove.
PLAIN_NUMBER_FIRST = frozenset("0123456789-+(.,\u2212")
PLAIN_NUMBER_LAST = frozenset("0123456789")


def parse_amount(text: str) -> Decimal:
    """``1 234,50``, ``1234.50``, ``1.234,50``, ``1,234.50``, ``kr 1 234,-`` → Decimal.

    One comma alone is a decimal comma (Norwegian usage), so ``1,234`` is 1.234; when both
    a comma and a point appear, the later one is the decimal separator.
    """
    text = text.strip()
    thousands_comma = False
    if text[:1] in PLAIN_NUMBER_FIRST and text[-1:] in PLAIN_NUMBER_LAST:
        cleaned = text.translate(THOUSANDS_SPACES)
    else:
        thousands_comma = bool(THOUSANDS_COMMA_CURRENCY.search(text))
        cleaned = CURRENCY_WORDS.sub("", text).translate(THOUSANDS_SPACES)
    if EXPONENT.search(cleaned):
        raise AmountError(text, AmountError.EXPONENT)
    if thousands_comma and cleaned.count(",") and not cleaned.count("."):
        cleaned = cleaned.replace(",", "")
    if cleaned.startswith("(") and cleaned.endswith(")"):
        cleaned = "-" + cleaned[1:-1]  # accountants' negative
    cleaned = cleaned.replace("\u2212", "-")  # the typographic minus sign
    commas, points = cleaned.count(","), cleaned.count(".")
    if commas and points:
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    elif commas == 1:
        cleaned = cleaned.replace(",", ".")
    elif commas > 1:
        cleaned = cleaned.replace(",", "")
    elif points > 1:
        cleaned = cleaned.replace(".", "")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise AmountError(text, AmountError.NOT_A_NUMBER) from None
    if not number.is_finite():
        raise AmountError(text, AmountError.NOT_A_NUMBER)
    return number
