"""A fresh, empty database for ``samdrift demo``.

SQLite: the database file (with its WAL and shared-memory files) is removed, so the next
connection creates it anew. PostgreSQL: the database is created if it does not exist yet,
otherwise every table in it is dropped (with CASCADE, so sequences and constraints go
too). The schema is then rebuilt by ``migrate``.

Wiping is refused when the database holds a collaboration that was not made by the demo
generator — that is somebody's real data — unless the caller insists (``--force``).
"""

from __future__ import annotations

from pathlib import Path

from django.db import DatabaseError, connection, connections

from samdrift.demo.context import DEMO_MARKER


class RealDataError(Exception):
    """The database holds data that does not come from the demo generator."""


def describe() -> str:
    """Which database the demo will use, for people to read."""
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite file {settings_dict['NAME']}"
    host = settings_dict.get("HOST") or "localhost"
    port = settings_dict.get("PORT") or 5432
    return f"PostgreSQL database {settings_dict['NAME']!r} at {host}:{port}"


def holds_real_data() -> bool:
    """Is there a collaboration that the demo generator did not make?"""
    quote = connection.ops.quote_name
    try:
        tables = set(connection.introspection.table_names())
    except DatabaseError:
        return False  # no database yet (PostgreSQL) or an unreadable file: nothing to keep
    if "organisations_collaboration" not in tables:
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {quote('organisations_collaboration')}")  # noqa: S608
        if cursor.fetchone()[0] == 0:
            return False
        if "core_objectchange" not in tables:
            return True
        cursor.execute(
            f"SELECT COUNT(*) FROM {quote('core_objectchange')} WHERE message LIKE %s",  # noqa: S608
            [f"{DEMO_MARKER}%"],
        )
        return cursor.fetchone()[0] == 0


def refuse_real_data() -> None:
    """Raise RealDataError when wiping would delete somebody's real data."""
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
    if (
        connection.vendor == "sqlite"
        and not in_memory
        and not Path(connection.settings_dict["NAME"]).exists()
    ):
        return
    if connection.vendor == "postgresql" and not _postgresql_database_exists(
        connection.settings_dict["NAME"]
    ):
        return
    if holds_real_data():
        raise RealDataError(
            f"{describe()} holds a collaboration that is not demo data. samdrift demo would "
            "delete it. Point SAMDRIFT_DATA_DIR or DATABASE_URL at another database, or give "
            "--force to delete it anyway."
        )


def wipe() -> None:
    """Leave the configured database empty (no tables), creating it if needed. Call
    ``refuse_real_data`` first unless the user insisted."""
    if connection.vendor == "sqlite":
        _wipe_sqlite()
    elif connection.vendor == "postgresql":
        _wipe_postgresql()
    else:
        raise NotImplementedError(
            f"samdrift demo supports SQLite and PostgreSQL, not {connection.vendor}."
        )


def _wipe_sqlite() -> None:
    path = Path(connection.settings_dict["NAME"])
    connections.close_all()
    for suffix in ("", "-wal", "-shm", "-journal"):
        candidate = path.with_name(path.name + suffix)
        if candidate.exists():
            candidate.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)


def _wipe_postgresql() -> None:
    name = connection.settings_dict["NAME"]
    if not _postgresql_database_exists(name):
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")
        return
    quote = connection.ops.quote_name
    tables = connection.introspection.table_names()
    if tables:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {', '.join(quote(t) for t in tables)} CASCADE")
    connections.close_all()


def _postgresql_database_exists(name: str) -> bool:
    # Ask the maintenance database: connecting to a missing database would fail.
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None
