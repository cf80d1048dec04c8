"""The navigation bar: domain sections, each with the pages registered for it.

An app adds its pages from its ``AppConfig.ready()``::

    from samdrift.ui.navigation import register
    register(section="billing", label=_("Invoices"), url_name="billing:invoice_list",
             visible=lambda user: user.role in {...})

A section appears only when at least one of its pages exists (its URL name resolves) and
the user may see it, so no empty placeholder pages are needed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# (key, label) in the order they appear in the bar.
SECTIONS: list[tuple[str, Any]] = [
    ("overview", _("Overview")),
    ("municipalities", _("Municipalities")),
    ("inventory", _("Inventory")),
    ("catalogue", _("Catalogue")),
    # "Ordering" is also the sorting of a list elsewhere: the context keeps them apart.
    ("ordering", pgettext_lazy("navigation section", "Ordering")),
    ("billing", _("Billing")),
    ("agreements", _("Agreements")),
    ("service", _("Service levels")),
    ("solutions", _("Solutions")),
    ("planning", _("Planning")),
    ("gains", _("Gains")),
]


@dataclass(frozen=True)
class NavItem:
    """One page in a section. ``kwargs`` builds URL arguments from the user (or None to hide)."""

    section: str
    label: Any
    url_name: str
    visible: Callable[[Any], bool] | None = None
    kwargs: Callable[[Any], dict[str, Any] | None] | None = None
    order: int = 100


_items: list[NavItem] = []


def sees_all(user) -> bool:
    """``visible=``: a page for those who see every municipality (operators, finance …)."""
    return user.sees_all_municipalities


def own_municipality(user) -> dict[str, Any] | None:
    """``kwargs=``: a page about the user's own municipality (hidden for the others)."""
    if user.sees_all_municipalities or not user.municipality_id:
        return None
    return {"pk": user.municipality_id}


def register(
    *,
    section: str,
    label: Any,
    url_name: str,
    visible: Callable[[Any], bool] | None = None,
    kwargs: Callable[[Any], dict[str, Any] | None] | None = None,
    order: int = 100,
) -> None:
    """Add a page to a section of the navigation (idempotent per section and URL name)."""
    if section not in {key for key, _label in SECTIONS}:
        raise ValueError(f"Unknown navigation section {section!r}.")
    item = NavItem(section, label, url_name, visible, kwargs, order)
    _items[:] = [i for i in _items if (i.section, i.url_name) != (section, url_name)]
    _items.append(item)


def _url(item: NavItem, user) -> str | None:
    if item.visible is not None and not item.visible(user):
        return None
    kwargs = item.kwargs(user) if item.kwargs is not None else None
    if item.kwargs is not None and kwargs is None:
        return None
    try:
        return reverse(item.url_name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def navigation_for(request) -> list[dict[str, Any]]:
    """The sections and pages this user may see, with the current one marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    path = request.path
    sections = []
    best: tuple[int, dict | None, dict | None] = (-1, None, None)
    for key, label in SECTIONS:
        items = []
        for item in sorted((i for i in _items if i.section == key), key=lambda i: i.order):
            url = _url(item, user)
            if url is None:
                continue
            entry = {"label": item.label, "url": url, "active": False}
            items.append(entry)
        if not items:
            continue
        section = {"key": key, "label": label, "url": items[0]["url"], "items": items}
        sections.append(section)
        for entry in items:
            url = entry["url"]
            matches = path == url if url == "/" else path.startswith(url)
            if matches and len(url) > best[0]:
                best = (len(url), section, entry)
    _length, section, entry = best
    if section is None:
        section, entry = _nearest(path, sections)
    if section is not None:
        section["active"] = True
        entry["active"] = True
    return sections


def _nearest(path: str, sections: list[dict[str, Any]]) -> tuple[dict | None, dict | None]:
    """The page sharing most leading path segments with ``path``, when no page's URL is a
    prefix of it: a municipality's contact on ``/municipalities/`` (the list of their own
    one) is in "My municipality" (``/municipalities/35/``), not nowhere."""
    wanted = [part for part in path.split("/") if part]
    best: tuple[int, dict | None, dict | None] = (0, None, None)
    for section in sections:
        for entry in section["items"]:
            parts = [part for part in entry["url"].split("/") if part]
            shared = 0
            for mine, theirs in zip(wanted, parts, strict=False):
                if mine != theirs:
                    break
                shared += 1
            if shared > best[0]:
                best = (shared, section, entry)
    return best[1], best[2]
