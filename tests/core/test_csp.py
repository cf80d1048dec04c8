"""The Content-Security-Policy (issue #19): every response carries the strict policy —
pages, the API, the admin, the API docs, errors — and no page of the UI contains what the
policy refuses (inline script, event handler or style), which would silently break in a
browser. The browser side is tests/ui/browser/test_csp.py.

The policy is written out here by hand, not read from the settings, so that a loosened
setting fails the test.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.db import OperationalError
from django.test import Client, override_settings
from django.urls import path, reverse

from samdrift.core.choices import Role
from tests import factories
from tests.core.test_ui_matrix import EXPECTED, OK, ROLES, ui_pages, url_args
from tests.worlds import MatrixWorld

EXTENDED_WORLD = True  # every app's objects, as in the UI matrix

STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def policy(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{response.request['PATH_INFO']}: no Content-Security-Policy"
    directives = {}
    for part in header.split(";"):
        name, _, sources = part.strip().partition(" ")
        directives[name] = sources.strip()
    return directives


class InlineFinder(HTMLParser):
    """What a strict policy refuses in a page: ``style`` attributes, ``on…`` handlers,
    ``javascript:`` links, ``<style>`` blocks and ``<script>`` without ``src`` (a JSON
    data block, which is never run, is fine)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "style" or name.startswith(("on", "hx-on")):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in {"href", "src", "action"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value!r}>")
        values = dict(attrs)
        if tag == "style":
            self.found.append("<style>")
        if tag == "script" and not values.get("src") and values.get("type") != "application/json":
            self.found.append("<script> without src")

    handle_startendtag = handle_starttag


def inline_content(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.found


def test_the_finder_sees_what_the_policy_refuses():
    page = (
        '<p style="color:red">x</p><button onclick="go()">b</button><style>p{}</style>'
        '<script>alert(1)</script><a href="javascript:void(0)">a</a>'
        '<div hx-on:click="x()"></div><svg><rect style="fill:red"/></svg>'
        '<script src="/static/web/samdrift.js"></script>'
        '<script type="application/json" id="data">{}</script><rect fill="#fff"/>'
    )
    assert inline_content(page) == [
        "<p style='color:red'>",
        "<button onclick='go()'>",
        "<style>",
        "<script> without src",
        "<a href='javascript:void(0)'>",
        "<div hx-on:click='x()'>",
        "<rect style='fill:red'>",
    ]


def test_every_ui_page_has_the_strict_policy_and_nothing_inline(world: MatrixWorld):
    """Every page of the UI matrix the operator may open: the header, and no inline
    script, handler or style in its HTML (PDFs and files: the header only)."""
    operator = ROLES.index("operator")
    client = Client()
    client.force_login(world.users["operator"])
    args = url_args(world)
    checked, wrong = 0, []
    for name in sorted(ui_pages()):
        if EXPECTED[name][operator] != OK:
            continue
        response = client.get(reverse(name, kwargs=args.get(name)))
        assert response.status_code == OK, name
        assert policy(response) == STRICT, name
        checked += 1
        if response.get("Content-Type", "").startswith("text/html"):
            body = b"".join(response) if response.streaming else response.content
            wrong += [f"{name}: {found}" for found in inline_content(body.decode())]
    assert wrong == []
    assert checked > 100  # the walk really went through the UI


def test_the_api_admin_docs_and_sign_in_have_the_strict_policy(world: MatrixWorld):
    admin = factories.make_user(
        Role.OPERATOR, username="csp-admin", is_staff=True, is_superuser=True
    )
    client = Client()
    assert policy(client.get(reverse("login"))) == STRICT
    client.force_login(admin)
    municipality = world.municipality_a
    for url in (
        "/api/",
        "/api/schema/",
        f"/api/municipalities/{municipality.pk}/",
        "/api/docs/",
        "/api/docs/?script=",
        "/admin/",
        "/admin/organisations/municipality/",
        f"/admin/organisations/municipality/{municipality.pk}/change/",
        "/admin/organisations/municipality/add/",
    ):
        response = client.get(url, HTTP_ACCEPT="text/html,application/json")
        assert response.status_code == OK, url
        assert policy(response) == STRICT, url
    # The browsable API (outside production): nothing inline either
    # (ui/vendor_templates/rest_framework/ has DRF's templates without it).
    for url in ("/api/", f"/api/municipalities/{municipality.pk}/", "/api/persons/"):
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response["Content-Type"].startswith("text/html"), url
        assert policy(response) == STRICT, url
        assert inline_content(response.content.decode()) == [], url
    # The API docs page itself loads its script and style from files.
    docs = client.get("/api/docs/").content.decode()
    assert inline_content(docs) == []
    assert '<script src="/api/docs/?script="></script>' in docs


@pytest.mark.parametrize("status", [404, 403])
def test_error_pages_have_the_strict_policy(world: MatrixWorld, status):
    client = Client()
    client.force_login(world.users["contact_b"])
    url = (
        reverse("organisations:municipality_detail", args=[world.municipality_a.pk])
        if status == 404
        else reverse("organisations:person_create")
    )
    response = client.get(url)
    assert response.status_code == status
    assert policy(response) == STRICT


def _broken(request):
    raise RuntimeError("a bug")


def _database_gone(request):
    raise OperationalError("server closed the connection unexpectedly")


class BrokenUrls:
    """A URL configuration with pages that fail: a bug (the 500 page) and a database
    that does not answer (the 503 page)."""

    urlpatterns = [path("broken/", _broken), path("database-gone/", _database_gone)]
    handler500 = "samdrift.ui.views.server_error"  # as in samdrift.urls


@pytest.mark.parametrize(("url", "status"), [("/broken/", 500), ("/database-gone/", 503)])
def test_the_500_and_503_pages_have_the_policy_and_nothing_inline(world: MatrixWorld, url, status):
    client = Client(raise_request_exception=False)
    with override_settings(ROOT_URLCONF=BrokenUrls):
        response = client.get(url)
    assert response.status_code == status
    assert policy(response) == STRICT
    assert inline_content(response.content.decode()) == []


def test_an_install_adds_sources_but_never_the_unsafe_keywords(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from samdrift.settings import _content_security_policy

    monkeypatch.setenv(
        "SAMDRIFT_CSP_EXTRA",
        " img-src https://logo.example.no ;FORM-ACTION https://sso.example.no 'self'; ",
    )
    directives = _content_security_policy()["DIRECTIVES"]
    assert directives["img-src"] == ["'self'", "data:", "https://logo.example.no"]
    assert directives["form-action"] == ["'self'", "https://sso.example.no"]
    assert directives["script-src"] == ["'self'"]
    for extra, named in [
        ("script-src 'unsafe-inline'", "'unsafe-inline'"),
        ("script-src 'UNSAFE-EVAL'", "'UNSAFE-EVAL'"),
        ("img-src *", "*"),
        ("frame-ancestors https://example.com", "'frame-ancestors https://example.com'"),
        ("object-src https://example.com", "'object-src https://example.com'"),
        ("scripts-src https://example.com", "'scripts-src https://example.com'"),
        ("img-src", "'img-src'"),
    ]:
        monkeypatch.setenv("SAMDRIFT_CSP_EXTRA", extra)
        with pytest.raises(ImproperlyConfigured, match=re.escape(named)):
            _content_security_policy()
