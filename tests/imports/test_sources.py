"""Files as other systems write them: Snipe-IT's custom asset report and its
importer's field names, Ralph's back-office asset export — checked out or not, their
statuses, dates, costs; the mapping step for headers and values nobody knows; and the
refusal of held assets without a price, so that billing never stops because of an
import.

Headers are Snipe-IT's (ReportsController::postCustom with resources/lang/en-US,
app/Livewire/Importer.php's field list) and Ralph's (data_importer BackOfficeAssetResource:
model fields plus ``<fk>_str`` columns; numeric statuses of back_office migration 0028).
"""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from samdrift.billing.models import Charge
from samdrift.billing.services.runs import bill_period
from samdrift.core.importing import run_import
from samdrift.core.importing.mapping import ColumnReading
from samdrift.imports.models import ImportMapping
from samdrift.imports.services import find_reading, save_mapping
from samdrift.inventory.choices import AssetStatus
from samdrift.inventory.importers import AssetImporter
from samdrift.inventory.models import Asset, Assignment
from samdrift.organisations.models import Location, Person
from tests import factories
from tests.factories import csv_bytes
from tests.worlds import build_importing_world

pytestmark = pytest.mark.django_db
D = datetime.date

# Snipe-IT's custom asset report with company, name, tag, model, category, manufacturer,
# serial, purchase date and cost, EOL, location with its address, checked out (and
# type), username, status, warranty, checkout date and notes ticked.
REPORT_HEADER = [
    "Company", "Asset Name", "Asset Tag", "Model", "Model No.", "Category", "Manufacturer",
    "Serial", "Purchased", "Cost", "EOL", "Location", "Address", "Address", "City", "State",
    "Country", "Zip", "Checked Out", "Type", "Username", "Status", "Warranty",
    "Warranty Expires", "Checkout Date", "Notes",
]  # fmt: skip


def report_row(tag, *, location="", out="", kind="", username="", status, checkout=""):
    return [
        "Fjordvik", f"PC-{tag}", tag, "ThinkPad T14", "21HD", "Laptop", "Lenovo",
        f"SN-{tag}", "2024-08-01", "12,345.50", "2028-08-01", location, "Storgata 1", "",
        "Båtsfjord", "Troms", "NO", "9990", out, kind, username, status, "36", "2027-08-01",
        checkout, "",
    ]  # fmt: skip


@pytest.fixture
def world(municipality_a):
    return build_importing_world(municipality_a)


def test_snipe_it_custom_report_checked_out_or_not(world, municipality_a):
    rows = [
        REPORT_HEADER,
        # Checked out to a person while its label reads "Ready to Deploy": deployed.
        report_row(
            "A1",
            location="Rådhuset",
            out="Kari  Nordmann",
            kind="user",
            username="kari",
            status="Ready to Deploy (deployed)",
            checkout="2025-02-03 10:15:00",
        ),
        # Not checked out, in a store room: in stock; the room is not created.
        report_row("A2", location="Lager sentralt", status="Ready to Deploy (deployable)"),
        # Checked out to a location: held there, by no person.
        report_row("A3", out="Skåla skole", kind="location", status="Ready to Deploy (deployed)"),
        report_row("A4", location="Lager sentralt", status="Broken - Not Fixable (undeployable)"),
    ]
    result = run_import(
        importer=AssetImporter, data=csv_bytes(rows), filename="custom-asset-report.csv",
        municipality=municipality_a, on=D(2026, 1, 5),
    )  # fmt: skip
    assert result.ok, result.errors
    read_as = dict((h, r) for h, r in result.columns)
    assert read_as["State"] == ""  # an address's state, never the asset's status
    assert read_as["Checked Out"] == "Checked out to"  # a name, never a date
    assert read_as["Checkout Date"] == "Assigned from"

    a1 = Asset.objects.get(asset_tag="A1")
    assert (a1.status, a1.person.username, a1.location.name) == ("deployed", "kari", "Rådhuset")
    assert (a1.person.first_name, a1.person.last_name) == ("Kari", "Nordmann")
    assert a1.acquisition_cost == Decimal("12345.50")
    assert Assignment.objects.get(asset=a1).valid_from == D(2025, 2, 3)
    a2 = Asset.objects.get(asset_tag="A2")
    assert (a2.status, a2.person, a2.location) == (AssetStatus.IN_STOCK, None, None)
    assert not Assignment.objects.filter(asset=a2).exists()
    a3 = Asset.objects.get(asset_tag="A3")
    assert (a3.status, a3.person, a3.location.name) == ("deployed", None, "Skåla skole")
    assert Asset.objects.get(asset_tag="A4").status == AssetStatus.RETIRED
    assert not Location.objects.filter(name="Lager sentralt").exists()
    assert list(Person.objects.values_list("username", flat=True)) == ["kari"]
    assert any("Rows 3, 5" in w for w in result.warnings)

    again = run_import(
        importer=AssetImporter, data=csv_bytes(rows), filename="custom-asset-report.csv",
        municipality=municipality_a,
    )  # fmt: skip
    assert again.ok and again.unchanged == 4, again.errors


