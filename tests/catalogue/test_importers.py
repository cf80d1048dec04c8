"""Importing catalogue products."""

from decimal import Decimal

import pytest

from samdrift.catalogue.models import Product
from samdrift.core.importing import run_import
from samdrift.imports.registry import importer_class
from tests import factories
from tests.factories import csv_bytes

pytestmark = pytest.mark.django_db


def products(rows, **options):
    return run_import(
        importer=importer_class("products"),
        data=csv_bytes(rows),
        filename="products.csv",
        **options,
    )


def test_products_import_with_their_category_by_name_or_code():
    laptop = factories.make_category(name="Laptop", code="laptop")
    rows = [
        [
            "Produkt",
            "Kategori",
            "Produsent",
            "Modellnummer",
            "Kostpris",
            "Levetid",
            "MVA",
            "Standard",
        ],
        ["Standard laptop 14", "Laptop", "Lenovo", "21HD", "12 000,00", "48", "25", "ja"],
        ["Spesiallaptop", "laptop", "HP", "", "15000", "", "25,00", "nei"],
    ]
    result = products(rows)
    assert result.created == 2, result.errors
    standard = Product.objects.get(name="Standard laptop 14")
    assert standard.category == laptop
    assert (standard.standard_cost, standard.useful_life_months, standard.vat_rate) == (
        Decimal("12000.00"),
        48,
        Decimal("25.00"),
    )
    special = Product.objects.get(name="Spesiallaptop")
    assert special.useful_life_months is None and not special.is_standard
    assert products(rows).unchanged == 2


def test_an_unknown_category_is_an_error_naming_the_known_ones():
    factories.make_category(name="Laptop", code="laptop")
    result = products([["Name", "Category"], ["Nettbrett 11", "Nettbrett"]])
    assert [(e.line, e.column) for e in result.errors] == [(2, "Category")]
    assert "known: Laptop" in result.errors[0].message
    assert not Product.objects.exists()


def test_product_values_are_checked_by_the_fields_rules():
    factories.make_category(name="Laptop", code="laptop")
    rows = [
        ["Name", "Category", "Useful life", "VAT %", "Standard cost"],
        ["A", "Laptop", "72", "25", "1"],
        ["B", "Laptop", "12", "125", "1"],
        ["C", "Laptop", "12", "25", "-1"],
        ["D", "", "12", "25", "1"],
    ]
    result = products(rows)
    found = {(e.line, e.column): e.message for e in result.errors}
    assert "above the maximum 60" in found[(2, "Useful life")]
    assert "above the maximum 100" in found[(3, "VAT %")]
    assert "below the minimum" in found[(4, "Standard cost")]
    assert "needs category" in found[(5, "Category")]
