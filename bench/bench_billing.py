"""Benchmark: rate and draft one month of the demo (issue #5: the large demo, about a
million charges, in under 60 s — target 20 s — with peak memory under 1.5 GB).

A fresh database is filled with the demo (without its billing step), then a separate
process — so its peak memory is billing's alone — rates and drafts the last whole month
(``bill_period``), re-runs it (which replaces the drafts: same content hash required) and,
measures the floor: the time ``COPY`` (PostgreSQL) or a multi-row ``INSERT`` (SQLite)
takes to load the same charge rows into an empty copy of the charge table with the same
indexes.

    .venv/bin/python bench/bench_billing.py                      # SQLite, large demo
    .venv/bin/python bench/bench_billing.py --size medium
    .venv/bin/python bench/bench_billing.py --postgres postgres://postgres@127.0.0.1:5432/samdrift_bench
    .venv/bin/python bench/bench_billing.py --reuse --data-dir DIR   # the demo already in DIR

With ``--reuse`` (the demo takes minutes to generate) the month's billing left by an
earlier run is removed first, so that the first run rates from nothing as it would in
real use; on PostgreSQL the charge table is vacuumed and the statistics refreshed (what
autovacuum does between real runs).

The PostgreSQL database is a scratch database: it is created when missing and flushed.
Figures are printed and merged into bench/results/billing.json (one entry per engine and
size). The script exits non-zero when the rerun's hash differs or an invoice does not
equal the sum of its charges.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "billing.json"
TODAY = datetime.date(2026, 11, 27)
TARGET_SECONDS, LIMIT_SECONDS, LIMIT_MEMORY_MB = 20, 60, 1536


def setup_django(postgres_url: str | None, data_dir: str) -> None:
    os.environ["SAMDRIFT_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "samdrift.settings"
    if postgres_url:
        os.environ["DATABASE_URL"] = postgres_url
    else:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def ensure_postgres_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def generate(args) -> dict:
    from django.core.management import call_command

    from samdrift.demo import generator

    call_command("migrate", verbosity=0, interactive=False)
    if args.postgres:
        call_command("flush", verbosity=0, interactive=False)
    generator.STEPS = [step for step in generator.STEPS if step.name != "billing"]
    started = time.perf_counter()
    generator.generate(size=args.size, today=TODAY, progress=lambda m: print("  demo", m))
    return {"demo_seconds": round(time.perf_counter() - started, 1)}


def month_to_bill() -> datetime.date:
    return (TODAY.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def clean_month() -> None:
    """Remove the month's drafts, runs and period (an earlier bench run's)."""
    from django.db import connection, transaction

    from samdrift.billing.bulk import raw_delete
    from samdrift.billing.models import BillingPeriod, BillingRun, Charge, Invoice, InvoiceLine

    with transaction.atomic():
        period = BillingPeriod.objects.filter(month=month_to_bill()).first()
        if period is not None:
            raw_delete(Charge.objects.filter(period=period))
            raw_delete(InvoiceLine.objects.filter(invoice__period=period))
            raw_delete(Invoice.objects.filter(period=period))
            raw_delete(BillingRun.objects.filter(period=period))
            raw_delete(BillingPeriod.objects.filter(pk=period.pk))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) billing_charge")
            cursor.execute("ANALYZE")


def child(args) -> dict:
    """Runs in its own process: bill the month twice, check, measure the COPY floor."""
    from decimal import Decimal

    from django.db import connection

    from samdrift.billing.models import Charge, Invoice
    from samdrift.billing.services.runs import bill_period

    month = month_to_bill()
    figures: dict = {"month": f"{month:%Y-%m}"}
    started, cpu = time.perf_counter(), time.process_time()
    first = bill_period(month=month)
    figures["first_run_seconds"] = round(time.perf_counter() - started, 2)
    # CPU time of this process: a steadier figure than wall time on a shared machine
    # (the database's own work is in it on SQLite, not on PostgreSQL).
    figures["first_run_cpu_seconds"] = round(time.process_time() - cpu, 2)
    figures["first_run_phases"] = first.timings
    figures["peak_memory_mb_after_first_run"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )
    started, cpu = time.perf_counter(), time.process_time()
    second = bill_period(month=month)
    figures["rerun_seconds"] = round(time.perf_counter() - started, 2)
    figures["rerun_cpu_seconds"] = round(time.process_time() - cpu, 2)
    figures["rerun_phases"] = second.timings
    figures["charges"] = second.charge_count
    figures["invoices"] = second.invoice_count
    figures["invoice_lines"] = second.line_count
    figures["same_hash"] = first.content_hash == second.content_hash
    figures["peak_memory_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    # Invoice = sum of its charges, summed in Decimal (no SQL float sums on SQLite).
    sums: dict[int, Decimal] = {}
    for invoice_id, amount in (
        Charge.objects.filter(period=second.period)
        .values_list("invoice_id", "amount")
        .iterator(chunk_size=50000)
    ):
        sums[invoice_id] = sums.get(invoice_id, Decimal(0)) + amount
    figures["invoices_equal_charges"] = all(
        sums.get(pk, Decimal(0)) == net
        for pk, net in Invoice.objects.filter(period=second.period).values_list("pk", "net_total")
    )
    if connection.vendor == "postgresql":
        figures["copy_floor_seconds"] = copy_floor(second.period_id)
    else:
        figures["insert_floor_seconds"] = sqlite_insert_floor(second.period_id)
    return figures


def copy_floor(period_id: int) -> float:
    """Seconds for COPY to load the period's charge rows into an empty twin table."""
    from django.db import connection, transaction

    buffer = bytearray()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        query = f"SELECT * FROM billing_charge WHERE period_id = {int(period_id)}"  # noqa: S608
        with raw.copy(f"COPY ({query}) TO STDOUT") as copy:
            for data in copy:
                buffer += data
        with transaction.atomic():
            raw.execute("DROP TABLE IF EXISTS bench_charge_copy")
            raw.execute(
                "CREATE TABLE bench_charge_copy (LIKE billing_charge INCLUDING DEFAULTS "
                "INCLUDING INDEXES)"
            )
            started = time.perf_counter()
            with raw.copy("COPY bench_charge_copy FROM STDIN") as copy:
                view = memoryview(buffer)
                for offset in range(0, len(view), 1 << 20):
                    copy.write(view[offset : offset + (1 << 20)])
            seconds = time.perf_counter() - started
            raw.execute("DROP TABLE bench_charge_copy")
    return round(seconds, 2)


