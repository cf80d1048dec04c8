"""Which file column is which importer column: the header row found (below a title),
headers matched to columns, and the saved reading of a source whose headers say too
little (the mapping step)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from samdrift.core.importing.columns import Column
from samdrift.core.importing.parsing import (
    squash,
)
from samdrift.core.importing.reading import Table
from samdrift.core.importing.results import Report

IGNORE = ""  # a header mapped to this is not imported
FIRST_ROWS_SHOWN = 5


@dataclass
class ColumnReading:
    """How the files of one source are read, when their headers say too little: which
    column means which field (``columns``: header as written → column key, or
    ``IGNORE``), what values mean (``values``: column key → {text: value}), and how
    slashed dates are written (``date_order``: ``parsing.MDY``/``DMY``). Saved per
    source (``imports.models.ImportMapping``) and found again by the header row's
    fingerprint."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    date_order: str = ""
    name: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, name: str = "") -> ColumnReading:
        if not isinstance(data, dict):
            raise ValueError(_("A column mapping is a JSON object."))
        columns = data.get("columns") or {}
        values = data.get("values") or {}
        if not isinstance(columns, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in columns.items()
        ):
            raise ValueError(_("“columns” maps each header (text) to a column key (text)."))
        if not isinstance(values, dict) or not all(
            isinstance(m, dict) and all(isinstance(v, str) for v in m.values())
            for m in values.values()
        ):
            raise ValueError(_("“values” maps a column key to {value as written: meaning}."))
        order = data.get("date_order") or ""
        if order not in ("", "mdy", "dmy"):
            raise ValueError(_("“date_order” is mdy, dmy or empty."))
        return cls(columns=columns, values=values, date_order=order, name=name)

    def as_dict(self) -> dict[str, Any]:
        return {"columns": self.columns, "values": self.values, "date_order": self.date_order}


def header_fingerprint(kind: str, headers: Sequence[str]) -> str:
    """The same for every file of a source with the same header row (case, spaces and
    punctuation aside), so a saved reading is found again."""
    import hashlib

    text = "\x1f".join([kind, *(squash(h) for h in headers)])
    return hashlib.sha256(text.encode()).hexdigest()


# Finds the saved reading of a kind's header row (given by the imports app).
ReadingFinder = Callable[[str, str], "ColumnReading | None"]


def match_headers(
    headers: Sequence[str],
    columns: Sequence[Column],
    report: Report,
    reading: ColumnReading | None = None,
) -> dict[str, int]:
    """Column key -> index in the file. Unknown headers are reported as not imported;
    a column named twice, or a required one missing, is an error of the file. A
    ``reading`` (the mapping step) says what a header means before the names do."""
    names = _HeaderNames.of(columns, reading)
    found: dict[str, int] = {}
    described: list[list[str]] = []  # [header, what it is read as ("": not imported)]
    repeats: list[tuple[str, str]] = []  # (header, column key): ``Column.repeated``
    for index, header in enumerate(headers):
        if not header:
            continue
        column = names.column_for(header, report)
        if column is _REFUSED:
            continue
        if column is None:
            described.append([header, ""])
            continue
        if column.key in found:
            earlier = headers[found[column.key]]
            if column.repeated and squash(header) == squash(earlier):
                repeats.append((header, column.key))
                described.append([header, ""])
                continue
            if not _takes_over(column, header, earlier, described, report):
                continue
        found[column.key] = index
        report.headers[column.key] = header
        described.append([header, str(column.label)])
    report.result.columns = described
    # Decided once every header is placed: a repeat whose first column was read is
    # named as such; one whose column lost to a preferred header was not read at all.
    read_repeats = {
        header
        for header, key in repeats
        if key in found and squash(headers[found[key]]) == squash(header)
    }
    ignored = dict.fromkeys(h for h, read_as in described if not read_as)
    ignored = [h for h in ignored if h not in read_repeats]
    if ignored:
        report.warning(
            _("Not imported (no such column here): %(columns)s.")
            % {"columns": ", ".join(f"“{h}”" for h in ignored)}
        )
    for header in sorted(read_repeats, key=[h for h, _key in repeats].index):
        report.warning(
            _("Only the first “%(header)s” column is read; the file repeats it for more values.")
            % {"header": header}
        )
    _report_missing(columns, found, report)
    return found


_REFUSED = object()  # a header the reading maps to no column of this kind (reported)


