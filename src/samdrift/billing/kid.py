"""KID (kundeidentifikasjon): the payment reference Norwegian banks match payments on.

A KID is digits ending in a check digit computed by MOD10 (Luhn) or MOD11, as the payee
agreed with its bank (Bits/Nets "OCR giro" specification). MOD11 gives "-" where the
remainder leaves 10; such numbers are avoided by ``make_kid``.
"""

from __future__ import annotations

from django.conf import settings

MOD10 = "mod10"
MOD11 = "mod11"


def mod10_check_digit(digits: str) -> str:
    """Luhn: from the right, double every second digit (starting with the rightmost),
    add the digits of the products, and take what brings the sum up to a multiple of 10."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def mod11_check_digit(digits: str) -> str:
    """MOD11: weights 2, 3, 4, 5, 6, 7, 2, 3, … from the right; check = 11 − sum mod 11,
    0 when that is 11 and "-" when it is 10."""
    total = sum(int(char) * (2 + index % 6) for index, char in enumerate(reversed(digits)))
    check = 11 - total % 11
    if check == 11:
        return "0"
    if check == 10:
        return "-"
    return str(check)


def is_valid_kid(kid: str, algorithm: str | None = None) -> bool:
    """Does ``kid`` end in a valid check digit (by ``algorithm``, or by either)?"""
    if len(kid) < 2 or len(kid) > 25 or not kid[:-1].isdigit():
        return False
    algorithms = [algorithm] if algorithm else [MOD10, MOD11]
    checks = {MOD10: mod10_check_digit, MOD11: mod11_check_digit}
    return any(checks[name](kid[:-1]) == kid[-1] for name in algorithms)


def configured_algorithm() -> str:
    algorithm = getattr(settings, "SAMDRIFT_KID_ALGORITHM", MOD10)
    if algorithm not in (MOD10, MOD11):
        raise ValueError(f"SAMDRIFT_KID_ALGORITHM must be {MOD10} or {MOD11}, not {algorithm!r}.")
    return algorithm


def make_kid(
    *, municipality_number: str, year: int, sequence: int, algorithm: str | None = None
) -> str:
    """KID of an invoice: municipality number (4), year (2), sequence (7), check digit.

    With MOD11 a base whose check would be "-" gets a 0 inserted before the sequence (as
    often as needed), which changes the weights; the KID stays unique because a padded
    sequence starts with 0 where an unpadded one of that length cannot.
    """
    algorithm = algorithm or configured_algorithm()
    base = f"{municipality_number}{year % 100:02d}{sequence:07d}"
    if algorithm == MOD10:
        return base + mod10_check_digit(base)
    padding = ""
    while (check := mod11_check_digit(base)) == "-":
        padding += "0"
        base = f"{municipality_number}{year % 100:02d}{padding}{sequence:07d}"
    return base + check
