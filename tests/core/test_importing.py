"""Import machinery without the database: reading files, header matching, cell parsing."""

import codecs
import datetime
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from openpyxl import Workbook

from samdrift.core.exports import neutralise
from samdrift.core.importing import FileProblem, Report, read_table
from samdrift.core.importing.columns import Column
from samdrift.core.importing.mapping import match_headers
from samdrift.core.importing.parsing import (
    Boolean,
    CellError,
    Choice,
    Date,
    Month,
    Number,
    Text,
    parse_decimal_text,
    unneutralise,
)
from samdrift.core.importing.reading import decode, sniff_delimiter
from samdrift.core.importing.results import ImportResult
from samdrift.core.importing.rows import parse_rows
from samdrift.core.importing.xlsx import XlsxError, read_rows
from samdrift.imports.registry import importer_classes
from samdrift.inventory.choices import AssetStatus
from samdrift.inventory.importers.values import STATUS_ALIASES

D = datetime.date

# --- encodings and delimiters --------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF8 + "Navn;Sted\nÆrlig;Bodø\n".encode(), "UTF-8"),
        ("Navn;Sted\nÆrlig;Bodø\n".encode(), "UTF-8"),
        ("Navn;Sted\nÆrlig;Bodø\n".encode("cp1252"), "Windows-1252"),
        ("Navn;Sted\nÆrlig;Bodø\n".encode("utf-16"), "UTF-16"),
    ],
)
def test_norwegian_letters_survive_every_encoding(data, encoding):
    text, found = decode(data)
    assert found == encoding
    assert "Ærlig;Bodø" in text
    table = read_table(data, "f.csv")
    assert table.headers == ["Navn", "Sted"]
    assert table.rows == [(2, ["Ærlig", "Bodø"])]


def test_bytes_undefined_in_windows_1252_make_charset_normalizer_choose_another_code_page():
    data = b"Navn\n\x81\xe6\n"  # 0x81 is not a Windows-1252 character
    text, encoding = decode(data)
    assert encoding != "Windows-1252"
    assert text == data.decode({"DOS Latin-1 (CP850)": "cp850"}.get(encoding, "latin-1"))


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Asset Tag;Purchase Cost;Purchase Date", ";"),
        ("Asset Tag,Purchase Cost,Purchase Date", ","),
        ("Asset Tag\tPurchase Cost\tPurchase Date", "\t"),
    ],
)
def test_the_delimiter_is_found_from_the_header(header, expected):
    lines = [header, expected.join(["T1", "1 234,50", "31.12.2026"])]
    assert sniff_delimiter(lines) == expected


def test_decimal_commas_in_the_data_do_not_fool_the_sniffer():
    data = b"Tag;Cost\nT1;1,5\nT2;2,25\n"
    table = read_table(data)
    assert table.delimiter == ";"
    assert table.rows[1] == (3, ["T2", "2,25"])


def test_excel_sep_line_decides_the_delimiter_and_keeps_line_numbers():
    table = read_table(b'sep=,\nTag,Cost\nT1,"1,5"\n')
    assert table.delimiter == ","
    assert table.headers == ["Tag", "Cost"]
    assert table.rows == [(3, ["T1", "1,5"])]


def test_row_numbers_are_spreadsheet_rows_and_empty_rows_are_skipped():
    # Rows: 1 header, 2 T1 (its cell spans two lines), 3 empty, 4 blank cells, 5 T2.
    data = b'Tag;Notes\nT1;"two\nlines"\n\n;\nT2;x\n  ;  \n'
    table = read_table(data)
    assert table.rows == [(2, ["T1", "two\nlines"]), (5, ["T2", "x"])]


def test_empty_trailing_columns_are_ignored():
    table = read_table(b"Tag;Serial;;;\nT1;S1;;;\n")
    assert table.headers == ["Tag", "Serial"]


def test_empty_and_unreadable_files_are_refused_with_a_reason():
    with pytest.raises(FileProblem, match="empty"):
        read_table(b"  \n")
    with pytest.raises(FileProblem, match="xls"):
        read_table(b"\xd0\xcf\x11\xe0rest of an old workbook")
    with pytest.raises(FileProblem, match="not an XLSX"):
        read_table(b"PK\x03\x04 broken zip")


# --- XLSX ----------------------------------------------------------------------------


def _workbook(rows, *, write_only=False) -> bytes:
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("Data") if write_only else workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


MIXED_ROWS = [
    ["Tag", "Bought", "Cost", "Count", "Active", "Notes", "Time"],
    ["T1", D(2026, 12, 31), 1234.5, 3, True, "Bodø æøå", datetime.datetime(2026, 1, 2, 13, 5)],
    ["T2", None, 0.1, -7, False, None, None],
    [None, None, None, None, None, None, None],
    ["T3", D(1999, 1, 1), 12345678901, 0, True, "=not a formula", None],
]


