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
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any, Protocol

from django.core.exceptions import FieldDoesNotExist
from django.db import connections
from django.db.models import DateField, Func, Model, QuerySet
from django.db.models.query import ModelIterable
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from samdrift.core.xlsx import xlsx_stream

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


def _lookup(model: type[Model], path: str, annotations: Iterable[str]) -> str | None:
    """``path`` (``product.category.name``) as a ``values_list`` lookup, when it names a
    concrete column through forward relations (or an annotation of the query); None
    when it names a property, a method or a related object (read from the instance)."""
    parts = path.split(".")
    if len(parts) == 1 and path in annotations:
        return path
    for position, part in enumerate(parts):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        last = position == len(parts) - 1
        if last:
            return "__".join(parts) if field.concrete and not field.is_relation else None
        if not (field.many_to_one or field.one_to_one) or not field.concrete:
            return None
        model = field.related_model
    return None


class _StoredText(Func):
    """A date column as the ISO text SQLite keeps it in: an expression has no declared
    type, so the sqlite3 module does not parse it into a date for the CSV to print back
    as the same text (a fifth of a big export's time)."""

    template = "(%(expressions)s || '')"
    output_field = DateField()


def _values_query(
    objects: Iterable[Any], columns: Sequence[ExportColumn], *, as_text: bool = False
) -> QuerySet | None:
    """``objects`` as a ``values_list`` queryset of the columns, when it is a model
    queryset whose columns all name database columns (or annotations); else None.
    ``as_text``: dates as text where the database keeps them so (SQLite; the CSV)."""
    if not (isinstance(objects, QuerySet) and objects._iterable_class is ModelIterable):
        return None
    paths = [getattr(column, "path", None) for column in columns]
    annotations = set(objects.query.annotations)
    lookups = [_lookup(objects.model, path, annotations) if path else None for path in paths]
    if not all(lookups):
        return None
    # select_related/prefetch_related were for instances; the lookups join.
    values = objects.select_related(None).prefetch_related(None)
    if as_text and connections[values.db].vendor == "sqlite":
        texts = {}
        for index, lookup in enumerate(lookups):
            field = _field_of(objects.model, lookup)
            if field is not None and field.get_internal_type() == "DateField":
                lookups[index] = f"export_text_{index}"
                texts[lookups[index]] = _StoredText(lookup)
        values = values.annotate(**texts)
    return values.values_list(*lookups)


def _field_of(model: type[Model], lookup: str):
    """The model field a ``values_list`` lookup ends on (None for an annotation)."""
    *joins, name = lookup.split("__")
    for join in joins:
        model = model._meta.get_field(join).related_model
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def raw_rows(objects: Iterable[Any], columns: Sequence[ExportColumn]) -> Iterator[Sequence[Any]]:
    """Each row's raw values, one per column, streamed. A model queryset whose columns
    all name database columns is read with ``values_list`` (no model instances: several
    times faster on a million rows); anything else object by object, through
    ``column.value``. Both give the same values: the test of the exports compares them."""
    values = _values_query(objects, columns)
    if values is not None:
        yield from values.iterator(chunk_size=ITERATOR_CHUNK)
        return
    for obj in _iterate(objects):
        yield [column.value(obj) for column in columns]


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
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    return str(value)  # an int as its digits (format(5, "f") is "5.000000")


PROGRESS_EVERY = 10_000


def counted(
    rows: Iterable[Any], progress: Callable[[int], None] | None, *, every: int = PROGRESS_EVERY
) -> Iterator[Any]:
    """``rows`` as they are, telling ``progress`` how many went by now and then (and at
    the end): a background export's progress bar."""
    if progress is None:
        yield from rows
        return
    done = 0
    for row in rows:
        done += 1
        if done % every == 0:
            progress(done)
        yield row
    progress(done)


def _cell_converter(text: Callable[[Any], str]) -> Callable[[Any], str]:
    """One value → its CSV field: the export's ``plain`` value written by ``text``, with
    the common types dispatched on their exact type (a dict lookup per value, not a
    chain of ``isinstance``: a million rows of twenty columns is twenty million values)."""
    by_type: dict[type, Callable[[Any], str]] = {
        type(None): lambda value: "",
        str: lambda value: "'" + value if value.startswith(FORMULA_PREFIXES) else value,
        int: text,
        bool: text,
        Decimal: text,
        datetime.date: text,
    }

    def convert(value: Any) -> str:
        write = by_type.get(type(value))
        return write(value) if write is not None else text(plain(value))

    return convert


