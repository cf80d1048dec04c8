"""The one bulk writer: many rows into one model's table, fast, with their change log.

Why not ``bulk_create``: on the development machine it took 3.6 s for 20,000 assets —
the ORM prepares every value of every row through several layers — and for a buyout of
2,000 devices it was most of the time of registering it. Here each table gets one
``COPY`` (PostgreSQL) or ``executemany`` of an ``INSERT`` (SQLite) per batch
(``core.inserting``); no model instance is saved and no signal is sent.

:class:`TableWriter` takes either

- **model instances** (:meth:`TableWriter.insert`, or ``prepare`` then ``write`` per
  batch): ids are taken up front, once per table (the table's sequence on PostgreSQL; on
  SQLite, inside the caller's write transaction, after the highest id ever given), so
  related rows can refer to them and no ``RETURNING`` is needed; values are adapted as
  the ORM would. Every object of a ``ChangeLoggedModel`` gets its ``ObjectChange`` row
  from ``core.changelog.record_bulk_changes`` in the same batch: **the writer records
  it**, so no caller can forget it (or log it twice).
- **rows of values** (:meth:`TableWriter.add`, used as a context manager; or
  :func:`insert_rows` for a list or a stream): billing's charges, the demo's generated
  tables. On PostgreSQL a row is a line of COPY text and one COPY stays open while the
  caller makes more rows (a read ends it, :func:`pause_writers`). Rows carry no
  instance to log, so a change-logged table takes rows only with ``changelog=False``:
  where one summary row (``record_summary``) deliberately stands for the whole batch —
  the demo's hundreds of thousands of generated rows, which nobody edited.

The caller owns the transaction.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import operator
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

from samdrift.core.changelog import record_bulk_changes
from samdrift.core.choices import ChangeAction
from samdrift.core.inserting import Insert, column_names, copy_lines, copy_text
from samdrift.core.models import ChangeLoggedModel

# Rows per statement (and per batch handed to an import's writing thread): big enough to
# amortise round trips, small enough to keep memory flat.
BATCH_SIZE = 5000


def _logged(model: type[models.Model]) -> bool:
    return issubclass(model, ChangeLoggedModel)


def _refuse_unlogged_rows(model: type[models.Model], changelog: bool) -> None:
    if changelog and _logged(model):
        raise TypeError(
            f"{model.__name__} is change-logged: write instances (TableWriter.insert), which "
            "are logged one by one, or pass changelog=False where one summary row stands "
            "for the batch."
        )


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence],
    *,
    batch_size: int = BATCH_SIZE,
    changelog: bool = True,
) -> int:
    """Insert ``rows`` (tuples of Python values in ``fields`` order; names or attnames
    such as ``municipality_id``) into ``model``'s table, a statement per ``batch_size``
    rows, reading ``rows`` as it goes (a generator of a million rows is never held whole).

    No validation: the caller builds valid rows. ``changelog``: see the module docstring.
    Must run inside a transaction the caller owns. Returns how many rows were written.
    """
    _refuse_unlogged_rows(model, changelog)
    insert = Insert.for_fields(model, fields)
    if isinstance(rows, list) and len(rows) <= batch_size:
        batches: Iterable[list] = [rows]  # the common case, without copying the list
    else:
        rest = iter(rows)
        batches = iter(lambda: list(itertools.islice(rest, batch_size)), [])
    written = 0
    for batch in batches:
        if not batch:
            continue
        insert.add(copy_lines(batch) if insert.postgresql else batch)
        written += len(batch)
    return written


def insert_objects(objects: Sequence[models.Model], *, changelog: bool = True) -> None:
    """Insert unsaved ``objects`` (one model) with their change-log rows: each gets its
    id, ``created`` and ``last_updated``, as ``bulk_create`` would give them.
    ``changelog=False`` only where one summary row stands for the batch (module docstring)."""
    if objects:
        TableWriter(type(objects[0]), changelog=changelog).insert(objects)


_open_writers: list[TableWriter] = []


def pause_writers() -> None:
    """End every open COPY, so that the connection can be used for something else."""
    for writer in list(_open_writers):
        writer.pause()


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


def _picker(names: Sequence[str]) -> Callable[[dict], tuple]:
    """A function giving a dict's values for ``names`` as a tuple (itemgetter: in C)."""
    if len(names) == 1:
        name = names[0]
        return lambda values: (values[name],)
    return operator.itemgetter(*names)


