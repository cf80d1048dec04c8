"""Read an uploaded CSV or XLSX file into a ``Table``: its header row and its data rows,
each with its row number as a spreadsheet shows it.

Real-world files: CSV in UTF-8 with or without a byte-order mark, UTF-16 (Excel's
"Unicode text"), or a legacy one-byte encoding (Windows-1252 from older Norwegian Excel,
now and then a DOS or Mac code page); ``,`` ``;`` or tab as delimiter, found from the
header line (Excel's ``sep=;`` first line is honoured); Windows, Unix or old-Mac (CR)
line endings; empty rows and empty trailing columns are ignored.

Nothing is read garbled (issue #11): a legacy encoding is detected by charset-normalizer
among the code pages Norwegian files come in, never guessed; a UTF-8 file with a few bytes
that are not UTF-8 (a row pasted from a Windows-1252 file) is not re-read as
Windows-1252 — those rows are named, with the cell, as unreadable. A NUL character
(which PostgreSQL text cannot hold) is an error of its cell; other control characters
are removed, with a note. Binary files (images, programs, archives) are refused at once.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import charset_normalizer
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.core.importing.xlsx import XlsxError, read_rows

DELIMITERS = (";", ",", "\t")
DELIMITER_NAMES = {";": "semicolon", ",": "comma", "\t": "tab"}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and .doc) container
SEP_LINE = re.compile(r"^\s*sep=(.)\s*$", re.IGNORECASE)
# One physical line with its ending: \r\n, \n or a lone \r (old Mac), as universal
# newlines read them; the last line may have no ending.
LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")

# Files that are no kind of text, recognised by their first bytes.
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", gettext_lazy("a PNG image")),
    (b"\xff\xd8\xff", gettext_lazy("a JPEG image")),
    (b"GIF87a", gettext_lazy("a GIF image")),
    (b"GIF89a", gettext_lazy("a GIF image")),
    (b"%PDF-", gettext_lazy("a PDF document")),
    (b"\x7fELF", gettext_lazy("a program (ELF executable)")),
    (b"\x1f\x8b", gettext_lazy("a gzip archive")),
    (b"\xfd7zXZ\x00", gettext_lazy("an xz archive")),
    (b"7z\xbc\xaf\x27\x1c", gettext_lazy("a 7-Zip archive")),
    (b"Rar!\x1a\x07", gettext_lazy("a RAR archive")),
)
# How much of a file decides whether it is binary.
BINARY_PROBE = 64 * 1024
# Control bytes no text file has in its header line (tab, LF, FF, CR excepted).
CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")

# The encodings a file without a byte-order mark that is not UTF-8 may be in: the one-byte
# code pages of Norwegian spreadsheets and older systems, and (only when the file has NUL
# bytes, as UTF-16 text of Latin letters has every other byte) UTF-16/32 without a mark.
# charset-normalizer picks among them by how plausible the decoded text is; asked to
# consider every code page it knows, it took Norwegian text for Urdu (cp1006) or Central
# European (cp1250), and eight bytes of Windows-1252 for UTF-16. On a tie the first
# wins: Windows-1252, as Excel writes.
ONE_BYTE_ENCODINGS = ("cp1252", "latin_1", "iso8859_15", "cp850", "cp865", "mac_roman")
WIDE_ENCODINGS = ("utf_16_le", "utf_16_be", "utf_32_le", "utf_32_be")
ENCODING_NAMES = {
    "cp1252": "Windows-1252",
    "latin_1": "ISO-8859-1",
    "iso8859_15": "ISO-8859-15",
    "cp850": "DOS Latin-1 (CP850)",
    "cp865": "DOS Nordic (CP865)",
    "mac_roman": "Mac Roman",
    "utf_16_le": "UTF-16",
    "utf_16_be": "UTF-16",
    "utf_32_le": "UTF-32",
    "utf_32_be": "UTF-32",
}
# A byte that could not be decoded is kept as a lone surrogate U+DC00+byte (what
# Python's "surrogateescape" does for bytes from 0x80): no valid text contains one, so
# the cells holding one are found afterwards and named.
UNREADABLE_HANDLER = "samdrift-unreadable"


def _mark_unreadable(error: UnicodeDecodeError) -> tuple[str, int]:
    bad = error.object[error.start : error.end]
    return "".join(chr(0xDC00 + byte) for byte in bad), error.end


codecs.register_error(UNREADABLE_HANDLER, _mark_unreadable)
UNREADABLE = re.compile("[\udc00-\udcff]")
# What a cell must not keep: unreadable bytes, NUL, and the other control characters
# (tab, line feed and carriage return, which cells may hold, excepted).
SUSPECT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\udc00-\udcff]")
CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class FileProblem(ValueError):
    """The file as a whole cannot be read; the message says why, for a person."""


@dataclass
class Table:
    """A file's header and rows. ``rows`` holds (row number, cells); a cell is text (CSV)
    or a typed value (XLSX: str, int, Decimal, date, datetime, bool) or None.

    ``cell_problems`` are cells that cannot be imported as read, as (row number, column
    index, reason); ``warnings`` are notes about what was changed on reading."""

    filename: str
    format: str
    headers: list[str]
    rows: list[tuple[int, list[Any]]]
    header_line: int = 1
    encoding: str = ""
    delimiter: str = ""
    warnings: list[str] = field(default_factory=list)
    cell_problems: list[tuple[int, int, str]] = field(default_factory=list)

    def describe(self) -> str:
        if self.format == "csv":
            return _("CSV, %(encoding)s, %(delimiter)s-separated") % {
                "encoding": self.encoding,
                "delimiter": DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter)),
            }
        return _("XLSX workbook (first sheet)")


class TableSource:
    """A file opened for reading: refused at once if it is no CSV or XLSX at all, its
    format found and (CSV) its text decoded once, so that its first rows can be read to
    check the header before the whole file is (``read(max_rows=…)``)."""

    def __init__(self, data: bytes, filename: str = "") -> None:
        if not data or not data.strip():
            raise FileProblem(_("The file is empty."))
        if data.startswith(OLE_MAGIC):
            raise FileProblem(
                _("This is an old Excel .xls file; save it as .xlsx or CSV and upload that.")
            )
        self.data = data
        self.filename = filename
        self.format = "xlsx" if data.startswith(ZIP_MAGIC) else "csv"
        if self.format == "csv":
            refuse_binary(data)
            self.text, self.encoding = decode(data)
            self.text = _prepare_text(self.text)
            # Most files have nothing to clean: one search over the text says so.
            self.suspect = SUSPECT.search(self.text) is not None

    def read(self, max_rows: int | None = None) -> Table:
        """The table, or only its first ``max_rows`` non-empty rows (the header among them)."""
        if self.format == "xlsx":
            try:
                rows = read_rows(self.data, max_rows=max_rows)
            except XlsxError as error:
                raise FileProblem(str(error)) from None
            return _table(self.filename, "xlsx", rows)
        return _read_csv(
            self.text,
            filename=self.filename,
            encoding=self.encoding,
            max_rows=max_rows,
            suspect=self.suspect,
        )


def read_table(data: bytes, filename: str = "", *, max_rows: int | None = None) -> Table:
    """The table in ``data``: XLSX when it is a zip archive, CSV otherwise."""
    return TableSource(data, filename).read(max_rows)


def refuse_binary(data: bytes) -> None:
    """Raise ``FileProblem`` for a file that is not text (an image, a program, junk).

    A text file with a stray NUL in one row is not refused here: that row is named.
    What charset-normalizer takes for binary is refused when its first line already
    holds control bytes — no CSV header does.
    """
    for signature, what in SIGNATURES:
        if data.startswith(signature):
            raise FileProblem(_("This is %(what)s, not a CSV or XLSX file.") % {"what": what})
    probe = data[:BINARY_PROBE]
    if probe.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return
    first_line = probe.split(b"\n", 1)[0][:4096]
    if CONTROL_BYTES.search(first_line) and charset_normalizer.is_binary(probe):
        raise FileProblem(
            _(
                "This is not a text file (it holds binary data, such as an image, a program "
                "or a compressed file); upload a CSV or XLSX file."
            )
        )


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the name of the encoding it was in.

    A byte-order mark decides; otherwise UTF-8 if the bytes are valid UTF-8 (text in a
    one-byte code page with any æ, ø or å never is). A file holding valid UTF-8 sequences
    and bytes that are not is read as UTF-8 all the same: its unreadable bytes are kept
    marked (see ``UNREADABLE``) and their cells named, instead of reading the whole file
    in another encoding and garbling every æøå ("BÃ¦rbar"). Only a file with no UTF-8 in
    it at all is handed to charset-normalizer.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", "surrogateescape"), "UTF-8"
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return data.decode("utf-32", UNREADABLE_HANDLER), "UTF-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", UNREADABLE_HANDLER), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    # A file with a valid UTF-8 sequence of two to four bytes is (at least partly) UTF-8:
    # text in a one-byte code page hardly ever makes one by chance ("æ" followed by a
    # letter never does). Read leniently, every byte that is not UTF-8 becomes one
    # character, so the text is shorter than the bytes exactly when some sequence was
    # read as one character — found without scanning the file again (a regular
    # expression over the bytes took seconds on a large file).
    text = data.decode("utf-8", "surrogateescape")
    if len(text) < len(data):
        return text, "UTF-8"
    del text
    candidates = list(ONE_BYTE_ENCODINGS)
    if b"\x00" in data[:BINARY_PROBE]:
        candidates = [*WIDE_ENCODINGS, *candidates]
    best = charset_normalizer.from_bytes(data, cp_isolation=candidates).best()
    if best is None and b"\x00" in data:
        # Text with a stray NUL (not binary: see refuse_binary) puts charset-normalizer
        # off every code page; read it as Excel writes, and name the NUL's cell.
        return data.decode("cp1252", "surrogateescape"), ENCODING_NAMES["cp1252"]
    if best is None:
        raise FileProblem(
            _(
                "The file's text encoding cannot be recognised (it is neither UTF-8 nor "
                "Windows-1252 or another common one); save it as CSV UTF-8 and upload that."
            )
        )
    encoding = best.encoding
    # charset-normalizer tries parts of a large file; a byte it did not see that the
    # encoding lacks is marked, and its cell named, like any other.
    handler = "surrogateescape" if not encoding.startswith("utf") else UNREADABLE_HANDLER
    return data.decode(encoding, handler), ENCODING_NAMES.get(encoding, encoding)


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the header line into the most columns.

    Counting only the header avoids being fooled by decimal commas in the data; a tie
    (e.g. a header of one column) is broken by which delimiter gives the data rows the
    same number of cells as the header.
    """
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            records = list(csv.reader(lines, delimiter=delimiter))
        except csv.Error:
            continue
        if not records:
            continue
        width = len(records[0])
        consistent = sum(1 for record in records[1:] if len(record) == width)
        score = (width, consistent)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv_text(text: str, *, filename: str = "", encoding: str = "UTF-8") -> Table:
    """The table in CSV text (already decoded)."""
    text = _prepare_text(text)
    return _read_csv(
        text,
        filename=filename,
        encoding=encoding,
        max_rows=None,
        suspect=SUSPECT.search(text) is not None,
    )


