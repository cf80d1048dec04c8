"""Backups that restore: ``samdrift backup DIR`` and ``samdrift restore FILE``.

A backup is two files side by side in DIR::

    samdrift-20261207T013000Z.sqlite3        (SQLite: a copy made by SQLite's online backup API)
    samdrift-20261207T013000Z.dump           (PostgreSQL: ``pg_dump -Fc``)
    samdrift-20261207T013000Z.manifest.json  what it is, and how to know it is intact

The manifest names the time, Samdrift's version, the engine, every migration applied, the
data file's size and SHA-256, and each table's row count and digest. The digests are taken
of exactly what the backup holds: on SQLite of the copy itself, on PostgreSQL inside the
same snapshot ``pg_dump`` reads (``pg_export_snapshot`` → ``pg_dump --snapshot``), so users
may go on working while it runs.

``restore`` refuses, with a message that says what to do: a file whose checksum differs from
its manifest (corrupt or truncated), a backup of the other engine, a backup made by a newer
Samdrift (a migration this version does not know), and a database that is not empty. After
restoring it recomputes every table's digest and compares it with the manifest, so a restore
that reports success is proven identical. An older backup restores too; ``samdrift migrate``
then brings it up to date.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.db import connection
from django.db.migrations.loader import MigrationLoader

import samdrift

MANIFEST_SUFFIX = ".manifest.json"
FORMAT = 1  # of the manifest; raised when its meaning changes
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot be done, with what to do about it."""


@dataclass(frozen=True)
class BackupResult:
    data_file: Path
    manifest_file: Path
    tables: int
    rows: int


# --- digests ----------------------------------------------------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_digests(cursor, tables: list[str]) -> dict[str, dict]:
    """Row count and SHA-256 of each table's rows, in a fixed order (every column, in
    column order), so two databases with the same rows give the same digests. The cursor
    is a DB-API cursor of either engine; values are hashed by ``repr``, which is stable for
    the types each driver returns."""
    digests = {}
    for table in tables:
        # Table names come from the database's own catalogue, quoted.
        cursor.execute(f"SELECT * FROM {_quote(table)} LIMIT 0")  # noqa: S608
        width = len(cursor.description)
        order = ", ".join(str(i) for i in range(1, width + 1))
        cursor.execute(f"SELECT * FROM {_quote(table)} ORDER BY {order}")  # noqa: S608
        digest = hashlib.sha256()
        rows = 0
        while batch := cursor.fetchmany(5000):
            for row in batch:
                digest.update(repr(tuple(row)).encode())
                digest.update(b"\n")
            rows += len(batch)
        digests[table] = {"rows": rows, "sha256": digest.hexdigest()}
    return digests


def sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    """The tables that hold data: not SQLite's own, and not the shadow tables of a
    full-text index (rebuilt from their virtual table, and compared through it)."""
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    virtual = {
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'"
        )
    }
    shadow = {n for n in names for v in virtual if n.startswith(v + "_")}
    return [n for n in names if n not in shadow and n not in virtual]


def postgres_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
    )
    return [row[0] for row in cursor.fetchall()]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- what this code knows ----------------------------------------------------------------


