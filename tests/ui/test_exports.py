"""Export of the current filtered list to CSV and XLSX, neutralising formula text."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook

from samdrift.core.exports import csv_lines, neutralise, xlsx_bytes
from samdrift.ui.tables import Column


def read_csv(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_neutralise_formula_text_only():
    for dangerous in ("=SUM(A1)", "+1", "-1+2", "@cmd", "\tx", "\rx"):
        assert neutralise(dangerous) == "'" + dangerous
    assert neutralise("Fjordvik") == "Fjordvik"
    assert neutralise(Decimal("-5.00")) == Decimal("-5.00")  # a number stays a number


def test_csv_export_follows_the_filters(operator_client, world):
    url = reverse("inventory:asset_list") + f"?municipality={world.municipality_b.pk}&export=csv"
    response = operator_client.get(url)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert sorted(r["asset_tag"] for r in rows) == ["T4602-000", "T4602-001", "T4602-002"]
    assert rows[0]["status"] == "deployed"  # the code, not the label
    assert rows[0]["municipality_number"] == "4602"
    assert rows[0]["acquisition_cost"] == "10000.00"
    assert rows[0]["acquisition_date"] == "2024-03-01"


def test_the_csv_for_norwegian_excel_has_semicolons_decimal_commas_and_dotted_dates(
    operator_client, world
):
    url = (
        reverse("inventory:asset_list")
        + f"?municipality={world.municipality_b.pk}&export=csv-excel"
    )
    response = operator_client.get(url)
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert sorted(r["asset_tag"] for r in rows) == ["T4602-000", "T4602-001", "T4602-002"]
    assert rows[0]["acquisition_cost"] == "10000,00"
    assert rows[0]["acquisition_date"] == "01.03.2024"
    # The list offers it beside the standard CSV.
    page = operator_client.get(reverse("inventory:asset_list"))
    assert b'data-testid="export-csv-excel"' in page.content


def test_export_neutralises_a_formula_in_a_name(operator_client, world):
    person = world.person_a
    person.first_name = '=HYPERLINK("http://evil")'
    person.save()
    rows = read_csv(operator_client.get(reverse("organisations:person_list") + "?export=csv"))
    names = [r["first_name"] for r in rows]
    assert '\'=HYPERLINK("http://evil")' in names
    response = operator_client.get(reverse("organisations:person_list") + "?export=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [c for row in sheet.iter_rows() for c in row]
    # XLSX: the name as it is, no apostrophe to see — a text cell, never a formula.
    evil = [c for c in cells if c.value == '=HYPERLINK("http://evil")']
    assert [c.data_type for c in evil] == ["s"]
    assert not any(c.data_type == "f" for c in cells)
    assert not any(isinstance(c.value, str) and c.value.startswith("'") for c in cells)


def test_xlsx_export_has_typed_cells(operator_client, world):
    response = operator_client.get(reverse("inventory:asset_list") + "?q=T4601&export=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == 3
    record = dict(zip(header, body[0], strict=True))
    assert record["asset_tag"].startswith("T4601")
    assert record["acquisition_cost"] == 10000
    assert record["acquisition_date"].date() == datetime.date(2024, 3, 1)


def test_writers_handle_empty_and_special_values():
    columns = [Column("a", "A"), Column("b", "B", kind="date"), Column("c", "C", kind="money")]

    class Row:
        a = 'x,"y"\nz'
        b = None
        c = Decimal("-1.50")

    lines = list(csv_lines([Row()], columns))
    parsed = list(csv.reader(io.StringIO("".join(lines).lstrip("\ufeff"))))
    assert parsed == [["a", "b", "c"], ['x,"y"\nz', "", "-1.50"]]
    workbook = load_workbook(io.BytesIO(xlsx_bytes([Row()], columns)))
    assert list(workbook.active.iter_rows(values_only=True))[1] == ('x,"y"\nz', None, -1.5)


def test_the_excel_csv_writes_whole_numbers_as_digits():
    """A count stays "5" in the Norwegian Excel form (it was "5,000000"); an amount keeps
    its decimal comma, a date its dots."""
    columns = [Column("n", "N"), Column("c", "C", kind="money"), Column("d", "D", kind="date")]

    class Row:
        n = 5
        c = Decimal("1250.50")
        d = datetime.date(2026, 12, 7)

    lines = list(csv_lines([Row()], columns, excel=True))
    parsed = list(csv.reader(io.StringIO("".join(lines).lstrip("\ufeff")), delimiter=";"))
    assert parsed == [["n", "c", "d"], ["5", "1250,50", "07.12.2026"]]
