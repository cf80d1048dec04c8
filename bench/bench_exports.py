"""Benchmark: downloads (issue #18). The specification (XLSX and CSV) of the largest
invoice of the medium demo (target < 3 s), the whole asset list as CSV on the large demo
(target ≥ 100,000 rows/s), the time to the first byte of each (target < 1 s), and the
whole asset list as XLSX written by a background job (``ui.exportjobs``).

    .venv/bin/python bench/bench_exports.py --medium DIR --large DIR [--postgres URL]
    .venv/bin/python bench/bench_exports.py --large DIR --postgres URL --specifications \
        [--before OLD/src]        # the large demos' largest specification, before/after

``--medium``: a data directory holding ``samdrift demo --size medium --no-serve``;
``--large``: one holding the large demo (SQLite, e.g. a copy of /work/large/sqlite);
``--postgres``: a database holding the large demo (e.g. a copy of samdrift_large). Each
target runs in its own process (Django's settings pick one database per process). The
pages are fetched through Django's test client as ``admin``, after one warm-up request
(the first request of a process loads the translations and the URL configuration),
best of ``--runs``; the body is read chunk by chunk as a browser would. Nothing is
written to the databases but the export job's row (``--job``). The figures are printed
and written to bench/results/exports.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "exports.json"


def setup_django(data_dir: str, postgres_url: str | None, src: str | None = None) -> None:
    os.environ["SAMDRIFT_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "samdrift.settings"
    if postgres_url:
        os.environ["DATABASE_URL"] = postgres_url
    else:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, src or str(ROOT / "src"))
    import django

    django.setup()


def backend_pid() -> int | None:
    """The PostgreSQL backend serving this process when the server runs on this machine
    (its /proc entry readable); None on SQLite (its work is this process's)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    return pid if Path(f"/proc/{pid}/stat").exists() else None


def process_cpu(pid: int) -> float:
    """CPU seconds of a process so far (user and system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def fetch(client, url: str) -> dict:
    """One download: seconds to the response, to the first body byte, to the last."""
    start = time.perf_counter()
    cpu = time.process_time()
    response = client.get(url)
    answered = time.perf_counter() - start
    first = None
    size = 0
    lines = 0
    pid = None
    database_cpu = 0.0
    if response.streaming:
        for chunk in response.streaming_content:
            if first is None:
                first = time.perf_counter() - start
                # With the header line the rows' query has not run yet; the backend is
                # read after each chunk, as the connection closes with the last.
                pid = backend_pid()
                backend_start = process_cpu(pid) if pid else 0.0
            elif pid:
                database_cpu = process_cpu(pid) - backend_start
            size += len(chunk)
            lines += chunk.count(b"\n")
    else:
        first = time.perf_counter() - start
        size = len(response.content)
    return {
        "status": response.status_code,
        "streamed": response.streaming,
        "answer_s": round(answered, 3),
        "first_byte_s": round(first or 0.0, 3),
        "total_s": round(time.perf_counter() - start, 3),
        # CPU seconds of this process (Python and, on SQLite, the database): steadier
        # than wall time on a machine others load.
        "cpu_s": round(time.process_time() - cpu, 3),
        # PostgreSQL's share (its backend process, read from /proc), 0 on SQLite.
        "database_cpu_s": round(database_cpu, 3),
        "bytes": size,
        "lines": lines,
    }


def best(client, url: str, runs: int, warm_up: str | None = None) -> dict:
    fetch(client, warm_up or url)
    results = [fetch(client, url) for _ in range(runs)]
    return min(results, key=lambda r: r["total_s"]) | {"runs": [r["total_s"] for r in results]}


def admin_client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    return client


def measure_specification(runs: int) -> dict:
    from django.db.models import Count

    from samdrift.billing.models import Invoice

    invoice = Invoice.objects.annotate(n=Count("charges")).order_by("-n", "pk").first()
    client = admin_client()
    figures = {"invoice": invoice.pk, "charges": invoice.n}
    for fmt in ("xlsx", "csv", "excel.csv"):
        figures[fmt] = best(client, f"/billing/invoices/{invoice.pk}/specification.{fmt}", runs)
    return figures


def measure_assets(runs: int, job: bool) -> dict:
    from samdrift.inventory.models import Asset

    client = admin_client()
    total = Asset.objects.count()
    figures: dict = {"assets": total}
    for fmt in ("csv", "csv-excel"):
        small = f"/assets/?export={fmt}&municipality=1"
        result = best(client, f"/assets/?export={fmt}", runs, warm_up=small)
        rows = result["lines"] - 1  # the header
        result["rows"] = rows
        result["rows_per_s"] = round(rows / result["total_s"])
        # Steadier than wall time on a shared machine: rows per CPU second of this
        # process and the database's backend together.
        result["rows_per_cpu_s"] = round(rows / (result["cpu_s"] + result["database_cpu_s"]))
        figures[fmt] = result
    # The list page that offers the export: the first page answers while the export
    # would take long.
    figures["xlsx_first_byte_direct"] = fetch(client, "/assets/?export=xlsx&municipality=1")
    if job:
        figures["xlsx_job"] = measure_job()
    return figures


def measure_job() -> dict:
    """The whole asset list as XLSX, written as a background job in this process."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from samdrift.ui.exportjobs import start_export
    from samdrift.ui.models import ExportJob

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with tempfile.TemporaryDirectory() as directory:
        settings.EXPORT_DIR = Path(directory)
        from samdrift.ui.exportjobs import run_export_job

        admin = get_user_model().objects.get(username="admin")
        job = start_export(user=admin, list_path="/assets/", query="", fmt="xlsx")
        start = time.perf_counter()
        run_export_job.call(job.pk)
        seconds = time.perf_counter() - start
        job.refresh_from_db()
        result = {
            "status": job.status,
            "error": job.error,
            "rows": job.rows_done,
            "bytes": job.size,
            "total_s": round(seconds, 3),
            "rows_per_s": round(job.rows_done / seconds) if seconds else None,
        }
        ExportJob.objects.filter(pk=job.pk).delete()
    return result


def child(args) -> None:
    setup_django(args.data_dir, args.postgres, args.src)
    if args.what == "specification":
        figures = measure_specification(args.runs)
    else:
        figures = measure_assets(args.runs, args.job)
    print(json.dumps(figures))


def run_child(
    what: str, data_dir: str, postgres: str | None, runs: int, job: bool, src: str | None = None
) -> dict:
    command = [sys.executable, __file__, "--child", what, "--data-dir", data_dir]
    if src:
        command += ["--src", src]
    command += ["--runs", str(runs)]
    if postgres:
        command += ["--postgres", postgres]
    if job:
        command += ["--job"]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--medium", help="data directory of the medium demo (SQLite)")
    parser.add_argument("--large", help="data directory of the large demo (SQLite)")
    parser.add_argument("--postgres", help="URL of a database holding the large demo")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--job", action="store_true", help="also the whole XLSX as a job")
    parser.add_argument("--child", choices=["specification", "assets"], dest="what")
    parser.add_argument("--data-dir")
    parser.add_argument(
        "--before",
        metavar="SRC",
        help="also the specification with the code in SRC (e.g. main's src/), for before/after",
    )
    parser.add_argument(
        "--specifications",
        action="store_true",
        help="the largest specification of --large and --postgres instead of their asset lists",
    )
    parser.add_argument("--src", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.what:
        child(args)
        return
    results: dict = {
        "machine": f"{platform.node()} ({os.cpu_count()} CPUs), load {os.getloadavg()[0]:.1f}",
        "targets": {
            "specification_s": 3,
            "first_byte_s": 1,
            "asset_csv_rows_per_s": 100_000,
        },
    }

    def specification(key: str, data_dir: str, postgres: str | None = None) -> None:
        results[key] = run_child("specification", data_dir, postgres, args.runs, False)
        print(f"{key}:", json.dumps(results[key]))
        if args.before:
            results[f"{key}_before"] = run_child(
                "specification", data_dir, postgres, args.runs, False, src=args.before
            )
            print("before:", json.dumps(results[f"{key}_before"]))

    if args.medium:
        specification("specification_medium_sqlite", args.medium)
    if args.large and args.specifications:
        specification("specification_large_sqlite", args.large)
    elif args.large:
        results["assets_large_sqlite"] = run_child("assets", args.large, None, args.runs, args.job)
        print("assets (large, SQLite):", json.dumps(results["assets_large_sqlite"]))
    if args.postgres:
        with tempfile.TemporaryDirectory() as data_dir:
            if args.specifications:
                specification("specification_large_postgres", data_dir, args.postgres)
            else:
                results["assets_large_postgres"] = run_child(
                    "assets", data_dir, args.postgres, args.runs, args.job
                )
                print("assets (large, PostgreSQL):", json.dumps(results["assets_large_postgres"]))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    # What this run did not measure keeps its earlier figures (a run of --large alone
    # leaves the specification's).
    earlier = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    RESULTS.write_text(json.dumps(earlier | results, indent=2) + "\n")
    print(f"Written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
