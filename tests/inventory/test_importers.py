"""Importing assets (with who holds them) and usage quantities."""

import datetime
from decimal import Decimal

import pytest

from samdrift.core.changelog import changes_for
from samdrift.core.importing import run_import
from samdrift.imports.registry import importer_class
from samdrift.inventory.choices import AssetStatus
from samdrift.inventory.models import Asset, Assignment, UsageRecord
from samdrift.inventory.services import assign_asset
from samdrift.organisations.models import Location, Person
from tests import factories
from tests.factories import (
    SNIPE_IT_HEADER,
    csv_bytes,
    snipe_it_row,
    xlsx_bytes,
)
from tests.worlds import build_importing_world

pytestmark = pytest.mark.django_db
D = datetime.date


def assets(municipality, rows, **options):
    return run_import(
        importer=importer_class("assets"),
        data=csv_bytes(rows),
        filename="assets.csv",
        municipality=municipality,
        **options,
    )


HEADER = ["Asset tag", "Serial number", "Product", "Category", "Status", "Person", "Service area"]


@pytest.fixture
def world(municipality_a):
    return build_importing_world(municipality_a)


def test_a_snipe_it_export_imports_unchanged(world, municipality_a):
    rows = [SNIPE_IT_HEADER, *(snipe_it_row(n) for n in range(1, 4))]
    rows.append(snipe_it_row(4, **{"Status": "Ready to Deploy", "Checked Out To: Username": ""}))
    result = run_import(
        importer=importer_class("assets"),
        data=xlsx_bytes(rows),
        filename="snipe-it.xlsx",
        municipality=municipality_a,
        on=D(2026, 1, 5),
    )
    assert result.ok, result.errors
    assert result.created == 4
    deployed = Asset.objects.get(asset_tag="FV000001")
    assert deployed.status == AssetStatus.DEPLOYED
    assert deployed.name == "PC-00001"
    assert deployed.serial_number == "SN00000001"
    assert deployed.product.name == "ThinkPad T14"  # the priced product the file names

    assert deployed.product.category == world.laptop
    assert deployed.acquisition_cost == Decimal("12345.50")
    # Snipe-IT's warranty in months, counted from the purchase date.
    assert deployed.warranty_end == D(2027, 3, 1)
    assert deployed.person.username == "user1"
    assert deployed.location == world.town_hall
    assert deployed.municipality == municipality_a
    held = Assignment.objects.get(asset=deployed)
    assert (held.valid_from, held.valid_to, held.person) == (D(2026, 1, 5), None, deployed.person)
    assert held.note == "Imported from snipe-it.xlsx"
    assert deployed.person.active_from == D(2026, 1, 5)
    spare = Asset.objects.get(asset_tag="FV000004")
    assert spare.status == AssetStatus.IN_STOCK
    assert spare.municipality is None and not spare.assignments.exists()