@pytest.mark.parametrize("write_only", [False, True], ids=["shared-strings", "inline-strings"])
def test_the_xlsx_reader_agrees_with_openpyxl(write_only):
    data = _workbook(MIXED_ROWS, write_only=write_only)
    ours = read_rows(data)
    theirs = [
        row
        for row in openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        .worksheets[0]
        .iter_rows(values_only=True)
    ]
    theirs = [r for r in theirs if any(v is not None for v in r)]
    assert len(ours) == len(theirs) == 4
    for (_line, values), expected in zip(ours, theirs, strict=True):
        expected = list(expected)
        while expected and expected[-1] is None:
            expected.pop()
        assert len(values) == len(expected)
        for got, want in zip(values, expected, strict=True):
            if isinstance(want, float):
                assert isinstance(got, Decimal)  # never through float
                assert float(got) == want
            elif isinstance(want, datetime.datetime) and want.time() == datetime.time(0):
                assert got == want.date()
            else:
                assert got == want
    assert [line for line, _values in ours] == [1, 2, 3, 5]


def test_xlsx_cells_are_read_as_typed_values_and_rows_keep_their_numbers():
    table = read_table(_workbook(MIXED_ROWS), "assets.xlsx")
    assert table.format == "xlsx"
    assert table.headers == ["Tag", "Bought", "Cost", "Count", "Active", "Notes", "Time"]
    line, cells = table.rows[0]
    assert line == 2
    assert cells[:6] == ["T1", D(2026, 12, 31), Decimal("1234.5"), 3, True, "Bodø æøå"]


def test_a_workbook_with_a_document_type_declaration_is_refused():
    data = _workbook([["Tag"], ["T1"]])
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(
                    b"<worksheet", b'<!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet', 1
                )
            target.writestr(item, content)
    with pytest.raises(XlsxError, match="document type"):
        read_rows(out.getvalue())


# --- cells ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31.12.2026", D(2026, 12, 31)),
        ("1.2.2026", D(2026, 2, 1)),
        ("31.12.26", D(2026, 12, 31)),
        ("01.01.95", D(1995, 1, 1)),
        ("2026-12-31", D(2026, 12, 31)),
        ("2026-12-31 00:00:00", D(2026, 12, 31)),
        ("2026-12-31T08:15", D(2026, 12, 31)),
        (datetime.datetime(2026, 12, 31, 10, 0), D(2026, 12, 31)),
        (D(2026, 12, 31), D(2026, 12, 31)),
    ],
)
def test_norwegian_and_iso_dates(text, expected):
    assert Date()(text) == expected


@pytest.mark.parametrize("text", ["31/31/2026", "12/31/2026", "31.02.2026", "2026-13-01", "snart"])
def test_dates_not_understood_say_so_with_an_example(text):
    with pytest.raises(CellError, match="date not understood") as error:
        Date()(text)
    assert text in str(error.value)
    assert "31.12.2026" in str(error.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,50", Decimal("1234.50")),
        ("1\u00a0234,50", Decimal("1234.50")),
        ("1\u202f234,5", Decimal("1234.50")),
        ("1234.50", Decimal("1234.50")),
        ("1.234,50", Decimal("1234.50")),
        ("1,234.50", Decimal("1234.50")),
        ("1.234.567", Decimal("1234567")),
        ("kr 1 234,-", Decimal("1234")),
        ("1 234 NOK", Decimal("1234")),
        ("(100,00)", Decimal("-100")),
        ("−5", Decimal("-5")),
        ("12", Decimal("12")),
    ],
)
def test_numbers_with_spaces_and_decimal_commas(text, expected):
    assert parse_decimal_text(text) == expected


def test_money_cells_keep_two_decimals_and_refuse_a_third():
    money = Number(places=2, max_digits=14, minimum=Decimal("0"))
    assert money("1 234,5") == Decimal("1234.50")
    assert str(money(Decimal("0.1000000000000000055511151231257827"))) == "0.10"
    assert str(money(7)) == "7.00"
    with pytest.raises(CellError, match="more than 2 decimals"):
        money("1,234")  # one comma is a decimal comma: 1.234
    with pytest.raises(CellError, match="too large"):
        money("100000000000000")
    with pytest.raises(CellError, match="exponent notation"):
        money("1e20")
    with pytest.raises(CellError, match="below the minimum"):
        money("-1")
    with pytest.raises(CellError, match="number not understood"):
        money("tolv")


def test_text_length_and_yes_no():
    with pytest.raises(CellError, match="at most 3"):
        Text(3)("abcd")
    assert Text(10)(12345) == "12345"  # a serial number a spreadsheet made a number
    assert Text(20)(Decimal("12345678901")) == "12345678901"
    assert [Boolean()(v) for v in ("ja", "Nei", "x", "TRUE", 0, True)] == [
        True,
        False,
        True,
        True,
        False,
        True,
    ]
    with pytest.raises(CellError):
        Boolean()("kanskje")


