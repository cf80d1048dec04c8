"""Every list exported (CSV and XLSX, as the list pages write them) imports back with no
change at all: same rows, nothing written, nothing logged."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db.models import Q
from openpyxl import load_workbook

from samdrift.catalogue.models import Product
from samdrift.catalogue.tables import PRODUCT_TABLE
from samdrift.core.exports import csv_lines, xlsx_bytes
from samdrift.core.importing import run_import
from samdrift.core.models import ObjectChange
from samdrift.imports.registry import importer_class
from samdrift.inventory.choices import AssetOrigin, AssetStatus
from samdrift.inventory.models import Asset, Assignment
from samdrift.inventory.services import assign_asset
from samdrift.inventory.tables import ASSET_TABLE
from samdrift.organisations.models import Location, Person, ServiceArea
from samdrift.organisations.tables import LOCATION_TABLE, PERSON_TABLE, SERVICE_AREA_TABLE
from tests import factories
from tests.factories import csv_bytes

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def inventory(municipality_a, municipality_b):
    m = municipality_a
    # Assets no municipality holds are exported as the collaboration's.
    factories.make_collaboration(name="Fjordregionen IKT")
    oppvekst = factories.make_service_area(m, name="Oppvekst", cost_centre="2000")
    factories.make_service_area(
        m, name="Helse og omsorg", cost_centre="3000", kind="health_care", active=False
    )
    factories.make_service_area(municipality_b, name="Oppvekst", cost_centre="2000")
    school = factories.make_location(
        m, name="Skåla skole", street="Skolevegen 1", postal_code="9990", city="Båtsfjord"
    )
    town_hall = factories.make_location(m, name="Rådhuset", kind="town_hall")
    kari = factories.make_person(
        m,
        oppvekst,
        username="kari",
        first_name="Kari",
        last_name="Ødegård",
        email="kari@fjordvik.no",
        employee_number="=1001",
        location=school,
        active_from=D(2020, 1, 1),
    )
    factories.make_person(
        m,
        None,
        username="ola",
        first_name="Ola",
        last_name="Nordmann",
        kind="pupil",
        active_from=D(2021, 8, 15),
        active_to=D(2027, 6, 20),
    )
    laptop = factories.make_category(name="Laptop", code="laptop")
    product = factories.make_product(
        laptop,
        name="Bærbar PC 14",
        manufacturer="Lenovo",
        model_number="21HD",
        description="+ dokkstasjon",
        standard_cost=Decimal("12000.50"),
        useful_life_months=48,
        is_standard=True,
    )
    factories.make_product(
        laptop, name="Spesial", standard_cost=Decimal("0"), is_standard=False, active=False
    )
    deployed = factories.make_asset(
        product,
        asset_tag="FV-1",
        serial_number="SN-1",
        name="PC-1",
        model_name="ThinkPad T14 Gen 5",
        acquisition_cost=Decimal("12345.50"),
        origin=AssetOrigin.LEASED,
        lessor="Nordic Leasing",
        lease_start=D(2024, 3, 1),
        lease_end=D(2027, 3, 1),
        planned_replacement=D(2028, 3, 1),
        notes='=HYPERLINK("x") æøå',
    )
    assign_asset(
        asset=deployed,
        municipality=m,
        service_area=oppvekst,
        person=kari,
        location=school,
        valid_from=D(2024, 3, 5),
    )
    plain = factories.make_asset(
        product, asset_tag="FV-2", serial_number="", acquisition_cost=None, acquisition_date=None
    )
    assign_asset(asset=plain, municipality=m, location=town_hall, valid_from=D(2025, 1, 1))
    factories.make_asset(product, asset_tag="FV-3", serial_number="SN-3", notes="-")  # in stock
    factories.make_asset(
        product, asset_tag="FV-4", serial_number="SN-4", status=AssetStatus.RETIRED
    )
    return m


def snapshot():
    return [
        list(model.objects.order_by("pk").values())
        for model in (ServiceArea, Location, Person, Product, Asset, Assignment, ObjectChange)
    ]


def exported(fmt, queryset, table, name):
    rows = table.prepare(queryset, export=True)
    if fmt == "csv":
        return "".join(csv_lines(rows, table.export_columns)).encode("utf-8")
    return xlsx_bytes(rows, table.export_columns, sheet_title=name)


LISTS = [
    ("service-areas", SERVICE_AREA_TABLE, lambda m: ServiceArea.objects.filter(municipality=m)),
    ("locations", LOCATION_TABLE, lambda m: Location.objects.filter(municipality=m)),
    ("persons", PERSON_TABLE, lambda m: Person.objects.filter(municipality=m)),
    ("products", PRODUCT_TABLE, lambda m: Product.objects.all()),
    # An operator's asset list of the municipality, and the pool no one holds.
    (
        "assets",
        ASSET_TABLE,
        lambda m: Asset.objects.filter(Q(municipality=m) | Q(municipality=None)),
    ),
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(("kind", "table", "queryset"), LISTS, ids=[k for k, *_ in LISTS])
def test_export_then_import_changes_nothing(inventory, fmt, kind, table, queryset):
    data = exported(fmt, queryset(inventory), table, kind)
    expected = queryset(inventory).count()
    before = snapshot()

    for dry_run in (True, False):
        result = run_import(
            importer=importer_class(kind),
            data=data,
            filename=f"{kind}.{fmt}",
            municipality=inventory if kind != "products" else None,
            dry_run=dry_run,
        )
        assert result.ok, result.errors
        assert not result.warnings, result.warnings  # every exported column is read back
        assert (result.created, result.updated, result.unchanged) == (0, 0, expected)
        assert not result.to_create

    assert snapshot() == before


def test_the_guard_against_formulas_is_in_the_file_and_undone_on_import(inventory):
    data = exported("csv", Asset.objects.filter(asset_tag="FV-1"), ASSET_TABLE, "assets")
    assert "'=HYPERLINK" in data.decode()
    assert (
        run_import(importer=importer_class("assets"), data=data, municipality=inventory).unchanged
        == 1
    )


def test_assets_no_municipality_holds_are_exported_as_the_collaborations(inventory):
    data = exported("csv", Asset.objects.all(), ASSET_TABLE, "assets")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    holder = {row["asset_tag"]: row["municipality"] for row in rows}
    # FV-1 and FV-2 are held by the municipality; FV-3 (in stock) and FV-4 (retired) by none.
    assert holder == {
        "FV-1": inventory.name,
        "FV-2": inventory.name,
        "FV-3": "Fjordregionen IKT",
        "FV-4": "Fjordregionen IKT",
    }
    xlsx = exported("xlsx", Asset.objects.filter(asset_tag="FV-3"), ASSET_TABLE, "assets")
    sheet = load_workbook(io.BytesIO(xlsx)).active
    header, values = (list(r) for r in sheet.iter_rows(values_only=True))
    assert values[header.index("municipality")] == "Fjordregionen IKT"


def test_a_checked_out_row_naming_the_collaboration_is_refused(inventory):
    header = ["Asset Tag", "Company", "Username", "Status"]
    rows = [header, ["FV-3", "Fjordregionen IKT", "kari", "Ready to Deploy"]]
    before = snapshot()
    result = run_import(
        importer=importer_class("assets"), data=csv_bytes(rows), municipality=inventory, update=True
    )
    assert [(e.line, e.column) for e in result.errors] == [(2, "Company")]
    assert "no municipality holds FV-3" in result.errors[0].message
    assert snapshot() == before
