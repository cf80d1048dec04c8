"""The sample files in docs/import/ import as the README says, one after the other."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from samdrift.catalogue.models import Product
from samdrift.core.importing import run_import
from samdrift.imports.registry import importer_class
from samdrift.inventory.choices import AssetStatus
from samdrift.inventory.models import Asset, UsageRecord
from samdrift.organisations.models import Location, Person
from tests import factories

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "import"
ORDER = [
    ("service-areas", "service-areas.csv", 5),
    ("locations", "locations.csv", 4),
    ("persons", "persons.csv", 4),
    ("products", "products.csv", 3),
    ("assets", "assets-snipe-it.csv", 5),
    ("assets", "assets-norwegian.csv", 4),
    ("usage", "usage.csv", 3),
]


def test_the_sample_files_import_in_order_and_again_change_nothing(municipality_a):
    for name, code in (("Laptop", "laptop"), ("Mobiltelefon", "phone"), ("Skriver", "printer")):
        factories.make_category(name=name, code=code)
    factories.make_service(code="print-page", name="Utskrift per side", unit="page")
    # The portfolio samples are the solutions app's (tests/solutions/test_samples.py), the
    # incident and outage samples the service desk's (tests/servicedesk/test_samples.py).
    others = ("portfolio-", "incidents-", "outages")
    samples = [p.name for p in SAMPLES.iterdir() if not p.name.startswith(others)]
    assert sorted(samples) == sorted(f for _k, f, _n in ORDER)
    for kind, filename, rows in ORDER:
        data = (SAMPLES / filename).read_bytes()
        municipality = None if kind == "products" else municipality_a
        result = run_import(
            importer=importer_class(kind),
            data=data,
            filename=filename,
            municipality=municipality,
            on=datetime.date(2026, 1, 5),
        )
        assert result.ok and result.applied, (filename, result.errors)
        if kind == "products":
            # Held assets need a price: docs/import.md, step "prices" (billing would stop).
            for product in Product.objects.all():
                factories.make_price(
                    product=product, amount="300.00", valid_from=datetime.date(2020, 1, 1)
                )
        assert result.created == rows, filename
        again = run_import(
            importer=importer_class(kind), data=data, filename=filename, municipality=municipality
        )
        assert again.unchanged == rows and again.ok, (filename, again.errors)

    printer = Asset.objects.get(asset_tag="FV-P-0001")
    assert printer.acquisition_cost == Decimal("38500.00")
    assert printer.lease_end == datetime.date(2028, 4, 1)
    assert printer.location.name == "Rådhuset"
    laptop = Asset.objects.get(asset_tag="FV-000202")
    assert laptop.status == AssetStatus.IN_REPAIR
    assert laptop.person == Person.objects.get(first_name="Synnøve", last_name="Fjell")
    assert Asset.objects.get(asset_tag="FV-000105").status == AssetStatus.RETIRED
    # Snipe-IT's custom report: checked out while "Ready to Deploy" is deployed, held by
    # the person from the checkout date; not checked out is in stock, its room not created.
    kari_pc = Asset.objects.get(asset_tag="FV-000101")
    assert (kari_pc.status, kari_pc.person.username) == ("deployed", "kari.nordmann")
    assert kari_pc.acquisition_cost == Decimal("12345.50")
    assert kari_pc.assignments.get().valid_from == datetime.date(2024, 8, 12)
    assert Asset.objects.get(asset_tag="FV-000104").status == AssetStatus.IN_STOCK
    assert not Location.objects.filter(name="IKT-lageret").exists()
    assert UsageRecord.objects.get(reference="TELLER-2026-11-0001").quantity == 11902
