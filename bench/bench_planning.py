"""Benchmark: lifecycle planning on the demo (issue #15: each under 10 s on the large
demo, ~1,100,000 assets, on SQLite and PostgreSQL, set-based).

Measured, each as the median of ``--repeat`` runs with its SQL query count:

- **plan**: every device's due date and the five-year replacement plan (``RuleBook`` and
  ``planning.plan.replacement_plan`` over all assets, then its rows per municipality,
  service area and category, per quarter and per year);
- **forecast**: the five-year forecast of every municipality (``planning.forecast``);
- **scenario**: one scenario computed (``planning.scenarios.compute_scenario``: the
  demo's "Leieperiode 48 måneder", baseline and scenario in one load, results written);
- **investment**: the collaboration's investment need per year
  (``planning.investment.investment_need``).

The database is a demo database: SQLite in ``--data-dir`` (default a directory per size
under the system's temporary directory, kept between runs), or PostgreSQL at
``DATABASE_URL`` / ``--postgres URL``. When it holds no demo of that size (or with
``--rebuild``) the demo is generated first (``--size medium`` by default; ``large`` takes
minutes). Figures are printed and merged into bench/results/planning.json (one entry per
engine and size); the script exits non-zero when one is over the target.

    .venv/bin/python bench/bench_planning.py                       # SQLite, medium demo
    .venv/bin/python bench/bench_planning.py --size large
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/samdrift_bench \
        .venv/bin/python bench/bench_planning.py
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from benchenv import ensure_postgres_database, setup_django

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "planning.json"
TODAY = datetime.date(2026, 11, 27)
TARGET_SECONDS = 10.0
# How many municipalities and assets (at least) each size has.
SIZES = {"small": (6, 500), "medium": (6, 20_000), "large": (50, 500_000)}
SCENARIO = "Leieperiode 48 måneder"


def demo_present(size: str) -> bool:
    """Does the database hold the demo of ``size`` with its planning step?"""
    from django.db.utils import DatabaseError

    from samdrift.inventory.models import Asset
    from samdrift.organisations.models import Municipality
    from samdrift.planning.models import Scenario

    try:
        municipalities = Municipality.objects.count()
        assets = Asset.objects.count()
        scenario = Scenario.objects.filter(name=SCENARIO).exists()
    except DatabaseError:
        return False
    members, least = SIZES[size]
    ceiling = {"small": 20_000, "medium": 500_000}.get(size)
    return (
        municipalities == members
        and assets >= least
        and (ceiling is None or assets < ceiling)
        and scenario
    )


def build(size: str) -> float:
    """Generate the demo (as ``samdrift demo`` does, without its prompts); seconds."""
    from django.core.management import call_command

    from samdrift.demo import generator

    call_command("migrate", verbosity=0, interactive=False)
    call_command("flush", verbosity=0, interactive=False)
    started = time.perf_counter()
    generator.generate(size=size, today=TODAY, progress=lambda m: print("  demo", m))
    return round(time.perf_counter() - started, 1)


def measure(fn, repeat: int) -> dict:
    """Median and worst seconds of ``fn()``, and the queries of one run."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    times = []
    queries = 0
    for _ in range(repeat):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
        queries = len(captured.captured_queries)
    median = statistics.median(times)
    return {
        "seconds": round(median, 2),
        "worst_seconds": round(max(times), 2),
        "queries": queries,
        "under_target": median < TARGET_SECONDS,
    }


def cases(as_of: datetime.date) -> dict:
    from samdrift.inventory.models import Asset
    from samdrift.planning.forecast import forecast
    from samdrift.planning.investment import investment_need
    from samdrift.planning.models import Scenario
    from samdrift.planning.plan import replacement_plan
    from samdrift.planning.rules import RuleBook
    from samdrift.planning.scenarios import compute_scenario

    def plan():
        result = replacement_plan(
            assets=Asset.objects.all(), as_of=as_of, years=5, rules=RuleBook()
        )
        for by in ("municipality", "service_area", "category"):
            for period in ("quarter", "year"):
                result.rows(by, period)
        return result

    def all_forecasts():
        return forecast(start=as_of.replace(day=1), years=5)

    def scenario():
        compute_scenario(Scenario.objects.get(name=SCENARIO))

    def investment():
        return investment_need(as_of=as_of)

    return {"plan": plan, "forecast": all_forecasts, "scenario": scenario, "investment": investment}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="medium", choices=sorted(SIZES))
    parser.add_argument("--data-dir", help="SQLite data directory holding (or to hold) the demo")
    parser.add_argument(
        "--postgres", metavar="URL", default=os.environ.get("DATABASE_URL"), help="PostgreSQL"
    )
    parser.add_argument("--rebuild", action="store_true", help="generate the demo afresh")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data_dir = args.data_dir or str(Path(tempfile.gettempdir()) / f"samdrift-bench-{args.size}")
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    if args.postgres:
        ensure_postgres_database(args.postgres)
    setup_django(args.postgres, data_dir)
    from django.core.management import call_command
    from django.db import connection

    from samdrift.inventory.models import Asset
    from samdrift.organisations.models import Municipality

    engine = connection.vendor
    figures: dict = {"engine": engine, "size": args.size}
    if args.rebuild or not demo_present(args.size):
        print(f"Generating the {args.size} demo on {engine} …")
        figures["demo_seconds"] = build(args.size)
    else:
        call_command("migrate", verbosity=0, interactive=False)
        figures["demo_seconds"] = "reused"
    figures["assets"] = Asset.objects.count()
    figures["municipalities"] = Municipality.objects.count()
    as_of = TODAY
    figures["as_of"] = as_of.isoformat()
    print(f"{figures['assets']:,} assets, {figures['municipalities']} municipalities, {engine}")
    for name, fn in cases(as_of).items():
        figures[name] = measure(fn, args.repeat)
        result = figures[name]
        print(
            f"  {name:<12} {result['seconds']:7.2f} s (worst {result['worst_seconds']:.2f})"
            f"  {result['queries']:4d} queries"
        )
    figures.update(
        {
            "target_seconds": TARGET_SECONDS,
            "repeat": args.repeat,
            "machine": (
                f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
            ),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "measured_at": datetime.datetime.now().isoformat(timespec="seconds"),
        }
    )
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[f"{engine}-{args.size}"] = figures
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    slow = [name for name in cases(as_of) if not figures[name]["under_target"]]
    if slow:
        print(f"over {TARGET_SECONDS:.0f} s: {', '.join(slow)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
