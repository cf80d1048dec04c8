"""Writing an import's new rows fast, with the same change log as everywhere else.

Why not ``bulk_create``: on the development machine it took 3.6 s for 20,000 assets —
the ORM prepares every value of every row through several layers — so 100,000 assets
with their assignments would take a minute, three times the budget of issue #6. Here
each table gets one ``COPY`` (PostgreSQL) or multi-row ``INSERT`` (SQLite) per batch
(``core.bulk``), and the import writes them in a thread of its own while it prepares the
next batch (``bulk_writing``):

- ids are taken up front, once per table (the table's sequence on PostgreSQL; on SQLite,
  inside the import's write transaction, after the highest id ever given), so related
  rows can refer to them and no ``RETURNING`` is needed;
- values are adapted as the ORM would (``connection.ops`` / the field's own
  ``get_db_prep_save`` for JSON and UUID on SQLite; COPY text on PostgreSQL);
- every created object gets its ``ObjectChange`` row from
  ``core.changelog.record_bulk_changes``, as every other bulk write does. A test writes
  the same objects both ways and compares the rows.

Only inserts go this way. Updates (rare, and only with ``--update``) use Django's
``bulk_update`` and ``record_bulk_changes``.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, models
from django.utils import timezone

from samdrift.core.bulk import Insert, background_writing, copy_text

# Rows per statement (and per batch handed to the writing thread).
BATCH_SIZE = 5000


def _db_adapter(field: models.Field) -> tuple[Callable[[Any], Any], bool] | None:
    """How the ORM turns a non-None value of ``field`` into what the driver gets (and
    whether the result may be remembered per value); None: as it is."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value, True
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value, True
    if isinstance(field, models.JSONField):
        return (lambda value: ops.adapt_json_value(value, field.encoder)), False
    if isinstance(field, models.UUIDField):
        return (lambda value: field.get_db_prep_save(value, connection)), True
    return None


# SQLite's page cache while an import writes (KiB, negative as PRAGMA cache_size wants):
# large enough that the tables' and indexes' pages touched by 100,000 new rows stay in
# memory instead of being spilled and read back (about 7 % faster), small enough to keep
# the process well under 1 GB.
SQLITE_IMPORT_CACHE_KIB = 256 * 1024


@contextmanager
def bulk_writing() -> Iterator[None]:
    """Settings for writing many rows in the current transaction: on PostgreSQL, batches
    written in a thread of their own (``core.bulk.background_writing``); on SQLite, a
    larger page cache (restored afterwards)."""
    if connection.vendor != "sqlite":
        with background_writing():
            yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_IMPORT_CACHE_KIB:d}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous):d}")


def _picker(names: Sequence[str]) -> Callable[[dict], tuple]:
    """A function giving a dict's values for ``names`` as a tuple (itemgetter: in C)."""
    if len(names) == 1:
        name = names[0]
        return lambda values: (values[name],)
    return operator.itemgetter(*names)


# (database, table) -> the table's id sequence on PostgreSQL (looked up once a process).
_sequences: dict[tuple[str, str], str] = {}


