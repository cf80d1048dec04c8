"""Cell parsers: text, Norwegian and ISO dates, numbers with decimal commas, yes/no, choices.

Each parser takes a cell as read (text from CSV; text, int, Decimal, date, datetime or
bool from XLSX) that is not empty, and returns the value or raises ``CellError`` with a
message a person can act on. Empty cells never reach a parser (see ``base.parse_rows``).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext as _

from samdrift.businesstime import to_aware
from samdrift.core.exports import FORMULA_PREFIXES
from samdrift.finance.parsing import AmountError, parse_amount


class CellError(ValueError):
    """A cell that cannot be read; ``str(error)`` is the reason."""


ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
NORWEGIAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?:\s+\d{1,2}[:.]\d{2}.*)?$")
ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
NORWEGIAN_MONTH = re.compile(r"^(\d{1,2})[./](\d{4})$")
SLASHED_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?:[ T]\d{1,2}:\d{2}.*)?$")
# Orders of a slashed date: month first (US: Snipe-IT, Excel in English) or day first.
MDY, DMY = "mdy", "dmy"
DATE_ORDERS = (MDY, DMY)
TWO_DIGIT_YEAR_PIVOT = 70  # 31.12.26 is 2026, 01.01.95 is 1995
DATE_HINT = "31.12.2026, 2026-12-31"


def unneutralise(text: str) -> str:
    """Undo the exports' guard against formula injection (``'=SUM(…)`` → ``=SUM(…)``).

    ``core.exports.neutralise`` puts an apostrophe before text beginning with
    ``= + - @`` (or tab/CR); reading the file back must give the original text.
    """
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_PREFIXES_CHARS:
        return text[1:]
    return text


FORMULA_PREFIXES_CHARS = frozenset(p[0] for p in FORMULA_PREFIXES)


def as_text(value: Any) -> str:
    """A cell as text: whole numbers without ``.0``, dates in ISO form."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        if value == value.to_integral_value() and abs(value) < Decimal("1e20"):
            return str(int(value))
        return format(value.normalize(), "f")
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


class Text:
    """Text of at most ``max_length`` characters."""

    def __init__(self, max_length: int | None = None) -> None:
        self.max_length = max_length

    def __call__(self, value: Any) -> str:
        text = value.strip() if type(value) is str else as_text(value)
        if self.max_length is not None and len(text) > self.max_length:
            raise CellError(
                _("too long: %(length)d characters, at most %(max)d allowed")
                % {"length": len(text), "max": self.max_length}
            )
        return text


class Name(Text):
    """A name: trimmed, runs of spaces (also tabs, no-break spaces, line breaks) made one
    space, so "Skåla  skole" and "Skåla skole" are the same location."""

    def __call__(self, value: Any) -> str:
        return super().__call__(" ".join(as_text(value).split()))


class Email(Text):
    cacheable = True

    def __call__(self, value: Any) -> str:
        text = super().__call__(value)
        try:
            validate_email(text)
        except ValidationError:
            raise CellError(_("not an e-mail address: %(value)s") % {"value": text}) from None
        return text


def _two_digit_year(year: str) -> int:
    number = int(year)
    if len(year) == 2:
        number += 2000 if number < TWO_DIGIT_YEAR_PIVOT else 1900
    return number