# (database, table) -> the table's id sequence on PostgreSQL (looked up once a process).
_sequences: dict[tuple[str, str], str] = {}


class TableWriter:
    """Writes into one model's table in the caller's transaction; see the module docstring.

    Instances: :meth:`insert`, or :meth:`prepare` once (ids in one query) and then
    :meth:`write` per batch; each batch's change-log rows are recorded with it.

    Rows of the columns ``fields``: use the writer as a context manager. ``text`` says
    what :meth:`add` takes: a line of COPY text (``\\n``-terminated, fields in ``fields``
    order, see :func:`copy_text`) on PostgreSQL, a tuple of Python values on SQLite.
    Leaving the block writes what is left and ends the COPY (or abandons it, on an error,
    so that the transaction can roll back).
    """

    def __init__(
        self,
        model: type[models.Model],
        fields: Sequence[str] | None = None,
        *,
        batch_size: int | None = None,
        changelog: bool = True,
    ) -> None:
        self.model = model
        self.batch_size = batch_size or BATCH_SIZE
        self.log_changes = changelog and _logged(model)
        if fields is not None:
            _refuse_unlogged_rows(model, changelog)
        self.row_fields = list(fields or ())
        self.text = connection.vendor == "postgresql"
        self.buffer: list = []
        self.written = 0
        self._copy = None
        self._stack: contextlib.ExitStack | None = None
        self._wrapper = None
        self._init_instances()

    def _init_instances(self) -> None:
        model = self.model
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
        """The rows of ``objects`` for ``core.inserting.Insert``: COPY text on PostgreSQL,
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
        """Insert prepared ``objects`` (one statement) and record their change-log rows."""
        if not objects:
            return
        self.target.add(self.rows(objects))
        if self.log_changes:
            record_bulk_changes(objects, action=ChangeAction.CREATE, batch_size=self.batch_size)

    def insert(self, objects: Sequence[models.Model]) -> None:
        """Give ``objects`` ids and insert them, a statement per ``batch_size`` objects,
        each logged."""
        if not objects:
            return
        self.prepare(objects)
        for start in range(0, len(objects), self.batch_size):
            self.write(objects[start : start + self.batch_size])

    # --- rows --------------------------------------------------------------------------

    def __enter__(self) -> TableWriter:
        _open_writers.append(self)
        if self.text:
            self._wrapper = connection.execute_wrapper(self._pause_before_query)
            self._wrapper.__enter__()
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        try:
            if exc_type is None:
                self.flush()
            self.pause(exc_type, exc, traceback)
        finally:
            _open_writers.remove(self)
            if self._wrapper is not None:
                self._wrapper.__exit__(exc_type, exc, traceback)

    def _pause_before_query(self, execute, sql, params, many, context):
        self.pause()
        return execute(sql, params, many, context)

    def add(self, row) -> None:
        self.buffer.append(row)
        if len(self.buffer) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        if self.text:
            if self._copy is None:
                table = self.model._meta.db_table
                quote = connection.ops.quote_name
                columns = ", ".join(quote(c) for c in column_names(self.model, self.row_fields))
                # Table and column names come from the model's meta, never from input.
                sql = f"COPY {quote(table)} ({columns}) FROM STDIN"
                self._stack = contextlib.ExitStack()
                cursor = self._stack.enter_context(connection.connection.cursor())
                self._copy = self._stack.enter_context(cursor.copy(sql))
            self._copy.write("".join(self.buffer).encode())
            self.written += len(self.buffer)
        else:
            self.written += insert_rows(
                self.model,
                self.row_fields,
                self.buffer,
                batch_size=len(self.buffer),
                changelog=False,  # refused in __init__ unless the caller opted out
            )
        self.buffer = []

    def pause(self, exc_type=None, exc=None, traceback=None) -> None:
        """End the open COPY (the server stores the rest of what it was sent)."""
        if self._stack is not None:
            stack, self._stack, self._copy = self._stack, None, None
            stack.__exit__(exc_type, exc, traceback)


def _json_dumper(field: models.JSONField) -> Callable[[Any], str]:
    return lambda value: json.dumps(value, cls=field.encoder)


class InstanceFactory:
    """Builds instances of a model from attribute values, each field's default filled in.

    Instances are made without ``Model.__init__`` (as ``Model.from_db`` would give them,
    minus the signals no model here listens to): at 100,000 objects the per-field
    descriptor work of ``__init__`` was a large part of an import's time. They are only
    written (``TableWriter``, which logs them), then dropped.
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
