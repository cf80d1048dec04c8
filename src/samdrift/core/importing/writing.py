"""Writing an import's new rows fast, with the same change log as everywhere else.

Why not ``bulk_create`` + ``record_bulk_changes``: on the development machine they took
3.6 s and 3.7 s for 20,000 assets — the ORM prepares every value of every row through
several layers — so 100,000 assets with their assignments would take a minute, three
times the budget of issue #6. This module writes exactly the same rows with one
``executemany`` (SQLite) or ``COPY`` (PostgreSQL) per table and batch:

- ids are taken up front (the table's sequence on PostgreSQL; on SQLite, inside the
  import's write transaction, after the highest id ever given), so related rows can
  refer to them and no ``RETURNING`` is needed;
- values are adapted as the ORM would (``connection.ops`` / the field's own
  ``get_db_prep_save`` for JSON and UUID);
- every created object gets its ``ObjectChange`` row with the same content as
  ``core.changelog.record_bulk_changes`` writes (actor, request id, object repr, the
  municipality and service area it belongs to, the state after). A test writes the
  same objects both ways and compares the rows.

Only inserts go this way. Updates (rare, and only with ``--update``) use Django's
``bulk_update`` and ``record_bulk_changes``.
"""

from __future__ import annotations

import operator
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.utils import timezone

from samdrift.core.actor import current_actor
from samdrift.core.choices import ChangeAction
from samdrift.core.models import ObjectChange

REPR_LENGTH = ObjectChange._meta.get_field("object_repr").max_length


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


def _json_adapter(field: models.Field) -> Callable[[Any], Any] | None:
    """How ``core.models.jsonable`` writes a non-None value of ``field`` into the change
    log; None: as it is."""
    if isinstance(field, models.DateField | models.DateTimeField):
        return lambda value: value.isoformat()
    if isinstance(field, models.DecimalField):
        # As core.changelog logs decimals: quantized to the field's places ("1200.000").
        quantum = Decimal(1).scaleb(-field.decimal_places)
        return lambda value: str(Decimal(value).quantize(quantum))
    if isinstance(field, models.UUIDField):
        return lambda value: str(value) if isinstance(value, uuid.UUID) else value
    return None


# SQLite's page cache while an import writes (KiB, negative as PRAGMA cache_size wants):
# large enough that the tables' and indexes' pages touched by 100,000 new rows stay in
# memory instead of being spilled and read back (about 7 % faster), small enough to keep
# the process well under 1 GB.
SQLITE_IMPORT_CACHE_KIB = 256 * 1024


@contextmanager
def bulk_writing() -> Iterator[None]:
    """Database settings for writing many rows in the current transaction (SQLite: a
    larger page cache, restored afterwards; PostgreSQL needs nothing)."""
    if connection.vendor != "sqlite":
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


