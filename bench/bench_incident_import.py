"""Benchmark: import a ServiceNow incident event log of 150,000 rows (25,000 incidents of
50 municipalities) — issue #13 asks for under 15 s on SQLite and on PostgreSQL.

Each incident has 4–8 events (new → in progress → maybe on hold, awaiting caller or
vendor → … → resolved → closed, one row per change with ``sys_updated_on``); companies and
categories are mapped by source mappings (a company per municipality, ten categories to
five services). The file is imported with ``run_import`` into an empty database (all
25,000 created), then again (all unchanged, nothing written).

    .venv/bin/python bench/bench_incident_import.py                  # SQLite
    .venv/bin/python bench/bench_incident_import.py --postgres postgres://postgres@127.0.0.1:5432/samdrift_bench
    DATABASE_URL=postgres://… .venv/bin/python bench/bench_incident_import.py

The database is a scratch one (a temporary SQLite file, or the PostgreSQL database given,
created when missing and flushed). Figures are printed and merged into
bench/results/incident_import.json.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

from benchenv import ensure_postgres_database, prepare_database, setup_django

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "incident_import.json"
MUNICIPALITIES, INCIDENTS, ROWS = 50, 25_000, 150_000
TARGET = 15.0
HEADER = (
    "number,opened_at,priority,state,hold_reason,resolved_at,closed_at,company,location,"
    "category,short_description,sys_updated_on"
)
PRIORITIES = ["1 - Critical", "2 - High", "3 - Moderate", "4 - Low"]
CATEGORIES = [f"Kategori {n}" for n in range(10)]


def world() -> list:
    """50 municipalities, five services, and the mappings of companies and categories."""
    from samdrift.catalogue.models import Service
    from samdrift.core.validators import organisation_number_with_check_digit
    from samdrift.organisations.models import Municipality
    from samdrift.servicedesk.services.mappings import set_mapping

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
    municipalities = list(Municipality.objects.order_by("number"))
    services = [
        Service.objects.create(name=f"Tjeneste {n}", code=f"tjeneste-{n}", unit="per_user")
        for n in range(5)
    ]
    for n, municipality in enumerate(municipalities):
        set_mapping(
            source="servicenow",
            column="company",
            value=f"Selskap {n:02d} IKT",
            municipality=municipality,
        )
    for n, category in enumerate(CATEGORIES):
        set_mapping(source="servicenow", column="category", value=category, service=services[n % 5])
    return municipalities


def event_log() -> bytes:
    """150,000 rows: 25,000 incidents of exactly six events on average (4–8)."""
    rng = random.Random(13)
    start = datetime.datetime(2026, 1, 1, 7, 0)
    out = io.StringIO()
    out.write(HEADER + "\n")
    counts = [4, 5, 6, 7, 8]  # six on average: 25,000 incidents make 150,000 rows
    for n in range(INCIDENTS):
        events = counts[n % 5]
        number = f"INC{n + 1:07d}"
        opened = start + datetime.timedelta(minutes=rng.randrange(0, 60 * 24 * 330))
        priority = rng.choice(PRIORITIES)
        company = f"Selskap {rng.randrange(MUNICIPALITIES):02d} IKT"
        category = rng.choice(CATEGORIES)
        title = f"Sak {n} – feil på tjenesten"
        when = opened
        states = ["New", "In Progress"]
        middle = events - 4
        for _ in range(max(middle, 0)):
            states.append(rng.choice(["On Hold", "In Progress"]))
        states += ["Resolved", "Closed"]
        states = states[:events] if events < len(states) else states
        resolved = ""
        for index, state in enumerate(states):
            reason = ""
            if state == "On Hold":
                reason = rng.choice(["Awaiting Caller", "Awaiting Vendor"])
            if index:
                when += datetime.timedelta(minutes=rng.randrange(5, 600))
            if state == "Resolved":
                resolved = f"{when:%Y-%m-%d %H:%M:%S}"
            closed = f"{when:%Y-%m-%d %H:%M:%S}" if state == "Closed" else ""
            out.write(
                f"{number},{opened:%Y-%m-%d %H:%M:%S},{priority},{state},{reason},{resolved},"
                f"{closed},{company},,{category},{title},{when:%Y-%m-%d %H:%M:%S}\n"
            )
    return out.getvalue().encode("utf-8")


def run(args) -> dict:
    from samdrift.core.actor import acting_as
    from samdrift.core.choices import Role
    from samdrift.core.importing import run_import
    from samdrift.core.models import User
    from samdrift.servicedesk.importers import IncidentImporter
    from samdrift.servicedesk.models import Incident

    prepare_database()
    world()
    data = event_log()
    operator = User.objects.create(username="bench", role=Role.OPERATOR, is_superuser=True)
    figures = {}
    for name in ("first", "again"):
        with acting_as(user=operator, label="bench"):
            started, cpu = time.perf_counter(), time.process_time()
            result = run_import(importer=IncidentImporter, data=data, filename="incidents.csv")
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        if not result.ok:
            raise SystemExit(f"import failed: {result.errors[:5]}")
        figures[name] = {
            "wall_s": round(wall, 3),
            "cpu_s": round(cpu, 3),
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
    return {
        "engine": "postgresql" if args.postgres else "sqlite",
        "rows": result.rows,
        "incidents": Incident.objects.count(),
        "municipalities": MUNICIPALITIES,
        "import": {**figures["first"], "target_s": TARGET},
        "reimport_unchanged": figures["again"],
        "python": platform.python_version(),
        "measured": datetime.datetime.now().isoformat(timespec="seconds"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres",
        default=os.environ.get("DATABASE_URL"),
        help="URL of a scratch PostgreSQL database (default: $DATABASE_URL; none: SQLite)",
    )
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
    if figures["import"]["wall_s"] > TARGET:
        print(f"over target: {figures['import']['wall_s']} s > {TARGET} s", file=sys.stderr)


if __name__ == "__main__":
    main()
