"""Killing a billing run or an issue of invoices in the middle (SIGKILL, while it writes)
leaves the database exactly as it was, table for table; running it again then completes.
On a SQLite file and on PostgreSQL.

The services run in a subprocess (tests/billing/kill_helper.py) against a database of
its own, made for the test: the test database's transaction would hide what a real kill
does. The helper stops at a known point mid-write and says so; before the kill the test
checks from outside that the process is inside an open write transaction — on PostgreSQL
that its COPY of charges has sent rows — so the kill cannot land before the writes or
after the commit.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

from tests.own_database import (
    SAMDRIFT,
    base_env,
    digest_of,
    kill_when,
    own_postgres_database,
    postgres_url,
    run,
    run_module,
)

PER_MUNICIPALITY = 6_000  # assets each of the three: the run writes several charge batches
HELPER = "tests.billing.kill_helper"


def _killed_while_writing(command: str, env: dict[str, str]) -> str:
    """Start the helper's ``command --pause``; when it reports that it is paused
    mid-write, check that from outside and SIGKILL it. Returns its report."""

    def paused_mid_write(report: str) -> None:
        assert report.startswith("paused "), report
        _assert_writing(env, report)

    # Its first line of output is the report.
    return kill_when(
        [sys.executable, "-m", HELPER, command, "--pause"],
        env,
        stream="stdout",
        check=paused_mid_write,
    )


def _assert_writing(env: dict[str, str], report: str) -> None:
    """The paused process holds an open write transaction that has written rows."""
    written = report.rsplit(" ", 1)[1]
    if "DATABASE_URL" not in env:
        # Rows in its own transaction, and the database's write lock held by it.
        assert int(written) > 0, report
        database = Path(env["SAMDRIFT_DATA_DIR"]) / "samdrift.sqlite3"
        other = sqlite3.connect(database, timeout=0, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()
        return
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as other:
        open_transactions = other.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
        ).fetchone()[0]
        assert open_transactions == 1
        if written == "copy":  # the billing run, paused with its COPY of charges open
            copied = other.execute(
                "SELECT tuples_processed FROM pg_stat_progress_copy "
                "WHERE relid = 'billing_charge'::regclass"
            ).fetchone()
            assert copied is not None and copied[0] > 0, report
        else:
            assert int(written) > 0, report


def _scenario(env: dict[str, str], tmp_path: Path) -> None:
    run([SAMDRIFT, "migrate", "--no-input", "-v", "0"], env)
    run_module(HELPER, env, "seed")
    for n, municipality in enumerate(("4601", "4602", "4603")):
        assets = tmp_path / f"{municipality}.csv"
        first = str(n * PER_MUNICIPALITY)
        run_module(
            "tests.imports.kill_helper", env, "write", str(assets), str(PER_MUNICIPALITY), first
        )
        run(
            [SAMDRIFT, "import", "assets", str(assets), "--municipality", municipality],
            env,
        )
    assets = 3 * PER_MUNICIPALITY

    # The billing run, killed while it writes charges; then run again.
    before = digest_of(env)
    assert before["inventory_asset"][0] == assets and before["billing_charge"][0] == 0
    report = _killed_while_writing("bill", env)
    assert digest_of(env) == before, f"killed at “{report}”, the database changed"
    billed = run_module(HELPER, env, "bill")
    # One charge per asset (each held all of its days this month by one service area).
    assert billed.strip() == f'{{"charges": {assets}, "invoices": 3}}'

    # Issuing the three drafts, killed after the first; then issued again, numbered 1-3.
    before = digest_of(env)
    assert before["billing_charge"][0] == assets
    report = _killed_while_writing("issue", env)
    assert digest_of(env) == before, f"killed at “{report}”, the database changed"
    issued = run_module(HELPER, env, "issue")
    assert issued.strip() == '{"sequences": [1, 2, 3]}'


def test_killing_billing_and_issuing_leaves_a_sqlite_database_as_it_was(tmp_path):
    _scenario(base_env(tmp_path), tmp_path)


@pytest.mark.postgres
@pytest.mark.skipif(postgres_url() is None, reason="needs DATABASE_URL of PostgreSQL")
def test_killing_billing_and_issuing_leaves_a_postgresql_database_as_it_was(tmp_path):
    with own_postgres_database("billkill") as url:
        _scenario({**base_env(tmp_path), "DATABASE_URL": url}, tmp_path)
