"""Whole imports of awkward files (legacy encodings, NUL bytes and the like): on the run,
the command line and the upload page; row and column named, nothing stored garbled, no
traceback. Runs on SQLite and PostgreSQL (PostgreSQL text cannot hold NUL)."""

import io
import random
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from samdrift.core.importing import run_import
from samdrift.core.importing.results import MAX_ERRORS
from samdrift.imports.models import ImportUpload
from samdrift.imports.registry import importer_class, importer_classes
from samdrift.inventory.models import Asset
from samdrift.organisations.models import ServiceArea
from tests.factories import csv_bytes, xlsx_bytes
from tests.worlds import build_importing_world

pytestmark = pytest.mark.django_db


def areas(municipality, data, *, dry_run=False, kind="service-areas"):
    return run_import(
        importer=importer_class(kind),
        data=data,
        filename="f.csv",
        municipality=municipality,
        dry_run=dry_run,
    )


def test_mixed_encodings_name_the_rows_and_store_nothing(municipality_a):
    data = "Tjenesteområde;Ansvar\nOppvekst og læring;2000\n".encode()
    data += "Helse og omsorg;3000\nKultur og fritid i Åsen;4000\n".encode("cp1252")
    result = areas(municipality_a, data)
    assert [(e.line, e.column) for e in result.errors] == [(4, "Tjenesteområde")]
    assert "not UTF-8" in result.errors[0].message
    assert not ServiceArea.objects.exists()


def test_a_nul_byte_is_a_row_and_column_error_on_every_database(municipality_a):
    data = b"Tjenesteomr\xc3\xa5de;Ansvar\nOppvekst;2000\nHel\x00se;3000\n"
    result = areas(municipality_a, data)
    assert [(e.line, e.column) for e in result.errors] == [(3, "Tjenesteområde")]
    assert "NUL" in result.errors[0].message
    assert not ServiceArea.objects.exists()


def test_control_characters_in_names_are_removed_with_a_note(municipality_a):
    result = areas(municipality_a, "Tjenesteområde;Ansvar\nOpp\x07vekst;2000\n".encode())
    assert result.ok and result.applied
    assert ServiceArea.objects.get().name == "Oppvekst"
    assert any("control characters" in w and "rows 2" in w for w in result.warnings)


def test_a_header_only_file_is_nothing_to_import(municipality_a):
    result = areas(municipality_a, "Tjenesteområde;Ansvar\n".encode())
    assert not result.ok
    assert "nothing to import" in result.errors[0].message
    assert result.rows == 0


def test_title_rows_do_not_count_as_data_and_rows_keep_spreadsheet_numbers(municipality_a):
    data = xlsx_bytes(
        [
            ["Tjenesteområder per 1.1.2027"],
            [None],
            ["Tjenesteområde", "Ansvar"],
            ["Oppvekst", "2000"],
            ["Helse", "x" * 30],
        ]
    )
    result = areas(municipality_a, data, dry_run=True)
    assert result.rows == 2
    assert [(e.line, e.column) for e in result.errors] == [(5, "Ansvar")]


def test_a_multi_line_cell_does_not_shift_the_row_numbers(municipality_a):
    data = 'Tjenesteområde;Ansvar;Aktiv\n"Oppvekst\nog læring";2000;ja\nHelse;3000;kanskje\n'
    result = areas(municipality_a, data.encode(), dry_run=True)
    assert [(e.line, e.column) for e in result.errors] == [(3, "Aktiv")]


def test_a_column_with_values_but_no_header_is_noted_like_an_unknown_one(municipality_a):
    data = "Tjenesteområde;;Ansvar;Farge;\nOppvekst;x;2000;blå;\n".encode()
    result = areas(municipality_a, data, dry_run=True)
    assert result.ok
    assert "Not imported (no header): column B." in result.warnings
    assert any("“Farge”" in w for w in result.warnings)
    assert ["(column B)", ""] in result.columns


