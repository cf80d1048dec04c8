"""core.bulk (fast inserts, the import's writing thread) and record_bulk_changes, which
writes the change log of every bulk write through it: the same rows as the signals."""

from __future__ import annotations

import copy
import datetime
import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from samdrift.core import inserting as bulk
from samdrift.core.actor import acting_as
from samdrift.core.changelog import changes_for, record_bulk_changes
from samdrift.core.choices import ChangeAction
from samdrift.core.inserting import Insert, background_writing, copy_lines, copy_text
from samdrift.core.models import ObjectChange
from samdrift.leasing.models import AssetPrice
from samdrift.organisations.models import Location
from tests import factories

pytestmark = pytest.mark.django_db

COMPARED = (
    "user_id",
    "actor",
    "request_id",
    "action",
    "content_type_id",
    "object_id",
    "object_repr",
    "municipality_id",
    "service_area_id",
    "prechange_data",
    "postchange_data",
    "message",
)


def row(change: ObjectChange) -> dict:
    return {name: getattr(change, name) for name in COMPARED}


def newest(instance) -> ObjectChange:
    return changes_for(instance).order_by("-id").first()


def price_of(municipality, area, **fields) -> AssetPrice:
    asset = factories.make_asset(municipality=municipality, service_area=area)
    values = {
        "asset": asset,
        "valid_from": datetime.date(2026, 1, 1),
        "amount": Decimal("120.50"),
        "capital_part": Decimal("100.00"),
        "service_fee": Decimal("20.50"),
        "note": "Første\ttab, ny\nlinje \\ og «sitat»",
        **fields,
    }
    return AssetPrice.objects.create(**values)


def test_bulk_logging_writes_what_the_signals_write(municipality_a, service_area_a, operator):
    """Create, update and delete of one object, logged by the signals and again by
    record_bulk_changes: the same row (but its id and time). The price's municipality
    is found through its asset ("asset__municipality"), which is not loaded here."""
    with acting_as(operator, label="test", message="checking"):
        price = price_of(municipality_a, service_area_a)
        fresh = AssetPrice.objects.get(pk=price.pk)  # the asset not loaded
        by_signal = row(newest(price))
        record_bulk_changes([fresh], action=ChangeAction.CREATE)
        assert row(newest(price)) == by_signal

        before = fresh.changelog_data()
        fresh.amount = Decimal("99.00")
        fresh.valid_to = datetime.date(2026, 6, 1)
        fresh.save()
        by_signal = row(newest(price))
        record_bulk_changes(
            [AssetPrice.objects.get(pk=price.pk)], action=ChangeAction.UPDATE, before=[before]
        )
        assert row(newest(price)) == by_signal
        assert by_signal["prechange_data"]["amount"] == "120.50"
        assert by_signal["postchange_data"]["amount"] == "99.00"

        gone = copy.copy(fresh)
        state = gone.changelog_data()
        fresh.delete()
        by_signal = row(newest(gone))
        record_bulk_changes([gone], action=ChangeAction.DELETE, before=[state])
        assert row(newest(gone)) == by_signal
    assert by_signal["municipality_id"] == municipality_a.pk
    assert by_signal["service_area_id"] == service_area_a.pk
    assert by_signal["actor"] == "test:operator" and by_signal["message"] == "checking"


def test_the_tenant_of_many_objects_is_read_in_one_query(
    municipality_a, service_area_a, django_assert_max_num_queries
):
    prices = [price_of(municipality_a, service_area_a) for _ in range(30)]
    fresh = list(AssetPrice.objects.filter(pk__in=[p.pk for p in prices]))
    with django_assert_max_num_queries(4):  # content type, assets, the insert
        assert record_bulk_changes(fresh, action=ChangeAction.CREATE) == 30
    for price in prices:
        assert newest(price).municipality_id == municipality_a.pk


def test_many_rows_go_in_order_and_whole_through_multi_row_statements(municipality_a, monkeypatch):
    """SQLite writes many rows several to a statement (here 3, from 5 rows on); the
    change rows keep the objects' order, the last ones (7 = 2 × 3 + 1) included."""
    monkeypatch.setattr(bulk, "SQLITE_MULTI_ROW_FROM", 5)
    monkeypatch.setattr(bulk, "SQLITE_ROWS_PER_INSERT", 3)
    locations = [factories.make_location(municipality_a, name=f"Sted {n}") for n in range(7)]
    first = ObjectChange.objects.order_by("-id").values_list("id", flat=True).first()
    record_bulk_changes(locations, action=ChangeAction.CREATE)
    written = list(
        ObjectChange.objects.filter(id__gt=first).order_by("id").values_list("object_id", "action")
    )
    assert written == [(location.pk, "create") for location in locations]


