"""The import run: all or nothing, every error at once, idempotent, logged, set-based."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from samdrift.core.actor import acting_as
from samdrift.core.bulk import InstanceFactory, TableWriter
from samdrift.core.changelog import record_bulk_changes
from samdrift.core.choices import ChangeAction
from samdrift.core.importing import run_import
from samdrift.core.models import ObjectChange
from samdrift.imports.registry import importer_class
from samdrift.inventory.models import Asset, Assignment
from samdrift.organisations.models import Location, Person
from tests import factories
from tests.factories import SNIPE_IT_HEADER, csv_bytes, snipe_it_row
from tests.worlds import build_importing_world

pytestmark = pytest.mark.django_db
D = datetime.date


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Asset, Assignment, Person, Location, ObjectChange)
    }


def test_fifty_bad_rows_among_ten_thousand_are_all_reported_and_nothing_is_imported(
    municipality_a,
):
    build_importing_world(municipality_a)
    header = ["Asset Tag", "Serial", "Model", "Category", "Purchase Date", "Purchase Cost"]
    header += ["Service area", "Status"]
    rows = [header]
    bad = {}  # line -> (column, words in the message)
    for n in range(10_000):
        line = n + 2
        row = [f"T{n:05d}", f"S{n:05d}", "ThinkPad T14", "Laptop", "31.12.2024", "1 234,50"]
        row += ["Oppvekst", "Deployed"]
        kind = n % 200
        if n % 200 == 17:  # 50 of them, five kinds of mistake
            kind = (n // 200) % 5
            if kind == 0:
                row[1] = "S00004"  # the serial of row 6
                bad[line] = ("Serial", "duplicate serial number of row 6")
            elif kind == 1:
                row[6] = "Skole"
                bad[line] = ("Service area", "unknown service area “Skole”")
            elif kind == 2:
                row[4] = "31/31/2026"
                bad[line] = ("Purchase Date", "date not understood: 31/31/2026")
            elif kind == 3:
                row[5] = "tolv kroner"
                bad[line] = ("Purchase Cost", "number not understood")
            else:
                row[3] = "Nettbrett"
                row[2] = "iPad"
                bad[line] = ("Category", "unknown product category “Nettbrett”")
        rows.append(row)
    before = counts()

    result = run_import(
        importer=importer_class("assets"),
        data=csv_bytes(rows),
        filename="big.csv",
        municipality=municipality_a,
    )

    assert not result.applied
    assert len(bad) == 50
    # An unknown service area or category is listed once, at its first row, with how
    # many rows have it (to be mapped once); the rows are all counted.
    unknown = {
        "service_area": sorted(k for k, v in bad.items() if v[0] == "Service area"),
        "category": sorted(k for k, v in bad.items() if v[0] == "Category"),
    }
    listed = sorted(set(bad) - {*unknown["service_area"][1:], *unknown["category"][1:]})
    assert result.error_lines == listed
    assert len(result.errors) == 50 - 9 - 9
    for error in result.errors:
        column, words = bad[error.line]
        assert error.column == column
        assert words in error.message
    assert result.unknown_values["service_area"] == {"Skole": [10, unknown["service_area"]]}
    assert result.unknown_values["category"] == {"Nettbrett": [10, unknown["category"]]}
    first_category = next(e for e in result.errors if e.column == "Category")
    assert "(on 10 rows; map the value once for all of them)" in first_category.message
    assert counts() == before


def test_a_windows_1252_semicolon_file_with_norwegian_dates_and_decimal_commas(municipality_a):
    world = build_importing_world(municipality_a)
    rows = [
        ["Inventarnummer", "Serienummer", "Modell", "Kategori", "Kjøpsdato", "Kostpris"],
        # A priced product: held assets of one without a price are refused (billing).
        ["FV-1", "SN-1", "ThinkPad T14", "Laptop", "31.12.2024", "12 345,50"],
        ["FV-2", "SN-2", "ThinkPad T14", "Laptop", "1.2.2025", "9\u00a0999,-"],
    ]
    header = rows[0] + ["Brukernavn", "Fornavn", "Etternavn", "Lokasjon", "Tjenesteområde"]
    rows = [
        header,
        [*rows[1], "ærlig.øst", "Ærlig", "Østby", "Skåla skole", "Oppvekst"],
        [*rows[2], "", "", "", "Rådhuset", "Helse og omsorg"],
    ]
    data = csv_bytes(rows, delimiter=";", encoding="cp1252")
    assert "æ".encode("cp1252") in data and "æ".encode() not in data

    result = run_import(
        importer=importer_class("assets"),
        data=data,
        filename="eiendeler.csv",
        municipality=municipality_a,
    )

    assert result.ok and result.applied, result.errors
    assert result.file_description.startswith("CSV, Windows-1252, semicolon")
    first = Asset.objects.get(asset_tag="FV-1")
    assert first.acquisition_date == D(2024, 12, 31)
    assert first.acquisition_cost == Decimal("12345.50")
    assert first.product.name == "ThinkPad T14"
    assert first.person.username == "ærlig.øst"
    assert first.person.full_name == "Ærlig Østby"
    assert first.location.name == "Skåla skole"
    assert first.service_area == world.oppvekst
    second = Asset.objects.get(asset_tag="FV-2")
    assert second.acquisition_date == D(2025, 2, 1)
    assert second.acquisition_cost == Decimal("9999.00")
    assert second.location == world.town_hall
    assert result.to_create == {
        "locations": ["Skåla skole"],
        "persons": ["ærlig.øst"],
    }


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(municipality_a):
    build_importing_world(municipality_a)
    data = csv_bytes([SNIPE_IT_HEADER, *(snipe_it_row(n) for n in range(5))], delimiter=",")
    before = counts()
    result = run_import(
        importer=importer_class("assets"),
        data=data,
        filename="snipe.csv",
        municipality=municipality_a,
        dry_run=True,
    )
    assert result.ok and not result.applied
    assert (result.created, result.updated, result.unchanged) == (5, 0, 0)
    assert result.to_create["persons"] == [f"user{n}" for n in range(5)]
    assert "products" not in result.to_create  # the file's model is the priced product
    assert counts() == before


def test_every_object_is_logged_and_the_import_summarised_and_a_reimport_logs_nothing(
    municipality_a, operator
):
    build_importing_world(municipality_a)
    data = csv_bytes([SNIPE_IT_HEADER, *(snipe_it_row(n) for n in range(3))], delimiter=",")
    start = ObjectChange.objects.count()
    with acting_as(operator, label="web"):
        result = run_import(
            importer=importer_class("assets"),
            data=data,
            filename="snipe.csv",
            municipality=municipality_a,
        )
    assert result.applied
    changes = ObjectChange.objects.order_by("id")[start:]
    by_model = {}
    for change in changes:
        by_model.setdefault(change.content_type.model, []).append(change)
    assert len(by_model["asset"]) == 4  # three assets and the summary
    assert len(by_model["assignment"]) == 3
    assert len(by_model["person"]) == 3
    assert "product" not in by_model  # the file's model is a stored product
    asset_change = next(c for c in by_model["asset"] if c.object_repr == "FV000001")
    asset = Asset.objects.get(asset_tag="FV000001")
    assert asset_change.object_id == asset.pk
    assert asset_change.user == operator
    assert asset_change.action == ChangeAction.CREATE
    assert asset_change.municipality_id == municipality_a.pk
    assert asset_change.postchange_data["acquisition_cost"] == "12345.50"
    assert asset_change.postchange_data["person_id"] == asset.person_id
    summary = by_model["asset"][-1]
    assert summary.object_id == 0
    assert "snipe.csv" in summary.message and "3 created" in summary.message
    assert summary.municipality_id == municipality_a.pk
    assert summary.user == operator

    logged = ObjectChange.objects.count()
    again = run_import(
        importer=importer_class("assets"),
        data=data,
        filename="snipe.csv",
        municipality=municipality_a,
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert again.applied and ObjectChange.objects.count() == logged


def test_the_fast_writer_writes_what_bulk_create_and_record_bulk_changes_write(
    municipality_a, service_area_a
):
    """The import's own insert path (writing.py: instances built without ``__init__``,
    written without the ORM) must leave the same rows behind as the ORM's: the asset and
    its change-log entry, field by field."""
    product = factories.make_product()
    values = {
        "product_id": product.pk,
        "asset_tag": "TAG-X",
        "serial_number": "SER-X",
        "status": "deployed",
        "acquisition_date": D(2025, 5, 17),
        "acquisition_cost": Decimal("1200.5"),
        "municipality_id": municipality_a.pk,
        "service_area_id": service_area_a.pk,
        "notes": "æøå",
    }
    with acting_as(None, label="test"):
        ours = InstanceFactory(Asset).make(values)
        TableWriter(Asset).insert([ours])  # logs it too
        theirs = Asset(**{**values, "asset_tag": "TAG-Y", "serial_number": "SER-Y"})
        Asset.objects.bulk_create([theirs])
        record_bulk_changes([theirs], action=ChangeAction.CREATE)

    ignore = {"id", "asset_tag", "serial_number", "created", "last_updated"}
    stored = {a.asset_tag: a for a in Asset.objects.filter(asset_tag__in=["TAG-X", "TAG-Y"])}
    for field in Asset._meta.concrete_fields:
        if field.attname not in ignore:
            assert getattr(stored["TAG-X"], field.attname) == getattr(
                stored["TAG-Y"], field.attname
            ), field.attname
    content_type = ContentType.objects.get_for_model(Asset)
    mine = ObjectChange.objects.get(content_type=content_type, object_id=stored["TAG-X"].pk)
    orm = ObjectChange.objects.get(content_type=content_type, object_id=stored["TAG-Y"].pk)
    for name in ("actor", "action", "municipality_id", "service_area_id", "message", "user_id"):
        assert getattr(mine, name) == getattr(orm, name), name
    assert mine.object_repr == "TAG-X"
    assert mine.prechange_data is None and orm.prechange_data is None
    strip = lambda data: {k: v for k, v in data.items() if k not in ignore}  # noqa: E731
    assert strip(mine.postchange_data) == strip(orm.postchange_data)
    assert mine.postchange_data["acquisition_cost"] == "1200.50"


def test_ids_are_never_reused_after_a_delete(municipality_a):
    """SQLite: an id given before (even of a row since deleted) is not given again."""
    first = factories.make_location(municipality_a, name="A")
    last = factories.make_location(municipality_a, name="B")
    last_pk = last.pk
    last.delete()
    ids = TableWriter(Location).allocate_ids(2)
    assert ids[0] > last_pk > first.pk
    assert ids[1] == ids[0] + 1


@pytest.mark.parametrize("size", [10, 60])
def test_an_import_costs_the_same_few_queries_for_10_or_60_rows(
    municipality_a, django_assert_max_num_queries, size
):
    build_importing_world(municipality_a)
    data = csv_bytes([SNIPE_IT_HEADER, *(snipe_it_row(n) for n in range(size))], delimiter=",")
    # Lookups, one query per table written (ids, insert, change log), the summary.
    with django_assert_max_num_queries(40):
        result = run_import(
            importer=importer_class("assets"),
            data=data,
            filename="s.csv",
            municipality=municipality_a,
        )
    assert result.applied and result.created == size
    with django_assert_max_num_queries(12):
        again = run_import(
            importer=importer_class("assets"),
            data=data,
            filename="s.csv",
            municipality=municipality_a,
        )
    assert again.unchanged == size


def test_an_unreadable_file_is_one_clear_error(municipality_a):
    result = run_import(
        importer=importer_class("assets"),
        data=b"",
        filename="empty.csv",
        municipality=municipality_a,
    )
    assert [str(e) for e in result.errors] == ["The file is empty."]
    result = run_import(
        importer=importer_class("assets"),
        data=b"Foo;Bar\n1;2\n",
        filename="x.csv",
        municipality=municipality_a,
    )
    # No column is one assets are read from: the wrong file, said before any row is read.
    assert "None of the file's columns is one this import reads" in result.errors[0].message
    assert "“Foo”, “Bar”" in result.errors[0].message
    assert "Foo" in result.warnings[0]
    result = run_import(
        importer=importer_class("assets"),
        data=b"Foo;Name\n1;2\n",
        filename="x.csv",
        municipality=municipality_a,
    )
    assert "asset tag or a serial number" in result.errors[0].message


def test_rows_for_another_municipality_are_refused(municipality_a, municipality_b):
    build_importing_world(municipality_a)
    data = csv_bytes(
        [SNIPE_IT_HEADER, snipe_it_row(1), snipe_it_row(2, Company="Elvdal")], delimiter=","
    )
    result = run_import(
        importer=importer_class("assets"), data=data, filename="s.csv", municipality=municipality_a
    )
    assert [(e.line, e.column) for e in result.errors] == [(3, "Company")]
    assert "Elvdal" in result.errors[0].message
    assert not Asset.objects.exists()


def test_progress_is_reported_by_phase(municipality_a):
    build_importing_world(municipality_a)
    data = csv_bytes([SNIPE_IT_HEADER, *(snipe_it_row(n) for n in range(4))], delimiter=",")
    seen = []
    run_import(
        importer=importer_class("assets"),
        data=data,
        filename="s.csv",
        municipality=municipality_a,
        progress=lambda phase, done, total: seen.append((phase, done, total)),
    )
    phases = [phase for phase, _done, _total in seen]
    assert phases[0] == "read" and phases[-1] == "done"
    writes = [(done, total) for phase, done, total in seen if phase == "write"]
    assert writes[-1][0] == writes[-1][1] > 0


def test_the_database_connection_is_in_a_sane_state_after_an_import(municipality_a):
    # Nothing of an import's transaction may linger (e.g. a failed statement).
    build_importing_world(municipality_a)
    data = csv_bytes([SNIPE_IT_HEADER, snipe_it_row(1)], delimiter=",")
    run_import(
        importer=importer_class("assets"), data=data, filename="s.csv", municipality=municipality_a
    )
    assert connection.in_atomic_block  # the test's own transaction, still usable
    assert Asset.objects.count() == 1


def test_garbage_collection_is_paused_during_an_import_and_restored(municipality_a):
    import gc

    seen = []
    build_importing_world(municipality_a)
    data = csv_bytes([SNIPE_IT_HEADER, snipe_it_row(1)], delimiter=",")
    assert gc.isenabled()
    run_import(
        importer=importer_class("assets"),
        data=data,
        municipality=municipality_a,
        progress=lambda *args: seen.append(gc.isenabled()),
    )
    assert seen and not any(seen)
    assert gc.isenabled()


def test_the_sqlite_page_cache_is_restored_after_writing(db):
    from samdrift.core.importing.writing import SQLITE_IMPORT_CACHE_KIB, bulk_writing

    if connection.vendor != "sqlite":
        with bulk_writing():
            pass
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        with bulk_writing():
            cursor.execute("PRAGMA cache_size")
            assert cursor.fetchone()[0] == -SQLITE_IMPORT_CACHE_KIB
        cursor.execute("PRAGMA cache_size")
        assert cursor.fetchone()[0] == before