def test_internal_field_keys_never_appear_in_messages(municipality_a):
    build_importing_world(municipality_a)
    keys = {column.key for cls in importer_classes() for column in cls.all_columns()}
    keys = {key for key in keys if "_" in key}
    for cls in importer_classes():
        municipality = municipality_a if cls.per_municipality else None
        # Each column alone, with a value that cannot be right: whatever is reported
        # names columns and fields in words.
        for column in cls.all_columns():
            data = csv_bytes([[str(column.label), "Note"], ["?!", "x"]])
            result = run_import(importer=cls, data=data, municipality=municipality, dry_run=True)
            for error in result.errors:
                text = f"{error.column} {error.message}"
                assert not [key for key in keys if key in text], (cls.kind, column.key, text)


def test_the_report_keeps_the_first_thousand_errors_and_counts_them_all(municipality_a):
    rows = [["Tjenesteområde", "Ansvar", "Aktiv"]]
    rows += [[f"Område {n}", f"CC{n}", "kanskje"] for n in range(MAX_ERRORS + 400)]
    rows += [[f"Lang {n}", "x" * 40, "ja"] for n in range(100)]
    result = areas(municipality_a, csv_bytes(rows), dry_run=True)
    assert len(result.errors) == MAX_ERRORS
    assert result.error_total == MAX_ERRORS + 500
    assert result.errors_left_out == 500
    assert result.error_counts == {"Aktiv": MAX_ERRORS + 400, "Ansvar": 100}
    assert [e.line for e in result.errors] == list(range(2, MAX_ERRORS + 2))


def test_a_very_long_bad_cell_is_quoted_shortened(municipality_a):
    result = areas(municipality_a, csv_bytes([["Tjenesteområde", "Aktiv"], ["A", "j" * 50_000]]))
    assert len(result.errors[0].message) <= 500


@pytest.mark.parametrize("make", [csv_bytes, xlsx_bytes], ids=["csv", "xlsx"])
@pytest.mark.parametrize(
    ("cost", "words"),
    [
        ("NaN", "number not understood"),
        ("Infinity", "number not understood"),
        ("-inf", "number not understood"),
        ("1e30", "exponent notation"),  # text: write the number in full
        # A number cell of a spreadsheet holds it as a number; CSV writes it as text.
        (Decimal("1E+30"), {"csv_bytes": "exponent notation", "xlsx_bytes": "too large"}),
        ("1234567890123,50", "too large"),  # NUMERIC(14, 2): 12 digits before the comma
        ("1,234", "more than 2 decimals"),
    ],
)
def test_money_cells_that_are_not_finite_or_too_large_are_row_column_errors(
    municipality_a, make, cost, words
):
    world = build_importing_world(municipality_a)
    header = ["Asset Tag", "Model", "Category", "Status", "Purchase Cost"]
    data = make([header, ["T1", "ThinkPad", world.laptop.name, "In stock", cost]])
    result = run_import(importer=importer_class("assets"), data=data, municipality=municipality_a)
    assert [(e.line, e.column) for e in result.errors] == [(2, "Purchase Cost")]
    if isinstance(words, dict):
        words = words[make.__name__]
    assert words in result.errors[0].message
    assert not Asset.objects.exists()


def test_a_wrong_header_stops_before_the_rows_are_read(municipality_a, monkeypatch):
    from samdrift.core.importing import run as running

    parsed = []
    monkeypatch.setattr(running, "parse_rows", lambda *a, **k: parsed.append(1) or [])
    rows = [["Foo", "Bar"]] + [["x", "y"]] * 5000
    result = areas(municipality_a, csv_bytes(rows))
    assert not result.ok and "missing" in result.errors[0].message
    assert parsed == []


# --- the command line and the upload page -------------------------------------------

JUNK = {
    "cr-only": ("Tjenesteområde;Ansvar\rOppvekst;2000\rHelse;3000\r".encode("cp1252"), None),
    "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8, "PNG image"),
    "elf": (b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8, "program"),
    "random": (random.Random(5).randbytes(30_000), "not a text file"),
    "header-only": ("Tjenesteområde;Ansvar\r\n".encode(), "nothing to import"),
}


