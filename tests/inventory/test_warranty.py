"""An asset's warranty end: in the API, the asset form and page, the list and its
export, the admin, and the asset import — Samdrift's own column, Snipe-IT's "Warranty
Expires" date, and Snipe-IT's "Warranty" in months counted from the purchase date."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse

from samdrift.core.importing import run_import
from samdrift.core.models import ObjectChange
from samdrift.imports.registry import importer_class
from samdrift.inventory.importers.values import WarrantyMonths
from samdrift.inventory.models import Asset
from tests import factories
from tests.factories import api_as, client_for, csv_bytes
from tests.worlds import build_importing_world, build_small_world

pytestmark = pytest.mark.django_db
D = datetime.date


# --- API, form, page, list, admin ------------------------------------------------------


@pytest.fixture
def world(db):
    return build_small_world(rows=1)


def test_the_api_reads_and_writes_the_warranty_end(operator, world):
    asset = world.assets_a[0]
    client = api_as(operator)
    changed = client.patch(f"/api/assets/{asset.pk}/", {"warranty_end": "2027-03-31"})
    assert changed.status_code == 200, changed.content
    assert changed.json()["warranty_end"] == "2027-03-31"
    asset.refresh_from_db()
    assert asset.warranty_end == D(2027, 3, 31)
    listed = client.get("/api/assets/", {"warranty_end_before": "2027-04-01"}).json()
    assert [row["asset_tag"] for row in listed["results"]] == [asset.asset_tag]
    assert client.get("/api/assets/", {"warranty_end_before": "2027-03-31"}).json()["count"] == 0


def test_the_api_refuses_a_bad_warranty_end_naming_the_field(operator, world):
    asset = world.assets_a[0]
    before = ObjectChange.objects.count()
    response = api_as(operator).patch(f"/api/assets/{asset.pk}/", {"warranty_end": "31.02.2027"})
    assert response.status_code == 400
    assert "warranty_end" in response.json()
    asset.refresh_from_db()
    assert asset.warranty_end is None
    assert ObjectChange.objects.count() == before


def test_the_form_saves_it_and_the_asset_page_and_list_show_it(operator, world):
    asset = world.assets_a[0]
    client = client_for(operator)
    data = {
        "product": world.laptop.pk,
        "asset_tag": asset.asset_tag,
        "serial_number": "",
        "origin": "purchased",
        "acquisition_date": "2024-05-31",
        "warranty_end": "2027-05-31",
    }
    response = client.post(reverse("inventory:asset_edit", args=[asset.pk]), data)
    assert response.status_code == 302, response.content.decode()[:500]
    asset.refresh_from_db()
    assert asset.warranty_end == D(2027, 5, 31)
    page = client.get(reverse("inventory:asset_detail", args=[asset.pk])).content.decode()
    shown = page[page.index('data-testid="warranty-end"') :]
    assert "2027-05-31" in shown[: shown.index("</dd>")]
    # On the list when the user chooses the column (it is not shown by default).
    client.post(
        reverse("list_columns"),
        {"list": reverse("inventory:asset_list"), "columns": ["warranty_end"]},
    )
    listed = client.get(reverse("inventory:asset_list")).content.decode()
    assert "Warranty end" in listed and "2027-05-31" in listed


def test_a_bad_warranty_end_in_the_form_changes_nothing(operator, world):
    asset = world.assets_a[0]
    before = ObjectChange.objects.count()
    data = {
        "product": world.laptop.pk,
        "asset_tag": asset.asset_tag,
        "origin": "purchased",
        "warranty_end": "31.02.2027",
    }
    response = client_for(operator).post(reverse("inventory:asset_edit", args=[asset.pk]), data)
    html = response.content.decode()
    assert response.status_code == 400
    block = html[html.index('data-field="warranty_end"') :]
    assert "Enter a valid date" in block[: block.index("</div>")]
    asset.refresh_from_db()
    assert asset.warranty_end is None
    assert ObjectChange.objects.count() == before


def test_the_export_writes_it_and_imports_back_unchanged(operator, world):
    asset = Asset.objects.get(pk=world.assets_a[0].pk)  # as assigned, with its holder
    asset.acquisition_date = D(2024, 5, 31)
    asset.warranty_end = D(2027, 5, 31)
    asset.save()
    client = client_for(operator)
    response = client.get(
        reverse("inventory:asset_list"), {"export": "csv", "municipality": world.municipality_a.pk}
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["asset_tag"], r["warranty_end"]) for r in rows] == [(asset.asset_tag, "2027-05-31")]
    before = ObjectChange.objects.count()
    result = run_import(
        importer=importer_class("assets"),
        data=text.encode("utf-8"),
        filename="assets.csv",
        municipality=world.municipality_a,
    )
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert ObjectChange.objects.count() == before


def test_the_admin_lists_it(world):
    admin = factories.make_user(is_staff=True, is_superuser=True)
    Asset.objects.filter(pk=world.assets_a[0].pk).update(warranty_end=D(2027, 5, 31))
    page = client_for(admin).get(reverse("admin:inventory_asset_changelist")).content.decode()
    assert "column-warranty_end" in page


# --- Import ------------------------------------------------------------------------------


@pytest.fixture
def importing(municipality_a):
    return build_importing_world(municipality_a)


def import_assets(municipality, rows, **options):
    return run_import(
        importer=importer_class("assets"),
        data=csv_bytes(rows),
        filename="assets.csv",
        municipality=municipality,
        on=D(2026, 1, 5),
        **options,
    )


def warranty_of(tag):
    return Asset.objects.get(asset_tag=tag).warranty_end


def test_our_own_column_and_its_norwegian_name(importing, municipality_a):
    rows = [
        ["Asset tag", "Product", "Warranty end"],
        ["W-1", "X", "2027-08-01"],
        ["W-2", "X", "31.12.2028"],
        ["W-3", "X", ""],
    ]
    result = import_assets(municipality_a, rows)
    assert result.ok, result.errors
    assert [warranty_of(t) for t in ("W-1", "W-2", "W-3")] == [
        D(2027, 8, 1),
        D(2028, 12, 31),
        None,
    ]
    result = import_assets(
        municipality_a, [["Inventarnummer", "Produkt", "Garantislutt"], ["W-4", "X", "1.2.2029"]]
    )
    assert result.ok, result.errors
    assert warranty_of("W-4") == D(2029, 2, 1)


def test_snipe_it_warranty_expires_wins_over_the_months(importing, municipality_a):
    # Snipe-IT's custom report writes both: the months and the day they end.
    rows = [
        ["Asset Tag", "Model", "Purchased", "Warranty", "Warranty Expires"],
        ["S-1", "X", "2024-08-01", "36", "2027-08-01"],
        # Edited by hand: the date says more than the months.
        ["S-2", "X", "2024-08-01", "36", "2027-12-31"],
    ]
    result = import_assets(municipality_a, rows)
    assert result.ok, result.errors
    assert warranty_of("S-1") == D(2027, 8, 1)
    assert warranty_of("S-2") == D(2027, 12, 31)


def test_snipe_it_warranty_months_are_counted_from_the_purchase_date(importing, municipality_a):
    rows = [
        ["Asset Tag", "Model", "Purchase Date", "Warranty"],
        ["M-1", "X", "2024-03-01", "36"],
        # add_months keeps to the month's end: 30 November + 3 months = 28 February.
        ["M-2", "X", "2021-11-30", "3"],
        # The asset list export writes the unit after the number.
        ["M-3", "X", "2023-01-31", "13 months"],
        ["M-4", "X", "2023-01-31", ""],
        ["M-5", "X", "2023-01-31", "0"],
    ]
    result = import_assets(municipality_a, rows)
    assert result.ok, result.errors
    assert [warranty_of(t) for t in ("M-1", "M-2", "M-3", "M-4", "M-5")] == [
        D(2027, 3, 1),
        D(2022, 2, 28),
        D(2024, 2, 29),
        None,
        None,
    ]


def test_months_without_a_purchase_date_are_not_guessed(importing, municipality_a):
    rows = [
        ["Asset Tag", "Model", "Purchase Date", "Warranty"],
        ["N-1", "X", "", "36"],
        ["N-2", "X", "2024-03-01", "24"],
    ]
    result = import_assets(municipality_a, rows)
    assert result.ok, result.errors
    assert warranty_of("N-1") is None
    assert warranty_of("N-2") == D(2026, 3, 1)
    assert any("Rows 2:" in w and "no acquisition date" in w for w in result.warnings)


def test_months_count_from_the_stored_purchase_date(importing, municipality_a):
    factories.make_asset(asset_tag="K-1", acquisition_date=D(2023, 6, 15))
    result = import_assets(municipality_a, [["Asset Tag", "Warranty"], ["K-1", "24"]], update=True)
    assert result.ok, result.errors
    assert result.updated == 1
    assert warranty_of("K-1") == D(2025, 6, 15)


def test_a_bad_warranty_date_names_row_and_column_and_saves_nothing(importing, municipality_a):
    rows = [
        ["Asset Tag", "Model", "Purchased", "Warranty Expires"],
        ["B-1", "X", "2024-08-01", "2027-08-01"],
        ["B-2", "X", "2024-08-01", "2027-02-30"],
    ]
    result = import_assets(municipality_a, rows)
    assert not result.ok
    (error,) = result.errors
    assert (error.line, error.column) == (3, "Warranty Expires")
    assert "2027-02-30" in error.message
    assert not Asset.objects.filter(asset_tag__startswith="B-").exists()


def test_bad_months_name_row_and_column(importing, municipality_a):
    rows = [
        ["Asset Tag", "Model", "Purchased", "Warranty"],
        ["B-1", "X", "2024-08-01", "three years"],
        ["B-2", "X", "2024-08-01", "-12"],
    ]
    result = import_assets(municipality_a, rows)
    assert [(e.line, e.column) for e in result.errors] == [(2, "Warranty"), (3, "Warranty")]
    assert "three years" in result.errors[0].message
    assert not Asset.objects.filter(asset_tag__startswith="B-").exists()


def test_a_warranty_ending_before_the_purchase_is_refused(importing, municipality_a):
    rows = [
        ["Asset Tag", "Model", "Purchase Date", "Warranty Expires"],
        ["E-1", "X", "2024-08-01", "2024-07-31"],
    ]
    result = import_assets(municipality_a, rows)
    (error,) = result.errors
    assert (error.line, error.column) == (2, "Warranty Expires")
    assert "before the asset was acquired" in error.message
    assert not Asset.objects.exists()


def test_a_changed_warranty_needs_updates_allowed(importing, municipality_a):
    factories.make_asset(asset_tag="U-1", warranty_end=D(2027, 1, 1))
    rows = [["Asset Tag", "Warranty end"], ["U-1", "2028-01-01"]]
    refused = import_assets(municipality_a, rows)
    (error,) = refused.errors
    assert (error.line, error.column) == (2, "Warranty end")
    assert warranty_of("U-1") == D(2027, 1, 1)
    allowed = import_assets(municipality_a, rows, update=True)
    assert allowed.ok and allowed.updated == 1
    assert warranty_of("U-1") == D(2028, 1, 1)


@pytest.mark.parametrize(
    ("text", "months"),
    [("36", 36), (36, 36), ("36 months", 36), ("1 month", 1), ("48 måneder", 48), ("24 mnd", 24)],
)
def test_months_as_written(text, months):
    assert WarrantyMonths()(text) == months


def test_a_warranty_ending_before_the_acquisition_is_refused_by_the_model():
    from django.core.exceptions import ValidationError

    asset = factories.make_asset(acquisition_date=datetime.date(2024, 5, 1))
    asset.warranty_end = datetime.date(2024, 4, 30)
    with pytest.raises(ValidationError) as caught:
        asset.full_clean()
    assert "warranty_end" in caught.value.message_dict
    asset.warranty_end = datetime.date(2024, 5, 1)  # the same day is allowed
    asset.full_clean()