class Date:
    """A day: 31.12.2026 (also 1.2.2026 and 31.12.26), 2026-12-31, or a date cell.

    Slashed dates (12/31/26, 31/12/2026) are read only in a known order: declared
    (``order``), or found by ``for_column`` from the column's own values — month first
    when every first part is at most 12 and some second part is above 12 (the US form
    Snipe-IT and English Excel write), day first the other way round. A column whose
    slashed dates fit both is refused: 03/04/2026 would be guessed, and a wrong guess is
    a wrong day on every row.
    """

    cacheable = True  # the same value always gives the same result

    def __init__(self, order: str | None = None) -> None:
        self.order = order

    def for_column(self, texts: Iterable[Any], declared: str | None = None) -> Date:
        """This parser, or one that reads the column's slashed dates in their order."""
        if declared in DATE_ORDERS:
            return Date(declared)
        if self.order is not None:
            return self
        firsts, seconds = [], []
        for text in texts:
            match = SLASHED_DATE.match(text.strip()) if type(text) is str else None
            if match:
                firsts.append(int(match.group(1)))
                seconds.append(int(match.group(2)))
        if not firsts:
            return self
        if max(firsts) <= 12 and max(seconds) > 12:
            return Date(MDY)
        if max(seconds) <= 12 and max(firsts) > 12:
            return Date(DMY)
        return self

    def __call__(self, value: Any) -> datetime.date:
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = " ".join(as_text(value).split())
        match = NORWEGIAN_DATE.match(text)
        if match:
            day, month, year = match.group(1), match.group(2), match.group(3)
            return self._make(
                int(year) if len(year) == 4 else _two_digit_year(year), month, day, text
            )
        match = ISO_DATE.match(text)
        if match:
            return self._make(int(match.group(1)), match.group(2), match.group(3), text)
        match = SLASHED_DATE.match(text)
        if match:
            if self.order is None:
                raise CellError(
                    _(
                        "date not understood: %(value)s — month/day or day/month? The "
                        "column's dates fit both; write e.g. %(hint)s, or declare the order "
                        "(m/d/y or d/m/y) when mapping the columns"
                    )
                    % {"value": text, "hint": DATE_HINT}
                )
            first, second, year = match.group(1), match.group(2), match.group(3)
            month, day = (first, second) if self.order == MDY else (second, first)
            return self._make(
                int(year) if len(year) == 4 else _two_digit_year(year), month, day, text
            )
        raise CellError(
            _("date not understood: %(value)s (write e.g. %(hint)s)")
            % {"value": text, "hint": DATE_HINT}
        )

    @staticmethod
    def _make(year: int, month: str, day: str, text: str) -> datetime.date:
        try:
            return datetime.date(year, int(month), int(day))
        except ValueError:
            raise CellError(
                _("date not understood: %(value)s (no such day; write e.g. %(hint)s)")
                % {"value": text, "hint": DATE_HINT}
            ) from None


ISO_DATETIME = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)
# 31.12.2026 14:05, 31.12.26 14.05, 31-12-2026 14:05 (TOPdesk), 31/12/2026 2:05 PM.
LOCAL_DATETIME = re.compile(
    r"^(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})"
    r"(?:[ T,]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?\s*([AaPp][Mm])?)?$"
)
# Jira's default: 18/Mar/24 2:15 PM.
NAMED_MONTH_DATETIME = re.compile(
    r"^(\d{1,2})[/ -]([^\W\d_]{3,9})\.?[/ -](\d{4}|\d{2})"
    r"(?:[ T,]+(\d{1,2})[:.](\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$"
)
MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "januar", "january"),
            ("feb", "februar", "february"),
            ("mar", "mars", "march"),
            ("apr", "april"),
            ("may", "mai"),
            ("jun", "juni", "june"),
            ("jul", "juli", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "okt", "oktober", "october"),
            ("nov", "november"),
            ("dec", "des", "desember", "december"),
        ),
        start=1,
    )
    for name in names
}
DATETIME_HINT = "2026-12-31 14:05, 31.12.2026 14:05, 31/12/2026 14:05"