# Field types whose database value is already the CSV text (None or str, no converter):
# only the formula guard applies to them.
_TEXT_FIELDS = frozenset({"CharField", "TextField", "SlugField", "EmailField", "URLField"})


def _guard_column(values: Sequence[Any]) -> list[Any]:
    # Inline, not a call per cell: the cost of a million-row export is per cell (this
    # beats searching the column whole first, measured). None stays None: it is
    # written as an empty field, as "" is.
    return ["'" + v if v and v[0] in _FORMULA_STARTS else v for v in values]


_FORMULA_STARTS = "".join(FORMULA_PREFIXES)


def _iso_date_column(values: Sequence[Any]) -> list[Any]:
    # SQLite hands a date over as the ISO text Django stored; PostgreSQL as a date.
    return [v if v is None or type(v) is str else v.isoformat() for v in values]


def _dotted_date_column(values: Sequence[Any]) -> list[Any]:
    return [
        None
        if v is None
        else f"{v[8:10]}.{v[5:7]}.{v[:4]}"
        if type(v) is str
        else v.strftime("%d.%m.%Y")
        for v in values
    ]


def _decimal_column(converter, connection, *, excel: bool):
    """A column of amounts: Django's one converter (SQLite's float to a quantized
    Decimal; none on PostgreSQL, whose numeric arrives as a Decimal), then plain text."""
    step, expression = converter if converter else (None, None)
    step = step[0] if step else None

    def column(values: Sequence[Any]) -> list[Any]:
        if step is not None:
            values = [None if v is None else step(v, expression, connection) for v in values]
        texts = [None if v is None else format(v, "f") for v in values]
        return [None if t is None else t.replace(".", ",") for t in texts] if excel else texts

    return column


def _column_converters(
    compiler, convert: Callable[[Any], str], *, excel: bool
) -> list[Callable[[Sequence[Any]], list[Any]]]:
    """One function per selected column, turning a column of database values into
    CSV fields: chosen once from the column's field type (not per cell). Text and
    dates skip Django's converters (parsing a date to print it again is most of the
    cost); anything else goes through them and ``convert``, as ``raw_rows`` does."""
    connection = connections[compiler.using]
    fields = [selected[0] for selected in compiler.select[: compiler.col_count]]
    converters = compiler.get_converters(fields)
    result = []
    for index, expression in enumerate(fields):
        kind = expression.output_field.get_internal_type()
        if kind in _TEXT_FIELDS and index not in converters:
            result.append(_guard_column)
        elif kind == "DateField":
            result.append(_dotted_date_column if excel else _iso_date_column)
        elif kind == "DecimalField" and len(converters.get(index, ((),))[0]) <= 1:
            result.append(_decimal_column(converters.get(index), connection, excel=excel))
        else:
            steps = converters.get(index, ((), None))[0]

            def column(values, steps=steps, expression=expression):
                out = []
                for value in values:
                    for step in steps:
                        value = step(value, expression, connection)
                    out.append(convert(value))
                return out

            result.append(column)
    return result


def _csv_batches(
    values: QuerySet, convert: Callable[[Any], str], *, excel: bool
) -> Iterator[tuple[int, list[Sequence[str | None]]]]:
    """The rows of a ``values_list`` queryset as CSV fields, a fetched chunk at a time,
    converted column by column. Read with the compiler's chunked fetch (a server-side
    cursor on PostgreSQL, as ``iterator()`` uses) without its per-row converters."""
    from django.db.models.sql.constants import MULTI

    compiler = values.query.get_compiler(using=values.db)
    chunks = compiler.execute_sql(MULTI, chunked_fetch=True, chunk_size=ITERATOR_CHUNK)
    converters = _column_converters(compiler, convert, excel=excel)
    for chunk in chunks:
        if chunk:
            columns = zip(*chunk, strict=True)
            fields = [
                to_fields(column) for to_fields, column in zip(converters, columns, strict=True)
            ]
            yield len(chunk), fields


_QUOTED = {",": re.compile('[,"\r\n]'), ";": re.compile('[;"\r\n]')}


