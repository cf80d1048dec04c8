"""The import machinery shared by every importer: columns and header matching, reading
rows, the report of errors and changes, and the all-or-nothing run.

An import is set-based: the whole file is read and every row checked against lookups
built with a few queries (never a query per row); every bad row is reported at once, by
line number, column and reason; then, if nothing is wrong and it is not a dry run, all of
it is written in one transaction with bulk writes (``writing``), and logged: each
object's change (before/after) and one summary (who, file, counts). Killing the process
halfway leaves the database as it was, because the transaction never commits.

Semantics (docs/import.md):
- Rows are matched to stored objects by a natural key (asset tag or serial number,
  username, name — within the municipality). A row equal to what is stored is
  *unchanged*: not written, not logged. Re-importing a file therefore changes nothing.
- A row that differs from what is stored is an error unless updates are allowed
  (``--update``); then the columns present in the file are written (an empty cell
  empties a field that may be empty, and leaves alone one that may not); columns absent
  from the file are left alone.
- Nothing is ever deleted: stored objects missing from the file stay as they are.
"""

from __future__ import annotations

import datetime
import gc
import json
import logging
import operator
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.core.changelog import record_bulk_changes, record_summary
from samdrift.core.choices import ChangeAction
from samdrift.core.importing.parsing import (
    Boolean,
    CellError,
    Choice,
    Date,
    Email,
    Integer,
    Number,
    Text,
    squash,
    unneutralise,
)
from samdrift.core.importing.reading import FileProblem, Table, TableSource
from samdrift.core.importing.writing import TableWriter, bulk_writing

logger = logging.getLogger("samdrift.importing")

# Progress callback: (phase, done, total). Phases: "read", "check", "write".
Progress = Callable[[str, int, int], None]

BATCH_SIZE = 5000
# Rows of each kind shown in a preview (the counts always cover every row).
SAMPLE_LIMIT = 200
# Errors kept in a report (issue #11): a file of junk under a good header could otherwise
# give millions, each a few hundred bytes. Every error is still counted, per column.
MAX_ERRORS = 1000
# An error message quotes the cell; a cell of junk may be megabytes long.
MAX_MESSAGE_LENGTH = 500
# The rows read first to find and check the header (find_header looks ten rows down):
# a file whose header is wrong is refused before the rest of it is read at all.
HEAD_ROWS = 20

# --- columns -------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column an importer reads: matched by its key, its label (English or Norwegian)
    or one of its aliases, case and punctuation ignored ("Serial No." = "serial_no")."""

    key: str
    label: Any
    parser: Callable[[Any], Any]
    aliases: tuple[str, ...] = ()
    required: bool = False
    help_text: Any = ""
    # Headers that win when another header of this column is there too (Ralph writes
    # "model" as an id and "model_str" as its name): the other is then not imported.
    preferred: tuple[str, ...] = ()

    def names(self) -> set[str]:
        """What headers mean this column, squashed. Not the key: it is matched as
        written ("model_name" is Samdrift's exact model, "Model Name" Snipe-IT's
        model, our product), see ``match_headers``."""
        names = set()
        for language in ("en", "nb"):
            with translation.override(language):
                names.add(squash(str(self.label)))
        names.update(squash(alias) for alias in self.aliases)
        names.discard("")
        return names


def field_column(
    model: type[models.Model],
    name: str,
    *,
    key: str | None = None,
    aliases: Iterable[str] = (),
    required: bool = False,
    label: Any = None,
    help_text: Any = "",
    parser: Callable[[Any], Any] | None = None,
) -> Column:
    """A column for a model field, parsed and checked by the field's own rules (length,
    decimals, limits, choices)."""
    model_field = model._meta.get_field(name)
    return Column(
        key=key or name,
        label=label or capfirst(model_field.verbose_name),
        parser=parser or parser_for(model_field),
        aliases=tuple(aliases),
        required=required,
        help_text=help_text or model_field.help_text,
    )


def _limits(model_field: models.Field) -> tuple[Any, Any]:
    minimum = maximum = None
    for validator in model_field.validators:
        if isinstance(validator, MinValueValidator):
            minimum = validator.limit_value
        elif isinstance(validator, MaxValueValidator):
            maximum = validator.limit_value
    return minimum, maximum


def parser_for(model_field: models.Field) -> Callable[[Any], Any]:
    if model_field.choices:
        return Choice(_ChoiceList(model_field.choices))
    if isinstance(model_field, models.BooleanField):
        return Boolean()
    if isinstance(model_field, models.DateField):
        return Date()
    if isinstance(model_field, models.DecimalField):
        minimum, maximum = _limits(model_field)
        return Number(
            places=model_field.decimal_places,
            max_digits=model_field.max_digits,
            minimum=minimum,
            maximum=maximum,
        )
    if isinstance(model_field, models.IntegerField):
        minimum, maximum = _limits(model_field)
        positive = (
            models.PositiveIntegerField,
            models.PositiveSmallIntegerField,
            models.PositiveBigIntegerField,
        )
        if isinstance(model_field, positive) and minimum is None:
            minimum = 0
        return Integer(minimum=minimum, maximum=maximum)
    if isinstance(model_field, models.EmailField):
        return Email(model_field.max_length)
    if isinstance(model_field, models.CharField | models.TextField):
        return Text(model_field.max_length)
    raise TypeError(f"No import parser for {model_field!r}")


class _ChoiceList:
    def __init__(self, choices) -> None:
        self.choices = list(choices)


MUNICIPALITY_COLUMNS = (
    Column(
        "municipality",
        gettext_lazy("Municipality"),
        Text(100),
        aliases=("Kommune", "Company", "Kommunenavn", "Selskap"),
        help_text=gettext_lazy(
            "Optional check: when given, it must name the municipality imported for."
        ),
    ),
    Column(
        "municipality_number",
        gettext_lazy("Municipality number"),
        Text(10),
        aliases=("Kommunenummer", "Kommunenr", "Kommunenr."),
        help_text=gettext_lazy("Optional check, like Municipality."),
    ),
)


MUNICIPALITY_KEYS = frozenset(c.key for c in MUNICIPALITY_COLUMNS)


# --- how a source's files are read (the mapping step) ---------------------------------

IGNORE = ""  # a header mapped to this is not imported
FIRST_ROWS_SHOWN = 5
UNKNOWN_LINES_KEPT = 20


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


def note_unknown(
    report: Report, line: int, key: str, value: str, message: str | Callable[[], str]
) -> None:
    """A value nothing knows (a status label, a category, a company, a service area):
    one error at its first row, the rest counted, so the dry run lists each once with a
    way to map it (``imports/<id>/map/``, ``--map``). The first row's message gets the
    count when the report is finished. A dictionary look-up per row: a file of 100,000
    rows with three unknown categories is three errors and three entries. ``message``
    may be a function, called for the first row only."""
    seen = report.result.unknown_values.setdefault(key, {})
    entry = seen.get(value)
    if entry is None:
        seen[value] = [1, [line]]
        error = report.error(line, key, message() if callable(message) else message)
        if error is not None:
            report.unknown_errors[(key, value)] = error
        return
    entry[0] += 1
    if len(entry[1]) < UNKNOWN_LINES_KEPT:
        entry[1].append(line)


def once_for_all(count: int) -> str:
    """What the first error of a value nobody knows adds when more rows have it."""
    return _("(on %(count)d rows; map the value once for all of them)") % {"count": count}


# --- the report ----------------------------------------------------------------------


@dataclass
class RowError:
    """A reason a row (or the file, line 0) cannot be imported."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.line and self.column:
            return _("Row %(line)d, column “%(column)s”: %(message)s") % asdict(self)
        if self.line:
            return _("Row %(line)d: %(message)s") % asdict(self)
        if self.column:
            return _("Column “%(column)s”: %(message)s") % asdict(self)
        return self.message


