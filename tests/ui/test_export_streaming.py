"""The streamed exports write what the row-by-row writers wrote: the same values in the
same cells, read back with csv and openpyxl and compared with rows computed from model
instances (the slow path the fast one replaced)."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from samdrift.core.exports import (
    _csv_text,
    _excel_text,
    append_sheet,
    counted,
    csv_lines,
    plain,
    raw_rows,
    xlsx_bytes,
)
from samdrift.core.importing.xlsx import read_rows
from samdrift.core.permissions import restrict
from samdrift.core.xlsx import sheet_title, xlsx_stream
from samdrift.inventory.models import Asset
from samdrift.inventory.tables import ASSET_TABLE
from samdrift.ui.tables import Column


def _expected_assets(user, **filters) -> list[list]:
    """The asset export's rows the old way: model instances, each column's ``value``."""
    queryset = restrict(Asset.objects.filter(**filters), user)
    queryset, _sort = ASSET_TABLE.sort(ASSET_TABLE.prepare(queryset, export=True), None)
    return [[c.value(asset) for c in ASSET_TABLE.export_columns] for asset in queryset]


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_asset_csv_is_the_rows_of_the_instances(operator, operator_client, world):
    url = reverse("inventory:asset_list") + f"?municipality={world.municipality_a.pk}"
    response = operator_client.get(url + "&export=csv")
    with CaptureQueriesContext(connection) as queries:
        body = _body(response)
    assert response.streaming
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    parsed = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header, rows = parsed[0], parsed[1:]
    assert header == [c.name for c in ASSET_TABLE.export_columns]
    expected = _expected_assets(operator, municipality=world.municipality_a)
    assert len(expected) == 3
    assert rows == [[_csv_text(plain(v)) for v in row] for row in expected]
    # Anchors computed by hand, not through any export code.
    first = dict(zip(header, rows[0], strict=True))
    assert first["asset_tag"] == "T4601-000"
    assert first["municipality"] == "Fjordvik" and first["municipality_number"] == "4601"
    assert first["acquisition_cost"] == "10000.00"
    # The rows are read in one query (values_list, no instance per row), while streaming.
    assert len(queries.captured_queries) == 1


def test_the_excel_csv_is_the_rows_of_the_instances(operator, operator_client, world):
    url = reverse("inventory:asset_list") + "?export=csv-excel"
    text = _body(operator_client.get(url)).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))[1:]
    expected = _expected_assets(operator)
    assert rows == [[_excel_text(plain(v)) if v is not None else "" for v in r] for r in expected]


def _as_read_back(value):
    """A value as openpyxl reads it back from a cell."""
    value = plain(value, guard=False)
    if value == "":
        return None
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return datetime.datetime.combine(value, datetime.time())
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def test_the_asset_xlsx_is_the_rows_of_the_instances(operator, operator_client, world):
    response = operator_client.get(reverse("inventory:asset_list") + "?export=xlsx")
    assert response.streaming
    sheet = load_workbook(io.BytesIO(_body(response))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [c.name for c in ASSET_TABLE.export_columns]
    expected = _expected_assets(operator)
    assert len(expected) == 6
    assert [list(r) for r in rows[1:]] == [[_as_read_back(v) for v in r] for r in expected]


def test_a_contact_exports_only_their_own_assets(contact_a_client, world):
    text = _body(contact_a_client.get(reverse("inventory:asset_list") + "?export=csv")).decode()
    tags = [row["asset_tag"] for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))]
    assert tags == ["T4601-000", "T4601-001", "T4601-002"]


def test_raw_rows_reads_instances_when_a_column_is_not_a_database_column(world):
    columns = [
        Column("tag", "Tag", accessor="asset_tag"),
        Column("product", "Product", accessor="product"),  # a related object: its str()
        Column("text", "Text", accessor="__str__"),  # a method
    ]
    queryset = Asset.objects.order_by("asset_tag")
    rows = list(raw_rows(queryset, columns))
    assert rows[0][0] == "T4601-000"
    assert rows[0][1] == world.laptop  # the instance, as the column reads it
    assert rows[0][2] == str(queryset.first())


def _openpyxl_workbook(header, rows, formats, date_format) -> bytes:
    """The same sheet written by openpyxl's write-only mode (how exports were written)."""
    workbook = Workbook(write_only=True)
    cells = []
    for row in rows:
        out = []
        for value, number_format in zip(row, formats, strict=True):
            is_day = isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)
            if is_day:
                value = (value, date_format)
            elif number_format and isinstance(value, int | Decimal):
                value = (value, number_format)
            out.append(value)
        cells.append(out)
    append_sheet(workbook, "Sheet", header, cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cells(content: bytes) -> list[list[tuple]]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [
        # An empty cell is empty (openpyxl wrote one as an empty text, the stream none).
        [(c.value, c.data_type, c.number_format) if c.value is not None else None for c in row]
        for row in sheet.iter_rows()
    ]


def test_the_streamed_xlsx_has_the_cells_openpyxl_wrote():
    header = ["text", "formula", "int", "amount", "day", "moment", "flag", "empty", "odd"]
    rows = [
        [
            "Fjordvik æøå",
            "=SUM(A1)",
            30,
            Decimal("-1234.50"),
            datetime.date(2026, 11, 30),
            datetime.datetime(2026, 11, 30, 13, 45, 10),
            True,
            None,
            "  padded\tand\x01control ",
        ],
        ["", "+47 123", 0, Decimal("0.0001"), datetime.date(1900, 1, 15), None, False, "", "<&>"],
    ]
    formats = ["", "", "#,##0", "#,##0.00##", "", "", "", "", ""]
    streamed = b"".join(
        xlsx_stream(header, rows, title="Sheet", number_formats=formats, date_format="dd.mm.yyyy")
    )
    old = _openpyxl_workbook(header, rows, formats, "dd.mm.yyyy")
    assert _cells(streamed) == _cells(old)
    read = _cells(streamed)
    assert read[0][0] == ("text", "s", "General")
    assert load_workbook(io.BytesIO(streamed)).active["A1"].font.b
    assert read[1][1] == ("=SUM(A1)", "s", "General")  # text, never a formula
    assert read[1][8][0] == "  padded\tandcontrol "  # XLSX cannot hold \x01: removed
    assert read[2][4][0] == datetime.datetime(1900, 1, 15)


def test_cells_without_references_keep_their_columns_for_every_reader():
    """Cells carry no ``r``: an empty value is an empty ``<c/>``, so the cells after it
    stay in their columns, for openpyxl and for the import's own reader (an export
    edited and imported again)."""
    rows = [["a", None, "", 3, None], [None, "b", "", None, Decimal("1.50")]]
    content = b"".join(xlsx_stream(["A", "B", "C", "D", "E"], rows))
    sheet = load_workbook(io.BytesIO(content)).active
    assert [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)] == [
        ["a", None, None, 3, None],
        [None, "b", None, None, 1.5],
    ]
    assert read_rows(content) == [
        (1, ["A", "B", "C", "D", "E"]),
        (2, ["a", None, None, 3]),
        (3, [None, "b", None, None, Decimal("1.50")]),
    ]


