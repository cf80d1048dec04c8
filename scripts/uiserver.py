"""Shared by the screenshot script and the UI benchmark: a throw-away Samdrift install
(its own data directory, SQLite), demo data, a server on 127.0.0.1, and signed-in
browser sessions without typing passwords.

Nothing here talks to any host but 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
CHROMIUM = "/usr/bin/chromium"
LOCAL_PREFIXES = ("data:", "blob:", "about:", "http://127.0.0.1:", "https://127.0.0.1:")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def samdrift_env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.update({"SAMDRIFT_DATA_DIR": str(data_dir), "SAMDRIFT_ENV": "demo"})
    return env


def samdrift(data_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 — our own samdrift command, fixed arguments
        [str(BIN / "samdrift"), *args],
        env=samdrift_env(data_dir),
        cwd=ROOT,
        check=check,
        text=True,
        capture_output=True,
    )


def has_demo_command(data_dir: Path) -> bool:
    result = samdrift(data_dir, "help", check=False)
    return "demo" in (result.stdout + result.stderr).split()


def prepare_data(data_dir: Path, size: str, *, reuse: bool) -> str:
    """Fill ``data_dir`` with ``samdrift demo --size <size>`` data (or, while the demo
    command does not exist yet, the web tests' small world). Returns what was used."""
    marker = data_dir / f".ui-data-{size}"
    if reuse and marker.exists():
        return marker.read_text()
    data_dir.mkdir(parents=True, exist_ok=True)
    database = data_dir / "samdrift.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    if has_demo_command(data_dir):
        samdrift(data_dir, "demo", "--size", size, "--no-serve")
        source = f"samdrift demo --size {size}"
    else:
        print("note: 'samdrift demo' is not available; using the web tests' small world")
        samdrift(data_dir, "migrate", "--noinput")
        code = (
            "from tests.web.conftest import build_world; "
            "from samdrift.core.actor import acting_as; "
            "ctx = acting_as(label='screenshots'); ctx.__enter__(); build_world(rows=12)"
        )
        samdrift(data_dir, "shell", "-c", code)
        source = "test factories (tests.web.conftest.build_world)"
    marker.write_text(source)
    return source


def setup_django(data_dir: Path) -> None:
    os.environ.update(samdrift_env(data_dir))
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samdrift.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def session_cookie(username: str) -> str:
    """A session key for ``username`` (Django must be set up for the same data dir)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from samdrift.core.models import User

    user = User.objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    # The password backend the settings list (a session naming a backend they do not list
    # is not a session: every page would be the login page).
    session[BACKEND_SESSION_KEY] = "samdrift.accounts.backends.PasswordBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


@contextlib.contextmanager
def running_server(data_dir: Path, port: int) -> Iterator[str]:
    """``samdrift runserver`` on 127.0.0.1:<port> (no reloader) until the block ends."""
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(  # noqa: S603 — our own samdrift command
        [str(BIN / "samdrift"), "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=samdrift_env(data_dir),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health/", timeout=2):  # noqa: S310 — loopback
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"the server on {base} did not start") from None
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


class Guard:
    """Collects console errors, page errors and requests to hosts other than 127.0.0.1."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def attach(self, context, page) -> None:
        def route(route):
            url = route.request.url
            if url.startswith(LOCAL_PREFIXES):
                route.continue_()
            else:
                self.problems.append(f"request to another host: {url}")
                route.abort()

        context.route("**/*", route)
        page.on(
            "console",
            lambda m: (
                self.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
            ),
        )
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
