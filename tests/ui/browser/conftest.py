"""Browser tests: Playwright driving Debian's chromium, headless, against live_server.

Each page gets a guard that fails the test on a console error, an uncaught page error, a
Content-Security-Policy violation (the app's strict policy is on in every mode), or any
request to a host other than 127.0.0.1 (such requests are also blocked). Without
/usr/bin/chromium the tests are skipped with a clear reason — except in CI (env CI set),
where a missing browser is a failure.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct horse battery staple"  # what tests/factories.make_user sets

# The live server must answer on 127.0.0.1 (not "localhost"): the guard allows only it.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")
# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
# itself (building data, checking results) are still synchronous and safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/ui/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@dataclass
class Guard:
    """What went wrong in the browser: console errors, page errors, foreign requests."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    expected_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    def route(self, route):
        url = route.request.url
        parsed = urlparse(url)
        if parsed.scheme in {"data", "blob", "about"}:
            route.continue_()
            return
        self.requests.append(url)
        if parsed.hostname != "127.0.0.1":
            self.foreign_requests.append(url)
            route.abort()
            return
        route.continue_()

    def on_console(self, message):
        if message.type == "error":
            text = message.text
            if any(expected in text for expected in self.expected_errors):
                return
            self.console_errors.append(text)

    def on_page_error(self, error):
        self.page_errors.append(str(error))

    def on_csp_violation(self, _source, violation: dict) -> None:
        self.csp_violations.append(
            "{page}: {directive} refused {blocked} ({where}) {sample}".format(**violation)
        )

    def expect_error(self, text: str) -> None:
        """Allow a console error containing ``text`` (e.g. the 404 of a forbidden URL)."""
        self.expected_errors.append(text)

    def check(self) -> None:
        assert not self.csp_violations, f"Content-Security-Policy violations: {self.csp_violations}"
        assert not self.foreign_requests, f"requests to other hosts: {self.foreign_requests}"
        assert not self.page_errors, f"page errors: {self.page_errors}"
        assert not self.console_errors, f"console errors: {self.console_errors}"


# Per module, not per session: while Playwright's sync API runs, the test database
# fixtures of later tests in the same worker left a PostgreSQL session open behind them
# (seen as "database is being accessed by other users" when the test database is dropped).
@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        reason = f"browser tests skipped: {CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing and CI never skips browser tests.")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def guard() -> Guard:
    return Guard()


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, stopped before the test database is torn down: its
    thread's connection would otherwise keep the PostgreSQL test database busy, and
    dropping it would fail ("is being accessed by other users")."""
    return live_server


# Every document (and frame) reports each policy violation to the guard: the browser's
# own console line says little, and a violation of a style (not a script) may not be an
# error there at all.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.__samdriftCspViolation({
    page: document.location.pathname + document.location.search,
    directive: event.effectiveDirective,
    blocked: event.blockedURI || "inline",
    where: (event.sourceFile || "") + ":" + event.lineNumber,
    sample: event.sample || "",
  });
});
"""


@pytest.fixture
def page(browser, live_server, guard):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    context.route("**/*", guard.route)
    context.expose_binding("__samdriftCspViolation", guard.on_csp_violation)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    page.on("console", guard.on_console)
    page.on("pageerror", guard.on_page_error)
    page.base_url = live_server.url
    yield page
    context.close()
    guard.check()


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{page.base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].primary")
    page.wait_for_selector("[data-testid=who]")