def _csv_chunk(fields: list[Sequence[str | None]], delimiter: str) -> str:
    """Lines of CSV from columns of text, exactly as ``csv.writer`` (minimal quoting,
    "\\r\\n" after each line) writes them when a line has more than one field: a field
    holding the delimiter, a quote or a line break is quoted, its quotes doubled; None
    is an empty field. Each column is searched whole for such characters and quoted
    cell by cell only when it has some — about half the time of ``csv.writer``, which
    copies every character of every field."""
    special = _QUOTED[delimiter]
    columns = []
    for column in fields:
        if None in column:
            column = ["" if v is None else v for v in column]
        if special.search("\x00".join(column)) is not None:
            # Inline tests, not the expression per cell (measured twice as fast).
            column = [
                '"' + v.replace('"', '""') + '"'
                if delimiter in v or '"' in v or "\n" in v or "\r" in v
                else v
                for v in column
            ]
        columns.append(column)
    return "\r\n".join(map(delimiter.join, zip(*columns, strict=True))) + "\r\n"


class _Echo:
    def write(self, value: str) -> str:
        return value


CSV_BATCH = 1000


def csv_lines(
    objects: Iterable[Any],
    columns: Sequence[ExportColumn],
    *,
    excel: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Iterator[str]:
    """CSV text, a batch of lines at a time: UTF-8 with a byte-order mark (spreadsheets
    then read æøå). ``excel``: the form Norwegian Excel opens directly — semicolons
    between the fields (its list separator, as the decimal separator is the comma),
    decimal commas and dates as dd.mm.yyyy; the standard form is commas, decimal points
    and ISO dates."""
    delimiter = ";" if excel else ","
    yield "\ufeff" + csv.writer(_Echo(), delimiter=delimiter).writerow(
        [str(c.name) for c in columns]
    )
    convert = _cell_converter(_excel_text if excel else _csv_text)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    values = _values_query(objects, columns, as_text=True)
    if values is not None:
        # Column by column, a fetched chunk at a time (``_csv_batches``); the progress
        # is told per chunk rather than per row.
        done = told = 0
        for count, fields in _csv_batches(values, convert, excel=excel):
            if len(fields) > 1:
                yield _csv_chunk(fields, delimiter)
            else:  # one column: csv's own rule for an empty field alone on its line
                writer.writerows(zip(*fields, strict=True))
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
            done += count
            if progress is not None and done // PROGRESS_EVERY > told // PROGRESS_EVERY:
                progress(told := done)
        if progress is not None and (told != done or not done):
            progress(done)
        return
    batch = []
    for row in counted(raw_rows(objects, columns), progress):
        batch.append([convert(value) for value in row])
        if len(batch) >= CSV_BATCH:
            writer.writerows(batch)
            batch.clear()
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    writer.writerows(batch)
    yield buffer.getvalue()


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


def _xlsx_value(value: Any) -> Any:
    # What ``core.xlsx`` writes as it is passes; the rest (moments, lazy text) is made
    # plain there, as it meets it.
    return plain(value, guard=False)


def xlsx_chunks(
    objects: Iterable[Any],
    columns: Sequence[ExportColumn],
    *,
    sheet_title: str = "Export",
    date_format: str = DATE_FORMAT,
    progress: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """An XLSX workbook of one sheet, streamed (``core.xlsx``). A column may have a
    ``number_format`` for its numbers; dates get ``date_format``. ``progress``: told
    the rows written now and then (``counted``)."""
    return xlsx_stream(
        [column.name for column in columns],
        counted(raw_rows(objects, columns), progress),
        title=sheet_title,
        number_formats=[getattr(column, "number_format", "") for column in columns],
        date_format=date_format,
        convert=_xlsx_value,
    )


def xlsx_bytes(
    objects: Iterable[Any],
    columns: Sequence[ExportColumn],
    *,
    sheet_title: str = "Export",
    date_format: str = DATE_FORMAT,
) -> bytes:
    """``xlsx_chunks`` in one piece (files written by the CLI, tests)."""
    return b"".join(xlsx_chunks(objects, columns, sheet_title=sheet_title, date_format=date_format))


def xlsx_response(
    objects: Iterable[Any], columns: Sequence[ExportColumn], *, filename: str
) -> StreamingHttpResponse:
    return attachment(
        xlsx_chunks(objects, columns, sheet_title=filename),
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