IMPORTER_HEADER = [
    "Item Name", "Asset Tag", "Model Name", "Model Number", "Category", "Status",
    "Serial Number", "Purchase Date", "Purchase Cost", "Checked Out to: Full Name",
    "Checked Out to: Username", "Checked Out to: Email", "Checkout Type",
    "Checkout to Location", "Asset EOL Date", "Location", "Company",
]  # fmt: skip


def test_snipe_it_importer_fields_us_dates_and_dollar_costs(world, municipality_a):
    rows = [
        IMPORTER_HEADER,
        ["PC 1", "B1", "ThinkPad T14", "21HD", "Laptop", "Ready to Deploy", "S1", "3/4/24",
         "$1,299.00", "Ola  Nordmann", "ola.n", "ola@fjordvik.no", "user", "", "12/31/28",
         "Rådhuset", "Fjordvik"],
        ["PC 2", "B2", "ThinkPad T14", "21HD", "Laptop", "Ready to Deploy", "S2", "12/31/24",
         "$12.58", "", "", "", "location", "Rådhuset", "", "", "Fjordvik"],
        ["PC 3", "B3", "ThinkPad T14", "21HD", "Laptop", "Pending", "S3", "1/2/25", "",
         "", "", "", "", "", "", "Rådhuset", "Fjordvik"],
    ]  # fmt: skip
    result = run_import(
        importer=AssetImporter, data=csv_bytes(rows), filename="snipe.csv",
        municipality=municipality_a,
        on=D(2026, 1, 5),
    )  # fmt: skip
    assert result.ok, result.errors
    b1, b2, b3 = (Asset.objects.get(asset_tag=t) for t in ("B1", "B2", "B3"))
    assert b1.acquisition_date == D(2024, 3, 4) and b2.acquisition_date == D(2024, 12, 31)
    assert (b1.acquisition_cost, b2.acquisition_cost) == (Decimal("1299.00"), Decimal("12.58"))
    assert b1.planned_replacement == D(2028, 12, 31)
    assert b1.product.name == "ThinkPad T14"  # "Model Name" is the product
    assert (b1.status, b1.person.username, b1.person.email) == (
        "deployed",
        "ola.n",
        "ola@fjordvik.no",
    )
    assert (b1.person.first_name, b1.person.last_name) == ("Ola", "Nordmann")
    assert (b2.status, b2.person, b2.location.name) == ("deployed", None, "Rådhuset")
    assert (b3.status, b3.location) == (AssetStatus.ORDERED, None)

    # Asset tags are compared ignoring case: the same rows in lower case change nothing.
    lower = [IMPORTER_HEADER, *([r[0], r[1].lower(), *r[2:]] for r in rows[1:])]
    again = run_import(
        importer=AssetImporter,
        data=csv_bytes(lower),
        filename="snipe.csv",
        municipality=municipality_a,
    )
    assert again.ok and again.unchanged == 3, again.errors


RALPH_HEADER = [
    "id", "barcode", "sn", "hostname", "model", "model_str", "status", "user", "user_str",
    "owner", "owner_str", "warehouse", "warehouse_str", "location", "invoice_date", "price",
    "price_currency", "remarks", "region", "region_str",
]  # fmt: skip


def test_ralph_back_office_export(world, municipality_a):
    factories.make_person(municipality_a, None, username="kari", first_name="Kari")
    rows = [
        RALPH_HEADER,
        ["11", "R-1", "SN1", "fv-pc-1", "17", "ThinkPad T14", "4", "kari", "Kari Nordmann",
         "kari", "Kari Nordmann", "2", "Hovedlager", "", "2024-05-02", "1299.00", "NOK", "",
         "1", "Fjordvik"],
        ["12", "R-2", "SN2", "fv-pc-2", "17", "ThinkPad T14", "10", "", "", "", "", "2",
         "Hovedlager", "", "2024-05-02", "1299.00", "NOK", "reserve", "1", "Fjordvik"],
        ["13", "R-3", "SN3", "fv-pc-3", "17", "ThinkPad T14", "7", "", "", "", "", "2",
         "Hovedlager", "", "2019-05-02", "999.00", "NOK", "", "1", "Fjordvik"],
    ]  # fmt: skip
    result = run_import(
        importer=AssetImporter,
        data=csv_bytes(rows),
        filename="ralph.csv",
        municipality=municipality_a,
    )
    assert result.ok, result.errors
    read_as = dict(result.columns)
    assert read_as["model"] == "" and read_as["model_str"] == "Product"
    statuses = dict(Asset.objects.values_list("asset_tag", "status"))
    assert statuses == {"R-1": "deployed", "R-2": "in_stock", "R-3": "disposed"}
    r1 = Asset.objects.get(asset_tag="R-1")
    assert (r1.person.username, r1.name, r1.serial_number) == ("kari", "fv-pc-1", "SN1")
    assert Asset.objects.get(asset_tag="R-2").notes == "reserve"


