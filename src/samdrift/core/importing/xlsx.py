"""A streaming reader for the first worksheet of an XLSX workbook.

Why not openpyxl's reader: ``load_workbook(read_only=True, data_only=True)`` took 64 s
to read 100,000 rows of 30 cells on the development machine, more than the whole import
may take (issue #6: 100,000 rows in under 60 s). This reader parses the sheet's XML with
expat (C) and does only what an import needs — cell values — about 2.5 times faster.
openpyxl still decides which number formats are dates and converts Excel serial numbers
(``is_date_format``, ``from_excel``), and the tests check this reader against openpyxl.

What it returns is what ``openpyxl`` in ``data_only`` mode would give, except that numbers
are ``int`` or ``Decimal`` (from the stored text, never through float) and that date
cells at midnight are ``datetime.date``. Formulas give their cached value.

The format is ECMA-376 Part 1 (SpreadsheetML): ``xl/workbook.xml`` lists the sheets,
``xl/_rels/workbook.xml.rels`` says which part holds each, ``xl/sharedStrings.xml`` holds
the text of ``t="s"`` cells, ``xl/styles.xml`` maps a cell's style to its number format.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import posixpath
import unicodedata
import zipfile
from decimal import Decimal, InvalidOperation
from typing import IO, Any
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

# The uncompressed size of one sheet we are prepared to read: a zip bomb stops here.
MAX_SHEET_BYTES = 2 * 1024**3
OFFICE_DOCUMENT = "/officeDocument"


class XlsxError(ValueError):
    """The workbook cannot be read; the message says why, for a person."""


def _local(name: str) -> str:
    # Some writers qualify every element with a prefix (x:row); the local name is enough.
    return name.rpartition(":")[2] if ":" in name else name


def _parser(start=None, end=None, text=None) -> expat.XMLParserType:
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    # A workbook never needs a DTD; refusing one rules out entity-expansion attacks.
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse_doctype(*args):
        raise XlsxError("The workbook contains a document type declaration; refused.")

    parser.StartDoctypeDeclHandler = refuse_doctype
    if start is not None:
        parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    return parser


def _parse(archive: zipfile.ZipFile, name: str, **handlers) -> None:
    parser = _parser(**handlers)
    try:
        with archive.open(name) as stream:
            parser.ParseFile(stream)
    except expat.ExpatError as error:
        raise XlsxError(f"{name} is not well-formed XML ({error}).") from None


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Id -> (type, target part name) of a part's relationships."""
    folder, base = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", base + ".rels")
    found: dict[str, tuple[str, str]] = {}
    if rels_name not in archive.NameToInfo:
        return found

    def start(name, attrs):
        if _local(name) == "Relationship" and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            if target.startswith("/"):
                target = target[1:]
            else:
                target = posixpath.normpath(posixpath.join(folder, target))
            found[attrs.get("Id", "")] = (attrs.get("Type", ""), target)

    _parse(archive, rels_name, start=start)
    return found


def _workbook_part(archive: zipfile.ZipFile) -> str:
    for rel_type, target in _relationships(archive, "").values():
        if rel_type.endswith(OFFICE_DOCUMENT):
            return target
    return "xl/workbook.xml"


def _first_sheet(archive: zipfile.ZipFile, workbook: str) -> tuple[str, datetime.datetime]:
    sheets: list[tuple[str, str]] = []  # (relationship id, state)
    epoch = [CALENDAR_WINDOWS_1900]

    def start(name, attrs):
        local = _local(name)
        if local == "sheet":
            rel_id = next((v for k, v in attrs.items() if _local(k) == "id"), "")
            sheets.append((rel_id, attrs.get("state", "visible")))
        elif local == "workbookPr" and attrs.get("date1904") in ("1", "true"):
            epoch[0] = CALENDAR_MAC_1904

    _parse(archive, workbook, start=start)
    relationships = _relationships(archive, workbook)
    visible = [s for s in sheets if s[1] == "visible"] or sheets
    if not visible:
        raise XlsxError("The workbook has no worksheet.")
    rel = relationships.get(visible[0][0])
    if rel is None or rel[1] not in archive.NameToInfo:
        raise XlsxError("The workbook's first worksheet is missing.")
    return rel[1], epoch[0]


