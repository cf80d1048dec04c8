"""Amounts as people write them: one rule (finance.parsing.parse_amount)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samdrift.finance.parsing import AmountError, parse_amount

NBSP, NARROW_NBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,50", "1234.50"),
        (f"1{NBSP}234,50", "1234.50"),
        (f"1{NARROW_NBSP}234{NARROW_NBSP}567,5", "1234567.5"),
        ("1234.50", "1234.50"),
        ("1.234,50", "1234.50"),
        ("1,234.50", "1234.50"),
        ("1,234", "1.234"),  # one comma alone is a decimal comma
        ("1.234.567", "1234567"),
        ("1,234,567", "1234567"),
        ("kr 1 234,-", "1234"),
        ("kr. 99,90", "99.90"),
        ("1 234 kr", "1234"),
        ("NOK 1 234,50", "1234.50"),
        ("1 234 NOK", "1234"),
        ("$1,234", "1234"),  # US writing: a comma between thousands
        ("1,234 USD", "1234"),
        ("€ 12,5", "12.5"),
        ("(100,00)", "-100.00"),
        ("\u22125", "-5"),
        ("-0,5", "-0.5"),
        ("  12  ", "12"),
        ("1'234.5", "1234.5"),
    ],
)
def test_accepted_forms(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1e3", AmountError.EXPONENT),
        ("1,2E+05", AmountError.EXPONENT),
        ("", AmountError.NOT_A_NUMBER),
        ("kr", AmountError.NOT_A_NUMBER),
        ("abc", AmountError.NOT_A_NUMBER),
        ("12 kroner", AmountError.NOT_A_NUMBER),
        ("1,2,3.4.5", AmountError.NOT_A_NUMBER),
        ("NaN", AmountError.NOT_A_NUMBER),
        ("Infinity", AmountError.NOT_A_NUMBER),
        ("1-2", AmountError.NOT_A_NUMBER),
    ],
)
def test_refused_forms_say_why(text, reason):
    with pytest.raises(AmountError) as raised:
        parse_amount(text)
    assert raised.value.reason == reason
    assert raised.value.text == text.strip()


def _grouped(whole: int, separator: str) -> str:
    digits = str(whole)
    groups = []
    while digits:
        digits, group = digits[:-3], digits[-3:]
        groups.insert(0, group)
    return separator.join(groups)


@given(
    whole=st.integers(min_value=0, max_value=10**12),
    ore=st.integers(min_value=0, max_value=99),
    negative=st.booleans(),
    style=st.sampled_from(["nb-space", "nb-nbsp", "nb-point", "en-comma", "plain"]),
)
def test_kroner_written_any_common_way_read_back_exactly(whole, ore, negative, style):
    expected = Decimal(f"{'-' if negative else ''}{whole}.{ore:02d}")
    if style == "nb-space":
        text = f"{_grouped(whole, ' ')},{ore:02d}"
    elif style == "nb-nbsp":
        text = f"{_grouped(whole, NBSP)},{ore:02d}"
    elif style == "nb-point":
        text = f"{_grouped(whole, '.')},{ore:02d}"
    elif style == "en-comma":
        text = f"{_grouped(whole, ',')}.{ore:02d}"
    else:
        text = f"{whole}.{ore:02d}"
    if negative:
        text = "-" + text
    assert parse_amount(text) == expected
