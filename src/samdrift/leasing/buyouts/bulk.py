"""Set-based writes for buyouts: insert, update and delete many rows in one statement.

Why not ``bulk_create``/``bulk_update``: for a buyout of 2,000 devices they were most of
the time of registering, agreeing and completing it. ``bulk_create`` prepares every value
of every row through several ORM layers (and on SQLite splits the rows into statements of
at most 999 parameters, so the number of queries grew with the buyout); ``bulk_update``
builds a ``CASE WHEN id = … THEN …`` expression per row and field. Here:

- inserts go through ``core.importing.writing.TableWriter`` (ids taken up front, one
  ``executemany`` on SQLite or one ``COPY`` on PostgreSQL per table), the same writer the
  import uses;
- updates of per-row values are one ``UPDATE … WHERE id = %s`` run with ``executemany``
  (one statement, many parameter sets; psycopg pipelines it on PostgreSQL), values
  prepared by each field as the ORM would;
- deletes that must not fire a signal per row (the change log is written in bulk by the
  caller) are one ``DELETE … WHERE``.

None of these sends model signals: callers write the change log themselves with
``core.changelog.record_bulk_changes``, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models

from samdrift.core.importing.writing import TableWriter


def insert_objects(objects: Sequence[models.Model]) -> None:
    """Insert unsaved ``objects`` (one model): each gets its id, ``created`` and
    ``last_updated``, as ``bulk_create`` would give them."""
    if objects:
        TableWriter(type(objects[0])).insert(objects)


def update_fields(objects: Sequence[models.Model], fields: Sequence[str]) -> int:
    """Write ``fields`` of each of ``objects`` (one model, already saved) to its row, in
    one statement. Returns how many objects were written."""
    if not objects:
        return 0
    model = type(objects[0])
    meta = model._meta
    concrete = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in concrete)
    # Table and column names come from the model's metadata, quoted: never from input.
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {assignments} "  # noqa: S608
        f"WHERE {quote(meta.pk.column)} = %s"
    )
    params = [
        [
            *(
                field.get_db_prep_save(getattr(obj, field.attname), connection)
                for field in concrete
            ),
            obj.pk,
        ]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return len(params)


def delete_where(model: type[models.Model], **equals: object) -> int:
    """Delete ``model``'s rows whose columns equal the given values, in one statement and
    without a signal per row. Returns how many rows were deleted."""
    meta = model._meta
    quote = connection.ops.quote_name
    columns = [meta.get_field(name).column for name in equals]
    condition = " AND ".join(f"{quote(column)} = %s" for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {quote(meta.db_table)} WHERE {condition}",  # noqa: S608
            list(equals.values()),
        )
        return cursor.rowcount
