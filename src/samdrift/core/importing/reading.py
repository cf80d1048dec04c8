"""Read an uploaded CSV or XLSX file into a ``Table``: its header row and its data rows,
each with the line number a person sees in their spreadsheet or text editor.

Real-world files: CSV in UTF-8 with or without a byte-order mark, UTF-16 (Excel's
"Unicode text"), or Windows-1252/ISO-8859-1 (older Norwegian Excel); ``,`` ``;`` or tab
as delimiter, found from the header line (Excel's ``sep=;`` first line is honoured);
empty rows and empty trailing columns are ignored.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from samdrift.core.importing.xlsx import XlsxError, read_rows

DELIMITERS = (";", ",", "\t")
DELIMITER_NAMES = {";": "semicolon", ",": "comma", "\t": "tab"}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and .doc) container
SEP_LINE = re.compile(r"^\s*sep=(.)\s*$", re.IGNORECASE)


class FileProblem(ValueError):
    """The file as a whole cannot be read; the message says why, for a person."""


@dataclass
class Table:
    """A file's header and rows. ``rows`` holds (line number, cells); a cell is text (CSV)
    or a typed value (XLSX: str, int, Decimal, date, datetime, bool) or None."""

    filename: str
    format: str
    headers: list[str]
    rows: list[tuple[int, list[Any]]]
    header_line: int = 1
    encoding: str = ""
    delimiter: str = ""
    warnings: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if self.format == "csv":
            return _("CSV, %(encoding)s, %(delimiter)s-separated") % {
                "encoding": self.encoding,
                "delimiter": DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter)),
            }
        return _("XLSX workbook (first sheet)")


def read_table(data: bytes, filename: str = "") -> Table:
    """The table in ``data``: XLSX when it is a zip archive, CSV otherwise."""
    if not data or not data.strip():
        raise FileProblem(_("The file is empty."))
    if data.startswith(OLE_MAGIC):
        raise FileProblem(
            _("This is an old Excel .xls file; save it as .xlsx or CSV and upload that.")
        )
    if data.startswith(ZIP_MAGIC):
        try:
            rows = read_rows(data)
        except XlsxError as error:
            raise FileProblem(str(error)) from None
        return _table(filename, "xlsx", rows)
    text, encoding = decode(data)
    return read_csv_text(text, filename=filename, encoding=encoding)


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the name of the encoding it was in.

    A byte-order mark decides; otherwise UTF-8 if the bytes are valid UTF-8 (a file in
    Windows-1252 with any æ, ø or å never is), else Windows-1252, which agrees with
    ISO-8859-1 on every letter and adds € and typographic quotes.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "UTF-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        # Five bytes are undefined in Windows-1252; ISO-8859-1 maps every byte.
        return data.decode("latin-1"), "ISO-8859-1"


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the header line into the most columns.

    Counting only the header avoids being fooled by decimal commas in the data; a tie
    (e.g. a header of one column) is broken by which delimiter gives the data rows the
    same number of cells as the header.
    """
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        records = list(csv.reader(lines, delimiter=delimiter))
        if not records:
            continue
        width = len(records[0])
        consistent = sum(1 for record in records[1:] if len(record) == width)
        score = (width, consistent)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv_text(text: str, *, filename: str = "", encoding: str = "UTF-8") -> Table:
    if text.startswith("\ufeff"):
        text = text[1:]
    # æøå typed on a Mac may arrive decomposed (a + ring); stored text is composed.
    text = unicodedata.normalize("NFC", text)
    first_lines = _first_lines(text, 20)
    delimiter = None
    if first_lines and (match := SEP_LINE.match(first_lines[0])):
        delimiter = match.group(1)
        # Keep the line count right: the sep= line is line 1, the header line 2.
        text = "\n" + text.split("\n", 1)[1] if "\n" in text else ""
    if delimiter is None:
        delimiter = sniff_delimiter([line for line in first_lines if line.strip()][:20])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[Any]]] = []
    previous_end = 0
    try:
        for record in reader:
            line = previous_end + 1  # a quoted cell may span lines: the row starts here
            previous_end = reader.line_num
            for cell in record:
                if cell and not cell.isspace():
                    rows.append((line, record))
                    break
    except csv.Error as error:
        raise FileProblem(
            _("Line %(line)d: the CSV cannot be read (%(error)s).")
            % {"line": reader.line_num, "error": error}
        ) from None
    table = _table(filename, "csv", rows)
    table.encoding = encoding
    table.delimiter = delimiter
    return table


def _first_lines(text: str, count: int) -> list[str]:
    lines = []
    start = 0
    while len(lines) < count and start < len(text):
        end = text.find("\n", start)
        if end == -1:
            end = len(text)
        lines.append(text[start:end].rstrip("\r"))
        start = end + 1
    return lines


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and (not value or value.isspace()))


def _table(filename: str, fmt: str, rows: list[tuple[int, list[Any]]]) -> Table:
    if not rows:
        raise FileProblem(_("The file has no rows."))
    header_line, header_cells = rows[0]
    headers = ["" if _blank(h) else str(h).strip() for h in header_cells]
    while headers and not headers[-1]:
        headers.pop()  # empty trailing columns
    if not headers:
        raise FileProblem(_("The first row (the header) is empty."))
    return Table(
        filename=filename,
        format=fmt,
        headers=headers,
        rows=rows[1:],
        header_line=header_line,
    )
