"""Reading a file's data rows: every cell parsed by its column's parser, column by
column, each distinct text once; unreadable cells reported in row order."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.utils.translation import gettext as _

from samdrift.core.importing.columns import Column
from samdrift.core.importing.mapping import IGNORE
from samdrift.core.importing.parsing import (
    CellError,
    Choice,
    Text,
    squash,
    unneutralise,
)
from samdrift.core.importing.reading import Table
from samdrift.core.importing.results import UNKNOWN_LINES_KEPT, Progress, Report, once_for_all


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
    lines = [line for line, _cells in table.rows]
    records = [cells for _line, cells in table.rows]
    # (position, column order, key, message); sorted into row order before reporting.
    problems = _overlong_rows(records, len(table.headers))
    silent_failed: list[tuple[int, str]] = []  # failed cells reported once elsewhere
    by_key = {c.key: c for c in columns}
    keys = list(mapping)
    parsed: list[list[Any]] = []
    for order, (key, cells) in enumerate(zip(keys, _columns(records, keys, mapping), strict=True)):
        column = by_key[key]
        values, failures = _read_column(
            cells, _column_parser(column, cells, value_maps, date_order)
        )
        parsed.append(values)
        if failures and isinstance(column.parser, Choice):
            # A value no choice knows is listed once, with its rows counted, to be
            # mapped; not repeated on every row that has it.
            failures = _once_per_value(failures, cells, lines, key, report, silent_failed)
        problems.extend((position, order, key, message) for position, message in failures)
        if progress is not None:
            total = len(records)
            progress("check", total * (order + 1) // (2 * len(keys)), total)
    failed = _report_problems(problems, silent_failed, lines, report)
    return _assemble_rows(lines, keys, parsed, failed)


def _overlong_rows(records: list[Sequence[Any]], width: int) -> list[tuple[int, int, str, str]]:
    """Rows with values beyond the header's last column, as problems ahead of their cells'."""
    problems: list[tuple[int, int, str, str]] = []
    if not records or max(map(len, records)) <= width:
        return problems
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
    return problems


def _column_parser(
    column: Column,
    cells: Sequence[Any],
    value_maps: dict[str, dict[str, str]] | None,
    date_order: str | None,
) -> Callable[[Any], Any]:
    """The column's parser, behind the values mapped for it and tuned to its texts."""
    parser = column.parser
    translate = (value_maps or {}).get(column.key)
    if translate:
        parser = _Translated(parser, translate)
    if hasattr(parser, "for_column"):
        # Column-wide reading choices (the order of slashed dates) from its texts.
        parser = parser.for_column(dict.fromkeys(cells), date_order)
    return parser


def _report_problems(
    problems: list[tuple[int, int, str, str]],
    silent_failed: list[tuple[int, str]],
    lines: list[int],
    report: Report,
) -> dict[int, set[str]]:
    """Report the problems in row order (then column order); the failed keys per row."""
    failed: dict[int, set[str]] = {}
    problems.sort(key=lambda problem: problem[:2])
    for position, _order, key, message in problems:
        report.error(lines[position], key, message)
        failed.setdefault(position, set()).add(key)
    for position, key in silent_failed:
        failed.setdefault(position, set()).add(key)
    return failed


def _assemble_rows(
    lines: list[int], keys: list[str], parsed: list[list[Any]], failed: dict[int, set[str]]
) -> list[Row]:
    """Rows from the parsed columns; most rows share one empty set of failures."""
    if not keys:
        return [Row(line, {}, frozenset(failed.get(p, ()))) for p, line in enumerate(lines)]
    no_failures: frozenset[str] = frozenset()
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