def test_copy_text_escapes_text_and_writes_bytes_as_hex():
    assert copy_text(None) == "\\N"
    assert copy_text("a\tb\nc\rd\\e") == "a\\tb\\nc\\rd\\\\e"
    assert copy_text("plain") == "plain"
    assert copy_text(b"\x00\xff") == "\\\\x00ff"
    assert copy_text(Decimal("-0.0850")) == "-0.0850"
    assert copy_lines([(1, None, "x\ty")]) == "1\t\\N\tx\\ty\n"


def _location_rows(municipality, names):
    """An Insert of new locations and their rows, ready for it on this engine."""
    columns = ["created", "last_updated", "municipality_id", "name", "kind", "street"]
    columns += ["postal_code", "city"]
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    insert = Insert(Location._meta.db_table, columns)
    if insert.postgresql:
        return insert, copy_lines(
            [(now, now, municipality.pk, n, "other", "", "", "") for n in names]
        )
    time = connection.ops.adapt_datetimefield_value(now)
    return insert, [(time, time, municipality.pk, n, "other", "", "", "") for n in names]


def test_background_writing_writes_in_order_before_any_other_query(municipality_a, monkeypatch):
    """On PostgreSQL the batches are written by another thread; a query of the caller
    waits for them, so it sees them."""
    threads = set()
    real_write = Insert.write

    def write(self, database, rows):
        threads.add(threading.get_ident())
        real_write(self, database, rows)

    monkeypatch.setattr(Insert, "write", write)
    with transaction.atomic(), background_writing():
        for batch in range(3):
            insert, rows = _location_rows(municipality_a, [f"B{batch}-{n}" for n in range(50)])
            insert.add(rows)
        assert Location.objects.filter(name__startswith="B").count() == 150
    names = list(Location.objects.filter(name__startswith="B").order_by("id").values_list("name"))
    assert [n for (n,) in names][:2] == ["B0-0", "B0-1"] and names[-1] == ("B2-49",)
    if connection.vendor == "postgresql":
        assert threads and threading.get_ident() not in threads
    else:
        assert threads == {threading.get_ident()}  # SQLite: written where asked


def test_a_failing_batch_raises_in_the_caller_and_nothing_stays(municipality_a):
    """A batch that breaks a constraint: Django's IntegrityError in the caller's thread
    (by the end of the block at the latest), the transaction rolled back, the
    connection usable."""
    before = Location.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic(), background_writing():
        insert, rows = _location_rows(municipality_a, ["Ok 1", "Ok 2"])
        insert.add(rows)
        broken = Insert(Location._meta.db_table, ["name"])  # no municipality: NOT NULL
        broken.add(copy_lines([("Broken",)]) if broken.postgresql else [("Broken",)])
        insert, rows = _location_rows(municipality_a, ["After"])
        insert.add(rows)
    assert Location.objects.count() == before
    assert factories.make_location(municipality_a, name="Later").pk


def test_fetch_in_reads_thousands_of_texts_or_numbers_in_one_query(
    municipality_a, django_assert_num_queries
):
    """An import looks its rows up by key: 1,500 names (more than one IN (…) may hold on
    SQLite) in one query, ids too; other values (here times) the old way."""
    from samdrift.core.importing.references import fetch_in

    made = Location.objects.bulk_create(
        Location(municipality=municipality_a, name=f"Sted «{n}» 'x'") for n in range(1500)
    )
    names = [location.name for location in made] + ["Not there", "", None]
    with django_assert_num_queries(1):
        found = list(fetch_in(Location.objects.all(), "name", names))
    assert sorted(f.pk for f in found) == sorted(m.pk for m in made)
    with django_assert_num_queries(1):
        by_id = list(fetch_in(Location.objects.all(), "pk", [m.pk for m in made[:700]]))
    assert len(by_id) == 700
    when = Location.objects.get(pk=made[0].pk).created
    assert made[0].pk in {f.pk for f in fetch_in(Location.objects.all(), "created", [when])}