class DateTime:
    """An instant: ISO (2026-12-31 14:05[:00], with T, Z or an offset), 31.12.2026 14:05,
    31-12-2026 14:05, 31/12/2026 2:05 PM, 18/Mar/24 2:15 PM (Jira), or a date/time cell. A
    day without a time is its midnight. A time without an offset is a wall time in
    ``timezone``, made an instant by ``businesstime.to_aware`` (an hour skipped by the
    change to summer time is read with the offset before the jump, so 02:30 on the last
    Sunday of March is 03:30 summer time; an hour shown twice is the first one, still
    summer time): the result is always an aware datetime in UTC.

    Slashed dates are day first unless ``order`` says month first (or ``for_column``
    finds it: every first part at most 12 and some second part above 12).
    """

    cacheable = True

    def __init__(self, timezone: str = "Europe/Oslo", order: str = DMY) -> None:
        self.timezone = timezone
        self.order = order

    def for_column(self, texts: Iterable[Any], declared: str | None = None) -> DateTime:
        if declared in DATE_ORDERS:
            return DateTime(self.timezone, declared)
        firsts, seconds = [], []
        for text in texts:
            match = LOCAL_DATETIME.match(text.strip()) if type(text) is str else None
            if match and match.group(2) == "/":
                firsts.append(int(match.group(1)))
                seconds.append(int(match.group(3)))
        if firsts and max(firsts) <= 12 and max(seconds) > 12:
            return DateTime(self.timezone, MDY)
        return self

    def __call__(self, value: Any) -> datetime.datetime:
        if isinstance(value, datetime.datetime):
            return to_aware(value, self.timezone)
        if isinstance(value, datetime.date):
            return to_aware(datetime.datetime.combine(value, datetime.time()), self.timezone)
        text = " ".join(as_text(value).split())
        naive = self._naive(text)
        if naive is None:
            raise CellError(
                _("date and time not understood: %(value)s (write e.g. %(hint)s)")
                % {"value": text, "hint": DATETIME_HINT}
            )
        return to_aware(naive, self.timezone)

    def _naive(self, text: str) -> datetime.datetime | None:
        if len(text) >= 16 and text[4] == "-" and text[10] in " T":
            try:  # the common case, read in C: 2026-03-02 08:00[:00][+01:00]
                return datetime.datetime.fromisoformat(text)
            except ValueError:
                pass
        match = ISO_DATETIME.match(text)
        if match:
            year, month, day, hour, minute, second, offset = match.groups()
            moment = _moment(text, int(year), month, day, hour, minute, second)
            if offset:
                zone = datetime.UTC
                if offset != "Z":
                    digits = offset[1:].replace(":", "")
                    delta = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
                    zone = datetime.timezone(-delta if offset[0] == "-" else delta)
                moment = moment.replace(tzinfo=zone)
            return moment
        match = LOCAL_DATETIME.match(text)
        if match:
            first, separator, second, year, hour, minute, sec, half = match.groups()
            day, month = first, second
            if separator == "/" and self.order == MDY:
                day, month = second, first
            hour = _twelve_hour(hour, half, text)
            full_year = int(year) if len(year) == 4 else _two_digit_year(year)
            return _moment(text, full_year, month, day, hour, minute, sec)
        match = NAMED_MONTH_DATETIME.match(text)
        if match:
            day, name, year, hour, minute, sec, half = match.groups()
            month = MONTH_NAMES.get(name.casefold())
            if month is None:
                return None
            hour = _twelve_hour(hour, half, text)
            full_year = int(year) if len(year) == 4 else _two_digit_year(year)
            return _moment(text, full_year, str(month), day, hour, minute, sec)
        return None


def _moment(text, year, month, day, hour, minute, second) -> datetime.datetime:
    try:
        return datetime.datetime(
            year, int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
        )
    except ValueError:
        raise CellError(
            _("date and time not understood: %(value)s (no such day or time; write e.g. "
              "%(hint)s)")
            % {"value": text, "hint": DATETIME_HINT}
        ) from None  # fmt: skip


def _twelve_hour(hour: str | None, half: str | None, text: str) -> str | None:
    """The hour of a 12-hour clock (2 PM) on the 24-hour clock."""
    if hour is None or not half:
        return hour
    number = int(hour)
    if not 1 <= number <= 12:
        raise CellError(
            _("date and time not understood: %(value)s (no such time)") % {"value": text}
        )
    number %= 12
    if half.casefold() == "pm":
        number += 12
    return str(number)


class Month:
    """The first day of a month: 2026-11, 11.2026, 11/2026, or any day of it written as a
    date whose day is 1 (2026-11-01, 01.11.2026)."""

    cacheable = True

    def __call__(self, value: Any) -> datetime.date:
        if not isinstance(value, datetime.date):
            text = as_text(value)
            match = ISO_MONTH.match(text)
            if match:
                return self._make(int(match.group(1)), int(match.group(2)), text)
            match = NORWEGIAN_MONTH.match(text)
            if match:
                return self._make(int(match.group(2)), int(match.group(1)), text)
        day = Date()(value)
        if day.day != 1:
            raise CellError(
                _("a month is its first day, e.g. %(first)s, not %(value)s")
                % {"first": day.replace(day=1).isoformat(), "value": day.isoformat()}
            )
        return day

    @staticmethod
    def _make(year: int, month: int, text: str) -> datetime.date:
        if not 1 <= month <= 12:
            raise CellError(_("month not understood: %(value)s") % {"value": text})
        return datetime.date(year, month, 1)


def parse_decimal_text(text: str) -> Decimal:
    """A number as people write it (``finance.parsing.parse_amount``); a cell error
    saying why when it is not one."""
    try:
        return parse_amount(text)
    except AmountError as error:
        if error.reason == AmountError.EXPONENT:
            message = _("%(value)s is in exponent notation; write the number in full")
        else:
            message = _("number not understood: %(value)s")
        raise CellError(message % {"value": error.text}) from None