def test_reimporting_the_same_file_changes_nothing(world, municipality_a):
    rows = [SNIPE_IT_HEADER, *(snipe_it_row(n) for n in range(1, 6))]
    first = assets(municipality_a, rows)
    assert first.created == 5
    snapshot = (
        list(Asset.objects.values().order_by("pk")),
        list(Assignment.objects.values().order_by("pk")),
    )
    again = assets(municipality_a, rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert again.ok and not again.to_create
    assert snapshot == (
        list(Asset.objects.values().order_by("pk")),
        list(Assignment.objects.values().order_by("pk")),
    )


def test_a_row_that_differs_is_an_error_without_update_and_applied_with_it(world, municipality_a):
    assets(municipality_a, [SNIPE_IT_HEADER, snipe_it_row(1), snipe_it_row(2)])
    changed = [SNIPE_IT_HEADER, snipe_it_row(1, **{"Purchase Cost": "999"}), snipe_it_row(2)]

    refused = assets(municipality_a, changed)
    assert not refused.applied
    assert [(e.line, e.column) for e in refused.errors] == [(2, "Purchase Cost")]
    assert "12345.50" in refused.errors[0].message and "999.00" in refused.errors[0].message
    asset = Asset.objects.get(asset_tag="FV000001")
    assert asset.acquisition_cost == Decimal("12345.50")

    updated = assets(municipality_a, changed, update=True)
    assert (updated.updated, updated.unchanged) == (1, 1)
    assert updated.samples[0].changes == {"acquisition_cost": ["12345.50", "999.00"]}
    asset.refresh_from_db()
    assert asset.acquisition_cost == Decimal("999.00")
    change = changes_for(asset).first()
    assert change.changed_fields()["acquisition_cost"] == ("12345.50", "999.00")


def test_a_new_holder_closes_the_open_assignment_on_the_date(world, municipality_a):
    header = [*HEADER, "Assigned from"]
    first = ["T1", "S1", "ThinkPad T14", "Laptop", "Deployed", "kari", "Oppvekst", "01.01.2026"]
    assert assets(municipality_a, [header, first]).created == 1
    moved = [
        "T1",
        "S1",
        "ThinkPad T14",
        "Laptop",
        "Deployed",
        "ola",
        "Helse og omsorg",
        "10.03.2026",
    ]

    refused = assets(municipality_a, [header, moved])
    assert {e.column for e in refused.errors} == {"Person", "Service area"}

    result = assets(municipality_a, [header, moved], update=True)
    assert result.updated == 1, result.errors
    asset = Asset.objects.get(asset_tag="T1")
    history = list(asset.assignments.order_by("valid_from"))
    assert [(a.valid_from, a.valid_to, a.person.username) for a in history] == [
        (D(2026, 1, 1), D(2026, 3, 10), "kari"),
        (D(2026, 3, 10), None, "ola"),
    ]
    assert (asset.person.username, asset.service_area) == ("ola", world.helse)
    assert changes_for(history[0]).first().changed_fields()["valid_to"] == (None, "2026-03-10")


def test_a_new_holder_from_a_later_date_takes_effect_on_that_date(world, municipality_a):
    """The asset keeps its holder in force today until the move's day."""
    from django.utils import timezone

    from samdrift.inventory.holders import refresh_holders

    today = timezone.localdate()
    soon = today + datetime.timedelta(days=20)
    header = [*HEADER, "Assigned from"]
    first = ["T1", "S1", "ThinkPad T14", "Laptop", "Deployed", "kari", "Oppvekst", "01.01.2026"]
    later = [
        "T2",
        "S2",
        "ThinkPad T14",
        "Laptop",
        "Deployed",
        "kari",
        "Oppvekst",
        f"{soon:%d.%m.%Y}",
    ]
    assert assets(municipality_a, [header, first, later]).created == 2
    moved = ["T1", "S1", "ThinkPad T14", "Laptop", "Deployed", "ola", "Helse og omsorg"]
    result = assets(municipality_a, [header, [*moved, f"{soon:%d.%m.%Y}"]], update=True)
    assert result.updated == 1, result.errors

    t1, t2 = Asset.objects.order_by("asset_tag")
    # T1 is Oppvekst's (kari's) until the move's day; T2 is nobody's until its first day.
    assert (t1.person.username, t1.service_area) == ("kari", world.oppvekst)
    assert t2.municipality is None and t2.person is None
    assert t1.assignments.get(valid_from=soon).person.username == "ola"

    refresh_holders(on=soon)
    t1.refresh_from_db()
    t2.refresh_from_db()
    assert (t1.person.username, t1.service_area) == ("ola", world.helse)
    assert (t2.municipality, t2.person.username) == (municipality_a, "kari")


def test_a_new_holder_inside_the_history_is_refused(world, municipality_a):
    header = [*HEADER, "Assigned from"]
    assets(municipality_a, [header, ["T1", "S1", "X", "Laptop", "", "kari", "", "01.03.2026"]])
    back = ["T1", "S1", "X", "Laptop", "", "ola", "", "01.02.2026"]
    result = assets(municipality_a, [header, back], update=True)
    assert [(e.line, e.column) for e in result.errors] == [(2, "Assigned from")]
    assert "history is never rewritten" in result.errors[0].message
    assert Assignment.objects.get().person.username == "kari"


def test_taking_an_asset_out_of_use_ends_its_assignment(world, municipality_a):
    header = ["Asset tag", "Product", "Category", "Status", "Person", "Assigned from"]
    assets(municipality_a, [header, ["T1", "X", "Laptop", "Deployed", "kari", "01.01.2026"]])
    result = assets(
        municipality_a,
        [header, ["T1", "X", "Laptop", "Retired", "", "01.06.2026"]],
        update=True,
    )
    assert result.updated == 1, result.errors
    asset = Asset.objects.get()
    assert asset.status == AssetStatus.RETIRED
    assert asset.municipality is None and asset.person is None
    assert Assignment.objects.get().valid_to == D(2026, 6, 1)


def test_a_status_change_against_the_lifecycle_is_refused(world, municipality_a):
    header = ["Asset tag", "Product", "Category", "Status"]
    assets(municipality_a, [header, ["T1", "X", "Laptop", "Disposed"]])
    result = assets(municipality_a, [header, ["T1", "X", "Laptop", "Deployed"]], update=True)
    assert [(e.line, e.column) for e in result.errors] == [(2, "Status")]
    assert "cannot go from Disposed" in result.errors[0].message


def test_a_person_named_means_checked_out_whatever_the_label(world, municipality_a):
    # Snipe-IT shows an asset checked out while its label reads "Ready to Deploy" (or
    # "In stock") as deployed: the holder is kept, never dropped with a note.
    result = assets(municipality_a, [HEADER, ["T1", "S1", "X", "Laptop", "In stock", "kari", ""]])
    assert result.ok, result.errors
    asset = Asset.objects.get()
    assert asset.status == AssetStatus.DEPLOYED
    assert asset.person.username == "kari"
    assert Assignment.objects.get().person.username == "kari"


def test_strict_makes_unknown_persons_locations_and_products_errors(world, municipality_a):
    header = ["Asset tag", "Product", "Category", "Person", "Location"]
    rows = [header, ["T1", "Ny modell", "Laptop", "ny.person", "Nytt sted"]]
    result = assets(municipality_a, rows, strict=True)
    assert sorted(e.column for e in result.errors) == ["Location", "Person", "Product"]
    assert not Person.objects.exists() and not Location.objects.exclude(name="Rådhuset").exists()
    relaxed = assets(municipality_a, rows, dry_run=True)
    assert relaxed.to_create == {
        "locations": ["Nytt sted"],
        "persons": ["ny.person"],
        "products": ["Ny modell"],
    }


def test_an_unknown_product_needs_its_category(world, municipality_a):
    result = assets(municipality_a, [["Asset tag", "Product"], ["T1", "Ukjent"]])
    assert "give its category" in result.errors[0].message


def test_an_asset_of_another_municipality_is_not_touched(world, municipality_a, municipality_b):
    other = factories.make_asset(asset_tag="T1", serial_number="S1")
    assign_asset(asset=other, municipality=municipality_b, valid_from=D(2025, 1, 1))
    result = assets(municipality_a, [HEADER, ["T1", "S1", "X", "Laptop", "", "", ""]])
    assert "held by Elvdal" in result.errors[0].message
    other.refresh_from_db()
    assert other.municipality == municipality_b


def test_serial_numbers_must_agree_with_tags(world, municipality_a):
    factories.make_asset(asset_tag="T1", serial_number="S1")
    factories.make_asset(asset_tag="T2", serial_number="S2")
    result = assets(municipality_a, [HEADER, ["T1", "S2", "X", "Laptop", "", "", ""]])
    assert [(e.line, e.column) for e in result.errors] == [(2, "Serial number")]
    assert "belongs to the asset T2" in result.errors[0].message


def test_an_asset_found_by_serial_alone(world, municipality_a):
    stored = factories.make_asset(asset_tag="T1", serial_number="S1", notes="")
    rows = [["Serienummer", "Notater"], ["S1", "ny merknad"]]
    result = assets(municipality_a, rows, update=True)
    assert result.updated == 1
    stored.refresh_from_db()
    assert stored.notes == "ny merknad"


def test_row_checks(world, municipality_a):
    future = (datetime.date.today() + datetime.timedelta(days=30)).strftime("%d.%m.%Y")
    header = ["Asset tag", "Product", "Category", "Purchase date", "Lease start", "Lease end"]
    rows = [
        header,
        ["", "X", "Laptop", "", "", ""],
        ["T2", "X", "Laptop", future, "", ""],
        ["T3", "X", "Laptop", "", "01.01.2026", "01.01.2025"],
        ["T4", "", "", "", "", ""],
        ["T5", "X", "Laptop", "", "", ""],
        ["T5", "X", "Laptop", "", "", ""],
    ]
    result = assets(municipality_a, rows)
    found = {(e.line, e.column): e.message for e in result.errors}
    assert "needs an asset tag" in found[(2, "Asset tag")]
    assert "in the future" in found[(3, "Purchase date")]
    assert "must end" in found[(4, "Lease end")]
    assert "needs a product" in found[(5, "Product")]
    assert "duplicate asset tag of row 6" in found[(7, "Asset tag")]
    assert not Asset.objects.exists()


def test_a_person_not_active_on_the_date_cannot_take_an_asset(world, municipality_a):
    factories.make_person(
        municipality_a, username="gone", active_from=D(2020, 1, 1), active_to=D(2025, 1, 1)
    )
    header = ["Asset tag", "Product", "Category", "Person", "Assigned from"]
    result = assets(municipality_a, [header, ["T1", "X", "Laptop", "GONE", "2026-01-01"]])
    assert "gone is not active on 2026-01-01" in result.errors[0].message


# --- usage ---------------------------------------------------------------------------


@pytest.fixture
def printer(world, municipality_a):
    asset = factories.make_asset(asset_tag="PR1", serial_number="PRS1")
    assign_asset(asset=asset, municipality=municipality_a, valid_from=D(2026, 1, 1))
    return asset


def usage(municipality, rows, **options):
    return run_import(
        importer=importer_class("usage"),
        data=csv_bytes(rows),
        filename="usage.csv",
        municipality=municipality,
        **options,
    )


def test_usage_quantities_import_and_reimport(world, municipality_a, printer):
    service = factories.make_service(code="print-page", name="Utskrift per side", unit="page")
    rows = [
        ["Tjeneste", "Måned", "Antall", "Printer", "Referanse", "Tjenesteområde"],
        ["print-page", "11.2026", "1 234", "PR1", "M-1", "Oppvekst"],
        ["Utskrift per side", "2026-12", "10,5", "PRS1", "M-2", ""],
    ]
    result = usage(municipality_a, rows)
    assert result.created == 2, result.errors
    record = UsageRecord.objects.get(reference="M-1")
    assert (record.service, record.month, record.quantity) == (service, D(2026, 11, 1), 1234)
    assert record.asset == printer and record.service_area == world.oppvekst
    assert usage(municipality_a, rows).unchanged == 2
    rows[1][2] = "1 300"
    assert "allow updates" in usage(municipality_a, rows).errors[0].message
    assert usage(municipality_a, rows, update=True).updated == 1
    record.refresh_from_db()
    assert record.quantity == 1300


def test_usage_refuses_what_the_municipality_did_not_hold(world, municipality_a, printer):
    factories.make_service(code="print-page", unit="page")
    rows = [
        ["Service", "Month", "Quantity", "Asset", "Person"],
        ["print-page", "2025-12", "5", "PR1", ""],
        ["print-page", "2026-01", "5", "PR9", ""],
        ["nope", "2026-01", "5", "", ""],
        ["print-page", "2026-01", "5", "", "nobody"],
        ["print-page", "2026-01-15", "5", "", ""],
    ]
    result = usage(municipality_a, rows)
    found = {(e.line, e.column) for e in result.errors}
    assert found == {(2, "Asset"), (3, "Asset"), (4, "Service"), (5, "Person"), (6, "Month")}
    assert not UsageRecord.objects.exists()
