"""Test helpers for confirmations (``samdrift.ui.confirm``): read the confirmation page's
form as a browser would, and send it."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    """The action and the fields of the form marked ``data-testid="confirm-form"``."""

    def __init__(self):
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._inside = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and attributes.get("data-testid") == "confirm-form":
            self.action, self._inside = attributes.get("action"), True
        elif tag == "input" and self._inside and attributes.get("name"):
            self.fields[attributes["name"]] = attributes.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._inside = False


def confirmation_form(response) -> tuple[str, dict[str, str]]:
    """(action URL, fields) of the confirmation in ``response``; fails if it offers none."""
    assert response.status_code == 200, response.content.decode()[:2000]
    reader = _FormReader()
    reader.feed(response.content.decode())
    assert reader.action, "the page offers no confirmation form"
    return reader.action, reader.fields


def confirm(client, url: str, params: dict | None = None, *, follow: bool = True):
    """Open the confirmation at ``url`` (GET, with ``params``) and confirm it."""
    action, fields = confirmation_form(client.get(url, params or {}))
    return client.post(action, fields, follow=follow)
