"""The base classes the apps' importers build on: ``Importer`` (check every row, then
write in bulk with the change log) and ``ModelImporter`` (a row is one object)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.core.bulk import TableWriter
from samdrift.core.changelog import record_bulk_changes
from samdrift.core.choices import ChangeAction
from samdrift.core.importing.columns import MUNICIPALITY_COLUMNS, MUNICIPALITY_KEYS, Column
from samdrift.core.importing.parsing import (
    squash,
)
from samdrift.core.importing.references import other_municipalities
from samdrift.core.importing.results import (
    CREATED,
    UNCHANGED,
    UPDATED,
    Progress,
    Report,
    display,
    note_unknown,
)
from samdrift.core.importing.rows import Row
from samdrift.core.search import index_of, inserts_indexed_after

BATCH_SIZE = 5000
# New rows from which their search index is filled after them rather than row by row by
# its trigger (~57 µs a row against ~7 µs, plus three statements: from ~1,000 rows on).
INDEX_AFTER_FROM = 1000


@dataclass
class ImportContext:
    municipality: Any  # organisations.Municipality, or None for catalogue imports
    update: bool = False
    strict: bool = False
    on: datetime.date = field(default_factory=timezone.localdate)
    filename: str = ""
    present: frozenset[str] = frozenset()
    progress: Progress | None = None
    # The importer's own options (``Importer.options``), checked: name → value.
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportOption:
    """An option a kind of import takes besides the common ones (e.g. the incidents'
    ``source``): offered by the command line (``--name``), the upload page and the API,
    checked against ``choices`` (value, label) before a row is read."""

    name: str
    label: Any
    choices: tuple[tuple[str, Any], ...] = ()
    help_text: Any = ""


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
    # Not per municipality, but a municipality may be given: the importer's default for
    # rows that do not say theirs (the incidents).
    municipality_optional: ClassVar[bool] = False
    # Stored rows that differ are updated without asking (``update`` is implied): the
    # file is a snapshot of a live system (the incidents), not a register kept by hand.
    updates_by_default: ClassVar[bool] = False
    options: ClassVar[Sequence[ImportOption]] = ()

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
        """Insert new objects in batches, each object logged by the writer (``core.bulk``).
        The ids are taken first, in one query: a query waits until every batch handed to
        the writing thread is written."""
        if not objects:
            return
        writer = TableWriter(model, batch_size=BATCH_SIZE)
        writer.prepare(objects)
        # The new rows' search index (if the table has one) filled once at the end, not
        # by a trigger per row (``core.search.inserts_indexed_after``): before anything
        # else of the import reads or updates them. Only for many rows: for a few the
        # trigger is cheaper than dropping and making it again (three statements more).
        index = index_of(model._meta.db_table) if len(objects) >= INDEX_AFTER_FROM else None
        with inserts_indexed_after([index] if index is not None else []):
            for batch in batches(objects, BATCH_SIZE):
                writer.write(batch)
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


def batches(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


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
