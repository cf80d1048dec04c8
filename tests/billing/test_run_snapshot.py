"""A billing rerun reads one snapshot of its inputs, also while others commit.

A rerun rates every municipality, then rates those whose drafts changed again to write
them, and checks both passes agree. On PostgreSQL an import committing between the two
passes made every such run fail ("gave other charges than the first pass"), seen under
load (bench/bench_load.py, imports beside billing runs). The run's transaction is now
REPEATABLE READ there. On SQLite the run's IMMEDIATE transaction holds the write lock
from its start, so nobody commits meanwhile (settings: ``transaction_mode``)."""

from __future__ import annotations

import threading
from datetime import date as D

import pytest
from django.db import connection, connections

from samdrift.billing.models import Charge
from samdrift.billing.services.runs import bill_period
from samdrift.inventory.services import assign_asset
from tests import factories
from tests.worlds import build_small_world

MONTH = D(2025, 3, 1)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite's IMMEDIATE transactions let no one commit during a run",
    ),
]


def _new_laptop_for(world, tag: str):
    asset = factories.make_asset(world.laptop, asset_tag=tag)
    assign_asset(
        asset=asset,
        municipality=world.municipality_a,
        service_area=world.area_a,
        valid_from=D(2025, 1, 1),
    )
    return asset


def _committed_elsewhere(world, tag: str) -> None:
    """Another connection (a thread's own) adds and commits a laptop for Fjordvik."""
    try:
        _new_laptop_for(world, tag)
    finally:
        connections.close_all()


def test_a_rerun_is_not_disturbed_by_a_commit_between_its_passes():
    world = build_small_world(rows=3)
    bill_period(month=MONTH)
    _new_laptop_for(world, "CHANGED-BEFORE")  # Fjordvik's drafts change: rewritten
    committed = []

    def progress(phase, done):
        if not committed:  # once, during the first (rating) pass
            thread = threading.Thread(target=_committed_elsewhere, args=(world, "MEANWHILE"))
            thread.start()
            thread.join(timeout=30)
            committed.append(not thread.is_alive())

    bill_period(month=MONTH, progress=progress)

    assert committed == [True]
    charged = set(Charge.objects.values_list("asset__asset_tag", flat=True))
    assert "CHANGED-BEFORE" in charged
    assert "MEANWHILE" not in charged  # after the run's snapshot: the next run's
    bill_period(month=MONTH)
    assert "MEANWHILE" in set(Charge.objects.values_list("asset__asset_tag", flat=True))
