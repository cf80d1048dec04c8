"""Benchmark: build the demo, then time the main API list endpoints on it.

Issue #2 asks ``samdrift demo --size small --no-serve`` to finish in under 30 s and
``--size medium`` in under 3 minutes. Each size is built by the real command in a
subprocess against a throw-away database (SQLite in a temporary data directory, or a
scratch PostgreSQL database with ``--postgres URL``); the wall time includes process start,
wiping, migrating, generating and committing.

Then, on the largest size built, the list endpoints (assets, persons, assignments — plain,
filtered, searched, sorted, a deep page, a big page) are requested through Django's test
client with token authentication, as the operator ``admin`` and as the largest
municipality's contact: median and worst of ``--repeat`` requests, SQL queries, result
count. Server-side time only (no network).

    .venv/bin/python bench/bench_demo.py                       # small and medium, SQLite
    .venv/bin/python bench/bench_demo.py --sizes small         # quick
    .venv/bin/python bench/bench_demo.py --sizes large --no-endpoints
    .venv/bin/python bench/bench_demo.py --postgres postgres://postgres@127.0.0.1:5432/samdrift_bench

Figures are printed and merged into bench/results/demo.json (one entry per engine and
size). Exits non-zero when a build fails or exceeds its limit, or an endpoint answers
anything but 200.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "demo.json"
LIMIT_SECONDS = {"small": 30, "medium": 180}
PASSWORD = "bench-demo-password"  # noqa: S105 (a throw-away demo database)


def samdrift_command() -> list[str]:
    script = Path(sys.executable).with_name("samdrift")
    return [str(script)] if script.exists() else [sys.executable, "-m", "samdrift.cli"]


def environment(data_dir: str, postgres_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAMDRIFT_", "DATABASE_"))}
    env["SAMDRIFT_DATA_DIR"] = data_dir
    env["PYTHONPATH"] = str(ROOT / "src")
    if postgres_url:
        env["DATABASE_URL"] = postgres_url
    return env


def build(size: str, env: dict[str, str], seed: int) -> dict:
    """Run ``samdrift demo --size SIZE --no-serve`` and measure it."""
    command = [*samdrift_command(), "demo", "--size", size, "--seed", str(seed)]
    command += ["--no-serve", "--force", "--password", PASSWORD]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        print(result.stdout, result.stderr, sep="\n", file=sys.stderr)
        raise SystemExit(f"samdrift demo --size {size} failed (exit {result.returncode})")
    steps = {
        name: float(seconds)
        for name, seconds in re.findall(r"^  (\w+)\s+([\d.]+) s$", result.stdout, re.M)
    }
    counts = {
        plural: int(number.replace(",", ""))
        for number, plural in re.findall(r"([\d,]+) ([a-z ]+?)(?:,|$)", result.stdout, re.M)
        if plural in {"persons", "assets", "assignments", "subscriptions", "usage records"}
    }
    return {
        "seconds": round(elapsed, 2),
        "cpu_seconds": round(
            (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 2
        ),
        "peak_memory_mb": round(after.ru_maxrss / 1024),
        "limit_seconds": LIMIT_SECONDS.get(size),
        "within_limit": elapsed < LIMIT_SECONDS[size] if size in LIMIT_SECONDS else None,
        "steps_seconds": steps,
        "counts": counts,
    }


def endpoint_cases(contact_municipality_id: int, sample: dict) -> list[tuple[str, str]]:
    """(label, URL) of the requests timed, for one user."""
    m = contact_municipality_id
    return [
        ("assets, first page", "/api/assets/"),
        ("assets, municipality + deployed", f"/api/assets/?municipality={m}&status=deployed"),
        ("assets, search model", "/api/assets/?q=ThinkPad"),
        ("assets, search tag", f"/api/assets/?q={sample['asset_tag']}"),
        ("assets, by replacement date", "/api/assets/?ordering=planned_replacement"),
        ("assets, last page", "/api/assets/?page=last"),
        ("assets, 1000 per page", "/api/assets/?page_size=1000"),
        ("persons, first page", "/api/persons/"),
        ("persons, search name", "/api/persons/?q=Hansen"),
        ("persons, pupils active", f"/api/persons/?kind=pupil&active_on={sample['day']}"),
        ("assignments, first page", "/api/assignments/"),
        ("assignments, in force on a day", f"/api/assignments/?active_on={sample['day']}"),
        ("assignments, of a person", f"/api/assignments/?person={sample['person']}"),
        ("assignments, search tag", f"/api/assignments/?q={sample['asset_tag'][:8]}"),
    ]


def time_endpoints(postgres_url: str | None, data_dir: str, repeat: int) -> dict:
    os.environ["SAMDRIFT_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "samdrift.settings"
    os.environ["SAMDRIFT_ENV"] = "demo"
    if postgres_url:
        os.environ["DATABASE_URL"] = postgres_url
    else:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from samdrift.core.models import User
    from samdrift.core.tokens import issue
    from samdrift.inventory.models import Asset
    from samdrift.organisations.models import Municipality

    largest = Municipality.objects.order_by("-population").first()
    contact = User.objects.get(role="municipality", municipality=largest)
    admin = User.objects.get(username="admin")
    asset = Asset.objects.filter(municipality=largest, person__isnull=False).order_by("pk")[10]
    sample = {
        "asset_tag": asset.asset_tag,
        "person": asset.person_id,
        "day": datetime.date.today().replace(month=1, day=15).isoformat(),
    }
    results = {}
    for user in (admin, contact):
        token = issue(user, f"bench {time.time()}")[1]
        client = Client(HTTP_AUTHORIZATION=f"Token {token}")
        rows = []
        for label, url in endpoint_cases(largest.pk, sample):
            client.get(url)  # warm-up: first-use imports and caches are not the endpoint
            timings = []
            for _ in range(repeat):
                reset_queries()
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = client.get(url)
                    timings.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise SystemExit(f"{user.username} {url}: HTTP {response.status_code}")
            body = response.json()
            rows.append(
                {
                    "case": label,
                    "url": url,
                    "median_ms": round(statistics.median(timings) * 1000, 1),
                    "max_ms": round(max(timings) * 1000, 1),
                    "queries": len(queries),
                    "count": body.get("count"),
                    "rows": len(body.get("results", [])),
                }
            )
        results[f"{user.username} ({user.role})"] = rows
    return results


def merge(entry_key: str, entry: dict) -> None:
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data[entry_key] = entry
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def main() -> int:
    data_dir = tempfile.mkdtemp(prefix="samdrift-bench-demo-")
    try:
        return run(data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def run(data_dir: str) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="small,medium", help="comma-separated sizes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", metavar="URL", help="a scratch PostgreSQL database")
    parser.add_argument("--repeat", type=int, default=5, help="requests per endpoint")
    parser.add_argument("--no-endpoints", action="store_true", help="only time the builds")
    args = parser.parse_args()
    sizes = [size.strip() for size in args.sizes.split(",") if size.strip()]
    engine = "postgresql" if args.postgres else "sqlite"
    env = environment(data_dir, args.postgres)
    machine = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    failed = False
    builds = {}
    for size in sizes:
        print(f"samdrift demo --size {size} --no-serve ({engine}) …", flush=True)
        figures = build(size, env, args.seed)
        builds[size] = figures
        limit = f" (limit {figures['limit_seconds']} s)" if figures["limit_seconds"] else ""
        print(
            f"  {figures['seconds']:.1f} s{limit}, CPU {figures['cpu_seconds']:.1f} s, "
            f"peak {figures['peak_memory_mb']} MB; "
            + ", ".join(f"{n:,} {what}" for what, n in figures["counts"].items())
        )
        print(
            "  steps: " + ", ".join(f"{k} {v:.1f} s" for k, v in figures["steps_seconds"].items())
        )
        if figures["within_limit"] is False:
            failed = True
            print(f"  OVER THE LIMIT of {figures['limit_seconds']} s")
        merge(
            f"{engine}/build/{size}",
            {
                "engine": engine,
                "size": size,
                "seed": args.seed,
                "date": datetime.date.today().isoformat(),
                "machine": machine,
                **figures,
            },
        )
    if not args.no_endpoints and sizes:
        size = sizes[-1]
        print(f"\nList endpoints on the {size} demo ({engine}), {args.repeat} requests each:")
        endpoints = time_endpoints(args.postgres, data_dir, args.repeat)
        for user, rows in endpoints.items():
            print(f"  as {user}:")
            for row in rows:
                print(
                    f"    {row['case']:<34} median {row['median_ms']:7.1f} ms  "
                    f"max {row['max_ms']:7.1f} ms  {row['queries']:2} queries  "
                    f"{row['count'] if row['count'] is not None else '-':>7} rows"
                )
        merge(
            f"{engine}/endpoints/{size}",
            {
                "engine": engine,
                "size": size,
                "repeat": args.repeat,
                "date": datetime.date.today().isoformat(),
                "machine": machine,
                "note": "Server-side time through Django's test client with token auth.",
                "users": endpoints,
            },
        )
    print(f"\nWritten to {RESULTS.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