class TableWriter:
    """Inserts instances of one model: ids first, then one statement per batch."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.adapted = [
            (index, *adapter)
            for index, field in enumerate(self.fields)
            if (adapter := _db_adapter(field)) is not None
        ]
        self.table = model._meta.db_table
        quote = connection.ops.quote_name
        self.columns = ", ".join(quote(f.column) for f in self.fields)
        self.pk_column = model._meta.pk.column
        self.relations = [f for f in self.fields if f.is_relation]

    def allocate_ids(self, count: int) -> list[int]:
        if count == 0:
            return []
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [self.table, self.pk_column, count],
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

    def rows(self, objects: Sequence[models.Model]) -> list[list]:
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

    def insert(self, objects: Sequence[models.Model]) -> None:
        """Give ``objects`` ids and insert them (their ``created``/``last_updated`` set)."""
        if not objects:
            return
        now = timezone.now()
        for obj, pk in zip(objects, self.allocate_ids(len(objects)), strict=True):
            obj.pk = pk
            if "created" in obj.__dict__ and obj.created is None:
                obj.created = now
            if "last_updated" in obj.__dict__:
                obj.last_updated = now
            obj._state.adding = False
            obj._state.db = connection.alias
        self.write(self.rows(objects))

    def write(self, rows: list[tuple]) -> None:
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(
                    f"COPY {quote(self.table)} ({self.columns}) FROM STDIN"
                ) as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            placeholders = ", ".join(["%s"] * len(self.fields))
            cursor.executemany(
                f"INSERT INTO {quote(self.table)} ({self.columns}) VALUES ({placeholders})",  # noqa: S608
                rows,
            )


class ChangeLogWriter:
    """``ObjectChange`` rows for created objects, as ``record_bulk_changes`` writes them."""

    def __init__(self) -> None:
        self.writer = TableWriter(ObjectChange)
        if tuple(self.writer.attnames) != CHANGE_COLUMNS:
            raise RuntimeError("ObjectChange changed; update ChangeLogWriter.created.")
        actor = current_actor()
        user = actor.resolved_user()
        self.common = {
            "user_id": user.pk if user is not None else None,
            "actor": actor.describe()[:150],
            "request_id": actor.request_id,
            "message": actor.message[:300],
        }
        self._models: dict[type, tuple] = {}

    def _model_info(self, model: type[models.Model]) -> tuple:
        info = self._models.get(model)
        if info is None:
            logged = [
                f for f in model._meta.concrete_fields if f.name not in model.changelog_exclude
            ]
            converted = [(f.attname, convert) for f in logged if (convert := _json_adapter(f))]
            content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
            info = (
                [f.attname for f in logged],
                converted,
                content_type.pk,
                _tenant_attname(model, model.municipality_path),
                _tenant_attname(model, model.service_area_path),
            )
            self._models[model] = info
        return info

    def created(self, objects: Sequence[models.Model]) -> None:
        if not objects:
            return
        model = type(objects[0])
        names, converted, content_type_id, municipality_of, service_area_of = self._model_info(
            model
        )
        writer = self.writer
        ops = connection.ops
        json_field = ObjectChange._meta.get_field("postchange_data")
        common = self.common
        time = ops.adapt_datetimefield_value(timezone.now())
        request_id = ObjectChange._meta.get_field("request_id").get_db_prep_save(
            common["request_id"], connection
        )
        rows = []
        pick = _picker(names)
        pk_name = model._meta.pk.attname
        for obj, pk in zip(objects, writer.allocate_ids(len(objects)), strict=True):
            values = obj.__dict__
            after = dict(zip(names, pick(values), strict=True))
            for name, convert in converted:
                value = after[name]
                if value is not None:
                    after[name] = convert(value)
            # The columns of ObjectChange, in its field order (checked by a test).
            rows.append(
                [
                    pk,
                    time,
                    common["user_id"],
                    common["actor"],
                    request_id,
                    ChangeAction.CREATE.value,
                    content_type_id,
                    values[pk_name],
                    str(obj)[:REPR_LENGTH],
                    municipality_of(obj, values),
                    service_area_of(obj, values),
                    None,
                    ops.adapt_json_value(after, json_field.encoder),
                    common["message"],
                ]
            )
        writer.write(rows)


def _tenant_attname(model: type[models.Model], path: str | None) -> Callable[[Any, dict], Any]:
    """How to read the municipality (or service area) id a change belongs to, the way
    ``ChangeLoggedModel._follow_tenant_path`` does, without its per-object work."""
    if path is None:
        return lambda obj, values: None
    if path == "pk":
        name = model._meta.pk.attname
        return lambda obj, values: values[name]
    if "__" not in path:
        name = model._meta.get_field(path).attname
        return lambda obj, values: values.get(name)
    return lambda obj, values: obj._follow_tenant_path(path)


CHANGE_COLUMNS = (
    "id",
    "time",
    "user_id",
    "actor",
    "request_id",
    "action",
    "content_type_id",
    "object_id",
    "object_repr",
    "municipality_id",
    "service_area_id",
    "prechange_data",
    "postchange_data",
    "message",
)


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
