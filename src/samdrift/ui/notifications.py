"""What needs a user's attention, for the home page: a registry filled from below.

The dashboard sits above every app, but it should not know what each app counts. So each
app registers its providers from its ``AppConfig.ready()``
(``<app>.notifications.register()``, one call), and the home page asks
``collect(user, today, shared)`` for the notifications of the signed-in user:

- ``register(key, provider, order=100)``: ``provider(user, today, shared)`` returns a
  ``Notification`` or ``None`` (nothing for this user's role). ``shared`` is what the
  home page has already computed and offers (e.g. the overdue card and the replacement
  rules), so a provider does not count it again.
- A provider answers with one cheap query at most (a count through the list it links
  to) and none when the user's role has nothing to do there; the home page's query
  count is pinned (tests/ui/test_queries.py).
- ``collect`` drops notifications whose count is zero: only what needs attention shows.

Every count starts from ``core.permissions.restrict`` (directly or through the list's
FilterSet, ``ui.cards.card``), so it is the number of rows the link opens for this user.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

INFO = "info"
WARNING = "warning"
SEVERITIES = (INFO, WARNING)


@dataclass(frozen=True)
class Notification:
    """``count`` things (``label`` says what) that the list at ``url`` shows."""

    label: str
    count: int
    url: str
    severity: str = INFO
    key: str = ""


Provider = Callable[[Any, datetime.date, dict], "Notification | None"]


@dataclass(frozen=True)
class _Entry:
    key: str
    provider: Provider
    order: int


_providers: dict[str, _Entry] = {}


def register(key: str, provider: Provider, *, order: int = 100) -> None:
    """Ask ``provider`` on the home page; ``key`` names it (registering again replaces)."""
    _providers[key] = _Entry(key, provider, order)


def registered() -> list[str]:
    return [entry.key for entry in sorted(_providers.values(), key=lambda e: (e.order, e.key))]


def collect(user, today: datetime.date, shared: dict | None = None) -> list[Notification]:
    """The notifications for ``user`` on ``today`` with a count above zero, in order."""
    found = []
    for entry in sorted(_providers.values(), key=lambda e: (e.order, e.key)):
        notification = entry.provider(user, today, shared or {})
        if notification is not None and notification.count > 0:
            found.append(
                Notification(
                    label=notification.label,
                    count=notification.count,
                    url=notification.url,
                    severity=notification.severity,
                    key=entry.key,
                )
            )
    return found
