"""The one call every writer of assets makes: ``assets_changed(municipality_ids=…)``.

The overview's figures (the fleet by category and status, its age, what falls due when,
leases ending) are kept in a summary table that the pages sum instead of scanning a
million assets per request (``planning.figures``, docs/performance.md). The summary
must change in the same transaction as the assets, so every service that creates an
asset, changes its status, dates or holder calls this function with the municipalities
it touched (``None`` for the unassigned pool) — after the writes, inside its
transaction.

The summary lives above inventory (its due dates come from planning's replacement rules),
so inventory cannot call it directly: the summary's owner registers a listener from its
``AppConfig.ready()`` (``register``), as the home page's notifications are registered
from below.

What is held in force today (assignments, subscriptions, own prices of bought-out
assets) is kept the same way for the monthly cost (``planning.holdings``): its
listeners hear every ``assets_changed`` and also ``holdings_changed``, the call of
writers that change holdings without changing an asset (subscriptions, persons leaving,
buyouts' own prices).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

Listener = Callable[..., None]

_listeners: list[Listener] = []
_holding_listeners: list[Listener] = []


def register(listener: Listener) -> None:
    """Call ``listener(municipality_ids=set)`` after every change of assets."""
    if listener not in _listeners:
        _listeners.append(listener)


def register_holdings(listener: Listener) -> None:
    """Call ``listener(municipality_ids=set)`` after every change of what is held:
    ``assets_changed`` and ``holdings_changed``."""
    if listener not in _holding_listeners:
        _holding_listeners.append(listener)


_category_counts: list[Callable[..., list[dict]]] = []


def register_category_counts(reader: Callable[..., list[dict]]) -> None:
    """``reader(user=, municipality_id=)`` answers the municipality page's assets per
    category from the kept figures (planning's), instead of a grouping over the
    municipality's assets."""
    if reader not in _category_counts:
        _category_counts.append(reader)


def category_counts(*, user, municipality_id: int) -> list[dict] | None:
    """[{"product__category__name", "n"}] by name from the registered reader; None
    without one (the caller groups the assets itself)."""
    for reader in _category_counts:
        return reader(user=user, municipality_id=municipality_id)
    return None


def assets_changed(*, municipality_ids: Iterable[int | None]) -> None:
    """Assets of these municipalities (``None``: held by nobody) were created or changed:
    bring what is kept about them up to date. Call it inside the writing transaction."""
    ids = set(municipality_ids)
    if not ids:
        return
    for listener in _listeners + _holding_listeners:
        listener(municipality_ids=ids)


def holdings_changed(*, municipality_ids: Iterable[int | None]) -> None:
    """What these municipalities hold changed without an asset changing (a subscription,
    an asset's own price, a person leaving): inside the writing transaction."""
    ids = set(municipality_ids)
    if not ids:
        return
    for listener in _holding_listeners:
        listener(municipality_ids=ids)


# Saves outside the services ---------------------------------------------------------------
# The services call ``assets_changed`` themselves, with the municipality an asset left as
# well as the one it joined. An asset saved or deleted through the ORM elsewhere (the
# admin, a shell, a test's factory) is caught by the model's signals instead, for the
# municipality it is held by; bulk ``update()`` and raw inserts send no signal, so their
# callers must call ``assets_changed`` (the services, imports and the demo do).

_kept_by_caller: ContextVar[bool] = ContextVar("figures_kept_by_caller", default=False)


def keeps_figures(function: F) -> F:
    """For a service that calls ``assets_changed`` itself: the saves it makes on the way
    do not each count the municipality again."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        token = _kept_by_caller.set(True)
        try:
            return function(*args, **kwargs)
        finally:
            _kept_by_caller.reset(token)

    return wrapper  # type: ignore[return-value]


def asset_saved(sender, instance, **kwargs) -> None:
    """``post_save`` / ``post_delete`` of ``Asset`` (connected in ``InventoryConfig``)."""
    if not _kept_by_caller.get():
        assets_changed(municipality_ids={instance.municipality_id})