def test_choices_by_code_label_and_alias():
    status = Choice(AssetStatus, STATUS_ALIASES)
    assert status("in_stock") == AssetStatus.IN_STOCK
    assert status("In stock") == AssetStatus.IN_STOCK
    assert status("Ready to Deploy") == AssetStatus.IN_STOCK  # Snipe-IT
    assert status("På lager") == AssetStatus.IN_STOCK
    assert status("utplassert") == AssetStatus.DEPLOYED
    with pytest.raises(CellError, match="not one of"):
        status("Borte vekk")


def test_months():
    month = Month()
    assert month("2026-11") == D(2026, 11, 1)
    assert month("11.2026") == D(2026, 11, 1)
    assert month("01.11.2026") == D(2026, 11, 1)
    with pytest.raises(CellError, match="first day"):
        month("2026-11-15")


@pytest.mark.parametrize("text", ["=SUM(A1:A9)", "+47 22 00 00 00", "-5", "@user", "\tx"])
def test_the_export_guard_against_formulas_is_undone(text):
    assert unneutralise(neutralise(text)) == text


def test_an_ordinary_apostrophe_is_kept():
    assert unneutralise("'Kari's laptop") == "'Kari's laptop"


# --- headers -------------------------------------------------------------------------


def _report():
    return Report(ImportResult(kind="test", filename="f.csv"))


COLUMNS = [
    Column("serial_number", "Serial number", Text(100), aliases=("Serial", "Serienummer")),
    Column("asset_tag", "Asset tag", Text(50), aliases=("Inventarnummer",), required=True),
]


@pytest.mark.parametrize(
    "header", ["Serial number", "SERIAL NUMBER", "serial_number", "Serienummer", " Serial "]
)
def test_headers_match_ignoring_case_spaces_and_punctuation(header):
    report = _report()
    mapping = match_headers([header, "Asset-Tag"], COLUMNS, report)
    assert mapping == {"serial_number": 0, "asset_tag": 1}
    assert report.result.ok


def test_unknown_headers_are_noted_and_missing_required_ones_are_errors():
    report = _report()
    match_headers(["Serial", "Supplier"], COLUMNS, report)
    assert any("Supplier" in w for w in report.result.warnings)
    assert [e.line for e in report.result.errors] == [0]
    assert "Asset tag" in report.result.errors[0].message


def test_two_columns_meaning_the_same_are_an_error():
    report = _report()
    match_headers(["Serial", "Serienummer", "Inventarnummer"], COLUMNS, report)
    assert len(report.result.errors) == 1
    assert "Serial" in report.result.errors[0].message


def test_no_importer_has_two_columns_answering_to_the_same_header():
    for cls in importer_classes():
        owners = {}
        for column in cls.all_columns():
            for name in column.names():
                assert owners.setdefault(name, column.key) == column.key, (
                    f"{cls.kind}: “{name}” means both {owners[name]} and {column.key}"
                )


def test_every_bad_cell_of_every_row_is_reported_with_line_and_column():
    table = read_table(b"Inventarnummer;Serial;Bought\nT1;S1;31/31/2026\n;S2;2026-01-01\nT3;;x\n")
    columns = [*COLUMNS, Column("bought", "Bought", Date())]
    report = _report()
    mapping = match_headers(table.headers, columns, report)
    rows = parse_rows(table, mapping, columns, report)
    errors = [(e.line, e.column) for e in report.result.errors]
    assert errors == [(2, "Bought"), (4, "Bought")]
    assert [r.line for r in rows] == [2, 3, 4]
    assert rows[1].values == {"serial_number": "S2", "asset_tag": None, "bought": D(2026, 1, 1)}
    assert rows[0].failed == frozenset({"bought"})


def test_a_row_with_more_cells_than_headers_is_an_error_unless_they_are_empty():
    table = read_table(b"Inventarnummer;Serial\nT1;S1;;\nT2;Oslo;Norway\n")
    report = _report()
    parse_rows(table, match_headers(table.headers, COLUMNS, report), COLUMNS, report)
    assert [(e.line, e.column) for e in report.result.errors] == [(3, "")]
    assert "quoted" in report.result.errors[0].message


def test_decomposed_letters_from_a_mac_are_composed():
    decomposed = "Ra\u030adhuset"  # å as a + combining ring
    table = read_table(f"Sted\n{decomposed}\n".encode())
    assert table.rows[0][1] == ["Rådhuset"]
    assert len(table.rows[0][1][0]) == 8
    workbook = read_table(_workbook([["Sted"], [decomposed]]))
    assert workbook.rows[0][1] == ["Rådhuset"]


def test_title_rows_above_the_header_are_skipped():
    from samdrift.core.importing.mapping import find_header

    data = b"Eiendeler per 31.12.2026;;\n;;\nInventarnummer;Serial;Merknad\nT1;S1;x\n"
    report = _report()
    table = find_header(read_table(data), COLUMNS, report)
    assert table.headers == ["Inventarnummer", "Serial", "Merknad"]
    assert table.rows == [(4, ["T1", "S1", "x"])]
    assert "row 3" in report.result.warnings[0]
    plain = read_table(b"Inventarnummer;Serial\nT1;S1\n")
    assert find_header(plain, COLUMNS, _report()) is plain
