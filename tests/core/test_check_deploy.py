"""``samdrift check --deploy`` in production mode, with the environment docs/operations.md
asks for, on a migrated and initialised install: no problem and no warning — neither
Samdrift's own findings nor Django's deployment checks. Run as a process, as an operator
runs it, against a database of its own.
"""

from __future__ import annotations

import secrets
import subprocess
from pathlib import Path

import pytest

from tests.factories import valid_organisation_number
from tests.own_database import SAMDRIFT, base_env, own_postgres_database, postgres_url, run

PASSWORD = "fjord-and-mountain-42"


def _production_env(tmp_path: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in base_env(tmp_path).items() if not k.startswith("SAMDRIFT_")}
    env.update(
        SAMDRIFT_DATA_DIR=str(tmp_path / "var"),
        SAMDRIFT_ENV="production",
        SAMDRIFT_SECRET_KEY=secrets.token_urlsafe(50),
        SAMDRIFT_ALLOWED_HOSTS="samdrift.ikt.example.no",
        SAMDRIFT_CSRF_TRUSTED_ORIGINS="https://samdrift.ikt.example.no",
        SAMDRIFT_BEHIND_TLS_PROXY="1",
        SAMDRIFT_TEST_PASSWORD=PASSWORD,
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _check_deploy(env: dict[str, str]) -> list[str]:
    """Migrate, initialise, then ``check --deploy``: its lines (it must pass)."""
    Path(env["SAMDRIFT_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    run([SAMDRIFT, "migrate", "--no-input", "-v", "0"], env)
    init = [SAMDRIFT, "init", "--no-input", "--name", "Fjordregionen IKT"]
    init += ["--org-number", valid_organisation_number(42), "--bank-account", "86011117947"]
    init += ["--username", "kari", "--email", "kari@example.no"]
    run([*init, "--password-env", "SAMDRIFT_TEST_PASSWORD"], env)
    done = subprocess.run(
        [SAMDRIFT, "check", "--deploy"], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == ""
    # Django's checks, deployment ones included, last: none but the preload one silenced
    # in settings (see SECURE_HSTS_PRELOAD there).
    *lines, django = done.stdout.splitlines()
    assert django == "System check identified no issues (1 silenced).", done.stdout
    return lines


@pytest.mark.postgres
@pytest.mark.skipif(postgres_url() is None, reason="needs DATABASE_URL of PostgreSQL")
def test_check_deploy_is_clean_in_production_with_postgresql(tmp_path):
    with own_postgres_database("deploy") as url:
        lines = _check_deploy(_production_env(tmp_path, url))
    assert [line.split()[0] for line in lines] == ["ok"] * len(lines), lines
    assert any(line.split()[1] == "database" and "PostgreSQL" in line for line in lines)
    assert any(line.split()[1] == "operators" and "1 active" in line for line in lines)


def test_check_deploy_in_production_on_sqlite_warns_only_of_sqlite(tmp_path):
    lines = _check_deploy(_production_env(tmp_path, None))
    warnings = [line for line in lines if not line.startswith("ok ")]
    assert len(warnings) == 1 and warnings[0].split()[:2] == ["warning", "database"], lines
    assert "several app servers need PostgreSQL" in warnings[0]
