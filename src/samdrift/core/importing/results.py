"""What an import reports: every error (by row and column), warnings, counts and a
sample of the changes, as one JSON-serialisable result."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

# Progress callback: (phase, done, total). Phases: "read", "check", "write".
Progress = Callable[[str, int, int], None]

# Rows of each kind shown in a preview (the counts always cover every row).
SAMPLE_LIMIT = 200
# Errors kept in a report (issue #11): a file of junk under a good header could otherwise
# give millions, each a few hundred bytes. Every error is still counted, per column.
MAX_ERRORS = 1000
# An error message quotes the cell; a cell of junk may be megabytes long.
MAX_MESSAGE_LENGTH = 500


UNKNOWN_LINES_KEPT = 20


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
    # What an importer adds of its own (JSON): the incidents' counts of incidents and
    # events, and the values no source mapping knows.
    details: dict[str, Any] = field(default_factory=dict)

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
