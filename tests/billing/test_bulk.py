"""The engine-specific bulk writer (COPY on PostgreSQL, executemany on SQLite)."""

import datetime
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from samdrift.billing.bulk import raw_delete
from samdrift.billing.models import BillingPeriod, BillingRun, Charge, Invoice
from samdrift.core.bulk import insert_rows


def test_insert_rows_writes_decimals_dates_and_nulls_exactly(world):
    period = BillingPeriod.objects.create(month=datetime.date(2026, 11, 1))
    run = BillingRun.objects.create(period=period, started_at=timezone.now())
    invoice = Invoice.objects.create(period=period, municipality=world.fjordvik)
    fields = [
        "period",
        "run",
        "invoice",
        "municipality",
        "service_area",
        "person",
        "asset",
        "subscription",
        "source",
        "source_id",
        "product",
        "service",
        "cost_pool",
        "description",
        "quantity",
        "unit_price",
        "days_active",
        "days_in_month",
        "valid_from",
        "valid_to",
        "amount",
        "vat_rate",
        "adjusts_period",
    ]
    rows = [
        (
            period.pk,
            run.pk,
            invoice.pk,
            world.fjordvik.pk,
            world.school.pk,
            None,
            None,
            None,
            "one_off",
            n,
            None,
            None,
            None,
            f"Line æøå {n}",
            Decimal("1.500"),
            Decimal("-0.0850"),
            None,
            None,
            datetime.date(2026, 11, n),
            None,
            Decimal("-12345678.91"),
            Decimal("25.00"),
            None,
        )
        for n in range(1, 31)
    ]
    with transaction.atomic():
        assert insert_rows(Charge, fields, rows) == 30
    stored = list(Charge.objects.order_by("source_id"))
    assert len(stored) == 30
    # Written in order (SQLite: 20 rows to a statement, then the rest one by one).
    assert [c.source_id for c in Charge.objects.order_by("pk")] == list(range(1, 31))
    first = stored[0]
    assert first.amount == Decimal("-12345678.91")
    assert first.unit_price == Decimal("-0.0850")
    assert first.quantity == Decimal("1.500")
    assert first.valid_from == datetime.date(2026, 11, 1) and first.valid_to is None
    assert first.description == "Line æøå 1"
    assert connection.vendor in ("sqlite", "postgresql")
    with transaction.atomic():
        assert raw_delete(Charge.objects.filter(source_id__gt=10)) == 20
    assert Charge.objects.count() == 10


def test_copy_text_escapes_text_and_writes_null_as_backslash_n():
    from samdrift.core.inserting import copy_text

    assert copy_text(None) == "\\N"
    assert copy_text("a\tb\nc\rd\\e None") == "a\\tb\\nc\\rd\\\\e None"
    assert copy_text(Decimal("-0.0850")) == "-0.0850"
    assert copy_text(datetime.date(2026, 11, 3)) == "2026-11-03"
    assert copy_text(42) == "42"


def test_fact_text_is_the_copy_text_of_every_field_and_the_adjusted_period():
    from samdrift.billing.rating.facts import Fact
    from samdrift.billing.writing import fact_text
    from samdrift.core.inserting import copy_text

    plain = Fact(
        municipality=1,
        service_area=None,
        person=3,
        asset=4,
        subscription=None,
        source="asset",
        source_id=7,
        product=8,
        service=None,
        cost_pool=None,
        description="",
        quantity=Decimal("1.000"),
        unit_price=Decimal("328.6900"),
        days_active=30,
        days_in_month=30,
        valid_from=datetime.date(2026, 11, 1),
        valid_to=None,
        amount=Decimal("328.69"),
        vat_rate=Decimal("25.00"),
    )
    expected = "\t".join(map(copy_text, plain))
    assert fact_text(plain, None) == expected + "\t\\N\n"
    assert fact_text(plain, 12) == expected + "\t12\n"
    # A description is escaped, and one that says "None" is not taken for a NULL.
    texted = plain._replace(description="None\tof\nthis")
    assert fact_text(texted, None).split("\t")[10:12] == ["None\\tof\\nthis", "1.000"]


