"""Benchmark: the solutions portfolio at the design size (issue #12).

50 municipalities × 300 solutions in 25 functions: a portfolio file of 10,000 rows (each
member runs two thirds of the solutions, with users, licence cost, contract and
requirements) is imported into an empty portfolio — target under 5 s — and then the
standardisation report and the gap view are computed — target under 0.5 s each, with
the same number of queries as on a tiny portfolio.

    .venv/bin/python bench/bench_solutions.py                  # SQLite
    .venv/bin/python bench/bench_solutions.py --postgres postgres://postgres@127.0.0.1:5432/samdrift_bench

The database is a scratch one (a temporary SQLite file, or the PostgreSQL database
given, created when missing and flushed). Wall and CPU seconds are the median of
``--repeat`` runs; figures are printed and merged into bench/results/solutions.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchenv import ensure_postgres_database, prepare_database, setup_django

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "solutions.json"
TODAY = datetime.date(2026, 11, 27)
MUNICIPALITIES, SOLUTIONS, FUNCTIONS = 50, 300, 25
IMPORT_TARGET, VIEW_TARGET = 5.0, 0.5


def members_and_functions() -> list:
    from samdrift.core.validators import organisation_number_with_check_digit
    from samdrift.organisations.models import Municipality
    from samdrift.solutions.models import SolutionFunction

    municipalities = []
    base = 940_000_000 // 10
    for n in range(MUNICIPALITIES):
        seed = base + n * 37
        while (number := organisation_number_with_check_digit(str(seed))) is None:
            seed += 1
        municipalities.append(
            Municipality(
                name=f"Kommune {n:02d}",
                number=f"{5000 + n}",
                organisation_number=number,
                population=2_000 + n * 1_500,
                joined_on=datetime.date(2024, 1, 1),
            )
        )
    Municipality.objects.bulk_create(municipalities)
    SolutionFunction.objects.bulk_create(
        SolutionFunction(name=f"Function {f:02d}", code=f"function-{f:02d}")
        for f in range(FUNCTIONS)
    )
    return municipalities


def portfolio_file(municipalities: list) -> bytes:
    """10,000 rows: each member runs two thirds of the 300 solutions."""
    rng = random.Random(12)
    header = (
        "Kommune;System;Leverandør;Funksjon;Leveranseform;Brukere;Lisenskostnad;Avtaleslutt;"
        "Oppsigelsestid;Oppetid;Driftstid;Personopplysninger;Databehandleravtale;ROS"
    )
    lines = [header]
    forms = ["Driftssenter", "SaaS", "Leverandør", "Lokal"]
    hours = ["Kontortid", "Utvidet", "24/7"]
    target = 10_000
    pairs = [(m, s) for m in range(MUNICIPALITIES) for s in range(SOLUTIONS)]
    for m, s in sorted(rng.sample(pairs, target)):
        users = rng.randint(5, 2_000)
        personal = rng.random() < 0.6
        lines.append(
            ";".join(
                [
                    municipalities[m].name,
                    f"System {s:03d}",
                    f"Vendor {s % 40:02d} AS",
                    f"function-{s % FUNCTIONS:02d}",
                    forms[s % 4],
                    str(users),
                    f"{users * rng.randint(80, 3_000)},00",
                    f"01.{rng.randint(1, 12):02d}.{rng.randint(2027, 2030)}",
                    str(rng.choice((3, 6, 12))),
                    rng.choice(("99,0", "99,5", "99,9")),
                    rng.choice(hours),
                    "ja" if personal else "nei",
                    "01.03.2024" if personal and rng.random() < 0.9 else "",
                    f"01.{rng.randint(1, 12):02d}.{rng.randint(2024, 2026)}",
                ]
            )
        )
    return "\r\n".join(lines).encode("cp1252")


def timed(function, repeat: int) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    walls, cpus, queries = [], [], []
    for _ in range(repeat):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            wall, cpu = time.perf_counter(), time.process_time()
            function()
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        queries.append(len(captured))
    return {
        "wall_s": round(statistics.median(walls), 3),
        "cpu_s": round(statistics.median(cpus), 3),
        "worst_wall_s": round(max(walls), 3),
        "queries": max(queries),
    }


def run(args) -> dict:
    from django.conf import settings
    from django.test import Client

    from samdrift.core.actor import acting_as
    from samdrift.core.choices import Role
    from samdrift.core.importing import run_import
    from samdrift.core.models import User
    from samdrift.solutions.importers import PortfolioImporter
    from samdrift.solutions.models import SolutionUsage
    from samdrift.solutions.report import standardisation_report
    from samdrift.solutions.selectors import gap_report

    prepare_database()
    municipalities = members_and_functions()
    data = portfolio_file(municipalities)
    operator = User.objects.create(username="bench", role=Role.OPERATOR, is_superuser=True)
    with acting_as(user=operator, label="bench"):
        started, cpu = time.perf_counter(), time.process_time()
        result = run_import(
            importer=PortfolioImporter, data=data, filename="portfolio.csv", on=TODAY
        )
        import_wall, import_cpu = time.perf_counter() - started, time.process_time() - cpu
    if not result.applied:
        raise SystemExit(f"import failed: {result.errors[:5]}")
    usages = SolutionUsage.objects.count()
    report = timed(lambda: standardisation_report(user=operator, on=TODAY), args.repeat)
    gaps = timed(lambda: gap_report(user=operator, on=TODAY), args.repeat)
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(operator)
    pages = {
        name: timed(lambda url=url: client.get(url), args.repeat)
        for name, url in (
            ("standardisation_page", "/solutions/standardisation/"),
            ("gap_page", "/solutions/gaps/"),
            ("report_xlsx", "/solutions/standardisation/?export=xlsx"),
        )
    }
    return {
        "engine": "postgresql" if args.postgres else "sqlite",
        "municipalities": MUNICIPALITIES,
        "solutions": SOLUTIONS,
        "functions": FUNCTIONS,
        "usage_rows": usages,
        "import": {
            "rows": result.rows,
            "wall_s": round(import_wall, 3),
            "cpu_s": round(import_cpu, 3),
            "target_s": IMPORT_TARGET,
        },
        "standardisation_report": {**report, "target_s": VIEW_TARGET},
        "gap_view": {**gaps, "target_s": VIEW_TARGET},
        **pages,
        "python": platform.python_version(),
        "measured": datetime.datetime.now().isoformat(timespec="seconds"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", help="URL of a scratch PostgreSQL database")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        if args.postgres:
            ensure_postgres_database(args.postgres)
        setup_django(args.postgres, data_dir)
        figures = run(args)
    print(json.dumps(figures, indent=2))
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[figures["engine"]] = figures
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    slow = [
        name
        for name in ("standardisation_report", "gap_view")
        if figures[name]["wall_s"] > VIEW_TARGET
    ]
    if figures["import"]["wall_s"] > IMPORT_TARGET:
        slow.append("import")
    if slow:
        print(f"over target: {', '.join(slow)}", file=sys.stderr)


if __name__ == "__main__":
    main()
