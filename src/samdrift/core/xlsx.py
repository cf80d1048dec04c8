"""A one-sheet XLSX written as a stream of bytes: the first bytes leave at once, memory
stays constant however many rows, and a row costs a few string joins.

Why not openpyxl for these: its write-only mode makes a cell object per value and an
lxml element per cell (≈ 20 µs a cell: 11 s for a 20,000-charge specification), and it
writes the sheet to a temporary file that is zipped only when the workbook is saved, so
nothing can be sent before the last row. Here the sheet XML is written straight into a
ZIP entry (``zipfile`` writes to an unseekable stream with data descriptors), and
every chunk the compressor produces is handed on.

What is written is what ``core.exports`` wrote with openpyxl: a bold header, text as
text cells (never formulas, whatever they start with; characters XLSX cannot hold
removed), numbers as numbers, booleans as booleans, dates and moments as date serials
with a number format (a column may give its own format to its numbers). openpyxl,
Excel and LibreOffice read it back (the tests parse it with openpyxl). Multi-sheet
workbooks (reports) still use openpyxl's write-only mode (``core.exports.append_sheet``).

Cells carry no reference (``r="W100234"``): it is optional (ECMA-376 §18.3.1.4), and
Excel, LibreOffice, Google Sheets and openpyxl place a cell without one after the cell
before it, so an empty value is an empty ``<c/>`` that keeps the next in its column. Per
cell, the reference cost as much as the rest of the cell, and being different in every
cell it kept deflate from finding the rows' repeats: without it the large demo's biggest
specification (100,000 charges) is written in about half the time, in a quarter of the
bytes. A text's whole cell is then the same wherever it stands, and is made once.
"""

from __future__ import annotations

import datetime
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# Excel's day 0 (with its 1900 leap-year bug, as openpyxl's ``to_excel``).
EPOCH = datetime.date(1899, 12, 30)
EPOCH_MOMENT = datetime.datetime(1899, 12, 30)
# How many bytes of compressed output are gathered before they are handed on.
CHUNK = 64 * 1024
# Deflate level 1: several times faster than the default 6 for ~10 % more bytes.
COMPRESS_LEVEL = 1
TEXT_CACHE = 100_000
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    '<Relationship Id="rId2" Target="styles.xml" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/styles"/>'
    "</Relationships>"
)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def sheet_title(title: Any) -> str:
    """A title Excel accepts: at most 31 characters, none of ``[]:*?/\\``."""
    return SHEET_NAME_FORBIDDEN.sub("-", str(title))[:31] or "Export"


def _workbook_xml(title: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOC_RELS}"><sheets>'
        f'<sheet name={quoteattr(title)} sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>"
    )


def _styles_xml(formats: Sequence[str]) -> str:
    """Style 0 plain, 1 the bold header, then one style per number format (2, 3, …)."""
    num_fmts = "".join(
        f"<numFmt numFmtId={quoteattr(str(164 + i))} formatCode={quoteattr(code)}/>"
        for i, code in enumerate(formats)
    )
    xfs = "".join(
        f'<xf numFmtId="{164 + i}" fontId="0" fillId="0" borderId="0" xfId="0" '
        'applyNumberFormat="1"/>'
        for i in range(len(formats))
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<styleSheet xmlns="{_MAIN}">'
        f'<numFmts count="{len(formats)}">{num_fmts}</numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        "</cellStyleXfs>"
        f'<cellXfs count="{2 + len(formats)}">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
        f"{xfs}</cellXfs>"
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )


def _text(value: str) -> str:
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f"<is><t{space}>{escape(value)}</t></is>"


class _Sink:
    """The unseekable file ``zipfile`` writes to: it keeps the bytes until taken."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        self.size = 0
        return data


class _Styles:
    """The number formats in use, each given its style index the first time it is met."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def of(self, number_format: str) -> int:
        if number_format not in self.index:
            self.index[number_format] = 2 + len(self.index)
        return self.index[number_format]


EMPTY = "<c/>"