def _shared_strings(archive: zipfile.ZipFile, workbook: str) -> list[str]:
    relationships = _relationships(archive, workbook)
    part = next(
        (t for rel_type, t in relationships.values() if rel_type.endswith("/sharedStrings")),
        None,
    )
    if part is None or part not in archive.NameToInfo:
        return []
    strings: list[str] = []
    parts: list[str] = []
    depth = {"rph": 0, "t": False}

    def start(name, attrs):
        local = _local(name)
        if local == "si":
            parts.clear()
        elif local == "t" and not depth["rph"]:
            depth["t"] = True
        elif local == "rPh":  # phonetic hints (East Asian) are not the cell's text
            depth["rph"] += 1

    def end(name):
        local = _local(name)
        if local == "si":
            strings.append(unicodedata.normalize("NFC", "".join(parts)))
        elif local == "t":
            depth["t"] = False
        elif local == "rPh":
            depth["rph"] -= 1

    def text(data):
        if depth["t"]:
            parts.append(data)

    _parse(archive, part, start=start, end=end, text=text)
    return strings


def _date_styles(archive: zipfile.ZipFile, workbook: str) -> frozenset[int]:
    """Indices of the cell styles (``s`` attribute) whose number format is a date."""
    relationships = _relationships(archive, workbook)
    part = next((t for rel_type, t in relationships.values() if rel_type.endswith("/styles")), None)
    if part is None or part not in archive.NameToInfo:
        return frozenset()
    custom: dict[int, str] = {}
    formats: list[int] = []
    inside = {"cellXfs": False}

    def start(name, attrs):
        local = _local(name)
        if local == "numFmt":
            with contextlib.suppress(ValueError):
                custom[int(attrs.get("numFmtId", "-1"))] = attrs.get("formatCode", "")
        elif local == "cellXfs":
            inside["cellXfs"] = True
        elif local == "xf" and inside["cellXfs"]:
            try:
                formats.append(int(attrs.get("numFmtId", "0")))
            except ValueError:
                formats.append(0)

    def end(name):
        if _local(name) == "cellXfs":
            inside["cellXfs"] = False

    _parse(archive, part, start=start, end=end)
    dates = set()
    for index, format_id in enumerate(formats):
        code = custom.get(format_id, BUILTIN_FORMATS.get(format_id))
        if code is not None and is_date_format(code):
            dates.add(index)
    return frozenset(dates)


def _column_index(letters: str, cache: dict[str, int]) -> int:
    index = cache.get(letters)
    if index is None:
        index = 0
        for char in letters:
            index = index * 26 + (ord(char) - 64)
        index -= 1
        cache[letters] = index
    return index


def _number(text: str) -> int | Decimal | str:
    if "." not in text and "E" not in text and "e" not in text:
        try:
            return int(text)
        except ValueError:
            return text
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    # A cell may hold any text; "NaN" or "Infinity" is no number (the parsers say so).
    return number if number.is_finite() else text


def _excel_date(text: str, epoch: datetime.datetime) -> Any:
    try:
        value = from_excel(float(text), epoch)
    except (ValueError, OverflowError):
        return _number(text)
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0, 0):
        return value.date()
    return value


