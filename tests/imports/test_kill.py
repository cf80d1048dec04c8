"""Killing an import halfway (SIGKILL, while it writes) leaves the database exactly as it
was; the same file then imports completely. On a SQLite file and on PostgreSQL.

The import runs as ``samdrift import`` in a subprocess against a database of its own,
made for the test (the test database's transaction would hide what a real kill does).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMDRIFT = str(Path(sys.executable).with_name("samdrift"))
ROWS = 12_000  # enough for several write batches, so the kill lands between two


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _helper(command: str, env: dict[str, str], *args: str) -> str:
    return _run([sys.executable, "-m", "tests.imports.kill_helper", command, *args], env)


def _import(path: Path, env: dict[str, str]) -> list[str]:
    args = [SAMDRIFT, "import", "assets", str(path), "--municipality", "4601"]
    done = subprocess.run(
        [*args, "--progress", "none"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout.splitlines()


def _kill_while_writing(path: Path, env: dict[str, str]) -> str:
    """Start the import; SIGKILL it as soon as it reports a written batch (and not the
    last). Returns the progress line it was killed after."""
    process = subprocess.Popen(
        [SAMDRIFT, "import", "assets", str(path), "--municipality", "4601", "--progress", "plain"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    killed_after = ""
    try:
        for line in process.stderr:
            phase, _space, counts = line.strip().partition(" ")
            if phase == "write":
                done, total = (int(n) for n in counts.split("/"))
                if 0 < done < total:
                    process.send_signal(signal.SIGKILL)
                    killed_after = line.strip()
                    break
    finally:
        process.wait(timeout=120)
        process.stderr.close()
    assert killed_after, "the import finished before it could be killed"
    assert process.returncode == -signal.SIGKILL
    return killed_after


def _scenario(env: dict[str, str], tmp_path: Path) -> None:
    _run([SAMDRIFT, "migrate", "--no-input", "-v", "0"], env)
    _helper("seed", env)
    first = tmp_path / "first.csv"
    _helper("write", env, str(first), "200")
    _import(first, env)  # the database holds earlier imports, not only an empty schema
    before = json.loads(_helper("digest", env))
    assert before["inventory_asset"][0] == 200

    big = tmp_path / "big.csv"
    _helper("write", env, str(big), str(ROWS), "1000")
    killed_after = _kill_while_writing(big, env)

    after = json.loads(_helper("digest", env))
    assert after == before, f"killed after “{killed_after}”, the database changed"

    _import(big, env)  # nothing left half-done in the way: the same file imports whole
    final = json.loads(_helper("digest", env))
    assert final["inventory_asset"][0] == 200 + ROWS
    assert final["inventory_assignment"][0] == 200 + ROWS


def _base_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SAMDRIFT_DATA_DIR"] = str(tmp_path / "var")
    env["PYTHONPATH"] = str(ROOT)
    return env


def test_killing_an_import_leaves_a_sqlite_database_as_it_was(tmp_path):
    _scenario(_base_env(tmp_path), tmp_path)


@pytest.mark.postgres
@pytest.mark.skipif(_postgres_url() is None, reason="needs DATABASE_URL of PostgreSQL")
def test_killing_an_import_leaves_a_postgresql_database_as_it_was(tmp_path):
    import psycopg

    base = _postgres_url().rsplit("/", 1)
    name = f"{base[1]}_kill_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base[0] + "/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        env = _base_env(tmp_path)
        env["DATABASE_URL"] = f"{base[0]}/{name}"
        _scenario(env, tmp_path)
    finally:
        with psycopg.connect(base[0] + "/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