class TableWriter:
    """Inserts instances of one model: ids first, then one statement per batch."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.postgresql = connection.vendor == "postgresql"
        if self.postgresql:
            # COPY text: as copy_text gives it, JSON as Django dumps it for the field.
            self.adapted = [
                (index, _json_dumper(field), False)
                for index, field in enumerate(self.fields)
                if isinstance(field, models.JSONField)
            ]
        else:
            self.adapted = [
                (index, *adapter)
                for index, field in enumerate(self.fields)
                if (adapter := _db_adapter(field)) is not None
            ]
        self.table = model._meta.db_table
        # One row to a statement on SQLite: rows with their ids given (as here) went in
        # a third slower twenty to a statement (measured on 100,000 assets); rows that
        # take their id from the table (the change log, charges) go faster that way.
        self.target = Insert(self.table, [f.column for f in self.fields], sqlite_rows_per_insert=1)
        self.pk_column = model._meta.pk.column
        self.relations = [f for f in self.fields if f.is_relation]

    def allocate_ids(self, count: int) -> list[int]:
        if count == 0:
            return []
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # The sequence looked up once: named inside nextval(), it was looked up
                # for every id (eight times the server's time for 200,000 ids).
                key = (connection.settings_dict["NAME"], self.table)
                sequence = _sequences.get(key)
                if sequence is None:
                    cursor.execute(
                        "SELECT pg_get_serial_sequence(%s, %s)", [self.table, self.pk_column]
                    )
                    sequence = _sequences[key] = cursor.fetchone()[0]
                cursor.execute(
                    "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count]
                )
                return [row[0] for row in cursor.fetchall()]
            # SQLite (AUTOINCREMENT): after the highest id ever given, so an id of a deleted
            # row is never reused; the import's transaction holds the write lock.
            # Table and column names come from the model's metadata, quoted: not input.
            cursor.execute(f"SELECT MAX({quote(self.pk_column)}) FROM {quote(self.table)}")  # noqa: S608
            highest = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [self.table])
            found = cursor.fetchone()
            start = max(highest, found[0] if found else 0) + 1
            return list(range(start, start + count))

    def rows(self, objects: Sequence[models.Model]) -> str | list[list]:
        """The rows of ``objects`` for ``core.bulk.Insert``: COPY text on PostgreSQL,
        lists of values on SQLite."""
        adapted = [
            (index, adapt, {} if cacheable else None) for index, adapt, cacheable in self.adapted
        ]
        converted = []
        pick = _picker(self.attnames)  # the row's values in column order
        for obj in objects:
            values = obj.__dict__
            if obj._state.fields_cache:
                self._take_related_ids(obj)
            row = list(pick(values))
            for index, adapt, cache in adapted:
                value = row[index]
                if value is None:
                    continue
                if cache is None:
                    row[index] = adapt(value)
                    continue
                found = cache.get(value)
                if found is None:
                    found = cache[value] = adapt(value)
                row[index] = found
            converted.append(row)
        if self.postgresql:
            return "".join(["\t".join(map(copy_text, row)) + "\n" for row in converted])
        return converted

    def _take_related_ids(self, obj: models.Model) -> None:
        # A related object assigned before it was saved: take its id now, as bulk_create
        # does (Model._prepare_related_fields_for_save).
        values = obj.__dict__
        for field in self.relations:
            if values[field.attname] is None and field.is_cached(obj):
                related = field.get_cached_value(obj)
                if related is not None:
                    if related.pk is None:
                        raise ValueError(f"{field} refers to an unsaved object.")
                    values[field.attname] = related.pk

    def prepare(self, objects: Sequence[models.Model]) -> None:
        """Give ``objects`` their ids (one query), ``created`` and ``last_updated``."""
        now = timezone.now()
        alias = connection.alias
        meta = self.model._meta
        # Straight into the instance's dict (what obj.pk = … does for a model without
        # parent models): at 100,000s of objects the descriptors' work shows.
        pk_name = None if meta.parents else meta.pk.attname
        for obj, pk in zip(objects, self.allocate_ids(len(objects)), strict=True):
            values = obj.__dict__
            if pk_name is None:
                obj.pk = pk
            else:
                values[pk_name] = pk
            if values.get("created", now) is None:
                values["created"] = now
            if "last_updated" in values:
                values["last_updated"] = now
            state = obj._state
            state.adding = False
            state.db = alias

    def write(self, objects: Sequence[models.Model]) -> None:
        """Insert prepared ``objects`` (one statement)."""
        if objects:
            self.target.add(self.rows(objects))

    def insert(self, objects: Sequence[models.Model]) -> None:
        """Give ``objects`` ids and insert them, a statement per BATCH_SIZE objects."""
        if not objects:
            return
        self.prepare(objects)
        for start in range(0, len(objects), BATCH_SIZE):
            self.write(objects[start : start + BATCH_SIZE])


def _json_dumper(field: models.JSONField) -> Callable[[Any], str]:
    return lambda value: json.dumps(value, cls=field.encoder)


class InstanceFactory:
    """Builds instances of a model from attribute values, each field's default filled in.

    Instances are made without ``Model.__init__`` (as ``Model.from_db`` would give them,
    minus the signals no model here listens to): at 100,000 objects the per-field
    descriptor work of ``__init__`` was a large part of an import's time. They are only
    written (``TableWriter``) and logged, then dropped.
    """

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.static: dict[str, Any] = {}
        self.dynamic: list[tuple[str, Callable[[], Any]]] = []
        for field in model._meta.concrete_fields:
            if field.has_default():
                if callable(field.default):
                    self.dynamic.append((field.attname, field.default))
                else:
                    self.static[field.attname] = field.default
            else:
                empty = "" if field.empty_strings_allowed and not field.null else None
                self.static[field.attname] = empty

    def make(self, values: dict[str, Any]) -> models.Model:
        obj = self.model.__new__(self.model)
        attributes = self.static.copy()
        for name, default in self.dynamic:
            if name not in values:
                attributes[name] = default()
        attributes.update(values)
        attributes["_state"] = models.base.ModelState()
        obj.__dict__ = attributes
        return obj