class Number:
    """A Decimal with at most ``places`` decimals and ``max_digits`` digits, ≥ ``minimum``."""

    def __init__(
        self,
        *,
        places: int = 2,
        max_digits: int | None = None,
        minimum: Decimal | None = None,
        maximum: Decimal | None = None,
    ) -> None:
        self.places = places
        self.max_digits = max_digits
        self.minimum = minimum
        self.maximum = maximum
        self.quantum = Decimal(1).scaleb(-places)
        # The smallest number too large to store (NUMERIC(max_digits, places)).
        self.limit = Decimal(10) ** ((max_digits or 24) - places)

    def __call__(self, value: Any) -> Decimal:
        if isinstance(value, bool):
            raise CellError(_("number not understood: %(value)s") % {"value": value})
        if isinstance(value, int):
            number = Decimal(value)
        elif isinstance(value, Decimal):
            number = value
        elif isinstance(value, datetime.date):
            raise CellError(_("a number was expected, not the date %(value)s") % {"value": value})
        else:
            number = parse_decimal_text(as_text(value))
        if abs(number) >= self.limit:
            raise CellError(_("%(value)s is too large") % {"value": as_text(value)})
        rounded = number.quantize(self.quantum)
        # A spreadsheet keeps 0.1 as 0.1000000000000000055…: binary noise is rounded
        # away; a real third decimal is an error, never silently dropped.
        if rounded != number and abs(number - rounded) >= Decimal("1e-9"):
            raise CellError(
                _("%(value)s has more than %(places)d decimals")
                % {"value": as_text(value), "places": self.places}
            )
        number = rounded  # as the database keeps it: 1200 in a 2-place field is 1200.00
        if self.minimum is not None and number < self.minimum:
            raise CellError(
                _("%(value)s is below the minimum %(minimum)s")
                % {"value": as_text(value), "minimum": self.minimum}
            )
        if self.maximum is not None and number > self.maximum:
            raise CellError(
                _("%(value)s is above the maximum %(maximum)s")
                % {"value": as_text(value), "maximum": self.maximum}
            )
        return number


class Integer:
    def __init__(self, *, minimum: int | None = None, maximum: int | None = None) -> None:
        self.minimum = minimum
        self.maximum = maximum

    def __call__(self, value: Any) -> int:
        number = Number(places=6)(value)
        if number != number.to_integral_value():
            raise CellError(_("a whole number was expected, not %(value)s") % {"value": number})
        result = int(number)
        if self.minimum is not None and result < self.minimum:
            raise CellError(
                _("%(value)s is below the minimum %(minimum)s")
                % {"value": result, "minimum": self.minimum}
            )
        if self.maximum is not None and result > self.maximum:
            raise CellError(
                _("%(value)s is above the maximum %(maximum)s")
                % {"value": result, "maximum": self.maximum}
            )
        return result


TRUE_WORDS = frozenset({"1", "true", "yes", "y", "ja", "j", "x", "sann", "aktiv", "active"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", "nei", "usann", "inaktiv", "inactive"})


class Boolean:
    """yes/no, ja/nei, true/false, 1/0, x (ticked)."""

    cacheable = True

    def __call__(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        word = as_text(value).casefold()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise CellError(_("yes or no expected, not %(value)s") % {"value": as_text(value)})


def squash(text: str) -> str:
    """Text reduced for matching: lower case, letters and digits only."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


class Choice:
    """One of a model's choices, written as its code, its English or Norwegian label, or
    one of ``aliases`` (e.g. Snipe-IT's status names)."""

    cacheable = True

    def __init__(self, choices, aliases: dict[str, Iterable[str]] | None = None) -> None:
        self.choices = choices
        self.aliases = aliases or {}
        self._lookup: dict[str, str] | None = None

    def lookup(self) -> dict[str, str]:
        if self._lookup is None:
            lookup: dict[str, str] = {}
            for value, label in self.choices.choices:
                lookup[squash(value)] = value
                for language in ("en", "nb"):
                    with translation.override(language):
                        lookup.setdefault(squash(str(label)), value)
            for value, names in self.aliases.items():
                for name in names:
                    lookup.setdefault(squash(name), value)
            self._lookup = lookup
        return self._lookup

    def __call__(self, value: Any) -> str:
        found = self.lookup().get(squash(as_text(value)))
        if found is None:
            allowed = ", ".join(str(label) for _value, label in self.choices.choices)
            raise CellError(
                _("%(value)s is not one of: %(allowed)s")
                % {"value": as_text(value), "allowed": allowed}
            )
        return found
