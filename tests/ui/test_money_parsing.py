"""Amounts typed into forms, the equipment CSV and the prices command are read by the one
rule imports use (finance.parsing.parse_amount), and refused with each place's words."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils import translation

from samdrift.leasing.buyouts.equipment_csv import _decimal as equipment_amount
from samdrift.leasing.management.commands.prices import decimal as command_number
from samdrift.ui.forms import MoneyField

# Accepted now everywhere as imports accept them; the first two were refused by the form.
ACCEPTED = [
    ("1.234,50", Decimal("1234.50")),
    ("kr 1 234,-", Decimal("1234")),
    ("1 234,50", Decimal("1234.50")),
    ("1\u00a0234,50", Decimal("1234.50")),
    ("1234.50", Decimal("1234.50")),
    ("1 234 kr", Decimal("1234")),
]
REFUSED = ["abc", "1e3", "12,34.5,6", "12 kr 50"]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_each_place_reads_an_amount_the_same_way(text, expected):
    assert MoneyField().clean(text) == expected
    assert equipment_amount(text) == expected
    assert command_number(text) == expected


@pytest.mark.parametrize("text", REFUSED)
def test_each_place_refuses_in_its_own_words(text):
    with pytest.raises(ValidationError, match="Enter an amount in kroner"):
        MoneyField().clean(text)
    with pytest.raises(ValueError, match="is not an amount"):
        equipment_amount(text)
    with pytest.raises(CommandError, match="is not a number"):
        command_number(text)


def test_an_empty_form_field_is_still_empty_and_negative_still_refused():
    assert MoneyField(required=False).clean("  ") is None
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        MoneyField().clean("(100)")


@pytest.mark.parametrize(
    ("language", "stored", "shown"),
    [
        ("nb", Decimal("3000000.00"), "3000000,00"),
        ("en", Decimal("3000000.00"), "3000000.00"),
        ("nb", Decimal("12.5"), "12,50"),
        ("nb", Decimal("-0.0850"), "-0,085"),
    ],
)
def test_a_stored_amount_is_shown_as_a_person_types_it_and_reads_back(language, stored, shown):
    field = MoneyField(decimal_places=4, min_value=None)
    with translation.override(language):
        assert field.prepare_value(stored) == shown
        assert field.clean(shown) == stored
    # What a person typed is shown back as typed.
    assert field.prepare_value("1 234,5") == "1 234,5"


def test_a_share_is_shown_without_trailing_zeros():
    from samdrift.billing.views.forms import ShareField

    with translation.override("nb"):
        assert [ShareField().prepare_value(Decimal(v)) for v in ("1.000000", "33.333300")] == [
            "1",
            "33,3333",
        ]