def read_rows(
    source: bytes | IO[bytes], *, max_rows: int | None = None
) -> list[tuple[int, list[Any]]]:
    """Every non-empty row of the first visible worksheet: (row number, cell values), or
    only the first ``max_rows`` of them (the rest of the sheet is not parsed).

    Cells are ``None`` where empty; trailing empty cells are dropped.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except zipfile.BadZipFile:
        raise XlsxError("The file is not an XLSX workbook (not a zip archive).") from None
    with archive:
        workbook = _workbook_part(archive)
        if workbook not in archive.NameToInfo:
            raise XlsxError("The file is not an XLSX workbook (no workbook part).")
        sheet, epoch = _first_sheet(archive, workbook)
        if archive.getinfo(sheet).file_size > MAX_SHEET_BYTES:
            raise XlsxError("The worksheet is too large to import.")
        shared = _shared_strings(archive, workbook)
        date_styles = _date_styles(archive, workbook)
        return _sheet_rows(archive, sheet, shared, date_styles, epoch, max_rows)


def _other(cell_type: str, raw: str) -> Any:
    """A cell that is neither text nor a number: a boolean, an ISO date, or an error."""
    if cell_type == "b":
        return raw == "1"
    if cell_type == "d":
        try:
            value = datetime.datetime.fromisoformat(raw.rstrip("Z"))
        except ValueError:
            return raw
        return value.date() if value.time() == datetime.time(0, 0) else value
    return raw  # "e": an error value such as #N/A, shown as its text


def _sheet_rows(
    archive: zipfile.ZipFile,
    sheet: str,
    shared: list[str],
    date_styles: frozenset[int],
    epoch: datetime.datetime,
    max_rows: int | None = None,
) -> list[tuple[int, list[Any]]]:
    rows: list[tuple[int, list[Any]]] = []
    column_cache: dict[str, int] = {}
    # The parse's state lives in closure variables: these handlers run a few times per
    # cell, millions of times for a large sheet, and locals are the fastest Python has.
    cells: list[Any] = []
    row_number = 0
    column = -1
    cell_type = "n"
    style = -1
    text_value = ""
    collect = False
    phonetic = 0

    def start(name, attrs):
        nonlocal column, cell_type, style, text_value, collect, row_number, phonetic
        if ":" in name:
            name = _local(name)
        if name == "c":
            ref = attrs.get("r")
            column = _cell_column(ref, column_cache) if ref else column + 1
            cell_type = attrs.get("t", "n")
            found_style = attrs.get("s")
            style = int(found_style) if found_style else -1
            text_value = ""
        elif name == "v" or (name == "t" and not phonetic):
            collect = True
        elif name == "row":
            number = attrs.get("r")
            row_number = int(number) if number else row_number + 1
            column = -1
            cells.clear()
        elif name == "rPh":  # phonetic hints (East Asian) are not the cell's text
            phonetic += 1

    def end(name):
        nonlocal collect, phonetic
        if ":" in name:
            name = _local(name)
        if name == "c":
            value = _cell_value(cell_type, text_value, style, shared, date_styles, epoch)
            if value is not None:
                if column >= len(cells):
                    cells.extend([None] * (column + 1 - len(cells)))
                cells[column] = value
        elif name == "v" or name == "t":
            collect = False
        elif name == "row":
            # Rows whose cells are all empty strings are as good as absent.
            if cells and any(v is not None and v != "" for v in cells):
                rows.append((row_number, list(cells)))
                if max_rows is not None and len(rows) >= max_rows:
                    raise _Enough
        elif name == "rPh":
            phonetic -= 1

    def text(data):
        nonlocal text_value
        if collect:
            text_value += data

    _parse_sheet(archive, sheet, _parser(start=start, end=end, text=text))
    return rows


def _cell_column(ref: str, cache: dict[str, int]) -> int:
    """The column index of a cell reference ("AB12" → 27)."""
    letters = ref.rstrip("0123456789")
    found = cache.get(letters)
    return found if found is not None else _column_index(letters, cache)


def _cell_value(
    cell_type: str,
    raw: str,
    style: int,
    shared: list[str],
    date_styles: frozenset[int],
    epoch: datetime.datetime,
) -> Any:
    """A cell's value from its type, style and raw text; None when it is empty."""
    if cell_type == "s":
        try:
            return shared[int(raw)]
        except (ValueError, IndexError):
            return None
    if cell_type == "inlineStr" or cell_type == "str":
        return (
            raw if unicodedata.is_normalized("NFC", raw) else unicodedata.normalize("NFC", raw)
        ) or None
    if raw == "":
        return None
    if cell_type == "n":
        return _excel_date(raw, epoch) if style in date_styles else _number(raw)
    return _other(cell_type, raw)


def _parse_sheet(archive: zipfile.ZipFile, sheet: str, parser) -> None:
    try:
        with archive.open(sheet) as stream:
            parser.ParseFile(stream)
    except _Enough:
        pass
    except expat.ExpatError as error:
        raise XlsxError(f"The worksheet is not well-formed XML ({error}).") from None


class _Enough(Exception):
    """Raised from a parse handler to stop reading once ``max_rows`` rows are read."""
