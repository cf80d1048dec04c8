"""Helpers for the import tests: files built from rows, and a small municipality world.

Plain functions rather than fixtures, so that each test module takes what it needs
without a shared conftest.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook

from samdrift.catalogue.models import ProductCategory
from samdrift.organisations.models import Location, Municipality, ServiceArea
from tests import factories


def csv_bytes(
    rows: Sequence[Sequence[object]], *, delimiter: str = ";", encoding: str = "utf-8"
) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass
class World:
    municipality: Municipality
    oppvekst: ServiceArea
    helse: ServiceArea
    laptop: ProductCategory
    phone: ProductCategory
    town_hall: Location


def inventory_world(municipality: Municipality) -> World:
    """Service areas, categories and a location, as a municipality has before importing;
    and the two products the asset files name, priced (an import refuses held assets of
    a product without a price: they would stop the next billing run)."""
    world = World(
        municipality=municipality,
        oppvekst=factories.make_service_area(
            municipality, name="Oppvekst", cost_centre="2000", kind="education"
        ),
        helse=factories.make_service_area(
            municipality, name="Helse og omsorg", cost_centre="3000", kind="health_care"
        ),
        laptop=factories.make_category(name="Laptop", code="laptop"),
        phone=factories.make_category(name="Mobiltelefon", code="phone"),
        town_hall=factories.make_location(municipality, name="Rådhuset", kind="town_hall"),
    )
    for name in ("X", "ThinkPad T14"):
        product = factories.make_product(world.laptop, name=name)
        factories.make_price(product=product, amount="300.00", valid_from=datetime.date(2000, 1, 1))
    return world


# Snipe-IT's asset export columns, as a municipality leaving Snipe-IT brings them.
SNIPE_IT_HEADER = [
    "Company",
    "Name",
    "Asset Tag",
    "Category",
    "Manufacturer",
    "Model",
    "Model Number",
    "Location",
    "Purchase Date",
    "Purchase Cost",
    "Checked Out To: Username",
    "Serial",
    "Status",
    "Notes",
    "Warranty",
]


def snipe_it_row(n: int, **overrides: object) -> list[object]:
    values = {
        "Company": "Fjordvik",
        "Name": f"PC-{n:05d}",
        "Asset Tag": f"FV{n:06d}",
        "Category": "Laptop",
        "Manufacturer": "Lenovo",
        "Model": "ThinkPad T14",
        "Model Number": "21HD",
        "Location": "Rådhuset",
        "Purchase Date": "2024-03-01",
        "Purchase Cost": "12345.50",
        "Checked Out To: Username": f"user{n % 7}",
        "Serial": f"SN{n:08d}",
        "Status": "Deployed",
        "Notes": "",
        "Warranty": "36",
    }
    values.update(overrides)
    return [values[h] for h in SNIPE_IT_HEADER]
