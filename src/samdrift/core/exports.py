"""Export a list to CSV or XLSX: the rows a user sees, with the filters they chose.

The caller passes rows that came from ``restrict`` (and the list's FilterSet), and the
columns of the list's ``Table``; a column needs ``name`` and ``value(obj)``. Headers are
the columns' stable names, values are raw (ISO dates, plain decimals with a point, choice
codes), so the importers can read the file back.

Spreadsheet formula injection (OWASP "CSV Injection"): a CSV text cell beginning with
``= + - @`` (or a tab or carriage return) would be run as a formula by a spreadsheet, so
such text gets a leading apostrophe. An XLSX cell is typed: written as text, it is never
a formula, so it keeps its text as it is, with no apostrophe to see. Numbers
and dates are written as such and are not touched: a negative amount stays a number.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any, Protocol

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# "csv-excel": the CSV Norwegian Excel opens as columns with a double click (see csv_lines).
FORMATS = ("csv", "csv-excel", "xlsx")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ITERATOR_CHUNK = 2000


class ExportColumn(Protocol):
    name: str

    def value(self, obj: Any) -> Any: ...


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def plain(value: Any, *, guard: bool = True) -> Any:
    """A value as an export cell: None empty, datetimes in Oslo time, text neutralised
    (unless ``guard`` is false: an XLSX text cell needs no guard)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, bool | int | Decimal | datetime.date):
        return value
    if isinstance(value, float):
        raise TypeError("Exports never carry floats; amounts are Decimal.")
    return neutralise(str(value)) if guard else str(value)


def rows_of(
    objects: Iterable[Any], columns: Sequence[ExportColumn], *, guard: bool = True
) -> Iterator[list[Any]]:
    for obj in objects:
        yield [plain(column.value(obj), guard=guard) for column in columns]


def _iterate(objects: Iterable[Any]) -> Iterable[Any]:
    # A queryset is streamed in chunks (select_related still applies), never loaded whole.
    iterator = getattr(objects, "iterator", None)
    return iterator(chunk_size=ITERATOR_CHUNK) if iterator is not None else objects


def _csv_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _excel_text(value: Any) -> str:
    """A value as Norwegian Excel reads it: decimal comma, dates dd.mm.yyyy."""
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, datetime.datetime):
        return value.strftime("%d.%m.%Y %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Decimal | int):
        return format(value, "f").replace(".", ",")
    return str(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(
    objects: Iterable[Any], columns: Sequence[ExportColumn], *, excel: bool = False
) -> Iterator[str]:
    """CSV text line by line: UTF-8 with a byte-order mark (spreadsheets then read æøå).
    ``excel``: the form Norwegian Excel opens directly — semicolons between the fields
    (its list separator, as the decimal separator is the comma), decimal commas and dates
    as dd.mm.yyyy; the standard form is commas, decimal points and ISO dates."""
    writer = csv.writer(_Echo(), delimiter=";" if excel else ",")
    text = _excel_text if excel else _csv_text
    yield "\ufeff" + writer.writerow([str(c.name) for c in columns])
    for row in rows_of(_iterate(objects), columns):
        yield writer.writerow([text(v) for v in row])


def attachment(
    content: bytes | str | Iterable[str], *, filename: str, content_type: str
) -> HttpResponse | StreamingHttpResponse:
    """A download of ``content`` named ``filename``: streamed when it is an iterable of
    chunks (a CSV written line by line), in one piece when it is bytes or text."""
    response = (
        HttpResponse(content, content_type=content_type)
        if isinstance(content, bytes | str)
        else StreamingHttpResponse(content, content_type=content_type)
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(
    objects: Iterable[Any],
    columns: Sequence[ExportColumn],
    *,
    filename: str,
    excel: bool = False,
) -> StreamingHttpResponse:
    return attachment(
        csv_lines(objects, columns, excel=excel),
        filename=f"{filename}.csv",
        content_type=CSV_CONTENT_TYPE,
    )


MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
NORWEGIAN_DATE_FORMAT = "dd.mm.yyyy"
MOMENT_FORMAT = "yyyy-mm-dd hh:mm:ss"


def money(value: Decimal | None):
    """An amount for ``xlsx_cell``: shown with thousands and øre."""
    return (value, MONEY_FORMAT) if value is not None else None


def xlsx_cell(sheet, value: Any, *, moment_format: str = MOMENT_FORMAT) -> WriteOnlyCell:
    """One cell of a write-only sheet. ``value`` may be ``(value, number format)``. Text is
    always a text cell (never a formula, whatever it starts with), stripped of the
    characters XLSX cannot hold; dates and moments get a date format."""
    number_format = None
    if isinstance(value, tuple):
        value, number_format = value
    value = plain(value, guard=False)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    elif number_format:
        cell.number_format = number_format
    elif isinstance(value, datetime.datetime):
        cell.number_format = moment_format
    elif isinstance(value, datetime.date):
        cell.number_format = DATE_FORMAT
    return cell


def append_sheet(
    workbook: Workbook,
    title: str,
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    moment_format: str = MOMENT_FORMAT,
) -> None:
    """A sheet of a write-only workbook: a bold header, then ``rows`` cell by cell."""
    sheet = workbook.create_sheet(title=str(title)[:31] or "Export")
    bold = Font(bold=True)
    cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=str(name))
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    for row in rows:
        sheet.append([xlsx_cell(sheet, value, moment_format=moment_format) for value in row])


def formatted_rows(
    rows: Iterable[list[Any]], columns: Sequence[ExportColumn], *, date_format: str
) -> Iterator[list[Any]]:
    """``rows`` as ``xlsx_cell`` values: a column's ``number_format`` (when it has one)
    on its numbers, ``date_format`` on dates."""
    formats = [getattr(column, "number_format", "") for column in columns]
    for row in rows:
        cells = []
        for value, number_format in zip(row, formats, strict=True):
            is_day = isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)
            if is_day:
                value = (value, date_format)
            elif number_format and isinstance(value, int | Decimal):
                value = (value, number_format)
            cells.append(value)
        yield cells


def xlsx_bytes(
    objects: Iterable[Any],
    columns: Sequence[ExportColumn],
    *,
    sheet_title: str = "Export",
    date_format: str = DATE_FORMAT,
) -> bytes:
    """An XLSX workbook of one sheet, written row by row (write-only mode). A column
    may have a ``number_format`` for its numbers; dates get ``date_format``."""
    workbook = Workbook(write_only=True)
    rows = rows_of(_iterate(objects), columns, guard=False)
    rows = formatted_rows(rows, columns, date_format=date_format)
    append_sheet(workbook, sheet_title, [column.name for column in columns], rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(
    objects: Iterable[Any], columns: Sequence[ExportColumn], *, filename: str
) -> HttpResponse:
    return attachment(
        xlsx_bytes(objects, columns, sheet_title=filename),
        filename=f"{filename}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )


def export_response(
    fmt: str, objects: Iterable[Any], columns: Sequence[ExportColumn], *, name: str
) -> HttpResponse | StreamingHttpResponse:
    """``fmt`` is one of ``FORMATS``; the file is called ``<name>-<today>``."""
    filename = f"{name}-{timezone.localdate().isoformat()}"
    if fmt in ("csv", "csv-excel"):
        return csv_response(objects, columns, filename=filename, excel=fmt == "csv-excel")
    if fmt == "xlsx":
        return xlsx_response(objects, columns, filename=filename)
    raise ValueError(f"Unknown export format {fmt!r}; use one of {', '.join(FORMATS)}.")
