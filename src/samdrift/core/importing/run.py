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
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.core.changelog import record_summary
from samdrift.core.choices import ChangeAction
from samdrift.core.importing.columns import Column
from samdrift.core.importing.importer import ImportContext, Importer
from samdrift.core.importing.mapping import (
    FIRST_ROWS_SHOWN,
    ColumnReading,
    ReadingFinder,
    column_name,
    find_header,
    header_fingerprint,
    match_headers,
    note_blank_headers,
    refuse_unknown_header,
)
from samdrift.core.importing.reading import FileProblem, Table, TableSource
from samdrift.core.importing.results import ImportResult, Progress, Report, RowError, display
from samdrift.core.importing.rows import Row, parse_rows
from samdrift.core.importing.writing import bulk_writing, foreign_keys_guaranteed

logger = logging.getLogger("samdrift.importing")

# Sent once an import's rows are written (not for a dry run, nor when nothing changed),
# inside its transaction: ``sender`` the importer class, ``kind`` its kind,
# ``municipality_ids`` whose data it wrote (empty for catalogue-wide imports).
import_written = Signal()


# The rows read first to find and check the header (find_header looks ten rows down):
# a file whose header is wrong is refused before the rest of it is read at all.
HEAD_ROWS = 20


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
    options: dict[str, Any] | None = None,
) -> ImportResult:
    """Check a file and, unless ``dry_run`` or anything is wrong, import all of it.

    Returns the result with every error; nothing is written when there is one. The
    caller picks the ``importer`` class (``imports.registry``), checks permissions
    (``can_import``) and sets the actor (``acting_as``). ``reading`` says how to read the
    file's columns and values (the mapping step); without it, ``find_reading(kind,
    fingerprint)`` may give the one saved for files with this header row. ``options``
    are the importer's own (``Importer.options``), each checked against its choices.
    """
    cls = importer
    update = update or cls.updates_by_default
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
    options = checked_options(cls, options or {}, report)
    if options is None:
        return report.finish()
    parsed = _read_rows(cls, data, filename, report, progress, reading, find_reading)
    if parsed is None:
        return report.finish()
    rows, present = parsed
    context = ImportContext(
        municipality=municipality,
        update=update,
        strict=strict,
        on=on or timezone.localdate(),
        filename=filename,
        present=present,
        progress=progress,
        options=options,
    )
    importer = cls(context, report)
    if dry_run:
        _plan(importer, rows)
        return report.finish()
    try:
        if not _plan_and_apply(importer, rows):
            return result
    except IntegrityError as error:
        # Checked beforehand, so only a change made by someone else meanwhile gets here.
        _report_rolled_back(result, filename, error)
        return result
    result.applied = True
    if progress is not None:
        progress("done", 1, 1)
    return result


def checked_options(
    cls: type[Importer], given: dict[str, Any], report: Report
) -> dict[str, Any] | None:
    """The importer's options as given (empty ones left out), or None when one is not
    an option of the kind or not one of its choices (each reported, naming it)."""
    declared = {option.name: option for option in cls.options}
    options: dict[str, Any] = {}
    for name, value in given.items():
        if value is None or value == "":
            continue
        option = declared.get(name)
        if option is None:
            report.error(
                0,
                "",
                _("%(kind)s imports take no option “%(name)s”.") % {"kind": cls.kind, "name": name},
            )
            continue
        allowed = [str(choice) for choice, _label in option.choices]
        if allowed and str(value) not in allowed:
            report.error(
                0,
                "",
                _("%(option)s: “%(value)s” is not one of: %(allowed)s.")
                % {"option": option.label, "value": value, "allowed": ", ".join(allowed)},
            )
            continue
        options[name] = value
    return options if report.result.ok else None


def _report_rolled_back(result: ImportResult, filename: str, error: IntegrityError) -> None:
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


def _read_rows(
    cls: type[Importer],
    data: bytes,
    filename: str,
    report: Report,
    progress: Progress | None,
    reading: ColumnReading | None,
    find_reading: ReadingFinder | None,
) -> tuple[list[Row], frozenset[str]] | None:
    """The file's rows parsed, and the columns it has; None when the file cannot be
    imported at all (the reason is in ``report``). Bad cells are reported row by row.

    The table is read here and let go on return: the parsed rows are all that the plan
    needs, and a large file's cells would otherwise stay in memory while it runs.
    """
    result = report.result
    if progress is not None:
        progress("read", 0, 1)
    columns = cls.all_columns()
    report.labels = {column.key: str(column.label) for column in columns}
    try:
        table, reading = _read_checked(data, filename, columns, report, reading, find_reading)
    except FileProblem as problem:
        report.error(0, "", str(problem))
        return None
    if table is None:  # a file-level error, found in the first rows
        return None
    result.file_description = table.describe()
    if progress is not None:
        progress("read", 1, 1)
    result.warnings.extend(table.warnings)
    table = find_header(table, columns, report, reading)
    mapping = match_headers(table.headers, columns, report, reading)
    refuse_unknown_header(table.headers, mapping, report)
    if not result.ok:
        return None
    result.rows = len(table.rows)  # data rows: title rows above the header are not
    if not table.rows:
        report.error(0, "", _("The file has a header but no rows under it: nothing to import."))
        return None
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
    return rows, frozenset(mapping)


def _plan_and_apply(importer: Importer, rows: list[Row]) -> bool:
    """Plan and, when nothing is wrong, write and log it all in one transaction.
    False (and the report finished) when the plan found errors: nothing is written."""
    report = importer.report
    result = report.result
    municipality = importer.context.municipality
    with foreign_keys_guaranteed(), transaction.atomic():
        if municipality is not None:
            # One import per municipality at a time: a second waits for the first.
            type(municipality).objects.select_for_update().filter(pk=municipality.pk).first()
        _plan(importer, rows)
        if not result.ok:
            report.finish()
            return False
        rows.clear()  # the plan holds what is to be written; the rows may go
        if report.has_changes():
            with bulk_writing():
                importer.apply()
            # The one place after the write for what is kept up to date from the
            # imported tables (e.g. a maintained overview per municipality): receivers
            # refresh it for these municipalities, in the import's transaction.
            import_written.send(
                sender=type(importer),
                kind=importer.kind,
                municipality_ids=[municipality.pk] if municipality is not None else [],
            )
        report.finish()
        if report.has_changes():
            record_summary(
                model=type(importer).model,
                action=ChangeAction.CREATE if result.created else ChangeAction.UPDATE,
                message=summary_message(result),
                municipality_id=municipality.pk if municipality is not None else None,
            )
    return True


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
