"""A database of a test's own, for tests that run samdrift in subprocesses and kill,
stop or restart things (the test database's transaction would hide what a real kill
does): a SQLite file in a temporary directory, or a PostgreSQL database created next to
the test database and dropped afterwards. And a digest of every table, to show that a
database is exactly as it was; and ``kill_when``, the SIGKILL at a known line of a
process's output that both kill tests use.

Used by the kill tests of imports and billing (tests/imports/test_kill.py,
tests/billing/test_kill.py). ``python -m tests.own_database digest`` prints the digest of
the database the environment names, as JSON.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMDRIFT = str(Path(sys.executable).with_name("samdrift"))


def postgres_url() -> str | None:
    """The DATABASE_URL of the test run when it is PostgreSQL, else None."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def base_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a samdrift subprocess on a SQLite file in ``tmp_path``: the test
    process's, without its database and without what the browser tests set for their own
    process (DJANGO_ALLOW_ASYNC_UNSAFE, which ``check --deploy`` rightly refuses)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env["SAMDRIFT_DATA_DIR"] = str(tmp_path / "var")
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH", "")])]
    )
    return env


@contextmanager
def own_postgres_database(purpose: str) -> Iterator[str]:
    """A new, empty PostgreSQL database beside the test database (its URL), dropped at
    the end, also when connections to it are left open."""
    import psycopg

    url = postgres_url()
    assert url is not None, "needs DATABASE_URL of PostgreSQL"
    server, database = url.rsplit("/", 1)
    name = f"{database}_{purpose}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server + "/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(server + "/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(args: list[str], env: dict[str, str]) -> str:
    """Run a command to the end; its output, or a failed assertion with its errors."""
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def run_module(module: str, env: dict[str, str], *args: str) -> str:
    """``python -m module args`` (a test helper) to the end; its output."""
    return run([sys.executable, "-m", module, *args], env)


def kill_when(
    args: list[str],
    env: dict[str, str],
    *,
    stream: str,
    at: Callable[[str], bool] = lambda line: True,
    check: Callable[[str], None] = lambda line: None,
) -> str:
    """Start ``args`` and read its ``stream`` ("stdout" or "stderr") line by line; at the
    first line ``at`` accepts, ``check`` it (e.g. from outside, that the process is
    inside its write transaction), then SIGKILL the process. Returns that line
    (stripped). Fails when the stream ends first, with the other stream's end, and when
    the process did not die of the signal. Used by the kill tests of imports and billing.
    """
    with tempfile.TemporaryFile("w+") as other:
        process = subprocess.Popen(
            args,
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE if stream == "stdout" else other,
            stderr=subprocess.PIPE if stream == "stderr" else other,
            text=True,
        )
        lines = process.stdout if stream == "stdout" else process.stderr
        killed_at = ""
        try:
            for line in lines:
                if at(line.strip()):
                    killed_at = line.strip()
                    break
            if killed_at:
                check(killed_at)
                process.send_signal(signal.SIGKILL)
        finally:
            if process.poll() is None:
                process.kill()  # a failed check, or the line never came: not left running
            process.wait(timeout=120)
            lines.close()
            other.seek(0)
            output = other.read()[-3000:]
        assert killed_at, f"{args[:3]} ended before it could be killed: {output}"
    assert process.returncode == -signal.SIGKILL
    return killed_at


def digest_of(env: dict[str, str]) -> dict[str, list]:
    """Every table's row count and content hash, of the database ``env`` names."""
    return json.loads(run_module("tests.own_database", env, "digest"))


def digest() -> dict[str, list]:
    """Every table's row count and a hash of its rows in key order (in this process's
    Django database)."""
    from django.db import connection

    found = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted} ORDER BY 1")  # noqa: S608 (table names)
            rows = cursor.fetchall()
            found[table] = [len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()]
        if connection.vendor == "sqlite":
            # The schema too: an import drops and remakes the search index's insert
            # triggers inside its transaction (core.search.inserts_indexed_after).
            cursor.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name")
            rows = cursor.fetchall()
            found["sqlite_master"] = [len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()]
    return found


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samdrift.settings")
    import django

    django.setup()


if __name__ == "__main__":
    setup_django()
    if sys.argv[1:] == ["digest"]:
        print(json.dumps(digest()))
    else:
        raise SystemExit(f"usage: python -m tests.own_database digest (not {sys.argv[1:]})")
