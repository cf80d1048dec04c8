"""``samdrift backup`` and ``samdrift restore`` as an operator runs them: the medium demo
backed up, restored into an empty database elsewhere, and compared table by table — by
this test's own reading of both databases, not by the manifest's digests. Then the
refusals: a corrupt file, a backup from a newer Samdrift, a database that is not empty.

Separate processes on their own databases (temporary SQLite data directories, or
throw-away PostgreSQL databases when the suite runs on PostgreSQL)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.core.test_cli_demo import drop_database, environment, own_database_url, samdrift

pytestmark = pytest.mark.slow


def _create_database(url: str | None) -> None:
    if url is None:
        return
    import urllib.parse

    import psycopg

    drop_database(url)
    parts = urllib.parse.urlsplit(url)
    maintenance = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{parts.path.lstrip("/")}"')


def _contents(data_dir: Path, url: str | None) -> dict[str, list[tuple]]:
    """Every table's rows, sorted, read directly from the database."""
    if url is None:
        connection = sqlite3.connect(data_dir / "samdrift.sqlite3")
        names = [
            r[0]
            for r in connection.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
                "AND sql NOT LIKE 'CREATE VIRTUAL%'"
            )
        ]
        rows = {n: sorted(map(repr, connection.execute(f'SELECT * FROM "{n}"'))) for n in names}  # noqa: S608
        connection.close()
        return rows
    import psycopg

    with psycopg.connect(url) as connection:
        names = [
            r[0]
            for r in connection.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema='public' AND table_type='BASE TABLE'"
            )
        ]
        return {n: sorted(map(repr, connection.execute(f'SELECT * FROM "{n}"'))) for n in names}  # noqa: S608


@pytest.fixture(scope="module")
def backed_up(tmp_path_factory):
    """The medium demo and its backup."""
    root = tmp_path_factory.mktemp("backup")
    url = own_database_url("backup_src")
    _create_database(url)
    env = environment(root / "source", url)
    built = samdrift("demo", "--size", "medium", "--no-serve", "--password", "pw-12345678", env=env)
    assert built.returncode == 0, built.stderr[-3000:]
    done = samdrift("backup", str(root / "backups"), env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    (data_file,) = [p for p in (root / "backups").iterdir() if not p.name.endswith(".json")]
    yield root, env, url, data_file
    drop_database(url)


def _target(root: Path, name: str):
    url = own_database_url(f"backup_{name}")
    _create_database(url)
    return url, environment(root / name, url)


def test_a_restored_backup_holds_exactly_the_rows_of_the_original(backed_up):
    root, _env, source_url, data_file = backed_up
    url, env = _target(root, "restored")
    try:
        done = samdrift("restore", str(data_file), env=env)
        assert done.returncode == 0, done.stderr[-3000:]
        assert "every table equals the backup's manifest" in done.stdout
        original = _contents(root / "source", source_url)
        restored = _contents(root / "restored", url)
        assert set(restored) == set(original)
        assert len(original["inventory_asset"]) > 30_000  # the medium demo, not an empty one
        for table, rows in original.items():
            assert restored[table] == rows, table
        # The restored copy is a working install: its checks pass.
        check = samdrift("check", env=env)
        assert check.returncode == 0, check.stdout + check.stderr
    finally:
        drop_database(url)


def test_the_manifest_names_version_migrations_and_checksums(backed_up):
    _root, _env, _url, data_file = backed_up
    manifest = json.loads(data_file.with_name(data_file.stem + ".manifest.json").read_text())
    assert manifest["data_file"] == data_file.name
    assert manifest["size"] == data_file.stat().st_size
    assert ["inventory", "0001_initial"] in manifest["migrations"]
    assert manifest["tables"]["inventory_asset"]["rows"] > 30_000
    import hashlib

    assert manifest["sha256"] == hashlib.sha256(data_file.read_bytes()).hexdigest()


def test_restore_refuses_a_database_that_is_not_empty(backed_up):
    _root, env, _url, data_file = backed_up
    done = samdrift("restore", str(data_file), env=env)  # into the source itself
    assert done.returncode != 0
    assert "is not empty" in done.stderr
    assert "Traceback" not in done.stderr


def test_restore_refuses_a_corrupt_file_and_restores_nothing(backed_up, tmp_path):
    root, _env, _url, data_file = backed_up
    copy = tmp_path / data_file.name
    data = bytearray(data_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))
    manifest = data_file.with_name(data_file.stem + ".manifest.json")
    (tmp_path / manifest.name).write_bytes(manifest.read_bytes())
    url, env = _target(root, "corrupt")
    try:
        done = samdrift("restore", str(copy), env=env)
        assert done.returncode != 0
        assert "is corrupt" in done.stderr
        assert _contents(root / "corrupt", url) == {}
    finally:
        drop_database(url)


def test_restore_refuses_a_backup_from_a_newer_samdrift(backed_up, tmp_path):
    root, _env, _url, data_file = backed_up
    copy = tmp_path / data_file.name
    copy.write_bytes(data_file.read_bytes())
    manifest_path = data_file.with_name(data_file.stem + ".manifest.json")
    manifest = json.loads(manifest_path.read_text())
    manifest["migrations"].append(["inventory", "9999_from_the_future"])
    (tmp_path / manifest_path.name).write_text(json.dumps(manifest))
    url, env = _target(root, "newer")
    try:
        done = samdrift("restore", str(copy), env=env)
        assert done.returncode != 0
        assert "newer Samdrift" in done.stderr
        assert "inventory.9999_from_the_future" in done.stderr
    finally:
        drop_database(url)


def test_restore_without_its_manifest_says_what_is_missing(tmp_path):
    lone = tmp_path / "samdrift-20260101T000000Z.sqlite3"
    lone.write_bytes(b"not a backup")
    done = samdrift("restore", str(lone), env=environment(tmp_path / "data", None))
    assert done.returncode != 0
    assert "manifest.json is missing" in done.stderr