def _facts_with_text(world):
    """Charges whose description needs escaping, and a cost pool (rated with ORM queries,
    which must end an open COPY first)."""
    from samdrift.billing.services.one_offs import add_one_off_charge
    from samdrift.billing.services.pools import create_allocation_key, create_cost_pool

    add_one_off_charge(
        municipality=world.fjordvik,
        description="Install\tNone\\n, line\nbreak",
        date=datetime.date(2026, 11, 5),
        unit_price=Decimal("950.00"),
        quantity=Decimal("3"),
    )
    key = create_allocation_key(
        name="Equal", measured_on=datetime.date(2026, 1, 1), parts={"equal": Decimal(1)}
    )
    create_cost_pool(
        name="Shared",
        monthly_amount=Decimal("1000.01"),
        key=key,
        valid_from=datetime.date(2026, 1, 1),
    )


def test_reads_and_writes_interleaved_on_one_connection_give_the_same_run(world, monkeypatch):
    """A big run fetches input chunks and writes charge batches in turn on one connection
    (on PostgreSQL a COPY stays open between reads and is ended before each fetch and
    before any other query); tiny chunks force that at every row."""
    from samdrift.billing import bulk
    from samdrift.billing.services.runs import bill_period

    _facts_with_text(world)
    month = datetime.date(2026, 11, 1)
    normal = bill_period(month=month)
    stored = sorted(Charge.objects.values_list("source", "source_id", "description", "amount"))
    monkeypatch.setattr(bulk, "WRITE_BATCH", 1)
    monkeypatch.setattr(bulk, "READ_CHUNK", 1)
    tiny = bill_period(month=month)
    assert tiny.content_hash == normal.content_hash
    assert tiny.input_hash == normal.input_hash
    assert Charge.objects.count() == normal.charge_count == 6 + 1 + 2
    assert sorted(Charge.objects.values_list("source", "source_id", "description", "amount")) == (
        stored
    )
    (one_off,) = Charge.objects.filter(source="one_off")
    assert one_off.description == "Install\tNone\\n, line\nbreak"
    assert one_off.amount == Decimal("2850.00")


def test_an_error_while_a_copy_is_open_rolls_the_whole_run_back(world, monkeypatch):
    """Rows are on their way to the database when a missing price is found: the run is
    refused, nothing of it stays, and the connection works on."""
    import pytest
    from django.core.exceptions import ValidationError

    from samdrift.billing import bulk
    from samdrift.billing.services.runs import bill_period
    from tests import factories

    bare = factories.make_product(name="Unpriced tablet")
    asset = factories.make_asset(bare, asset_tag="TAB-9")
    from samdrift.inventory.services import assign_asset

    assign_asset(asset=asset, municipality=world.elvdal, valid_from=datetime.date(2026, 1, 1))
    monkeypatch.setattr(bulk, "WRITE_BATCH", 1)
    with pytest.raises(ValidationError, match="Unpriced tablet"):
        bill_period(month=datetime.date(2026, 11, 1))
    assert not Charge.objects.exists()
    assert not BillingRun.objects.exists() and not BillingPeriod.objects.exists()
    assert Invoice.objects.count() == 0


def test_none_is_bound_as_null_on_sqlite_with_its_fast_adapter():
    """bulk registers an adapter for None (speed); it must still store NULL."""
    import sqlite3

    import samdrift.core.inserting  # noqa: F401  (registers the adapter)

    database = sqlite3.connect(":memory:")
    database.execute("CREATE TABLE t (a INTEGER, b TEXT)")
    database.executemany("INSERT INTO t VALUES (?, ?)", [(None, None), (1, "x")])
    assert database.execute("SELECT a IS NULL, b IS NULL FROM t ORDER BY rowid").fetchall() == [
        (1, 1),
        (0, 0),
    ]


