"""Importer for catalogue products, and the lookups other importers use to find (or
create) the product an asset row names.

Natural key: the product's name (unique in the catalogue, matched ignoring case).
Categories are never created by an import: each carries a useful life and a lease
model, which finance decides; an unknown category is an error.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.catalogue.models import Product, ProductCategory
from samdrift.core.importing.columns import Column, field_column
from samdrift.core.importing.importer import ModelImporter
from samdrift.core.importing.parsing import Text
from samdrift.core.importing.results import note_unknown
from samdrift.core.importing.rows import Row

PRODUCT_ALIASES = ("Produkt", "Produktnavn", "Catalogue item", "Katalogvare")
CATEGORY_ALIASES = ("Kategori", "Product category", "Produktkategori")
MANUFACTURER_ALIASES = ("Produsent", "Fabrikat", "Make", "Merke", "Brand")
MODEL_NUMBER_ALIASES = (
    "Model No.",
    "Model no",
    "Modellnummer",
    "Modellnr",
    "Part number",
    "Artikkelnummer",
)


def category_column(**kwargs) -> Column:
    return Column(
        "category",
        gettext_lazy("Category"),
        Text(100),
        aliases=CATEGORY_ALIASES,
        help_text=gettext_lazy("Name or code of an existing product category."),
        **kwargs,
    )


class CatalogueLookups:
    """Categories and products in memory (the catalogue is small: two queries), and the
    products an import is to create."""

    def __init__(self) -> None:
        self.categories: dict[str, ProductCategory] = {}
        for category in ProductCategory.objects.all():
            self.categories.setdefault(category.name.casefold(), category)
            self.categories.setdefault(category.code.casefold(), category)
        self.products: dict[str, Product] = {}
        for product in Product.objects.select_related("category"):
            self.products.setdefault(product.name.casefold(), product)
        self.new_products: dict[str, Product] = {}
        self._by_id: dict[int, Product] | None = None

    def product_by_id(self, pk: int | None) -> Product | None:
        if pk is None:
            return None
        if self._by_id is None:
            self._by_id = {p.pk: p for p in self.products.values()}
        return self._by_id.get(pk)

    def category(self, text: str) -> ProductCategory | None:
        return self.categories.get(text.casefold())

    def product(self, name: str) -> Product | None:
        folded = name.casefold()
        return self.products.get(folded) or self.new_products.get(folded)

    def add_product(self, **fields: Any) -> Product:
        product = Product(**fields)
        self.new_products[product.name.casefold()] = product
        return product


def unknown_category(importer, row: Row, key: str, name: str) -> None:
    """A category nobody knows: listed once with its rows (to be mapped to an existing
    category), never created — finance decides a category's useful life and lease."""

    def message() -> str:
        known = sorted({c.name for c in importer.catalogue.categories.values()})
        return _("unknown product category “%(name)s” (known: %(known)s); map it to one") % {
            "name": name,
            "known": ", ".join(known) or "–",
        }

    note_unknown(importer.report, row.line, key, name, message)


class ProductImporter(ModelImporter):
    kind = "products"
    label = gettext_lazy("Products")
    model = Product
    per_municipality = False
    key_description = gettext_lazy("name, in the whole catalogue")
    direct_fields = (
        "name",
        "manufacturer",
        "model_number",
        "description",
        "standard_cost",
        "useful_life_months",
        "vat_rate",
        "is_standard",
        "active",
    )
    columns = (
        field_column(Product, "name", required=True, aliases=("Product", *PRODUCT_ALIASES, "Navn")),
        category_column(),
        Column(
            "category_code",
            gettext_lazy("Category code"),
            Text(40),
            aliases=("Kategorikode",),
            help_text=gettext_lazy("Another way to name the category (as the exports do)."),
        ),
        field_column(Product, "manufacturer", aliases=MANUFACTURER_ALIASES),
        field_column(Product, "model_number", aliases=MODEL_NUMBER_ALIASES),
        field_column(Product, "description", aliases=("Beskrivelse",)),
        field_column(
            Product,
            "standard_cost",
            aliases=("Standard cost", "Cost", "Kostpris", "Innkjøpspris", "Standardkost"),
        ),
        field_column(
            Product,
            "useful_life_months",
            aliases=("Useful life", "Levetid", "Levetid (måneder)", "Levetid mnd"),
        ),
        field_column(Product, "vat_rate", aliases=("VAT %", "VAT", "MVA", "MVA-sats", "Mva %")),
        field_column(Product, "is_standard", aliases=("Standard", "Standardvare")),
        field_column(Product, "active", aliases=("Aktiv",)),
    )

    def stored_objects(self, keys):
        return self.catalogue.products.values()

    def plan(self, rows: list[Row]) -> None:
        self.catalogue = CatalogueLookups()
        super().plan(rows)

    def resolve(self, row, wanted, existing) -> bool:
        category = None
        for key in ("category", "category_code"):
            name = row.values.get(key)
            if not name:
                continue  # empty: leave as is (a new product then misses it, see below)
            found = self.catalogue.category(name)
            if found is None:
                unknown_category(self, row, key, name)
                return False
            if category is not None and found != category:
                self.report.error(
                    row.line,
                    key,
                    _("the category code “%(code)s” is %(found)s, not %(category)s")
                    % {"code": name, "found": found, "category": category},
                )
                return False
            category = found
        if category is not None:
            wanted["category"] = category
        return True

    def missing_for_new(self, wanted):
        missing = super().missing_for_new(wanted)
        if "category" not in wanted:
            missing.append("category")
        return missing