@dataclass
class RowChange:
    """What a row does: created, updated (with the changed fields) or unchanged."""

    line: int
    key: str
    action: str
    changes: dict[str, list[str]] = field(default_factory=dict)


CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass
class ImportResult:
    """Everything a person needs to decide and to know: counts, what would be created
    alongside, every error, and a sample of the changes. JSON-serialisable."""

    kind: str
    filename: str
    municipality: str = ""
    file_description: str = ""
    dry_run: bool = True
    applied: bool = False
    update: bool = False
    strict: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    to_create: dict[str, list[str]] = field(default_factory=dict)
    columns: list[list[str]] = field(default_factory=list)  # [header, read as] pairs
    errors: list[RowError] = field(default_factory=list)
    # Every error found, and how many per column ("" for the row or file as a whole);
    # ``errors`` holds the first MAX_ERRORS of them.
    error_total: int = 0
    error_counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    samples: list[RowChange] = field(default_factory=list)
    # For the column mapping step: the header row, its fingerprint, the first rows, the
    # saved reading used (its name), and per column key the values nothing knows
    # ({text: [rows, [first lines]]}), each listed once.
    headers: list[str] = field(default_factory=list)
    fingerprint: str = ""
    first_rows: list[list[str]] = field(default_factory=list)
    reading: str = ""
    unknown_values: dict[str, dict[str, list]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def errors_left_out(self) -> int:
        """Errors counted but not listed (beyond MAX_ERRORS)."""
        return max(self.error_total - len(self.errors), 0)

    @property
    def error_lines(self) -> list[int]:
        return sorted({e.line for e in self.errors if e.line})

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportResult:
        data = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        data["errors"] = [RowError(**e) for e in data.get("errors", [])]
        data["samples"] = [RowChange(**s) for s in data.get("samples", [])]
        return cls(**data)


class Report:
    """Collects errors, warnings, counts and samples while an import runs."""

    def __init__(self, result: ImportResult) -> None:
        self.result = result
        self.headers: dict[str, str] = {}  # column key -> the header as written in the file
        self.labels: dict[str, str] = {}  # column key -> its label, for columns not in it
        self._to_create: dict[str, set[str]] = {}
        self._samples = {CREATED: 0, UPDATED: 0, UNCHANGED: 0}
        self._counts: Counter[str] = Counter()
        # (column key, value) → the first error of a value nobody knows (note_unknown).
        self.unknown_errors: dict[tuple[str, str], RowError] = {}

    def header(self, key: str) -> str:
        """The column as a person knows it: its header in the file, else its label —
        never the internal key."""
        return self.headers.get(key) or self.labels.get(key) or ""

    def error(self, line: int, key: str, message: str) -> RowError | None:
        return self.add(RowError(line, self.header(key) if key else "", message))

    def add(self, error: RowError) -> RowError | None:
        """Count an error; keep it if fewer than MAX_ERRORS are kept (returned then)."""
        self.result.error_total += 1
        self._counts[error.column] += 1
        if len(self.result.errors) < MAX_ERRORS:
            if len(error.message) > MAX_MESSAGE_LENGTH:
                error.message = error.message[: MAX_MESSAGE_LENGTH - 1] + "…"
            self.result.errors.append(error)
            return error
        return None

    def warning(self, message: str) -> None:
        self.result.warnings.append(message)

    def will_create(self, what: str, name: str) -> None:
        self._to_create.setdefault(what, set()).add(name)

    def outcome(
        self, line: int, key: str, action: str, changes: dict[str, list[str]] | None = None
    ) -> None:
        setattr(self.result, action, getattr(self.result, action) + 1)
        if self._samples[action] < SAMPLE_LIMIT:
            self._samples[action] += 1
            self.result.samples.append(RowChange(line, key, action, changes or {}))

    def has_changes(self) -> bool:
        """Does the import write anything (a created or updated row, or a new object)?"""
        return bool(self.result.created or self.result.updated or self._to_create)

    def finish(self) -> ImportResult:
        for (key, value), error in self.unknown_errors.items():
            count = self.result.unknown_values[key][value][0]
            if count > 1:
                error.message += " " + once_for_all(count)
        self.unknown_errors.clear()
        self.result.to_create = {k: sorted(v) for k, v in sorted(self._to_create.items())}
        self.result.errors.sort(key=lambda e: e.line)
        # Errors added to the result directly (a rolled-back import) count as well.
        self.result.error_total = max(self.result.error_total, len(self.result.errors))
        self.result.error_counts = dict(self._counts.most_common())
        return self.result


# --- rows ----------------------------------------------------------------------------


class Row:
    """One data row: its line number, parsed values by column key (None: empty cell), and
    the keys whose cell could not be read (already reported)."""

    __slots__ = ("failed", "line", "values")

    def __init__(self, line: int, values: dict[str, Any], failed: frozenset[str]) -> None:
        self.line = line
        self.values = values
        self.failed = failed

    def get(self, key: str, default: Any = None) -> Any:
        value = self.values.get(key)
        return default if value is None else value

    @property
    def ok(self) -> bool:
        return not self.failed


def match_headers(
    headers: Sequence[str],
    columns: Sequence[Column],
    report: Report,
    reading: ColumnReading | None = None,
) -> dict[str, int]:
    """Column key -> index in the file. Unknown headers are reported as not imported;
    a column named twice, or a required one missing, is an error of the file. A
    ``reading`` (the mapping step) says what a header means before the names do."""
    by_name: dict[str, Column] = {}
    for column in columns:
        for name in column.names():
            by_name.setdefault(name, column)
    for column in columns:  # the key however written, last: "Asset-Tag" is asset_tag
        by_name.setdefault(squash(column.key), column)
    by_key = {column.key: column for column in columns}
    # A header written as a column's key (our own exports) means that column.
    by_exact_key = {column.key.casefold(): column for column in columns}
    mapped = {squash(h): key for h, key in (reading.columns if reading else {}).items()}
    found: dict[str, int] = {}
    described: list[list[str]] = []
    for index, header in enumerate(headers):
        if not header:
            continue
        if squash(header) in mapped:
            key = mapped[squash(header)]
            if key == IGNORE:
                described.append([header, ""])
                continue
            column = by_key.get(key)
            if column is None:
                report.error(
                    0,
                    "",
                    _("The mapping reads “%(header)s” as %(key)s, which %(kind)s do not have.")
                    % {"header": header, "key": key, "kind": report.result.kind},
                )
                continue
        else:
            column = by_exact_key.get(header.strip().casefold()) or by_name.get(squash(header))
        if column is None:
            described.append([header, ""])
            continue
        if column.key in found and column.preferred:
            preferred = {squash(name) for name in column.preferred}
            earlier = headers[found[column.key]]
            if squash(header) in preferred and squash(earlier) not in preferred:
                described = [[h, "" if h == earlier else r] for h, r in described]
            elif squash(earlier) in preferred and squash(header) not in preferred:
                described.append([header, ""])
                continue
        if column.key in found and headers[found[column.key]] not in {
            h for h, read_as in described if not read_as
        }:
            report.error(
                0,
                "",
                _("Columns “%(first)s” and “%(second)s” both mean %(label)s; keep one.")
                % {
                    "first": headers[found[column.key]],
                    "second": header,
                    "label": column.label,
                },
            )
            continue
        found[column.key] = index
        report.headers[column.key] = header
        described.append([header, str(column.label)])
    report.result.columns = described
    ignored = [h for h, read_as in described if not read_as]
    if ignored:
        report.warning(
            _("Not imported (no such column here): %(columns)s.")
            % {"columns": ", ".join(f"“{h}”" for h in ignored)}
        )
    for column in columns:
        if column.required and column.key not in found:
            names = ", ".join(sorted({str(column.label), *column.aliases[:3]}))
            report.error(
                0,
                "",
                _("The column %(label)s is missing (accepted headers include: %(names)s).")
                % {"label": column.label, "names": names},
            )
    return found


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


def parse_rows(
    table: Table,
    mapping: dict[str, int],
    columns: Sequence[Column],
    report: Report,
    progress: Progress | None = None,
    *,
    date_order: str | None = None,
    value_maps: dict[str, dict[str, str]] | None = None,
) -> list[Row]:
    """Every row's cells read by their column's parser; unreadable cells are reported.

    ``date_order`` declares how slashed dates are written (``parsing.MDY``/``DMY``);
    ``value_maps`` (column key → {text as written: what it means}) translates a
    column's values before parsing — once per distinct text, like the parsing itself.

    The file is read column by column, and each distinct text of a column is parsed
    once: a column of 100,000 cells holds a few hundred distinct dates or statuses, and
    parsing them one row at a time through the generic machinery was most of the time
    an import took before anything was checked. Errors come out in row order, as a
    row-by-row reading would give them.
    """
    width = len(table.headers)
    by_key = {c.key: c for c in columns}
    lines = [line for line, _cells in table.rows]
    records = [cells for _line, cells in table.rows]
    total = len(records)
    # (position, column order, key, message); sorted into row order before reporting.
    problems: list[tuple[int, int, str, str]] = []
    silent_failed: list[tuple[int, str]] = []  # failed cells reported once elsewhere
    if records and max(map(len, records)) > width:
        for position, cells in enumerate(records):
            if len(cells) > width and any(
                c is not None and (not isinstance(c, str) or c.strip()) for c in cells[width:]
            ):
                problems.append(
                    (
                        position,
                        -1,
                        "",
                        _(
                            "the row has values in %(count)d columns, the header names "
                            "%(width)d; is a value containing the delimiter not quoted?"
                        )
                        % {"count": len(cells), "width": width},
                    )
                )
    keys = list(mapping)
    parsed: list[list[Any]] = []
    for order, (key, cells) in enumerate(zip(keys, _columns(records, keys, mapping), strict=True)):
        parser = by_key[key].parser
        translate = (value_maps or {}).get(key)
        if translate:
            parser = _Translated(parser, translate)
        if hasattr(parser, "for_column"):
            # Column-wide reading choices (the order of slashed dates) from its texts.
            parser = parser.for_column(dict.fromkeys(cells), date_order)
        values, failures = _read_column(cells, parser)
        parsed.append(values)
        if failures and isinstance(by_key[key].parser, Choice):
            # A value no choice knows is listed once, with its rows counted, to be
            # mapped; not repeated on every row that has it.
            failures = _once_per_value(failures, cells, lines, key, report, silent_failed)
        problems.extend((position, order, key, message) for position, message in failures)
        if progress is not None:
            progress("check", total * (order + 1) // (2 * len(keys)), total)
    failed: dict[int, set[str]] = {}
    problems.sort(key=lambda problem: problem[:2])
    for position, _order, key, message in problems:
        report.error(lines[position], key, message)
        failed.setdefault(position, set()).add(key)
    for position, key in silent_failed:
        failed.setdefault(position, set()).add(key)
    no_failures: frozenset[str] = frozenset()
    if not keys:
        return [Row(line, {}, frozenset(failed.get(p, ()))) for p, line in enumerate(lines)]
    rows = [
        Row(line, dict(zip(keys, values, strict=True)), no_failures)
        for line, values in zip(lines, zip(*parsed, strict=True), strict=True)
    ]
    for position, keys_failed in failed.items():
        rows[position].failed = frozenset(keys_failed)
    return rows


def _once_per_value(
    failures: list[tuple[int, str]],
    cells: Sequence[Any],
    lines: list[int],
    key: str,
    report: Report,
    silent_failed: list[tuple[int, str]],
) -> list[tuple[int, str]]:
    """The first failure of each distinct text (its message saying how many rows have
    it); the others are only marked failed. Records the values for the mapping step."""
    firsts: dict[str, tuple[int, str]] = {}
    seen = report.result.unknown_values.setdefault(key, {})
    for position, message in failures:
        text = " ".join(str(cells[position]).split())
        entry = seen.get(text)
        if entry is None:
            seen[text] = [1, [lines[position]]]
            firsts[text] = (position, message)
            continue
        entry[0] += 1
        if len(entry[1]) < UNKNOWN_LINES_KEPT:
            entry[1].append(lines[position])
        silent_failed.append((position, key))
    kept = []
    for text, (position, message) in firsts.items():
        count = seen[text][0]
        if count > 1:
            message += " " + once_for_all(count)
        kept.append((position, message))
    return kept


def _columns(
    records: list[list[Any]], keys: list[str], mapping: dict[str, int]
) -> Iterator[Sequence[Any]]:
    """The cells of each mapped column, in ``keys`` order (None beyond a short row)."""
    indexes = [mapping[key] for key in keys]
    if not records or not indexes:
        yield from ([] for _key in keys)
        return
    if min(map(len, records)) > max(indexes):
        if len(indexes) == 1:
            yield [cells[indexes[0]] for cells in records]
            return
        # itemgetter and zip do the transposing in C.
        yield from zip(*map(operator.itemgetter(*indexes), records), strict=True)
        return
    for index in indexes:
        yield [cells[index] if index < len(cells) else None for cells in records]


class _Translated:
    """A parser reading a cell through the user's value mapping first ("Ready to
    Deploy" → "in_stock"); texts not in the mapping are read as written."""

    cacheable = True

    def __init__(self, parser: Callable[[Any], Any], mapping: dict[str, str]) -> None:
        self.parser = parser
        self.mapping = {squash(k): v for k, v in mapping.items()}

    def for_column(self, texts, declared):
        if hasattr(self.parser, "for_column"):
            return _Translated(self.parser.for_column(texts, declared), {})._with(self.mapping)
        return self

    def _with(self, mapping: dict[str, str]) -> _Translated:
        self.mapping = mapping
        return self

    def __call__(self, value: Any) -> Any:
        if isinstance(value, str):
            mapped = self.mapping.get(squash(value))
            if mapped == IGNORE:
                return None  # mapped to "nothing": as if the cell were empty
            if mapped is not None:
                return self.parser(mapped)
        return self.parser(value)


class _Unreadable:
    """A cell its parser refused, and why."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def _read_one(raw: Any, parser: Callable[[Any], Any], text_limit: int) -> Any:
    """One cell: None when empty, the parsed value, or ``_Unreadable``."""
    if raw is None:
        return None
    if type(raw) is str:
        raw = raw.strip()
        if not raw:
            return None
        if raw[0] == "'":
            raw = unneutralise(raw)
        if len(raw) <= text_limit:
            return raw  # plain text that fits: nothing for the parser to do
    try:
        return parser(raw)
    except CellError as error:
        return _Unreadable(str(error))


def _read_column(
    cells: Sequence[Any], parser: Callable[[Any], Any]
) -> tuple[list[Any], list[tuple[int, str]]]:
    """A column's values (None for an empty or unreadable cell) and its unreadable cells
    as (position, reason). Every parser is a pure function of the cell, so each distinct
    text is parsed once; typed XLSX cells (numbers, dates) are parsed one by one, since
    1 and True are equal as keys and read differently."""
    text_limit = (parser.max_length or 10**9) if type(parser) is Text else -1
    kinds = set(map(type, cells))
    if kinds <= {str, type(None)}:
        read = {raw: _read_one(raw, parser, text_limit) for raw in dict.fromkeys(cells)}
        values = list(map(read.__getitem__, cells))
        unreadable = any(type(value) is _Unreadable for value in read.values())
    else:
        read = {}
        values = []
        for raw in cells:
            if type(raw) is str:
                value = read.get(raw, _MISSING)
                if value is _MISSING:
                    value = read[raw] = _read_one(raw, parser, text_limit)
            else:
                value = _read_one(raw, parser, text_limit)
            values.append(value)
        unreadable = any(type(value) is _Unreadable for value in values)
    failures = []
    if unreadable:
        for position, value in enumerate(values):
            if type(value) is _Unreadable:
                failures.append((position, value.message))
                values[position] = None
    return values, failures


_MISSING = object()


# --- the importer --------------------------------------------------------------------


@dataclass
class ImportContext:
    municipality: Any  # organisations.Municipality, or None for catalogue imports
    update: bool = False
    strict: bool = False
    on: datetime.date = field(default_factory=timezone.localdate)
    filename: str = ""
    present: frozenset[str] = frozenset()
    progress: Progress | None = None


class Importer:
    """Base of every importer. A subclass declares its columns and implements ``plan``
    (check every row against lookups; report; remember what to write) and ``apply``
    (bulk writes with change log). The base runs them (see ``run_import``)."""

    kind: ClassVar[str]
    label: ClassVar[Any]
    model: ClassVar[type[models.Model]]
    columns: ClassVar[Sequence[Column]] = ()
    per_municipality: ClassVar[bool] = True
    key_description: ClassVar[Any] = ""

    def __init__(self, context: ImportContext, report: Report) -> None:
        self.context = context
        self.report = report
        self.written = 0
        self.write_total = 0

    @classmethod
    def all_columns(cls) -> list[Column]:
        columns = list(cls.columns)
        if cls.per_municipality:
            columns.extend(MUNICIPALITY_COLUMNS)
        return columns

    # Helpers for subclasses.
    def has(self, key: str) -> bool:
        """Is the column in the file?"""
        return key in self.context.present

    def accepted_municipality_names(self) -> set[str]:
        """What a row's Municipality/Company column may say (squashed): the
        municipality imported for, by name or number."""
        municipality = self.context.municipality
        return {
            squash(municipality.name),
            squash(municipality.number),
            squash(f"{municipality.name} kommune"),
            squash(f"kommune {municipality.name}"),
            squash(f"{municipality.number} {municipality.name}"),
        }

    def check_municipality(self, rows: Sequence[Row]) -> None:
        """A row whose Municipality/Company column names another municipality, or one
        nobody knows ("Fjordvik IKT"), is refused: each such value once, with its rows
        counted, to be mapped (to the municipality) on the mapping page."""
        municipality = self.context.municipality
        if municipality is None or not (
            self.has("municipality") or self.has("municipality_number")
        ):
            return
        accepted = self.accepted_municipality_names()
        # A file names its municipality the same way on every row: each text once.
        verdicts: dict[str, bool] = {}
        others: dict[str, str] | None = None
        for row in rows:
            for key in ("municipality", "municipality_number"):
                value = row.values.get(key)
                if not value:
                    continue
                ok = verdicts.get(value)
                if ok is None:
                    ok = verdicts[value] = squash(value) in accepted
                if ok:
                    continue
                if others is None:
                    others = other_municipalities(municipality)
                other = others.get(squash(value))
                if other is not None:
                    message = _(
                        "this row is for %(value)s, not %(municipality)s; import each "
                        "municipality's rows on their own (or leave the column out)"
                    ) % {"value": other, "municipality": municipality}
                else:
                    message = _(
                        "no municipality has the name or number “%(value)s”; map the value "
                        "to %(municipality)s if it means it (or leave the column out)"
                    ) % {"value": value, "municipality": municipality}
                note_unknown(self.report, row.line, key, value, message)

    def duplicates(self, rows: Sequence[Row], key: str, what: Any, *, fold: bool = True) -> None:
        """Report every row whose ``key`` value appeared in an earlier row."""
        seen: dict[Any, int] = {}
        for row in rows:
            value = row.values.get(key)
            if value is None or value == "":
                continue
            token = value.casefold() if fold and isinstance(value, str) else value
            first = seen.setdefault(token, row.line)
            if first != row.line:
                self.report.error(
                    row.line,
                    key,
                    _("duplicate %(what)s of row %(first)d") % {"what": what, "first": first},
                )

    def differences(
        self, row: Row, stored: dict[str, Any], wanted: dict[str, Any], key_text: str
    ) -> dict[str, list[str]]:
        """Fields whose wanted value differs from the stored one, as [old, new] text.

        Without updates allowed, each difference is an error of its column.
        """
        changes = {}
        for name, value in wanted.items():
            old = stored.get(name)
            # An empty text cell and a stored NULL both mean "nothing".
            if old == value or (old is None and value == "") or (old == "" and value is None):
                continue
            changes[name] = [display(old), display(value)]
        if changes and not self.context.update:
            for name, (old, new) in changes.items():
                self.report.error(
                    row.line,
                    self.column_for(name),
                    _(
                        "%(key)s is stored with %(field)s “%(old)s”, the file says “%(new)s”; "
                        "allow updates to change it"
                    )
                    % {"key": key_text, "field": self.field_label(name), "old": old, "new": new},
                )
        return changes

    def column_for(self, key: str) -> str:
        """The column an error about ``key`` belongs to ("" for the row as a whole)."""
        return key if key in self.report.headers and key not in MUNICIPALITY_KEYS else ""

    def field_label(self, key: str) -> str:
        column = next((c for c in self.all_columns() if c.key == key), None)
        if column is not None:
            return str(column.label).lower()
        try:  # never the internal key in a message
            return str(self.model._meta.get_field(key).verbose_name)
        except FieldDoesNotExist:
            return key.replace("_", " ")

    def progress(self, count: int) -> None:
        self.written += count
        if self.context.progress is not None:
            self.context.progress("write", self.written, max(self.write_total, self.written))

    def create(self, model: type[models.Model], objects: Sequence[models.Model]) -> None:
        """Insert new objects in batches, each object logged (see ``writing``). The ids
        are taken first, in one query: a query waits until every batch handed to the
        writing thread is written."""
        if not objects:
            return
        writer = TableWriter(model)
        writer.prepare(objects)
        for batch in batches(objects, BATCH_SIZE):
            writer.write(batch)
            record_bulk_changes(batch, action=ChangeAction.CREATE, batch_size=BATCH_SIZE)
            self.progress(len(batch))

    def update(
        self,
        model: type[models.Model],
        objects: list,
        fields: Sequence[str],
        befores: list[dict[str, Any]],
    ) -> None:
        """bulk_update in batches, each logged with the state before."""
        fields = [*fields, "last_updated"] if "last_updated" not in fields else list(fields)
        now = timezone.now()
        for obj in objects:
            obj.last_updated = now
        for start in range(0, len(objects), BATCH_SIZE):
            batch = objects[start : start + BATCH_SIZE]
            model.objects.bulk_update(batch, fields, batch_size=BATCH_SIZE)
            record_bulk_changes(
                batch, action=ChangeAction.UPDATE, before=befores[start : start + BATCH_SIZE]
            )
            self.progress(len(batch))

    # To implement.
    def plan(self, rows: list[Row]) -> None:
        raise NotImplementedError

    def apply(self) -> None:
        raise NotImplementedError

    def related_counts(self) -> str:
        """What was created alongside, for the summary ("3 persons, 1 location")."""
        parts = [f"{len(names)} {what}" for what, names in self.report.result.to_create.items()]
        return ", ".join(parts)


def other_municipalities(municipality) -> dict[str, str]:
    """The other municipalities by their names and numbers (squashed), for a message
    telling a row for another municipality from a name nobody knows. One query."""
    names: dict[str, str] = {}
    for other in type(municipality).objects.exclude(pk=municipality.pk):
        for text in (other.name, other.number, f"{other.name} kommune"):
            names.setdefault(squash(text), str(other))
    return names


def display(value: Any) -> str:
    """A value as text in a preview or message."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def batches(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def max_in_params() -> int:
    """How many values one ``IN (…)`` may carry on this database."""
    from django.db import connection

    if connection.vendor == "sqlite":
        # Django assumes SQLite's old default of 999 bound values per statement.
        return connection.features.max_query_params - 9
    return 20000  # PostgreSQL's wire protocol allows 65,535 parameters


def fetch_in(queryset: models.QuerySet, field_name: str, values: Iterable[Any]) -> Iterator[Any]:
    """``queryset.filter(field__in=values)`` in as few queries as the database allows.

    Texts and whole numbers go in as one parameter, in one query: an array on
    PostgreSQL, a JSON list on SQLite. Django prepares an ``IN (…)`` list value by
    value, which for the 100,000 asset tags and serial numbers of a file took longer
    than the queries themselves.
    """
    values = list(dict.fromkeys(v for v in values if v is not None and v != ""))
    if not values:
        return
    kinds = set(map(type, values))
    if kinds == {str} or kinds == {int}:
        yield from queryset.filter(**{f"{field_name}__in": _one_parameter(values)})
        return
    size = max_in_params()
    for start in range(0, len(values), size):
        yield from queryset.filter(**{f"{field_name}__in": values[start : start + size]})


def _one_parameter(values: list) -> RawSQL:
    from django.db import connection

    # Fixed SQL; the values are one bound parameter.
    if connection.vendor != "postgresql":
        return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(values)])
    if isinstance(values[0], str):
        return RawSQL("SELECT unnest(%s::text[])", [values])
    return RawSQL("SELECT unnest(%s::bigint[])", [values])


