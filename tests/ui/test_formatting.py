"""Money, numbers and dates as a Norwegian or English reader expects them."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from samdrift.ui.formatting import format_day, format_money, format_number


@pytest.mark.parametrize(
    ("amount", "nb", "en"),
    [
        ("1234567.5", "1 234 567,50 kr", "NOK 1,234,567.50"),
        ("1234.50", "1 234,50 kr", "NOK 1,234.50"),
        ("0", "0,00 kr", "NOK 0.00"),
        ("-1234.5", "-1 234,50 kr", "NOK -1,234.50"),
        ("999.995", "999,995 kr", "NOK 999.995"),
        ("0.0850", "0,085 kr", "NOK 0.085"),
        ("12.3456", "12,3456 kr", "NOK 12.3456"),
    ],
)
def test_money(amount, nb, en):
    value = Decimal(amount)
    assert format_money(value, "nb") == nb
    assert format_money(value, "en") == en


def test_money_rounds_display_half_up_to_four_places_at_most():
    assert format_money(Decimal("1.00005"), "nb") == "1,0001 kr"
    assert format_money(Decimal("2.5"), "nb") == "2,50 kr"


def test_money_refuses_float():
    with pytest.raises(TypeError):
        format_money(1234.5, "nb")


def test_numbers_and_dates():
    assert format_number(1234567, language="nb") == "1 234 567"
    assert format_number(Decimal("2.500"), language="en") == "2.5"
    assert format_number(Decimal("1234.5"), 2, language="nb") == "1 234,50"
    assert format_day(datetime.date(2026, 12, 31), "nb") == "31.12.2026"
    assert format_day(datetime.date(2026, 12, 31), "en") == "2026-12-31"
    assert format_day(None) == ""


def test_template_filters_follow_the_active_language():
    template = Template("{% load samdrift %}{{ a|money }} {{ d|day }} {{ n|num }}")
    context = Context({"a": Decimal("1234.5"), "d": datetime.date(2026, 1, 2), "n": 12000})
    with translation.override("nb"):
        assert template.render(context) == "1 234,50 kr 02.01.2026 12 000"
    with translation.override("en"):
        assert template.render(context) == "NOK 1,234.50 2026-01-02 12,000"


def test_minutes_read_as_hours_and_minutes():
    from samdrift.ui.formatting import format_minutes

    assert [format_minutes(m) for m in (0, 30, 240, 1530, 5100, None)] == [
        "0:00",
        "0:30",
        "4:00",
        "25:30",
        "85:00",
        "",
    ]
