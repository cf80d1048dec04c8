"""Dates and numbers as other systems write them: US m/d/yy dates
when the column says so, currency prefixes, no exponent notation, names with their
spaces collapsed."""

import datetime
from decimal import Decimal

import pytest

from samdrift.core.importing.parsing import DMY, MDY, CellError, Date, Name, Number


def column_date(texts, declared=None):
    parser = Date().for_column(texts, declared)
    return [parser(t) for t in texts]


def test_us_dates_are_read_month_first_when_the_column_can_only_mean_that():
    # Every first part ≤ 12, one second part > 12: Snipe-IT's and English Excel's m/d/yy.
    assert column_date(["3/4/24", "12/31/2025", "1/2/2026"]) == [
        datetime.date(2024, 3, 4),
        datetime.date(2025, 12, 31),
        datetime.date(2026, 1, 2),
    ]


def test_day_first_slashes_when_the_column_can_only_mean_that():
    assert column_date(["31/12/2025", "3/4/2024"]) == [
        datetime.date(2025, 12, 31),
        datetime.date(2024, 4, 3),
    ]


def test_an_ambiguous_column_is_refused_unless_its_order_is_declared():
    with pytest.raises(CellError, match="month/day or day/month"):
        column_date(["3/4/2024", "5/6/2024"])
    assert column_date(["3/4/2024"], declared=MDY) == [datetime.date(2024, 3, 4)]
    assert column_date(["3/4/2024"], declared=DMY) == [datetime.date(2024, 4, 3)]


def test_the_usual_forms_are_unaffected_by_the_column():
    assert (
        column_date(["31.12.2025", "2025-12-31", "12/31/2025"]) == [datetime.date(2025, 12, 31)] * 3
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$12.58", Decimal("12.58")),
        ("$1,234", Decimal("1234.00")),
        ("$1,234.50", Decimal("1234.50")),
        ("USD 99.00", Decimal("99.00")),
        ("€ 12,50", Decimal("12.50")),
        ("12,50 €", Decimal("12.50")),
        ("kr 1 234,-", Decimal("1234.00")),
    ],
)
def test_currency_prefixes_and_suffixes(text, expected):
    assert Number(places=2)(text) == expected


@pytest.mark.parametrize("text", ["1e3", "1E3", "$1e3", "2.5e+2"])
def test_exponent_notation_is_refused_as_a_cost(text):
    with pytest.raises(CellError, match="exponent notation"):
        Number(places=2)(text)


def test_names_are_trimmed_and_their_spaces_collapsed():
    assert Name(100)("  Skåla \t skole\u00a0 ") == "Skåla skole"
    with pytest.raises(CellError, match="too long"):
        Name(3)("a  b  c")
