"""Validators for Norwegian identifiers, shared by models, forms, the API and importers."""

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
