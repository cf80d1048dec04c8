"""A print-ready HTML document as a PDF (WeasyPrint), the same HTML the page shows.

Written once here, below every app that makes documents (the agreement document in the
dashboard, the board report in gains, the invoice in billing). No network: the
renderer's URL fetcher serves only our own static files (a document's stylesheet, which
lives in a file because the Content-Security-Policy allows no inline ``<style>``), read
from the app directories; every other URL is refused. Fonts are the machine's.
"""

from __future__ import annotations

import mimetypes
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

# What a document's relative URLs (``/static/…``) are resolved against: a name that can
# never be a real host (RFC 2606), so nothing can be fetched from it by mistake.
BASE_URL = "https://samdrift.invalid/"
# Only what a document's look needs; never a page, never data.
SERVED_SUFFIXES = frozenset({".css", ".svg", ".png", ".woff", ".woff2", ".ttf"})


def static_file_for(url: str) -> Path | None:
    """The file behind ``url`` if it is one of our own static files, else None.

    ``url`` is as WeasyPrint asks for it: ``{% static %}``'s path made absolute against
    ``BASE_URL``. A path that climbs out (``..``), another host or scheme, a query, or a
    kind of file a document has no use for is refused.
    """
    from django.contrib.staticfiles import finders
    from django.templatetags.static import static

    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}/" != BASE_URL or parts.query:
        return None
    prefix = urlsplit(static("")).path  # "/static/", after any script prefix
    path = unquote(parts.path)
    if not path.startswith(prefix):
        return None
    relative = posixpath.normpath(path[len(prefix) :])
    if relative.startswith(("..", "/")) or Path(relative).suffix not in SERVED_SUFFIXES:
        return None
    found = finders.find(relative)
    return Path(found) if isinstance(found, str) else None


def render_pdf(html: str) -> bytes:
    """The PDF of ``html``; its stylesheets come from our static files, any other URL is
    refused (no network, no other files)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

    class StaticFilesOnly(URLFetcher):
        def fetch(self, url, headers=None):
            path = static_file_for(url)
            if path is None:
                raise URLFetchingError(f"Refused to fetch {url}: not one of our static files.")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                url, body=path.read_bytes(), headers={"Content-Type": content_type}
            )

    return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly()).write_pdf()