def _prepare_text(text: str) -> str:
    if text.startswith("\ufeff"):
        text = text[1:]
    # æøå typed on a Mac may arrive decomposed (a + ring); stored text is composed.
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def _lines(text: str, start: int = 0) -> Iterator[str]:
    """The physical lines of ``text`` from ``start``, each with its line ending."""
    return (match.group() for match in LINE.finditer(text, start))


def _read_csv(
    text: str, *, filename: str, encoding: str, max_rows: int | None, suspect: bool
) -> Table:
    first_lines = [line.rstrip("\r\n") for line in itertools.islice(_lines(text), 20)]
    delimiter = None
    start, first_row = 0, 1
    if first_lines and (match := SEP_LINE.match(first_lines[0])):
        delimiter = match.group(1)
        # The sep= line is row 1 (as in a text editor and LibreOffice), the header row 2.
        start, first_row = len(next(_lines(text))), 2
        first_lines = first_lines[1:]
    if delimiter is None:
        delimiter = sniff_delimiter([line for line in first_lines if line.strip()][:20])
    # Lines split by a generator, not io.StringIO: a StringIO holds its own copy of the
    # text, four bytes a character, which doubled the memory of refusing a large file.
    reader = csv.reader(_lines(text, start), delimiter=delimiter)
    rows: list[tuple[int, list[Any]]] = []
    number = first_row - 1
    try:
        # A row is a record, as a spreadsheet shows it: a quoted cell holding line breaks
        # is one row, however many lines it spans; an empty line is an (empty) row.
        for number, record in enumerate(reader, start=first_row):
            for cell in record:
                if cell and not cell.isspace():
                    rows.append((number, record))
                    break
            if max_rows is not None and len(rows) >= max_rows:
                break
    except csv.Error as error:
        raise FileProblem(
            _("Row %(line)d: the CSV cannot be read (%(error)s). Is this a CSV file?")
            % {"line": number + 1, "error": error}
        ) from None
    problems: list[tuple[int, int, str]] = []
    notes: list[str] = []
    if suspect:
        problems, notes = _clean_cells(rows, encoding)
    table = _table(filename, "csv", rows)
    table.encoding = encoding
    table.delimiter = delimiter
    table.cell_problems = problems
    table.warnings = notes
    return table