@pytest.mark.parametrize("name", list(JUNK))
def test_the_command_line_gives_a_message_and_an_exit_status(tmp_path, municipality_a, name):
    data, words = JUNK[name]
    path = tmp_path / f"{name}.csv"
    path.write_bytes(data)
    out = io.StringIO()
    args = ["import", "service-areas", str(path), "--municipality", municipality_a.number]
    if words is None:
        call_command(*args, "--progress", "none", stdout=out)
        assert "Imported." in out.getvalue()
        assert ServiceArea.objects.count() == 2
        return
    with pytest.raises(SystemExit) as exit_:
        call_command(*args, "--progress", "none", stdout=out)
    assert exit_.value.code == 1
    assert words in out.getvalue()


@pytest.mark.parametrize("name", list(JUNK))
def test_the_upload_page_shows_the_message(operator, municipality_a, name):
    data, words = JUNK[name]
    client = Client()
    client.force_login(operator)
    response = client.post(
        "/imports/",
        {
            "kind": "service-areas",
            "municipality": municipality_a.pk,
            "on": "2027-01-05",
            "file": SimpleUploadedFile(f"{name}.csv", data, content_type="text/csv"),
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    if words is not None:
        assert words in page.content.decode()
    assert ImportUpload.objects.count() == 1


def test_a_nul_byte_through_the_upload_page_is_stored_and_shown(operator, municipality_a):
    client = Client()
    client.force_login(operator)
    data = b"Tjenesteomr\xc3\xa5de;Ansvar\nHel\x00se;3000\n"
    response = client.post(
        "/imports/",
        {
            "kind": "service-areas",
            "municipality": municipality_a.pk,
            "on": "2027-01-05",
            "file": SimpleUploadedFile("nul.csv", data, content_type="text/csv"),
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "NUL" in page and "Tjenesteområde" in page


def test_the_command_line_and_the_page_say_how_many_errors_were_left_out(
    tmp_path, operator, municipality_a
):
    rows = [["Tjenesteområde", "Ansvar", "Aktiv"]]
    rows += [[f"Område {n}", f"CC{n}", "kanskje"] for n in range(MAX_ERRORS + 20)]
    path = tmp_path / "many.csv"
    path.write_bytes(csv_bytes(rows))
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "import",
            "service-areas",
            str(path),
            "--municipality",
            municipality_a.number,
            "--progress",
            "none",
            stdout=out,
        )
    assert f"{MAX_ERRORS + 20:,} errors:" in out.getvalue()
    assert "… and 20 more (the first 1,000 are listed). Errors per column: Aktiv 1,020." in (
        out.getvalue()
    )
    client = Client()
    client.force_login(operator)
    response = client.post(
        "/imports/",
        {
            "kind": "service-areas",
            "municipality": municipality_a.pk,
            "on": "2027-01-05",
            "file": SimpleUploadedFile("many.csv", csv_bytes(rows), content_type="text/csv"),
        },
    )
    page = client.get(response["Location"]).content.decode()
    assert "1020 errors in all; the first 1000 are listed." in page
    assert "Aktiv 1020" in page


def test_a_file_with_no_column_the_kind_reads_is_refused_before_its_rows(
    municipality_a, monkeypatch
):
    from samdrift.core.importing import run as running

    parsed = []
    monkeypatch.setattr(running, "parse_rows", lambda *a, **k: parsed.append(1) or [])
    junk = "".join(f"qx{n};zz{n * 7}\n" for n in range(3000)).encode()
    result = run_import(
        importer=importer_class("assets"), data=junk, municipality=municipality_a, dry_run=True
    )
    assert [e.message[:35] for e in result.errors] == ["None of the file's columns is one t"]
    assert "“qx0”, “zz0”" in result.errors[0].message
    assert parsed == []