def test_a_sheet_title_excel_refuses_is_made_acceptable():
    assert sheet_title("a/b[c]:d*e?f\\g") == "a-b-c--d-e-f-g"
    assert sheet_title("x" * 40) == "x" * 31
    assert sheet_title("") == "Export"
    content = b"".join(xlsx_stream(["a"], [[1]], title="2026/11 [draft]"))
    assert load_workbook(io.BytesIO(content)).sheetnames == ["2026-11 -draft-"]


def test_floats_are_refused():
    class Row:
        a = 1.5

    with pytest.raises(TypeError):
        xlsx_bytes([Row()], [Column("a", "A")])
    with pytest.raises(TypeError):
        "".join(csv_lines([Row()], [Column("a", "A")]))
    with pytest.raises(TypeError):
        b"".join(xlsx_stream(["a"], [[1.5]]))


def test_the_first_chunk_leaves_before_the_rows_are_read():
    def rows():
        raise AssertionError("read too early")
        yield  # pragma: no cover

    stream = xlsx_stream(["a"], rows())
    first = next(stream)
    assert first.startswith(b"PK")  # the ZIP's first local header, before any row


def test_counted_reports_progress_and_the_end():
    seen = []
    assert list(counted(range(25), seen.append, every=10)) == list(range(25))
    assert seen == [10, 20, 25]
    seen.clear()
    assert list(counted([], seen.append)) == []
    assert seen == [0]


def test_many_rows_stream_in_several_chunks_and_read_back():
    rows = ([i, f"row {i}", Decimal(i) / 100] for i in range(30_000))
    chunks = list(xlsx_stream(["n", "text", "amount"], rows))
    assert len(chunks) > 3
    sheet = load_workbook(io.BytesIO(b"".join(chunks)), read_only=True).active
    read = list(sheet.iter_rows(values_only=True))
    assert len(read) == 30_001
    assert read[29_999 + 1] == (29_999, "row 29999", 299.99)
