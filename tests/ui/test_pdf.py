"""The PDF renderer's URL fetcher (ui/pdf.py): a document's stylesheet is one of our
static files (the Content-Security-Policy allows no inline <style>), so the fetcher serves
those — and nothing else: no other host, no file outside the static directories, no
kind of file a document has no use for."""

from __future__ import annotations

from pathlib import Path

import pytest

import samdrift
from samdrift.ui import pdf
from samdrift.ui.pdf import static_file_for

SOURCE = Path(samdrift.__file__).parent
BASE = "https://samdrift.invalid"


@pytest.mark.parametrize(
    ("url", "file"),
    [
        (f"{BASE}/static/billing/invoice_print.css", "billing/static/billing/invoice_print.css"),
        (f"{BASE}/static/gains/board_report.css", "gains/static/gains/board_report.css"),
        (f"{BASE}/static/web/favicon.svg", "ui/static/web/favicon.svg"),
        # A harmless detour inside the static tree still lands on the same file.
        (f"{BASE}/static/web/x/../samdrift.css", "ui/static/web/samdrift.css"),
    ],
)
def test_our_static_files_are_served(url, file):
    assert static_file_for(url) == SOURCE / file


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/static/web/samdrift.css",  # another host
        "http://samdrift.invalid/static/web/samdrift.css",  # another scheme
        "file:///etc/passwd",
        f"{BASE}/static/../settings.py",
        f"{BASE}/static/%2e%2e/%2e%2e/settings.py",
        f"{BASE}/static/web/../../../../../../etc/passwd",
        f"{BASE}/static//etc/passwd.css",
        f"{BASE}/admin/",  # a page, not a static file
        f"{BASE}/static/web/samdrift.js",  # a script: no use in a document
        f"{BASE}/static/web/samdrift.css?x=1",
        f"{BASE}/static/web/missing.css",
        "data:text/css,body{}",
    ],
)
def test_anything_else_is_refused(url):
    assert static_file_for(url) is None


def test_a_document_gets_its_stylesheet_and_nothing_from_elsewhere(monkeypatch):
    asked = {}
    real = pdf.static_file_for

    def recording(url):
        asked[url] = real(url)
        return asked[url]

    monkeypatch.setattr(pdf, "static_file_for", recording)
    html = (
        '<html><head><link rel="stylesheet" href="/static/billing/invoice_print.css">'
        '<link rel="stylesheet" href="https://example.com/evil.css"></head>'
        '<body><p>Invoice</p><img src="/media/secret.png"></body></html>'
    )
    assert pdf.render_pdf(html).startswith(b"%PDF")
    assert asked == {
        f"{BASE}/static/billing/invoice_print.css": SOURCE
        / "billing/static/billing/invoice_print.css",
        "https://example.com/evil.css": None,
        f"{BASE}/media/secret.png": None,
    }
