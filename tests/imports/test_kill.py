"""Killing an import halfway (SIGKILL, while it writes) leaves the database exactly as it
was; the same file then imports completely. On a SQLite file and on PostgreSQL.

The import runs as ``samdrift import`` in a subprocess against a database of its own,
made for the test (the test database's transaction would hide what a real kill does).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.own_database import (
    ROOT,
    SAMDRIFT,
    base_env,
    digest_of,
    kill_when,
    own_postgres_database,
    postgres_url,
    run,
    run_module,
)

ROWS = 12_000  # enough for several write batches, so the kill lands between two


def _helper(command: str, env: dict[str, str], *args: str) -> str:
    return run_module("tests.imports.kill_helper", env, command, *args)


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

    def between_batches(line: str) -> bool:
        phase, _space, counts = line.partition(" ")
        if phase != "write":
            return False
        done, total = (int(n) for n in counts.split("/"))
        return 0 < done < total

    return kill_when(
        [SAMDRIFT, "import", "assets", str(path), "--municipality", "4601", "--progress", "plain"],
        env,
        stream="stderr",
        at=between_batches,
    )


def _scenario(env: dict[str, str], tmp_path: Path) -> None:
    run([SAMDRIFT, "migrate", "--no-input", "-v", "0"], env)
    _helper("seed", env)
    first = tmp_path / "first.csv"
    _helper("write", env, str(first), "200")
    _import(first, env)  # the database holds earlier imports, not only an empty schema
    before = digest_of(env)
    assert before["inventory_asset"][0] == 200

    big = tmp_path / "big.csv"
    _helper("write", env, str(big), str(ROWS), "1000")
    killed_after = _kill_while_writing(big, env)

    after = digest_of(env)
    assert after == before, f"killed after “{killed_after}”, the database changed"

    _import(big, env)  # nothing left half-done in the way: the same file imports whole
    final = digest_of(env)
    assert final["inventory_asset"][0] == 200 + ROWS
    assert final["inventory_assignment"][0] == 200 + ROWS


def test_killing_an_import_leaves_a_sqlite_database_as_it_was(tmp_path):
    _scenario(base_env(tmp_path), tmp_path)


@pytest.mark.postgres
@pytest.mark.skipif(postgres_url() is None, reason="needs DATABASE_URL of PostgreSQL")
def test_killing_an_import_leaves_a_postgresql_database_as_it_was(tmp_path):
    with own_postgres_database("kill") as url:
        _scenario({**base_env(tmp_path), "DATABASE_URL": url}, tmp_path)