def _writers(styles: _Styles, date_format: str, moment_format: str) -> dict[type, Any]:
    """A writer of one ``<c>`` per value type, ``(value, number format) → XML``:
    dispatched on the exact type, one dict lookup per cell."""

    # Texts repeat (an invoice number, a municipality, an item on every row): each
    # cell is cleaned, escaped and made once.
    texts: dict[str, str] = {}

    def text(value, _):
        # An empty text is an empty cell (openpyxl wrote none: it reads back as empty).
        if not value:
            return EMPTY
        cell = texts.get(value)
        if cell is None:
            cell = f'<c t="inlineStr">{_text(value)}</c>'
            if len(texts) < TEXT_CACHE:
                texts[value] = cell
        return cell

    def boolean(value, _):
        return f'<c t="b"><v>{int(value)}</v></c>'

    def day(value, _):
        days = (value - EPOCH).days
        days = days - 1 if 0 < days <= 60 else days
        return f'<c s="{styles.of(date_format)}"><v>{days}</v></c>'

    def moment(value, number_format):
        delta = value - EPOCH_MOMENT
        serial = delta.days + delta.seconds / 86400
        style = styles.of(number_format or moment_format)
        return f'<c s="{style}"><v>{serial!r}</v></c>'

    def number(value, number_format):
        if number_format:
            return f'<c s="{styles.of(number_format)}"><v>{value:f}</v></c>'
        return f"<c><v>{value:f}</v></c>"

    def integer(value, number_format):
        if number_format:
            return f'<c s="{styles.of(number_format)}"><v>{value}</v></c>'
        return f"<c><v>{value}</v></c>"

    return {
        str: text,
        bool: boolean,
        int: integer,
        Decimal: number,
        datetime.date: day,
        datetime.datetime: moment,
        type(None): lambda value, _: EMPTY,
    }


def _cell(
    writers: dict[type, Any], value: Any, number_format: str, convert: Callable[[Any], Any] | None
) -> str:
    """One ``<c>`` of a value of a type without a writer: made plain by ``convert``."""
    if convert is not None:
        value = convert(value)
        write = writers.get(type(value))
        if write is not None:
            return write(value, number_format)
    if isinstance(value, str):  # a str subclass
        return writers[str](str(value), number_format)
    raise TypeError(f"An XLSX cell cannot hold {type(value).__name__}.")


def xlsx_stream(
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    title: Any = "Export",
    number_formats: Sequence[str] = (),
    date_format: str = "yyyy-mm-dd",
    moment_format: str = "yyyy-mm-dd hh:mm:ss",
    convert: Callable[[Any], Any] | None = None,
) -> Iterator[bytes]:
    """The workbook's bytes, a chunk at a time. ``rows`` hold plain values (``str``,
    ``int``, ``Decimal``, ``bool``, ``date``, naive ``datetime``, ``None``), or values
    ``convert`` makes plain: any other type, and every ``datetime`` (which may carry a
    time zone). Converted here, cell by cell, rather than by the caller in a pass of its
    own over every value. ``number_formats[i]``, when given, is the format of column
    ``i``'s numbers."""
    sink = _Sink()
    styles = _Styles()
    writers = _writers(styles, date_format, moment_format)
    if convert is not None:
        moment = writers[datetime.datetime]
        writers[datetime.datetime] = lambda value, fmt: moment(convert(value), fmt)
    known = writers.keys()
    width = len(header)
    formats = list(number_formats) + [""] * (width - len(number_formats))
    with zipfile.ZipFile(
        sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL
    ) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            head = "".join(f'<c t="inlineStr" s="1">{_text(str(name))}</c>' for name in header)
            sheet.write(
                (
                    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    f'<worksheet xmlns="{_MAIN}"><sheetData><row r="1">{head}</row>'
                ).encode()
            )
            yield sink.take()  # the first bytes leave before the first row is read
            buffer: list[str] = []
            for number, row in enumerate(rows, start=2):
                cells = "".join(
                    [
                        writers[type(value)](value, fmt)
                        if type(value) in known
                        else _cell(writers, value, fmt, convert)
                        for value, fmt in zip(row, formats, strict=True)
                    ]
                )
                buffer.append(f'<row r="{number}">{cells}</row>')
                if len(buffer) >= 500:
                    sheet.write("".join(buffer).encode())
                    buffer.clear()
                    if sink.size >= CHUNK:
                        yield sink.take()
            sheet.write(("".join(buffer) + "</sheetData></worksheet>").encode())
        formats_used = sorted(styles.index, key=styles.index.__getitem__)
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _workbook_xml(sheet_title(title)))
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", _styles_xml(formats_used))
    yield sink.take()