def test_unknown_values_are_listed_once_and_mapped_once(world, municipality_a):
    header = ["Asset Tag", "Model", "Category", "Status", "Username"]
    rows = [header] + [[f"T{n}", "ThinkPad T14", "Bærbar", "Utlånt", f"u{n}"] for n in range(3)]
    result = run_import(
        importer=AssetImporter, data=csv_bytes(rows), filename="old.csv",
        municipality=municipality_a,
        dry_run=True,
    )  # fmt: skip
    status_errors = [e for e in result.errors if e.column == "Status"]
    assert len(status_errors) == 1 and "on 3 rows" in status_errors[0].message
    assert result.unknown_values["status"]["Utlånt"] == [3, [2, 3, 4]]

    save_mapping(
        kind="assets",
        headers=result.headers,
        reading=ColumnReading(values={"status": {"Utlånt": "deployed"}}),
        name="Gammelt Excel",
    )
    mapped = run_import(
        importer=AssetImporter, data=csv_bytes(rows), filename="old.csv",
        municipality=municipality_a,
        find_reading=find_reading,
    )  # fmt: skip
    assert mapped.ok and mapped.reading == "Gammelt Excel", mapped.errors
    assert set(Asset.objects.values_list("status", flat=True)) == {"deployed"}


def test_columns_nobody_knows_are_mapped_and_the_mapping_reused_by_the_cli(
    world, municipality_a, tmp_path, operator
):
    header = ["Inv.nr", "Maskin", "Gruppe", "Hvem", "Kjøpt den"]
    rows = [header, ["K-1", "ThinkPad T14", "Laptop", "kari", "31/12/2024"]]
    path = tmp_path / "old.csv"
    path.write_bytes(csv_bytes(rows))
    unmapped = run_import(
        importer=AssetImporter,
        data=path.read_bytes(),
        filename="old.csv",
        municipality=municipality_a,
    )
    assert not unmapped.ok  # no asset tag column: nothing to match on
    assert [h for h, read_as in unmapped.columns if not read_as] == header

    mapping = tmp_path / "map.json"
    mapping.write_text(
        json.dumps(
            {
                "columns": {
                    "Inv.nr": "asset_tag",
                    "Maskin": "product",
                    "Gruppe": "category",
                    "Hvem": "person",
                    "Kjøpt den": "acquisition_date",
                },
                "date_order": "dmy",
            }
        )
    )
    call_command(
        "import", "assets", str(path), "--municipality", municipality_a.number,
        "--map", str(mapping), "--save-map", "Gammel maskinliste", "--dry-run",
        "--user", operator.username,
    )  # fmt: skip
    saved = ImportMapping.objects.get()
    assert (saved.name, saved.created_by) == ("Gammel maskinliste", operator)
    call_command("import", "assets", str(path), "--municipality", municipality_a.number)
    asset = Asset.objects.get(asset_tag="K-1")
    assert (asset.acquisition_date, asset.person.username) == (D(2024, 12, 31), "kari")


