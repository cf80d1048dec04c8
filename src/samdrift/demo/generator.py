"""Run the demo steps in order, in one transaction.

Adding demo data for another app (billing runs, leases, agreements …):

1. Write ``samdrift/demo/<app>.py`` with ``def generate(ctx: DemoContext) -> None`` (the
   steps live here, in the top layer, so that no app imports the demo). Read
   what earlier steps made from ``ctx`` (``ctx.municipalities``, ``ctx.service_areas``,
   ``ctx.products``, ``ctx.services``, ``ctx.persons`` …, see ``demo/context.py``) or from
   the database; draw randomness only from ``ctx.rng("<app>", …)`` so the data stays the
   same for the same seed; use ``ctx.today`` rather than ``date.today()``.
2. Write small tables with ``bulk_create`` + ``record_bulk_changes``; big ones with
   ``samdrift.demo.bulk.insert_rows`` (ids from ``ctx.ids.take``), list them in
   ``BULK_LOADED`` below, and log one ``ctx.summary(...)`` per batch.
3. Add one ``Step`` line to ``STEPS`` below, after the steps it reads from.

tests/demo checks every step's output for the small size on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime
import importlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from samdrift.core import statistics
from samdrift.demo.bulk import foreign_keys_checked_at_end, reset_sequences
from samdrift.demo.context import SIZES, DemoContext


@dataclass(frozen=True)
class Step:
    """One named part of the demo data, ``"module:function"`` taking the context."""

    name: str
    target: str

    def load(self) -> Callable[[DemoContext], None]:
        module_name, _, function_name = self.target.partition(":")
        return getattr(importlib.import_module(module_name), function_name)


# The order matters: each step may use what the steps before it made.
STEPS: list[Step] = [
    Step("organisations", "samdrift.demo.organisations:generate"),
    Step("catalogue", "samdrift.demo.catalogue:generate"),
    Step("people", "samdrift.demo.people:generate"),
    Step("inventory", "samdrift.demo.inventory:generate"),
    Step("subscriptions", "samdrift.demo.subscriptions:generate"),
    Step("usage", "samdrift.demo.usage:generate"),
    Step("buyouts", "samdrift.demo.buyouts:generate"),
    # Before billing: last month's approved SLA credit goes on this month's invoice.
    Step("servicedesk", "samdrift.demo.servicedesk:generate"),
    # Before ordering: the orders are placed and approved as the demo's logins.
    Step("logins", "samdrift.demo.logins:generate"),
    # Before billing: the deliveries and their installation fees are billed.
    Step("ordering", "samdrift.demo.ordering:generate"),
    # Before billing: the campaign's replacements of this month are on its draft invoice
    # (after ordering: a few replacements are on order).
    Step("planning", "samdrift.demo.planning:generate"),
    Step("billing", "samdrift.demo.billing:generate"),
    Step("solutions", "samdrift.demo.solutions:generate"),
    # After billing (the comparison of common and separate needs issued invoices) and
    # solutions (the actions link them).
    Step("gains", "samdrift.demo.gains:generate"),
    # Last: the scenarios forecast from everything above (the cost pools are billing's).
    Step("scenarios", "samdrift.demo.planning:generate_scenarios"),
    # After every assignment: the day the holders were last checked, written down.
    Step("holders", "samdrift.demo.inventory:settle_holders"),
    # After every asset: the overview's fleet figures, counted once (planning.figures).
    Step("figures", "samdrift.demo.planning:generate_figures"),
]


# Tables the steps fill with ``insert_rows`` by the hundred thousand: on PostgreSQL their
# foreign keys are checked once, at the end, instead of row by row (see bulk.py).
BULK_LOADED = [
    "organisations.Person",
    "inventory.Asset",
    "inventory.Assignment",
    "inventory.Subscription",
    "inventory.UsageRecord",
]


def bulk_loaded_models() -> list:
    from django.apps import apps

    return [apps.get_model(label) for label in BULK_LOADED]


def generate(
    *,
    size: str = "small",
    seed: int = 1,
    today: datetime.date | None = None,
    password: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoContext:
    """Fill an empty database with demo data; returns the context (counts, logins, token).

    The same ``size``, ``seed`` and ``today`` always give the same data (only the logins'
    password and API token differ unless a password is given). Everything is written in one
    transaction: on any error nothing is left behind.

    The change log gets one summary row per generated batch (``record_summary``) for the
    big tables rather than a row per object: a row per object would double the database and
    the time to build it (millions of rows for the large size) and tell nobody anything;
    the summary says what was generated, by whom and when, per municipality. The small
    reference tables (municipalities, catalogue, prices) are logged object by object.
    """
    if settings.PRODUCTION:
        raise ImproperlyConfigured(
            "Demo data is never generated in production (SAMDRIFT_ENV=production)."
        )
    if size not in SIZES:
        raise ValueError(f"Unknown demo size {size!r}; choose one of {', '.join(SIZES)}.")
    ctx = DemoContext(
        size=SIZES[size],
        seed=seed,
        today=today or datetime.date.today(),
        password=password or secrets.token_urlsafe(9),
        progress=progress or (lambda message: None),
    )
    with transaction.atomic(), foreign_keys_checked_at_end(bulk_loaded_models()):
        for step in STEPS:
            started = time.perf_counter()
            step.load()(ctx)
            ctx.progress(f"{step.name:<14} {time.perf_counter() - started:6.1f} s")
        started = time.perf_counter()
        reset_sequences(ctx.ids.models())
    # PostgreSQL checks the (deferred) foreign keys of every row at commit.
    ctx.progress(f"{'commit':<14} {time.perf_counter() - started:6.1f} s")
    # Without statistics SQLite's planner picks a municipality-wide index where a
    # person's or an asset's own is far narrower (core.statistics).
    started = time.perf_counter()
    statistics.refresh()
    ctx.progress(f"{'statistics':<14} {time.perf_counter() - started:6.1f} s")
    return ctx
