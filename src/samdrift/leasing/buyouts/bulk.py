"""Set-based writes for buyouts: update and delete many rows in one statement.

Why not ``bulk_update``: for a buyout of 2,000 devices it was most of the time of
agreeing and completing it; it builds a ``CASE WHEN id = … THEN …`` expression per row
and field. (Inserts go through the one bulk writer, ``core.bulk.insert_objects``, which
logs them.) Here:

- updates of per-row values are one ``UPDATE … WHERE id = %s`` run with ``executemany``
  (one statement, many parameter sets; psycopg pipelines it on PostgreSQL), values
  prepared by each field as the ORM would;
- deletes that must not fire a signal per row (the change log is written in bulk by the
  caller) are one ``DELETE … WHERE``.

Neither sends model signals: callers write the change log of these updates and deletes
with ``core.changelog.record_bulk_changes``, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models


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