def sqlite_insert_floor(period_id: int) -> float:
    """SQLite's floor: seconds to insert the period's charge rows (ids left to the table,
    as a run does) into an empty twin table with the same indexes, as many rows to a
    statement as a run writes. Rolled back, so nothing is left behind."""
    import itertools

    from django.db import connection, transaction

    try:  # where the constant lives now (the bench also runs on older trees to compare)
        from samdrift.core.inserting import SQLITE_ROWS_PER_INSERT
    except ImportError:
        try:
            from samdrift.core.bulk import SQLITE_ROWS_PER_INSERT
        except ImportError:
            from samdrift.billing.bulk import SQLITE_ROWS_PER_INSERT

    database = connection.connection
    columns = [name for _cid, name, *_rest in database.execute("PRAGMA table_info(billing_charge)")]
    columns.remove("id")
    column_sql = ", ".join(f'"{name}"' for name in columns)
    rows = database.execute(
        f"SELECT {column_sql} FROM billing_charge WHERE period_id = ?",  # noqa: S608
        [period_id],
    ).fetchall()
    # The table first ('table' sorts after 'index'), then its indexes, renamed.
    schema = [
        sql.replace('"billing_charge"', '"bench_charge_twin"').replace(
            'INDEX "charge_', 'INDEX "bench_twin_'
        )
        for (sql,) in database.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'billing_charge' "
            "AND sql IS NOT NULL ORDER BY type DESC"
        )
    ]
    row_sql = "(" + ", ".join(["?"] * len(columns)) + ")"
    one = f'INSERT INTO "bench_charge_twin" ({column_sql}) VALUES {row_sql}'  # noqa: S608
    per = SQLITE_ROWS_PER_INSERT
    many = one + (", " + row_sql) * (per - 1)
    whole = len(rows) - len(rows) % per
    flat = itertools.chain.from_iterable
    with transaction.atomic():
        for sql in schema:
            database.execute(sql)
        started = time.perf_counter()
        database.executemany(many, (tuple(flat(rows[i : i + per])) for i in range(0, whole, per)))
        database.executemany(one, rows[whole:])
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return round(seconds, 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="large", choices=["small", "medium", "large"])
    parser.add_argument("--postgres", metavar="URL", help="a scratch PostgreSQL database")
    parser.add_argument("--data-dir", help="SQLite data directory (default: a temporary one)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the demo already in the database (after an earlier run); just migrate",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="samdrift-bench-billing-")
    if args.child:
        setup_django(args.postgres, data_dir)
        print(json.dumps(child(args)))
        return 0
    if args.postgres:
        ensure_postgres_database(args.postgres)
    setup_django(args.postgres, data_dir)
    from django.db import connection

    engine = connection.vendor
    if args.reuse:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        clean_month()
        figures = {"engine": engine, "size": args.size, "demo_seconds": "reused"}
    else:
        print(f"Generating the {args.size} demo on {engine} …")
        figures = {"engine": engine, "size": args.size, **generate(args)}
    connection.close()
    command = [sys.executable, __file__, "--child", "--size", args.size, "--data-dir", data_dir]
    if args.postgres:
        command += ["--postgres", args.postgres]
    print("Billing one month in a separate process …")
    figures["load_average_before"] = [round(x, 2) for x in os.getloadavg()]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        print(result.stdout, result.stderr, sep="\n")
        return 1
    figures.update(json.loads(result.stdout.strip().splitlines()[-1]))
    figures["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    figures.update(
        {
            "target_seconds": TARGET_SECONDS,
            "limit_seconds": LIMIT_SECONDS,
            "limit_memory_mb": LIMIT_MEMORY_MB,
            "within_limits": max(figures["first_run_seconds"], figures["rerun_seconds"])
            < LIMIT_SECONDS
            and figures["peak_memory_mb"] < LIMIT_MEMORY_MB,
            "machine": (
                f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
            ),
            "measured_at": datetime.datetime.now().isoformat(timespec="seconds"),
        }
    )
    for key, value in figures.items():
        print(f"  {key:<32} {value}")
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[f"{engine}-{args.size}"] = figures
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"Written to {RESULTS.relative_to(ROOT)}")
    return 0 if figures["same_hash"] and figures["invoices_equal_charges"] else 1


if __name__ == "__main__":
    sys.exit(main())