def test_held_assets_without_a_price_are_refused_so_billing_never_stops(world, municipality_a):
    factories.make_collaboration()
    header = ["Asset Tag", "Model", "Category", "Username", "Status"]
    rows = [
        header,
        ["N1", "Ny modell", "Laptop", "kari", "Deployed"],
        ["N2", "Ny modell", "Laptop", "ola", "Deployed"],
        ["N3", "Ny modell", "Laptop", "", "Ready to Deploy"],  # in stock: not billed
    ]
    dry = run_import(
        importer=AssetImporter, data=csv_bytes(rows), filename="new.csv",
        municipality=municipality_a,
        dry_run=True, on=D(2026, 3, 1),
    )  # fmt: skip
    assert len(dry.errors) == 1
    message = dry.errors[0].message
    assert "“Ny modell” has no price" in message and "2 held assets (rows 2, 3)" in message

    applied = run_import(
        importer=AssetImporter, data=csv_bytes(rows), filename="new.csv",
        municipality=municipality_a,
        on=D(2026, 3, 1),
    )  # fmt: skip
    assert not applied.applied and not Asset.objects.exists()

    # In stock, they import; priced, the same file holds them, and billing runs.
    stock = [header, *([r[0], r[1], r[2], "", "Ready to Deploy"] for r in rows[1:])]
    assert run_import(
        importer=AssetImporter,
        data=csv_bytes(stock),
        filename="new.csv",
        municipality=municipality_a,
    ).applied
    product = Asset.objects.get(asset_tag="N1").product
    factories.make_price(product=product, amount="250.00", valid_from=D(2026, 1, 1))
    held = run_import(
        importer=AssetImporter, data=csv_bytes(rows), filename="new.csv",
        municipality=municipality_a,
        update=True, on=D(2026, 3, 1),
    )  # fmt: skip
    assert held.ok and held.updated == 2, held.errors
    try:
        bill_period(month=D(2026, 3, 1))
    except ValidationError as error:  # pragma: no cover - the failure this test guards
        pytest.fail(f"billing stopped after an import: {error}")
    assert Charge.objects.count() >= 2  # the two held assets were billed


# Snipe-IT's asset list export with its Company and a Department column (a custom field
# many municipalities add), as an old installation writes them: a company named after
# the IT department, categories and departments named otherwise than here.
COMPANY_HEADER = ["Company", "Asset Tag", "Model", "Category", "Department", "Username", "Status"]


def company_rows():
    rows = [COMPANY_HEADER]
    for n in range(3):  # held by persons in "Skole": the product exists and is priced
        rows.append(
            ["Fjordvik IKT", f"C{n}", "ThinkPad T14", "Laptop", "Skole", f"u{n}", "Deployed"]
        )
    for n in range(3, 5):  # in stock: a new product of a category named otherwise
        rows.append(["Fjordvik IKT", f"C{n}", "EliteBook 840", "Bærbare", "", "", "Pending"])
    return rows


def test_unknown_categories_service_areas_and_companies_are_listed_once_and_mapped(
    world, municipality_a, municipality_b
):
    data = csv_bytes(company_rows())
    dry = run_import(
        importer=AssetImporter,
        data=data,
        filename="snipe.csv",
        municipality=municipality_a,
        dry_run=True,
    )
    # Each value nobody knows once, at its first row, with its rows counted.
    assert [(e.line, e.column) for e in dry.errors] == [
        (2, "Company"),
        (2, "Department"),
        (5, "Category"),
    ]
    company, department, category = (e.message for e in dry.errors)
    assert "no municipality has the name or number “Fjordvik IKT”" in company
    assert "(on 5 rows; map the value once for all of them)" in company
    assert "unknown service area “Skole” in Fjordvik" in department and "on 3 rows" in department
    assert "unknown product category “Bærbare”" in category and "on 2 rows" in category
    assert dry.unknown_values == {
        "municipality": {"Fjordvik IKT": [5, [2, 3, 4, 5, 6]]},
        "service_area": {"Skole": [3, [2, 3, 4]]},
        "category": {"Bærbare": [2, [5, 6]]},
    }

    # Another municipality's name is not unknown: the row is for it.
    other = [COMPANY_HEADER, ["Elvdal", "E1", "ThinkPad T14", "Laptop", "", "", "Pending"]]
    elsewhere = run_import(
        importer=AssetImporter,
        data=csv_bytes(other),
        filename="x.csv",
        municipality=municipality_a,
    )
    assert "this row is for Elvdal, not Fjordvik" in elsewhere.errors[0].message

    save_mapping(
        kind="assets",
        headers=dry.headers,
        reading=ColumnReading(
            values={
                "municipality": {"Fjordvik IKT": municipality_a.number},
                "service_area": {"Skole": "Oppvekst"},
                "category": {"Bærbare": "laptop"},
            }
        ),
        name="Snipe-IT Fjordvik",
    )
    mapped = run_import(
        importer=AssetImporter, data=data, filename="snipe.csv",
        municipality=municipality_a,
        find_reading=find_reading, on=D(2026, 1, 5),
    )  # fmt: skip
    assert mapped.applied, mapped.errors
    held = Asset.objects.filter(asset_tag__in=["C0", "C1", "C2"])
    assert {(a.service_area, a.municipality) for a in held} == {(world.oppvekst, municipality_a)}
    new = Asset.objects.get(asset_tag="C3")
    assert (new.product.name, new.product.category, new.status) == (
        "EliteBook 840",
        world.laptop,
        AssetStatus.ORDERED,
    )
    assert new.municipality is None
