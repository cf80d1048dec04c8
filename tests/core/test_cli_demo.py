"""``samdrift demo``, ``serve`` and ``check`` as a user runs them: separate processes on their
own database (a temporary SQLite data directory, or a throw-away PostgreSQL database when
the suite runs on PostgreSQL), talked to over HTTP."""

# Every URL opened here is http://127.0.0.1 on a port this module chose.
# ruff: noqa: S310

from __future__ import annotations

import getpass
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

PASSWORD = "a-demo-password-for-tests"
MUNICIPALITIES = ("fjordvik", "storaa", "lysnes", "bergvoll", "skarheim", "elvdal")


def samdrift_command() -> list[str]:
    script = Path(sys.executable).with_name("samdrift")
    return [str(script)] if script.exists() else [sys.executable, "-m", "samdrift.cli"]


def own_database_url(purpose: str) -> str | None:
    """A throw-away PostgreSQL database next to the test database, or None on SQLite."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return None
    parts = urllib.parse.urlsplit(url)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    name = f"test_{parts.path.lstrip('/')}_cli_{purpose}{'_' + worker if worker else ''}"
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def drop_database(url: str | None) -> None:
    if url is None:
        return
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def environment(data_dir: Path, database_url: str | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAMDRIFT_", "DATABASE_"))}
    env["SAMDRIFT_DATA_DIR"] = str(data_dir)
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(extra)
    return env


def samdrift(*args: str, env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*samdrift_command(), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Install:
    env: dict[str, str]
    output: str
    token: str


@pytest.fixture(scope="module")
def install(tmp_path_factory):
    """``samdrift demo --size small --no-serve`` on a database of its own."""
    database_url = own_database_url("demo")
    env = environment(tmp_path_factory.mktemp("demo-var"), database_url)
    drop_database(database_url)  # a leftover from an interrupted run
    result = samdrift(
        "demo", "--size", "small", "--no-serve", "--seed", "3", "--password", PASSWORD, env=env
    )
    assert result.returncode == 0, result.stdout + result.stderr
    token = re.search(r"API token for admin: (\w+)", result.stdout).group(1)
    yield Install(env=env, output=result.stdout, token=token)
    drop_database(database_url)


class Server:
    """A ``samdrift serve`` process, stopped at the end."""

    def __init__(self, env: dict[str, str], log: Path, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        with log.open("w") as out:
            self.process = subprocess.Popen(
                [*samdrift_command(), "serve", "--port", str(self.port), *args],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"serve stopped:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/health/", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        self.stop()
        raise AssertionError(f"serve did not answer within 60 s:\n{log.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def get(
        self, path: str, token: str | None = None, opener=None, headers: dict | None = None
    ) -> tuple[int, dict | str]:
        request = urllib.request.Request(f"{self.url}{path}", headers=headers or {})
        if token:
            request.add_header("Authorization", f"Token {token}")
        try:
            with (opener or urllib.request.build_opener()).open(request, timeout=30) as response:
                body = response.read().decode()
                status = response.status
                self.last_headers = response.headers
        except urllib.error.HTTPError as error:
            self.last_headers = error.headers
            return error.code, error.read().decode()
        content_type = response.headers.get("Content-Type", "")
        return status, json.loads(body) if "json" in content_type else body


@pytest.fixture(scope="module")
def server(install, tmp_path_factory):
    running = Server(install.env, tmp_path_factory.mktemp("serve") / "serve.log")
    yield running
    running.stop()


def test_demo_prints_the_counts_and_a_login_per_role(install):
    out = install.output
    persons = int(re.search(r"([\d,]+) persons", out).group(1).replace(",", ""))
    assets = int(re.search(r"([\d,]+) assets", out).group(1).replace(",", ""))
    assert 500 <= persons <= 900
    assert 800 <= assets <= 2000
    assert "6 municipalities" in out
    logins = dict(re.findall(r"^  (\S+)\s+" + re.escape(PASSWORD) + r"\s+(.+?)\s{2}", out, re.M))
    assert logins["admin"] == "Operator"
    assert logins["finance"] == "Finance"
    assert logins["auditor"] == "Read-only"
    assert logins["manager-fjordvik"] == "Service-area manager"
    for municipality in MUNICIPALITIES:
        assert logins[f"contact-{municipality}"] == "Municipality contact"


def test_the_printed_token_works_on_the_api(install, server):
    status, body = server.get("/api/assets/?page_size=1", token=install.token)
    assert status == 200
    assert 800 <= body["count"] <= 2000
    status, body = server.get("/api/persons/?page_size=1", token=install.token)
    assert status == 200 and 500 <= body["count"] <= 900
    status, body = server.get("/api/assets/?page_size=1", token="not-a-token")
    assert status == 401


def test_the_printed_login_signs_in_like_a_browser(install, server):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    status, _page = server.get("/login/", opener=opener)
    assert status == 200
    csrf = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    form = urllib.parse.urlencode(
        {"username": "contact-elvdal", "password": PASSWORD, "csrfmiddlewaretoken": csrf}
    ).encode()
    request = urllib.request.Request(
        f"{server.url}/login/", data=form, headers={"Referer": f"{server.url}/login/"}
    )
    with opener.open(request, timeout=30) as response:
        assert response.status == 200
        assert urllib.parse.urlsplit(response.url).path == "/"  # redirected in, not back
    status, me = server.get("/api/me/", opener=opener)
    assert status == 200
    assert me["username"] == "contact-elvdal" and me["role"] == "municipality"
    # The contact sees its own municipality only.
    status, municipalities = server.get("/api/municipalities/", opener=opener)
    assert [m["name"] for m in municipalities["results"]] == ["Elvdal"]
    status, assets = server.get("/api/assets/?page_size=1000", opener=opener)
    assert assets["results"]
    assert {a["municipality"] for a in assets["results"]} == {me["municipality"]}


def test_wrong_password_does_not_sign_in(install, server):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    server.get("/login/", opener=opener)
    csrf = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    form = urllib.parse.urlencode(
        {"username": "admin", "password": "wrong", "csrfmiddlewaretoken": csrf}
    ).encode()
    request = urllib.request.Request(
        f"{server.url}/login/", data=form, headers={"Referer": f"{server.url}/login/"}
    )
    with opener.open(request, timeout=30) as response:
        assert urllib.parse.urlsplit(response.url).path == "/login/"
    assert server.get("/api/me/", opener=opener)[0] in (401, 403)


def test_the_demo_is_change_logged_as_done_from_the_cli(install, server):
    status, body = server.get("/api/changes/?q=Demo+data&page_size=100", token=install.token)
    assert status == 200 and body["count"] >= 6 * 4
    assert {change["actor"] for change in body["results"]} == {f"cli:{getpass.getuser()}"}


def test_token_command_gives_a_working_token_for_a_contact(install, server):
    result = samdrift("token", "contact-storaa", env=install.env)
    assert result.returncode == 0, result.stderr
    status, body = server.get("/api/municipalities/", token=result.stdout.strip())
    assert status == 200 and [m["name"] for m in body["results"]] == ["Storå"]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # report the redirect itself


def _children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_the_worker_beside_the_server_stops_with_it(install, tmp_path, stop):
    # ``serve`` (outside production) starts ``samdrift worker`` beside the server. Stopped
    # by SIGTERM, the server used to end without stopping it, and it ran on, orphaned.
    running = Server(install.env, tmp_path / "serve.log")
    try:
        workers = [
            pid
            for pid in _children(running.process.pid)
            if b"worker" in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]
        assert len(workers) == 1
        running.process.send_signal(stop)
        running.process.wait(timeout=30)
        deadline = time.monotonic() + 20
        while _running(workers[0]) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _running(workers[0])
    finally:
        running.stop()


def test_production_serves_through_gunicorn_with_https_only(install, tmp_path):
    env = {
        **install.env,
        "SAMDRIFT_ENV": "production",
        "SAMDRIFT_SECRET_KEY": "x" * 10 + "-production-secret-key-for-this-test-only-0123456789",
        "SAMDRIFT_ALLOWED_HOSTS": "127.0.0.1",
        "SAMDRIFT_BEHIND_TLS_PROXY": "1",
    }
    tls = {"X-Forwarded-Proto": "https", "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    running = Server(env, tmp_path / "gunicorn.log", "--workers", "1")
    try:
        # Through the TLS proxy: served, with HSTS, and JSON even to a browser (no
        # browsable API in production).
        status, me = running.get("/api/me/", token=install.token, headers=tls)
        assert status == 200 and me["username"] == "admin"
        assert (
            running.last_headers["Strict-Transport-Security"]
            == "max-age=31536000; includeSubDomains"
        )
        # Plain HTTP is sent to HTTPS; the health check answers there too, saying only ok.
        status, _ = running.get("/api/me/", opener=urllib.request.build_opener(_NoRedirect))
        assert status == 301
        assert running.last_headers["Location"] == f"https://127.0.0.1:{running.port}/api/me/"
        assert running.get("/health/") == (200, {"status": "ok"})
        # The schema is for signed-in users only.
        assert running.get("/api/schema/", headers=tls)[0] == 401
    finally:
        running.stop()
    log = (tmp_path / "gunicorn.log").read_text()
    assert "gunicorn" in log.lower()
    assert '"GET /api/me/ HTTP/1.1" 200' in log  # the access log


def test_check_fails_when_the_database_is_not_migrated(tmp_path):
    database_url = own_database_url("empty")
    if database_url:
        drop_database(database_url)
        import psycopg

        parts = urllib.parse.urlsplit(database_url)
        maintenance = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{parts.path.lstrip("/")}"')
    try:
        result = samdrift("check", env=environment(tmp_path, database_url))
        assert result.returncode != 0
        assert "not applied" in result.stdout and "samdrift migrate" in result.stdout
    finally:
        drop_database(database_url)


def test_check_fails_when_the_database_does_not_answer(tmp_path):
    env = environment(tmp_path, "postgres://postgres@127.0.0.1:1/nowhere")
    result = samdrift("check", env=env)
    assert result.returncode != 0
    assert "does not answer" in result.stdout
