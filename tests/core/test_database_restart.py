"""PostgreSQL stopped under a running gunicorn (``pg_ctl stop -m immediate``, as a crash
or a failover does): every page answers a clear 503 — not a 500 — the API a JSON 503, the
health check 503; once PostgreSQL is started again the same gunicorn processes answer
200 with the same session, without a restart of the app.

The PostgreSQL is a private cluster made for the test (initdb in a temporary directory,
on a free port; run as the ``postgres`` OS user), so that stopping it disturbs no other
test; the small demo is built into it. Needs root (for runuser) and PostgreSQL's server
binaries; skipped otherwise.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.core.test_cli_demo import Server, environment, free_port, samdrift

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PASSWORD = "fjord-and-mountain-42"


class Cluster:
    """A PostgreSQL cluster of the test's own: initdb, start and stop with pg_ctl."""

    def __init__(self) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="samdrift-pg-"))
        shutil.chown(self.home, "postgres", "postgres")
        self.data = self.home / "data"
        self.port = free_port()
        self._as_postgres(
            PG_BIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "--no-sync"
        )

    def _as_postgres(self, *args: object) -> None:
        done = subprocess.run(
            ["runuser", "-u", "postgres", "--", *map(str, args)],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr

    def start(self) -> None:
        options = f"-p {self.port} -k {self.home} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = self.home / "postgresql.log"
        self._as_postgres(
            PG_BIN / "pg_ctl", "-D", self.data, "-l", log, "-o", options, "-w", "start"
        )

    def stop(self) -> None:
        """Stop at once, as a crash would: no checkpoint, every connection cut."""
        self._as_postgres(PG_BIN / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def remove(self) -> None:
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.home, ignore_errors=True)


@pytest.fixture
def cluster():
    if os.geteuid() != 0 or not (PG_BIN / "pg_ctl").exists() or shutil.which("runuser") is None:
        pytest.skip("needs root and PostgreSQL 15's server binaries")
    made = Cluster()
    try:
        made.start()
        yield made
    finally:
        made.remove()


def _worker_pids(master: int) -> set[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return {int(pid) for pid in children}


def _get(server: Server, path: str, opener) -> tuple[int, str]:
    status, body = server.get(path, opener=opener)
    return status, body if isinstance(body, str) else repr(body)


def test_postgresql_stopped_under_gunicorn_gives_503_then_recovers(cluster, tmp_path):
    import psycopg

    with psycopg.connect(cluster.url("postgres"), autocommit=True) as admin:
        admin.execute("CREATE DATABASE samdrift")
    env = environment(tmp_path / "var", cluster.url("samdrift"))
    built = samdrift(
        "demo", "--size", "small", "--no-serve", "--seed", "3", "--password", PASSWORD, env=env
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    token = re.search(r"API token for admin: (\w+)", built.stdout).group(1)
    production = {
        **env,
        "SAMDRIFT_ENV": "production",
        "SAMDRIFT_SECRET_KEY": secrets.token_urlsafe(50),
        "SAMDRIFT_ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP in the test (no TLS proxy): no redirect, cookies sent over it.
        "SAMDRIFT_HTTPS_REDIRECT": "0",
        "SAMDRIFT_SECURE_COOKIES": "0",
    }
    server = Server(production, tmp_path / "gunicorn.log", "--workers", "2")
    try:
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        _sign_in(server, browser, jar)
        status, home = _get(server, "/", browser)
        assert status == 200
        # Every page the navigation leads to (and the overview): all answer while up.
        pages = sorted(
            {"/"}
            | {
                path
                for path in re.findall(r'href="(/[^"?#]*)"', home)
                if not path.startswith(("/static/", "/logout/", "/i18n/"))
            }
        )
        assert len(pages) >= 10, pages
        for path in pages:
            assert _get(server, path, browser)[0] == 200, path
        workers = _worker_pids(server.process.pid)
        assert len(workers) == 2

        # During a request: one waits on a lock the test holds on the sessions table when
        # PostgreSQL goes down under it; then every page, between requests.
        status, body = _stopped_during_a_request(cluster, server, browser)
        assert status == 503 and 'data-testid="database-unavailable"' in body
        for path in pages:
            status, body = _get(server, path, browser)
            assert status == 503, (path, status, body[:500])
            assert 'data-testid="database-unavailable"' in body, path
            assert server.last_headers["Retry-After"] == "30"
        status, body = server.get("/api/assets/", token=token)
        assert status == 503 and "The database is not answering" in body
        status, body = server.get("/health/")
        assert status == 503 and json.loads(body) == {"status": "unavailable"}

        cluster.start()
        for path in pages:  # the same session: it lives in the database, which kept it
            assert _get(server, path, browser)[0] == 200, path
        status, assets = server.get("/api/assets/", token=token)
        assert status == 200 and assets["results"]
        assert server.get("/health/") == (200, {"status": "ok"})
        assert server.process.poll() is None
        assert _worker_pids(server.process.pid) == workers  # no worker was restarted
    finally:
        server.stop()
    log = (tmp_path / "gunicorn.log").read_text()
    assert 'HTTP/1.1" 503 ' in log  # the access log has them


def _stopped_during_a_request(cluster: Cluster, server: Server, browser) -> tuple[int, str]:
    """Stop PostgreSQL while a request to the overview is inside a query (waiting for a
    lock on ``django_session`` that the test holds); what that request got."""
    import psycopg

    locker = psycopg.connect(cluster.url("samdrift"))
    try:
        locker.execute("LOCK TABLE django_session IN ACCESS EXCLUSIVE MODE")
        with (
            ThreadPoolExecutor(max_workers=1) as pool,
            psycopg.connect(cluster.url("samdrift"), autocommit=True) as watcher,
        ):
            in_flight = pool.submit(_get, server, "/", browser)
            deadline = time.monotonic() + 60
            waiting = 0
            while not waiting and time.monotonic() < deadline and not in_flight.done():
                time.sleep(0.1)
                waiting = watcher.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND query LIKE '%django_session%'"
                ).fetchone()[0]
            assert waiting == 1, "the request never waited on the lock"
            cluster.stop()
            return in_flight.result(timeout=60)
    finally:
        with contextlib.suppress(psycopg.Error):
            locker.close()


def _sign_in(server: Server, opener, jar) -> None:
    server.get("/login/", opener=opener)
    csrf = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    form = urllib.parse.urlencode(
        {"username": "admin", "password": PASSWORD, "csrfmiddlewaretoken": csrf}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (http to the test's own server)
        f"{server.url}/login/", data=form, headers={"Referer": f"{server.url}/login/"}
    )
    with opener.open(request, timeout=30) as response:
        assert urllib.parse.urlsplit(response.url).path == "/"
