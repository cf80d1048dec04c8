"""Who is making a change right now.

Every change is logged with its actor, whether it comes from a web request, the API, the
CLI, an import or a background job. The actor is carried in a context variable, set by
``ActorMiddleware`` for requests and by ``acting_as`` everywhere else, so the change log
never depends on there being a request.
"""

from __future__ import annotations

import getpass
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from samdrift.core.models import User


@dataclass
class Actor:
    """The user (if any) and a label saying through which channel a change came."""

    label: str
    user: User | None = None
    request: Any = None
    message: str = ""
    request_id: uuid.UUID = field(default_factory=uuid.uuid4)

    def resolved_user(self) -> User | None:
        # DRF authenticates tokens inside the view, after the middleware ran, and then
        # sets request.user; reading it at write time picks up token users too.
        if self.user is not None:
            return self.user
        if self.request is not None:
            user = getattr(self.request, "user", None)
            if user is not None and user.is_authenticated:
                return user
        return None

    def describe(self) -> str:
        user = self.resolved_user()
        if user is not None and self.label in {"web", "api"}:
            return user.get_username()
        if user is not None:
            return f"{self.label}:{user.get_username()}"
        return self.label


SYSTEM = Actor(label="system")
_current: ContextVar[Actor | None] = ContextVar("samdrift_actor", default=None)


def current_actor() -> Actor:
    return _current.get() or SYSTEM


@contextmanager
def acting_as(
    user: User | None = None, *, label: str | None = None, request: Any = None, message: str = ""
) -> Iterator[Actor]:
    """Attribute every change made inside the block to this actor."""
    actor = Actor(
        label=label or ("web" if request is not None else "system"),
        user=user,
        request=request,
        message=message,
    )
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


@contextmanager
def with_message(message: str) -> Iterator[Actor]:
    """The current actor (same user, channel and request id), with ``message`` on every
    change recorded inside the block: the reason for a correction, say."""
    actor = replace(current_actor(), message=message)
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def cli_actor_label() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"