def test_a_failure_while_a_copy_is_open_abandons_it_and_rolls_back(world, monkeypatch):
    """A fault in the middle of a run (here a line sum that fails on the fourth charge,
    after three were sent): the open COPY is abandoned, nothing of the run stays and the
    connection works on."""
    import pytest

    from samdrift.billing import bulk
    from samdrift.billing.lines import LineAggregator
    from samdrift.billing.services.runs import bill_period

    real_add = LineAggregator.add
    calls = []

    def failing_add(self, fact, adjusts_period_id):
        calls.append(fact)
        if len(calls) == 4:
            raise RuntimeError("broken line sum")
        real_add(self, fact, adjusts_period_id)

    monkeypatch.setattr(bulk, "WRITE_BATCH", 1)
    monkeypatch.setattr(LineAggregator, "add", failing_add)
    with pytest.raises(RuntimeError, match="broken line sum"):
        bill_period(month=datetime.date(2026, 11, 1))
    assert not Charge.objects.exists()
    assert not BillingRun.objects.exists() and not BillingPeriod.objects.exists()
    monkeypatch.setattr(LineAggregator, "add", real_add)
    assert bill_period(month=datetime.date(2026, 11, 1)).charge_count == 6


def test_table_writer_abandons_an_open_copy_on_an_error(world):
    """Leaving the writer on an error with rows sent (PostgreSQL: a COPY in progress)
    abandons them; the transaction rolls back and the connection works on."""
    import pytest

    from samdrift.billing.services.runs import CHARGE_FIELDS
    from samdrift.core.bulk import TableWriter
    from samdrift.core.inserting import copy_text

    period = BillingPeriod.objects.create(month=datetime.date(2026, 11, 1))
    run = BillingRun.objects.create(period=period, started_at=timezone.now())
    invoice = Invoice.objects.create(period=period, municipality=world.fjordvik)
    row = (period.pk, run.pk, invoice.pk, world.fjordvik.pk, None, None, None, None)
    row += ("one_off", 1, None, None, None, "Fee", Decimal("1.000"), Decimal("10.0000"))
    row += (None, None, datetime.date(2026, 11, 2), None, Decimal("10.00"), Decimal("25.00"))
    row += (None,)
    with (
        pytest.raises(RuntimeError, match="in the middle"),
        transaction.atomic(),
        TableWriter(Charge, CHARGE_FIELDS, batch_size=1) as writer,
    ):
        for _ in range(3):
            writer.add("\t".join(map(copy_text, row)) + "\n" if writer.text else row)
        assert writer.written == 3
        raise RuntimeError("in the middle")
    assert not Charge.objects.exists()
    with transaction.atomic(), TableWriter(Charge, CHARGE_FIELDS) as writer:
        writer.add("\t".join(map(copy_text, row)) + "\n" if writer.text else row)
    assert Charge.objects.get().description == "Fee"


def test_charge_lookups_by_person_asset_and_adjusted_period_have_partial_indexes(world):
    """Migration 0004 on either engine: the full indexes are gone, the partial ones there,
    and the lookups they serve find their rows."""
    from samdrift.billing.services.runs import bill_period

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Charge._meta.db_table)
    indexed = {tuple(info["columns"]): name for name, info in constraints.items() if info["index"]}
    assert indexed[("person_id",)] == "charge_person"
    assert indexed[("asset_id",)] == "charge_asset"
    assert indexed[("adjusts_period_id",)] == "charge_adjusts_period"
    assert not any(name.startswith("billing_charge_") for name in indexed.values())
    bill_period(month=datetime.date(2026, 11, 1))
    asset = world.assets[0]
    assert Charge.objects.filter(asset=asset).count() == 1
    assert Charge.objects.filter(person=world.persons[0]).count() == 2
    assert not Charge.objects.filter(adjusts_period__isnull=False).exists()