def applied_migrations() -> list[list[str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [list(row) for row in cursor.fetchall()]


def unknown_migrations(migrations: list[list[str]]) -> list[str]:
    """The backup's migrations this code does not have: the backup is from a newer
    Samdrift."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    # An app this version no longer installs (DRF's authtoken, say) left its migrations
    # recorded; they say nothing about the backup being newer.
    installed = {config.label for config in apps.get_app_configs()}
    return [
        f"{app}.{name}" for app, name in migrations if app in installed and (app, name) not in known
    ]


def _engine() -> str:
    return "sqlite" if connection.vendor == "sqlite" else connection.vendor


# --- backup --------------------------------------------------------------------------------


def backup(directory: Path, *, now: datetime.datetime | None = None) -> BackupResult:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    now = now or datetime.datetime.now(datetime.UTC)
    stem = f"samdrift-{now:%Y%m%dT%H%M%SZ}"
    engine = _engine()
    migrations = applied_migrations()
    if engine == "sqlite":
        data_file = directory / f"{stem}.sqlite3"
        tables = _backup_sqlite(data_file)
    elif engine == "postgresql":
        data_file = directory / f"{stem}.dump"
        tables = _backup_postgres(data_file)
    else:  # pragma: no cover - the settings allow only these two
        raise BackupError(f"Backups of {engine} are not supported.")
    manifest = {
        "format": FORMAT,
        "created": now.isoformat(timespec="seconds"),
        "samdrift_version": samdrift.__version__,
        "engine": engine,
        "data_file": data_file.name,
        "size": data_file.stat().st_size,
        "sha256": sha256_of(data_file),
        "migrations": migrations,
        "tables": tables,
    }
    manifest_file = directory / f"{stem}{MANIFEST_SUFFIX}"
    partial = manifest_file.with_suffix(".partial")
    partial.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    # The manifest appears last and whole: a backup without one is not finished.
    os.replace(partial, manifest_file)
    return BackupResult(
        data_file, manifest_file, len(tables), sum(t["rows"] for t in tables.values())
    )


def _backup_sqlite(target: Path) -> dict[str, dict]:
    connection.ensure_connection()
    partial = target.with_suffix(".partial")
    source = connection.connection
    copy = sqlite3.connect(partial)
    try:
        # The online backup API copies a consistent snapshot while others keep writing.
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        copy.close()
    tables = sqlite_file_digests(partial)
    os.replace(partial, target)
    return tables


def _pg_env() -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore from Django's settings."""
    settings = connection.settings_dict
    args = ["--dbname", settings["NAME"]]
    if settings.get("HOST"):
        args += ["--host", str(settings["HOST"])]
    if settings.get("PORT"):
        args += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        args += ["--username", str(settings["USER"])]
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    return args, env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client tools "
            "(Debian: apt-get install postgresql-client) of the server's major version."
        )
    return path


def _backup_postgres(target: Path) -> dict[str, dict]:
    tool = _pg_tool("pg_dump")
    args, env = _pg_env()
    partial = target.with_suffix(".partial")
    connection.ensure_connection()
    with connection.cursor() as cursor:
        # One snapshot for the dump and the digests: they describe the same data.
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            done = subprocess.run(  # noqa: S603 - our arguments, no shell
                [tool, "--format=custom", "--no-owner", f"--snapshot={snapshot}", "--file",
                 str(partial), *args],
                env=env, capture_output=True, text=True,
            )  # fmt: skip
            if done.returncode != 0:
                partial.unlink(missing_ok=True)
                raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
            tables = table_digests(cursor, postgres_tables(cursor))
        finally:
            cursor.execute("COMMIT")
    os.replace(partial, target)
    return tables


# --- restore -------------------------------------------------------------------------------


def read_manifest(data_file: Path) -> dict:
    data_file = Path(data_file)
    if data_file.name.endswith(MANIFEST_SUFFIX):
        manifest_file = data_file
    else:
        manifest_file = data_file.with_name(data_file.name.rsplit(".", 1)[0] + MANIFEST_SUFFIX)
    if not manifest_file.exists():
        raise BackupError(
            f"{manifest_file.name} is missing: a backup is its data file and its manifest, "
            "side by side. Copy both, or use another backup."
        )
    try:
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    except ValueError as error:
        raise BackupError(f"{manifest_file.name} is not valid JSON ({error}).") from error
    if not isinstance(manifest, dict) or not {"data_file", "sha256", "tables"} <= set(manifest):
        raise BackupError(f"{manifest_file.name} is not a Samdrift backup manifest.")
    manifest["__dir__"] = str(manifest_file.parent)
    return manifest


def check(manifest: dict) -> Path:
    """The backup's data file, once it is known to be whole and restorable here."""
    data_file = Path(manifest["__dir__"]) / manifest["data_file"]
    if not data_file.exists():
        raise BackupError(f"{data_file.name} is missing beside its manifest.")
    actual = sha256_of(data_file)
    if actual != manifest["sha256"]:
        raise BackupError(
            f"{data_file.name} is corrupt: its SHA-256 is {actual[:16]}…, its manifest says "
            f"{manifest['sha256'][:16]}…. Use another backup."
        )
    engine = _engine()
    if manifest.get("engine") != engine:
        raise BackupError(
            f"This is a backup of a {manifest.get('engine')} database; the database configured "
            f"here is {engine}. Restore it with DATABASE_URL set for that engine."
        )
    unknown = unknown_migrations(manifest.get("migrations", []))
    if unknown:
        raise BackupError(
            f"This backup was made by a newer Samdrift ({manifest.get('samdrift_version')}): "
            f"{len(unknown)} migration(s) unknown here, e.g. {unknown[0]}. Install that version "
            "or newer to restore it."
        )
    return data_file


def restore(data_file: Path) -> dict[str, dict]:
    """Restore into the configured, empty database; returns the digests found after."""
    manifest = read_manifest(data_file)
    source = check(manifest)
    restore_into = _restore_sqlite if connection.vendor == "sqlite" else _restore_postgres
    tables = restore_into(source)
    expected = manifest["tables"]
    differing = sorted(
        name for name in set(expected) | set(tables) if expected.get(name) != tables.get(name)
    )
    if differing:
        raise BackupError(
            f"The restored database differs from the backup's manifest in {len(differing)} "
            f"table(s), e.g. {differing[0]}. Do not use it; try another backup."
        )
    return tables


def _restore_sqlite(source: Path) -> dict[str, dict]:
    connection.ensure_connection()
    target = connection.connection
    existing = sqlite_tables(target)
    if existing:
        raise BackupError(
            f"The database {connection.settings_dict['NAME']} is not empty ({len(existing)} "
            "tables). Restore into a new, empty data directory (SAMDRIFT_DATA_DIR)."
        )
    backup_file = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        try:
            backup_file.execute("PRAGMA quick_check").fetchone()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source.name} is not a readable SQLite file ({error}).") from error
        backup_file.backup(target)
    finally:
        backup_file.close()
    return sqlite_file_digests(Path(connection.settings_dict["NAME"]))


def sqlite_file_digests(path: Path) -> dict[str, dict]:
    """Digests read through a plain sqlite3 connection: Django's converts declared types
    (dates, decimals) on the way out, which would make equal files digest differently."""
    plain = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return table_digests(plain.cursor(), sqlite_tables(plain))
    finally:
        plain.close()


def _restore_postgres(source: Path) -> dict[str, dict]:
    with connection.cursor() as cursor:
        existing = postgres_tables(cursor)
    if existing:
        raise BackupError(
            f"The database {connection.settings_dict['NAME']} is not empty ({len(existing)} "
            "tables). Create an empty one (createdb) and point DATABASE_URL at it."
        )
    tool = _pg_tool("pg_restore")
    args, env = _pg_env()
    connection.close()  # pg_restore writes through its own connection
    done = subprocess.run(  # noqa: S603 - our arguments, no shell
        [tool, "--no-owner", "--exit-on-error", "--single-transaction", *args, str(source)],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed, nothing was restored: {done.stderr.strip()}")
    with connection.cursor() as cursor:
        return table_digests(cursor, postgres_tables(cursor))