SKIP = object()  # an empty cell of a field that must have a value: leave it as it is


class ModelImporter(Importer):
    """An importer whose row is one object of ``model``, matched on ``key_field``.

    Columns named like a model field (``direct_fields``) are copied; an empty cell empties
    a field that may be empty and leaves any other field alone (a new object gets the
    field's default, or an error when it has none). Subclasses add lookups through
    ``resolve`` (returning False when the row has an error) and build new objects.
    """

    key_field: ClassVar[str] = "name"
    direct_fields: ClassVar[tuple[str, ...]] = ()
    fold_key: ClassVar[bool] = True

    def __init__(self, context: ImportContext, report: Report) -> None:
        super().__init__(context, report)
        self.new_objects: list[models.Model] = []
        self.changed_objects: list[models.Model] = []
        self.changed_fields: set[str] = set()
        self.befores: list[dict[str, Any]] = []

    # To implement or extend.
    def stored_objects(self, keys: list[str]) -> Iterable[models.Model]:
        raise NotImplementedError

    def resolve(self, row: Row, wanted: dict[str, Any], existing: models.Model | None) -> bool:
        """Turn references into objects (in ``wanted``); report and return False on error."""
        return True

    def new_object(self, wanted: dict[str, Any]) -> models.Model:
        obj = self.model(**wanted)
        if self.per_municipality:
            obj.municipality = self.context.municipality
        return obj

    def related_writes(self) -> None:
        """Create what new objects refer to (e.g. new locations) before they are written."""

    # The machinery.
    def fold(self, value: Any) -> Any:
        return value.casefold() if self.fold_key and isinstance(value, str) else value

    def wanted_values(self, row: Row) -> dict[str, Any]:
        wanted: dict[str, Any] = {}
        meta = self.model._meta
        for name in self.direct_fields:
            if name not in self.context.present or name in row.failed:
                continue
            value = row.values.get(name)
            if value is None:
                value = empty_value(meta.get_field(name))
                if value is SKIP:
                    continue
            wanted[name] = value
        return wanted

    def plan(self, rows: list[Row]) -> None:
        key_label = self.field_label(self.key_field)
        self.duplicates(rows, self.key_field, key_label, fold=self.fold_key)
        keys = [row.values[self.key_field] for row in rows if row.values.get(self.key_field)]
        stored: dict[Any, models.Model] = {}
        for obj in self.stored_objects(keys):
            token = self.fold(getattr(obj, self.key_field))
            # An exact match wins over one that differs in case only.
            stored.setdefault(token, obj)
        exact = {getattr(obj, self.key_field): obj for obj in stored.values()}
        for row in rows:
            key = row.values.get(self.key_field)
            if key is None:
                if self.key_field not in row.failed:
                    self.report.error(
                        row.line, self.key_field, _("%(what)s is required") % {"what": key_label}
                    )
                continue
            existing = exact.get(key) or stored.get(self.fold(key))
            wanted = self.wanted_values(row)
            if not self.resolve(row, wanted, existing) or not row.ok:
                continue
            if existing is None:
                missing = self.missing_for_new(wanted)
                if missing:
                    for name in missing:
                        self.report.error(
                            row.line,
                            name if name in self.report.headers else "",
                            _("a new %(model)s needs %(what)s")
                            % {
                                "model": self.model._meta.verbose_name,
                                "what": self.field_label(name),
                            },
                        )
                    continue
                self.new_objects.append(self.new_object(wanted))
                self.report.outcome(row.line, str(key), CREATED)
                continue
            stored_values = {name: getattr(existing, name) for name in wanted}
            changes = self.differences(row, stored_values, wanted, str(key))
            if not changes:
                self.report.outcome(row.line, str(key), UNCHANGED)
            elif self.context.update:
                self.befores.append(existing.changelog_data())
                for name in changes:
                    setattr(existing, name, wanted[name])
                self.changed_fields.update(changes)
                self.changed_objects.append(existing)
                self.report.outcome(row.line, str(key), UPDATED, changes)

    def missing_for_new(self, wanted: dict[str, Any]) -> list[str]:
        missing = []
        for name in self.direct_fields:
            model_field = self.model._meta.get_field(name)
            if (
                name not in wanted
                and not model_field.has_default()
                and not (model_field.null or model_field.blank)
            ):
                missing.append(name)
        return missing

    def apply(self) -> None:
        self.write_total = len(self.new_objects) + len(self.changed_objects)
        self.related_writes()
        self.create(self.model, self.new_objects)
        if self.changed_objects:
            self.update(self.model, self.changed_objects, sorted(self.changed_fields), self.befores)


