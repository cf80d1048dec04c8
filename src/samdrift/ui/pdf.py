"""A print-ready HTML document as a PDF (WeasyPrint), the same HTML the page shows.

Written once here, below every app that makes documents (the agreement document in the
dashboard, the board report in gains). No network and no files: the renderer's URL
fetcher refuses every URL, so a document carries its stylesheet inline and uses the
machine's fonts.
"""

from __future__ import annotations


def render_pdf(html: str) -> bytes:
    """The PDF of ``html``; any URL in it is refused (no network, no files)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetchingError

    class NoFetching(URLFetcher):
        def fetch(self, url, headers=None):
            raise URLFetchingError(f"Refused to fetch {url}: the document is self-contained.")

    return HTML(string=html, url_fetcher=NoFetching()).write_pdf()