def _clean_cells(
    rows: list[tuple[int, list[Any]]], encoding: str
) -> tuple[list[tuple[int, int, str]], list[str]]:
    """Cells holding unreadable bytes or NUL are problems (their text is kept, marked
    with U+FFFD, for the messages); other control characters are removed, with a note."""
    problems: list[tuple[int, int, str]] = []
    stripped: list[int] = []
    for number, record in rows:
        for index, cell in enumerate(record):
            if not SUSPECT.search(cell):
                continue
            if UNREADABLE.search(cell):
                problems.append(
                    (
                        number,
                        index,
                        _(
                            "the text cannot be read: it holds bytes that are not "
                            "%(encoding)s like the rest of the file (pasted from another "
                            "file?); save the whole file as CSV UTF-8 and import it again"
                        )
                        % {"encoding": encoding},
                    )
                )
                cell = UNREADABLE.sub("\ufffd", cell)
            if "\x00" in cell:
                problems.append(
                    (
                        number,
                        index,
                        _(
                            "the text holds a NUL character (byte 0), which cannot be "
                            "stored; remove it (or is the file not %(encoding)s text?)"
                        )
                        % {"encoding": encoding},
                    )
                )
                cell = cell.replace("\x00", "\ufffd")
            if CONTROL.search(cell):
                cell = CONTROL.sub("", cell)
                if not stripped or stripped[-1] != number:
                    stripped.append(number)
            record[index] = cell
    notes = []
    if stripped:
        shown = ", ".join(str(n) for n in stripped[:10]) + (" …" if len(stripped) > 10 else "")
        notes.append(
            _("Invisible control characters were removed from the text of rows %(rows)s.")
            % {"rows": shown}
        )
    return problems, notes


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