def empty_value(model_field: models.Field) -> Any:
    """What an empty cell means for ``model_field``: None, "", or SKIP (leave alone)."""
    if model_field.null:
        return None
    if isinstance(model_field, models.CharField | models.TextField) and model_field.blank:
        return ""
    return SKIP


# --- running an import ---------------------------------------------------------------


@contextmanager
def garbage_collection_paused() -> Iterator[None]:
    """No cyclic garbage collection while an import runs.

    An import holds hundreds of thousands of small objects (rows, values, instances) at
    once, and Python's collector, set off by every few hundred allocations, walks all of
    them again and again: with it paused a 50,000-row import took a quarter less time.
    The import makes no garbage cycles worth collecting meanwhile; collection resumes
    (and catches up) when it ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@garbage_collection_paused()
def run_import(
    *,
    importer: type[Importer],
    data: bytes,
    filename: str = "",
    municipality=None,
    update: bool = False,
    strict: bool = False,
    dry_run: bool = False,
    on: datetime.date | None = None,
    progress: Progress | None = None,
    reading: ColumnReading | None = None,
    find_reading: ReadingFinder | None = None,
) -> ImportResult:
    """Check a file and, unless ``dry_run`` or anything is wrong, import all of it.

    Returns the result with every error; nothing is written when there is one. The
    caller picks the ``importer`` class (``imports.registry``), checks permissions
    (``can_import``) and sets the actor (``acting_as``). ``reading`` says how to read the
    file's columns and values (the mapping step); without it, ``find_reading(kind,
    fingerprint)`` may give the one saved for files with this header row.
    """
    cls = importer
    result = ImportResult(
        kind=cls.kind,
        filename=filename,
        municipality=str(municipality) if municipality is not None else "",
        dry_run=dry_run,
        update=update,
        strict=strict,
    )
    report = Report(result)
    if cls.per_municipality and municipality is None:
        report.error(0, "", _("Choose the municipality to import for."))
        return report.finish()
    if progress is not None:
        progress("read", 0, 1)
    columns = cls.all_columns()
    report.labels = {column.key: str(column.label) for column in columns}
    try:
        table, reading = _read_checked(data, filename, columns, report, reading, find_reading)
    except FileProblem as problem:
        report.error(0, "", str(problem))
        return report.finish()
    if table is None:  # a file-level error, found in the first rows
        return report.finish()
    result.file_description = table.describe()
    if progress is not None:
        progress("read", 1, 1)
    result.warnings.extend(table.warnings)
    table = find_header(table, columns, report, reading)
    mapping = match_headers(table.headers, columns, report, reading)
    refuse_unknown_header(table.headers, mapping, report)
    if not result.ok:
        return report.finish()
    result.rows = len(table.rows)  # data rows: title rows above the header are not
    if not table.rows:
        report.error(0, "", _("The file has a header but no rows under it: nothing to import."))
        return report.finish()
    note_blank_headers(table, report)
    for line, index, message in sorted(table.cell_problems):
        report.add(RowError(line, column_name(table.headers, index), message))
    rows = parse_rows(
        table,
        mapping,
        columns,
        report,
        progress,
        date_order=reading.date_order if reading else None,
        value_maps=reading.values if reading else None,
    )
    del table  # the parsed rows are all that is needed from here on
    context = ImportContext(
        municipality=municipality,
        update=update,
        strict=strict,
        on=on or timezone.localdate(),
        filename=filename,
        present=frozenset(mapping),
        progress=progress,
    )
    importer = cls(context, report)
    if dry_run:
        _plan(importer, rows)
        return report.finish()
    try:
        with transaction.atomic():
            if municipality is not None:
                # One import per municipality at a time: a second waits for the first.
                type(municipality).objects.select_for_update().filter(pk=municipality.pk).first()
            _plan(importer, rows)
            if not result.ok:
                return report.finish()
            rows.clear()  # the plan holds what is to be written; the rows may go
            if report.has_changes():
                with bulk_writing():
                    importer.apply()
            report.finish()
            if report.has_changes():
                record_summary(
                    model=cls.model,
                    action=ChangeAction.CREATE if result.created else ChangeAction.UPDATE,
                    message=summary_message(result),
                    municipality_id=municipality.pk if municipality is not None else None,
                )
    except IntegrityError as error:
        # Checked beforehand, so only a change made by someone else meanwhile gets here.
        logger.warning("Import of %s rolled back: %s", filename, error)
        result.errors.append(
            RowError(
                0,
                "",
                _(
                    "Nothing was imported: the data changed while importing (%(error)s). "
                    "Check the file again and retry."
                )
                % {"error": str(error).splitlines()[0][:200]},
            )
        )
        return result
    result.applied = True
    if progress is not None:
        progress("done", 1, 1)
    return result


def _read_checked(
    data: bytes,
    filename: str,
    columns: Sequence[Column],
    report: Report,
    reading: ColumnReading | None,
    find_reading: ReadingFinder | None,
) -> tuple[Table | None, ColumnReading | None]:
    """The file's table and the column reading to use; the table is None when its header
    has a file-level error (a required column missing, one named twice, none known),
    which is then in ``report``.

    The header is checked on the first rows before the rest is read (50 MB of junk took
    minutes and gigabytes to be refused, row by row); a small file is read once. The
    header row, its fingerprint and the first rows go into the result either way: the
    mapping step shows them when the columns were not understood.
    """
    result = report.result
    source = TableSource(data, filename)
    head = source.read(max_rows=HEAD_ROWS)
    scratch = Report(ImportResult(kind=result.kind, filename=filename))
    scratch.labels = report.labels
    head_table = find_header(head, columns, scratch, reading)
    result.headers = [str(h) for h in head_table.headers]
    result.fingerprint = header_fingerprint(result.kind, result.headers)
    result.first_rows = [
        ["" if c is None else display(c) for c in cells]
        for _line, cells in head_table.rows[:FIRST_ROWS_SHOWN]
    ]
    if reading is None and find_reading is not None:
        reading = find_reading(result.kind, result.fingerprint)
    if reading is not None:
        result.reading = reading.name or "-"
    mapping = match_headers(head_table.headers, columns, scratch, reading)
    refuse_unknown_header(head_table.headers, mapping, scratch)
    if not scratch.result.ok:
        result.file_description = head.describe()
        result.columns = scratch.result.columns
        result.warnings.extend([*head.warnings, *scratch.result.warnings])
        for error in scratch.result.errors:
            report.add(error)
        return None, reading
    if len(head.rows) + 1 < HEAD_ROWS:
        return head, reading  # that was all of it
    return source.read(), reading


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


def _plan(importer: Importer, rows: list[Row]) -> None:
    importer.check_municipality(rows)
    importer.plan(rows)
    if importer.context.progress is not None:
        importer.context.progress("check", len(rows), len(rows))


def summary_message(result: ImportResult) -> str:
    also = "; ".join(f"{what}: {len(names)}" for what, names in result.to_create.items())
    message = _(
        "Import of %(kind)s from %(file)s: %(rows)d rows, %(created)d created, "
        "%(updated)d updated, %(unchanged)d unchanged"
    ) % {
        "kind": result.kind,
        "file": result.filename or "-",
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }
    if also:
        message += _("; also created: %(also)s") % {"also": also}
    return message
