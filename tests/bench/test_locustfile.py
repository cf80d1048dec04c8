"""bench/locustfile.py and bench_load.py's plan on a small world: every kind of page the
plan names answers 200 to the login it is planned for, and locust, run for a few seconds
against a live server (PostgreSQL) with one user of each role, logs in with the password
and finishes without a failed request. No timing is asserted (speed is bench_load.py's)."""

from __future__ import annotations

import datetime
import importlib.util
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from samdrift.billing.services.runs import bill_period
from samdrift.core.choices import Role
from samdrift.organisations.models import Municipality
from tests import factories
from tests.worlds import build_small_world

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import bench_load  # noqa: E402
from locust_mix import MIX  # noqa: E402

PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("locust") is None, reason="locust is not installed (the dev extra)"
)


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """Stopped before the test database is dropped (as the browser tests' own)."""
    return live_server


def small_world_with_logins():
    world = build_small_world(rows=30)  # 60 assets: a second page for the operator
    Municipality.objects.update(joined_on=datetime.date(2025, 1, 1))
    bill_period(month=datetime.date(2025, 1, 1))
    factories.make_user(Role.OPERATOR, username="admin")
    factories.make_user(Role.MUNICIPALITY, municipality=world.municipality_a, username="ct-a")
    factories.make_user(
        Role.SERVICE_AREA,
        municipality=world.municipality_a,
        service_area=world.area_a,
        username="mgr-a",
    )
    return world


def check_plan(plan: dict, dropped: list[str]) -> None:
    assert dropped == []  # every kind planned for a role answers 200 to its login
    by_login = {account["username"]: account for account in plan["accounts"]}
    assert {name: a["role"] for name, a in by_login.items()} == {
        "admin": "operator",
        "ct-a": "contact",
        "mgr-a": "manager",
    }
    for account in plan["accounts"]:
        assert set(account["urls"]) <= set(MIX[account["role"]])
    # The lists, details, search, invoices and downloads of each role are in the plan;
    # the contact's portal pages too (the small world has no agreement to show).
    common = {"overview", "assets, first page", "asset detail", "search, global box"}
    assert common | {"invoice", "invoice specification (xlsx)", "assets CSV export"} <= set(
        by_login["admin"]["urls"]
    )
    assert {"portal: SLA report", "portal: replacement forecast", "invoice"} <= set(
        by_login["ct-a"]["urls"]
    )
    assert common | {"assets CSV export"} <= set(by_login["mgr-a"]["urls"])


@pytest.mark.django_db
def test_every_planned_page_answers_its_login():
    small_world_with_logins()
    check_plan(*bench_load.make_plan(PASSWORD, random.Random(1), deep=2))


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_short_run_without_failures(live_server, tmp_path):
    """One user of each role at once, for a few seconds. PostgreSQL only: on SQLite the
    live server's threads share one in-memory connection, which serves one request at a
    time at best (the bench itself runs on PostgreSQL)."""
    small_world_with_logins()
    plan, dropped = bench_load.make_plan(PASSWORD, random.Random(1), deep=2)
    check_plan(plan, dropped)
    plan["weights"] = {"operator": 1, "contact": 1, "manager": 1}

    figures, done = run_locust(plan, tmp_path / "run", live_server.url, 6)

    assert figures["failures"] == [], json.dumps(figures["failures"], indent=1)
    assert done.returncode == 0, done.stderr[-2000:]
    login = figures["pages"]["login"]
    assert (login["n"], login["errors"]) == (3, 0)  # each user logged in once
    pages = {name for name, row in figures["pages"].items() if row["n"]}
    assert len(pages - {"login", "login form"}) >= 3, pages
    assert figures["overall"]["errors"] == 0


def run_locust(plan: dict, folder: Path, url: str, seconds: int):
    """locust headless, one user per login in ``plan``, thinking 0.05–0.2 s."""
    folder.mkdir()
    (folder / "plan.json").write_text(json.dumps(plan))
    env = {
        **os.environ,
        "SAMDRIFT_LOAD_PLAN": str(folder / "plan.json"),
        "SAMDRIFT_LOAD_WAIT": "0.05,0.2",
    }
    users = len(plan["accounts"])
    command = bench_load.locust_command(url, users, seconds, folder / "run", users)
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)
    return bench_load.read_stats(folder / "run"), done


@pytest.mark.django_db(transaction=True)
def test_a_wrong_password_is_a_failure_not_a_pass(live_server, tmp_path):
    """The locustfile counts a refused login (the login page again, 200) as a failure, so
    a run of logged-out users cannot pass as error-free."""
    plan = {
        "password": "not the password",
        "weights": {"operator": 1},
        "accounts": [{"role": "operator", "username": "nobody", "urls": {"overview": ["/"]}}],
    }
    figures, done = run_locust(plan, tmp_path / "run", live_server.url, 3)

    assert done.returncode == 1
    assert figures["pages"]["login"]["errors"] == 1
    # Not signed in, the overview redirects to the login page: each one a failure.
    overview = figures["pages"]["overview"]
    assert overview["n"] >= 1 and overview["errors"] == overview["n"]
    errors = [failure["error"] for failure in figures["failures"]]
    assert any("HTTP 302" in error for error in errors), errors
