"""The engine-specific bulk writer (COPY on PostgreSQL, executemany on SQLite)."""

import datetime
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from samdrift.billing.bulk import insert_rows, raw_delete
from samdrift.billing.models import BillingPeriod, BillingRun, Charge, Invoice


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


def test_reads_and_writes_interleaved_on_one_connection_give_the_same_run(world, monkeypatch):
    """A big run fetches input chunks and writes charge batches in turn on one connection
    (a server-side cursor stays open across COPYs on PostgreSQL); tiny chunks force that."""
    from samdrift.billing import bulk
    from samdrift.billing.services import bill_period

    month = datetime.date(2026, 11, 1)
    normal = bill_period(month=month)
    monkeypatch.setattr(bulk, "WRITE_BATCH", 2)
    monkeypatch.setattr(bulk, "READ_CHUNK", 1)
    tiny = bill_period(month=month)
    assert tiny.content_hash == normal.content_hash
    assert tiny.input_hash == normal.input_hash
    assert Charge.objects.count() == normal.charge_count == 6
