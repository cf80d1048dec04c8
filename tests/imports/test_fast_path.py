"""The import's fast write path (its own transaction: on SQLite without per-row
foreign-key enforcement, on PostgreSQL with the keys checked per COPY) gives exactly
what the checked path gives (an import inside a caller's transaction, keys enforced as
Django declares them): the same errors for bad rows, the same rows and change log for
good ones. And the signal for maintained summaries is sent once per written import."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from samdrift.core.importing import run_import
from samdrift.core.importing.run import import_written
from samdrift.core.models import ObjectChange
from samdrift.imports.registry import importer_class
from samdrift.inventory.models import Asset, Assignment
from samdrift.organisations.models import Location, Person
from tests.factories import csv_bytes
from tests.worlds import build_importing_world

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = [
    "Asset Tag",
    "Serial",
    "Name",
    "Category",
    "Model",
    "Status",
    "Checked Out To: Username",
    "Location",
    "Purchase Date",
    "Purchase Cost",
    "Warranty",
]
ON = datetime.date(2026, 1, 5)


def generated(prefix: str, count: int, *, bad: bool = False) -> list[list[str]]:
    """``count`` asset rows (tags and serials behind ``prefix``); with ``bad``, four
    rows each wrong in its own way."""
    rows = [HEADER]
    for n in range(count):
        held = n % 4 != 3
        rows.append(
            [
                f"{prefix}{n:05d}",
                f"SN{prefix}{n:07d}",
                f"PC-{n:05d}",
                "Laptop",
                "ThinkPad T14" if n % 2 else "X",
                "Deployed" if held else "Ready to Deploy",
                f"user{n % 13}" if held else "",
                f"Skole {n % 5}" if held else "",
                f"{1 + n % 28:02d}.03.2024",
                f"{1000 + n},50",
                "36",
            ]
        )
    if bad:
        rows[3][5] = "Blah"  # a status nobody knows
        rows[5][8] = "31.02.2024"  # no such day
        rows[7][0] = rows[6][0]  # a tag twice
        rows[9][5] = "Archived"  # checked out, but out of service
    return rows


def run(municipality, rows, *, checked: bool, **options):
    def go():
        return run_import(
            importer=importer_class("assets"),
            data=csv_bytes(rows),
            filename="assets.csv",
            municipality=municipality,
            on=ON,
            **options,
        )

    if checked:
        with transaction.atomic():  # a caller's transaction: keys enforced row by row
            return go()
    return go()


def errors(result, prefix):
    return [(e.line, e.column, e.message.replace(prefix, "#")) for e in result.errors]


def snapshot(municipality, prefix):
    """What the import left for ``municipality``, with the prefix and ids taken out."""

    def strip(text):
        return text.replace(prefix, "#") if text else text

    assets = sorted(
        (
            strip(a.asset_tag),
            strip(a.serial_number),
            a.name,
            a.status,
            a.product.name,
            a.person.username if a.person else None,
            a.location.name if a.location else None,
            a.acquisition_date,
            a.planned_replacement,
            a.warranty_end,
        )
        for a in Asset.objects.filter(asset_tag__startswith=prefix).select_related(
            "product", "person", "location"
        )
    )
    assignments = sorted(
        (strip(a.asset.asset_tag), a.person.username, a.location.name, a.valid_from, a.valid_to)
        for a in Assignment.objects.filter(municipality=municipality).select_related(
            "asset", "person", "location"
        )
    )
    persons = sorted(
        (p.username, p.first_name, p.active_from)
        for p in Person.objects.filter(municipality=municipality)
    )
    imported = Location.objects.filter(municipality=municipality, name__startswith="Skole")
    locations = sorted(imported.values_list("name", flat=True))
    # An assignment's text names ids, which differ: its kind and action only.
    changes = sorted(
        (
            c.content_type.model,
            c.action,
            "" if c.content_type.model == "assignment" else strip(c.object_repr),
        )
        for c in ObjectChange.objects.filter(
            municipality=municipality,
            content_type__model__in=["asset", "assignment", "person", "location"],
        )
        .exclude(object_repr="Rådhuset")
        .select_related("content_type")
    )
    return assets, assignments, persons, locations, changes


def foreign_keys_off_statements(queries) -> int:
    return sum("foreign_keys = OFF" in q["sql"] for q in queries)


def test_the_fast_path_refuses_bad_rows_as_the_checked_path_does(municipality_a, municipality_b):
    build_importing_world(municipality_a)
    checked = run(municipality_a, generated("A-", 40, bad=True), checked=True)
    fast = run(municipality_b, generated("B-", 40, bad=True), checked=False)
    assert not checked.ok and not fast.ok
    assert len(checked.errors) >= 4
    assert errors(fast, "B-") == errors(checked, "A-")
    assert not Asset.objects.exists()
    assert not Person.objects.exists()


def test_the_fast_path_writes_what_the_checked_path_writes(municipality_a, municipality_b):
    build_importing_world(municipality_a)
    checked = run(municipality_a, generated("A-", 120), checked=True)
    with CaptureQueriesContext(connection) as queries:
        fast = run(municipality_b, generated("B-", 120), checked=False)
    assert checked.ok and fast.ok, (checked.errors, fast.errors)
    assert fast.created == checked.created == 120
    fast_state = snapshot(municipality_b, "B-")
    assert fast_state == snapshot(municipality_a, "A-")
    assets, assignments, persons, locations, changes = fast_state
    assert len(assets) == 120
    assert len(assignments) == 90  # three rows in four are checked out
    assert len(persons) == 13 and len(locations) == 5
    # Every new row has its change-log row, under the municipality when it has one: the
    # 90 held assets (the 30 in stock are no municipality's), their 90 assignments, 13
    # persons, 5 locations; and the import's summary row.
    assert len(changes) == 90 + 90 + 13 + 5 + 1
    stock = ObjectChange.objects.filter(
        municipality=None, content_type__model="asset", object_repr__startswith="B-"
    )
    assert stock.count() == 30
    if connection.vendor == "sqlite":
        # The fast path did run, and left the keys enforced behind it.
        assert foreign_keys_off_statements(queries.captured_queries) == 1
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone()[0] == 1
    # Re-importing the same file writes nothing, on either path.
    before = ObjectChange.objects.count()
    again = run(municipality_b, generated("B-", 120), checked=False)
    assert again.ok and again.unchanged == 120 and again.created == 0
    assert ObjectChange.objects.count() == before


def test_the_checked_path_keeps_the_keys_enforced(municipality_a):
    build_importing_world(municipality_a)
    with CaptureQueriesContext(connection) as queries:
        result = run(municipality_a, generated("A-", 10), checked=True)
    assert result.ok
    assert foreign_keys_off_statements(queries.captured_queries) == 0


def test_the_refresh_signal_is_sent_once_per_written_import(municipality_a):
    build_importing_world(municipality_a)
    sent = []

    def receiver(sender, **kwargs):
        sent.append((sender.kind, kwargs["kind"], kwargs["municipality_ids"]))

    import_written.connect(receiver)
    try:
        run(municipality_a, generated("A-", 10), checked=False, dry_run=True)
        assert sent == []  # a dry run writes nothing
        run(municipality_a, generated("A-", 10), checked=False)
        assert sent == [("assets", "assets", [municipality_a.pk])]
        run(municipality_a, generated("A-", 10), checked=False)  # unchanged: nothing written
        assert len(sent) == 1
    finally:
        import_written.disconnect(receiver)