@dataclass
class _HeaderNames:
    """What a header may name: a column by the reading, by its exact key, or by any of
    its names however written."""

    by_name: dict[str, Column]
    by_key: dict[str, Column]
    by_exact_key: dict[str, Column]
    mapped: dict[str, str]

    @classmethod
    def of(cls, columns: Sequence[Column], reading: ColumnReading | None) -> _HeaderNames:
        by_name: dict[str, Column] = {}
        for column in columns:
            for name in column.names():
                by_name.setdefault(name, column)
        for column in columns:  # the key however written, last: "Asset-Tag" is asset_tag
            by_name.setdefault(squash(column.key), column)
        return cls(
            by_name=by_name,
            by_key={column.key: column for column in columns},
            # A header written as a column's key (our own exports) means that column.
            by_exact_key={column.key.casefold(): column for column in columns},
            mapped={squash(h): key for h, key in (reading.columns if reading else {}).items()},
        )

    def column_for(self, header: str, report: Report) -> Column | object | None:
        """The header's column; None when it names none (or is ignored); ``_REFUSED``
        when the reading maps it to a key this kind does not have."""
        if squash(header) not in self.mapped:
            return self.by_exact_key.get(header.strip().casefold()) or self.by_name.get(
                squash(header)
            )
        key = self.mapped[squash(header)]
        if key == IGNORE:
            return None
        column = self.by_key.get(key)
        if column is None:
            report.error(
                0,
                "",
                _("The mapping reads “%(header)s” as %(key)s, which %(kind)s do not have.")
                % {"header": header, "key": key, "kind": report.result.kind},
            )
            return _REFUSED
        return column


def _takes_over(
    column: Column, header: str, earlier: str, described: list[list[str]], report: Report
) -> bool:
    """Whether ``header`` is read as ``column``, which ``earlier`` already names.

    A column with preferred names takes the preferred header and ignores the other,
    whichever comes first; otherwise two headers for one column are an error.
    """
    if column.preferred:
        preferred = {squash(name) for name in column.preferred}
        if squash(header) in preferred and squash(earlier) not in preferred:
            described[:] = [[h, "" if h == earlier else r] for h, r in described]
        elif squash(earlier) in preferred and squash(header) not in preferred:
            described.append([header, ""])
            return False
    if earlier not in {h for h, read_as in described if not read_as}:
        report.error(
            0,
            "",
            _("Columns “%(first)s” and “%(second)s” both mean %(label)s; keep one.")
            % {"first": earlier, "second": header, "label": column.label},
        )
        return False
    return True


def _report_missing(columns: Sequence[Column], found: dict[str, int], report: Report) -> None:
    for column in columns:
        if column.required and column.key not in found:
            names = ", ".join(sorted({str(column.label), *column.aliases[:3]}))
            report.error(
                0,
                "",
                _("The column %(label)s is missing (accepted headers include: %(names)s).")
                % {"label": column.label, "names": names},
            )


def find_header(
    table: Table,
    columns: Sequence[Column],
    report: Report,
    reading: ColumnReading | None = None,
) -> Table:
    """The table with its real header row: spreadsheets often carry a title or a note
    above it ("Eiendeler per 31.12.2026"). When the first row names fewer than two known
    columns and one of the next ten names at least two, that one is the header."""
    names: set[str] = set()
    for column in columns:
        names |= column.names() | {squash(column.key)}
    if reading is not None:
        names |= {squash(h) for h, key in reading.columns.items() if key != IGNORE}

    def known(cells) -> int:
        return sum(1 for cell in cells if isinstance(cell, str) and squash(cell) in names)

    if known(table.headers) >= 2 or (len(table.headers) == 1 and known(table.headers)):
        return table
    for index, (line, cells) in enumerate(table.rows[:10]):
        if known(cells) >= 2:
            report.warning(
                _("The header is on row %(line)d; the rows above it were not imported.")
                % {"line": line}
            )
            headers = ["" if c is None else str(c).strip() for c in cells]
            while headers and not headers[-1]:
                headers.pop()
            return Table(
                filename=table.filename,
                format=table.format,
                headers=headers,
                rows=table.rows[index + 1 :],
                header_line=line,
                encoding=table.encoding,
                delimiter=table.delimiter,
            )
    return table


def refuse_unknown_header(headers: Sequence[str], mapping: dict[str, int], report: Report) -> None:
    """A file none of whose columns this kind reads is the wrong file (or junk): an error
    of the file, found from its first row, so that no row is read."""
    if mapping or not report.result.ok:
        return
    shown = [f"“{header[:40]}”" for header in headers if header][:5]
    report.error(
        0,
        "",
        _(
            "None of the file's columns is one this import reads (its first row reads "
            "%(headers)s); is it the right file, and the right kind of import?"
        )
        % {"headers": ", ".join(shown) + (" …" if len(headers) > 5 else "")},
    )


def column_name(headers: Sequence[str], index: int) -> str:
    """A column as a message names it: its header, or its letter when it has none."""
    if index < len(headers) and headers[index]:
        return headers[index]
    return _("column %(letter)s") % {"letter": column_letter(index)}


def column_letter(index: int) -> str:
    """A spreadsheet's name of the column at ``index`` (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def note_blank_headers(table: Table, report: Report) -> None:
    """A column with values but no header is not imported, and said so, as an unknown
    column is (match_headers notes those)."""
    blank = [
        index
        for index, header in enumerate(table.headers)
        if not header
        and any(
            index < len(cells)
            and cells[index] is not None
            and (not isinstance(cells[index], str) or cells[index].strip())
            for _line, cells in table.rows
        )
    ]
    if blank:
        names = ", ".join(column_letter(index) for index in blank)
        report.result.columns.extend([f"({column_name([], index)})", ""] for index in blank)
        report.warning(_("Not imported (no header): column %(columns)s.") % {"columns": names})
