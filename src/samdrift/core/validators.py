"""Validators for Norwegian identifiers and for the dates and ids the system accepts, shared
by models, forms, the API and importers."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.no import kontonr, orgnr


def validate_organisation_number(value: str) -> None:
    """Nine digits with a valid mod-11 check digit (Brønnøysundregistrene)."""
    try:
        orgnr.validate(value)
    except stdnum_exceptions.InvalidLength:
        raise ValidationError(
            _("An organisation number has 9 digits; %(value)s has not.") % {"value": value},
            code="invalid_length",
        ) from None
    except stdnum_exceptions.InvalidFormat:
        raise ValidationError(
            _("An organisation number holds only digits; %(value)s does not.") % {"value": value},
            code="invalid_format",
        ) from None
    except stdnum_exceptions.InvalidChecksum:
        raise ValidationError(
            _("%(value)s is not a valid organisation number: its mod-11 check digit is wrong.")
            % {"value": value},
            code="invalid_checksum",
        ) from None


def validate_bank_account(value: str) -> None:
    """An 11-digit Norwegian account number with a valid mod-11 check digit."""
    try:
        kontonr.validate(value)
    except stdnum_exceptions.ValidationError:
        raise ValidationError(
            _("%(value)s is not a valid Norwegian bank account number (11 digits, mod-11).")
            % {"value": value},
            code="invalid_bank_account",
        ) from None


def validate_municipality_number(value: str) -> None:
    if len(value) != 4 or not value.isdigit():
        raise ValidationError(
            _("A municipality number has exactly 4 digits, such as 0301; %(value)s has not.")
            % {"value": value},
            code="invalid_municipality_number",
        )


ORGANISATION_NUMBER_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def organisation_number_with_check_digit(first_eight: str) -> str | None:
    """Complete eight digits to a valid organisation number, or None when no check digit
    exists for them (the mod-11 remainder would be 10). Used by demo and test data."""
    total = sum(int(d) * w for d, w in zip(first_eight, ORGANISATION_NUMBER_WEIGHTS, strict=True))
    check = (11 - total % 11) % 11
    return None if check == 10 else first_eight + str(check)


# Dates the system works with. Date arithmetic near the ends of Python's calendar
# overflows (9999-12-31 plus one month; 0001-01-01 in Europe/Oslo is before UTC's year 1,
# which SQLite cannot store). No municipality's equipment predates 1900, and 2999 leaves
# centuries of headroom for leases, forecasts and "far future" end dates. Every date
# typed into a form, an API body or a filter is checked against these bounds, so a bad
# date is a 400 naming the field, never a 500 deep in a calculation.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2999, 12, 31)

# The largest integer either database stores (signed 64 bits): a bigger id can name no
# row, and SQLite raises OverflowError on the query.
MAX_ID = 2**63 - 1


def parse_id(text) -> int | None:
    """An id typed or sent as text, or None when it cannot name a row (not digits, or
    beyond what a database stores)."""
    text = str(text or "").strip()
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_ID:
        return None
    return int(text)


def validate_supported_date(value: datetime.date) -> None:
    """A date (or the date of a datetime) inside [EARLIEST_DATE, LATEST_DATE]."""
    day = value.date() if isinstance(value, datetime.datetime) else value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s.")
            % {"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
            code="date_out_of_range",
        )


def validate_integer_range(value) -> None:
    """A number the database can compare with an integer column (an id, a count)."""
    if value is not None and abs(value) > MAX_ID:
        raise ValidationError(
            _("Enter a number from -%(max)d to %(max)d.") % {"max": MAX_ID},
            code="integer_out_of_range",
        )
