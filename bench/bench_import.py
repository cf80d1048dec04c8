"""Benchmark: import 100,000 asset rows (Snipe-IT-like CSV with 30 columns, and XLSX).

Issue #6 asks for 100,000 CSV rows in under 20 s on SQLite and on PostgreSQL (target
20,000 rows/s), 100,000 XLSX rows in under 60 s, and peak memory under 1 GB. Each import
runs as ``samdrift import assets FILE --municipality 4601`` in a subprocess against a
freshly migrated database (SQLite in a temporary directory; PostgreSQL in a scratch
database when ``--postgres URL`` is given); wall time is measured around the subprocess
and its peak memory with ``resource.getrusage(RUSAGE_CHILDREN)``. A second run of the same
file (everything unchanged, nothing written) is measured too.

    .venv/bin/python bench/bench_import.py                      # SQLite, 100,000 rows
    .venv/bin/python bench/bench_import.py --rows 20000         # quicker
    .venv/bin/python bench/bench_import.py --postgres postgres://postgres@127.0.0.1:5432/samdrift_bench

Figures are printed and written to bench/results/import.json.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMDRIFT = str(ROOT / ".venv" / "bin" / "samdrift")
PYTHON = str(ROOT / ".venv" / "bin" / "python")
RESULTS = ROOT / "bench" / "results" / "import.json"

HEADERS = [
    "Company",
    "Name",
    "Asset Tag",
    "Serial",
    "Category",
    "Manufacturer",
    "Model",
    "Model Number",
    "Exact model",
    "Status",
    "Purchase Date",
    "Purchase Cost",
    "Order Number",
    "Supplier",
    "Location",
    "Checked Out To",
    "Checked Out To: Username",
    "Checked Out To: First Name",
    "Checked Out To: Last Name",
    "Checked Out To: Email",
    "Service area",
    "Notes",
    "Warranty",
    "Warranty Expires",
    "EOL",
    "Origin",
    "Lessor",
    "Lease start",
    "Lease end",
    "Checkout Date",
]
assert len(HEADERS) == 30

CATEGORIES = [
    ("Laptop", "laptop"),
    ("Desktop", "desktop"),
    ("Phone", "phone"),
    ("Printer", "printer"),
]
SERVICE_AREAS = [
    ("Oppvekst", "2000", "education"),
    ("Helse og omsorg", "3000", "health_care"),
    ("Administrasjon", "1000", "administration"),
    ("Teknisk", "4000", "technical"),
    ("Kultur", "5000", "culture"),
]
FIRST = ["Kari", "Ola", "Åse", "Bjørn", "Ærling", "Siv", "Trond", "Ingrid", "Øystein", "Marit"]
LAST = ["Nordmann", "Hansen", "Johansen", "Ødegård", "Bakke", "Strøm", "Lie", "Dahl", "Aas"]

# Usernames and e-mail addresses are ASCII, as in Norwegian municipalities' directories.
ASCII = str.maketrans({"æ": "ae", "ø": "o", "å": "aa"})

SEED_SCRIPT = """
import datetime
from samdrift.catalogue.models import ProductCategory
from samdrift.core.validators import organisation_number_with_check_digit
from samdrift.organisations.models import Municipality, ServiceArea
base = 93000000
while (orgnr := organisation_number_with_check_digit(str(base))) is None:
    base += 1
m = Municipality.objects.create(name="Fjordvik", number="4601", organisation_number=orgnr,
    population=60000, joined_on=datetime.date(2024, 1, 1))
for name, cost_centre, kind in %(areas)r:
    ServiceArea.objects.create(municipality=m, name=name, cost_centre=cost_centre, kind=kind)
categories = {}
for name, code in %(categories)r:
    categories[name] = ProductCategory.objects.create(name=name, code=code)
# The file's models, priced: held assets of a product without a price are refused.
from decimal import Decimal
from samdrift.catalogue.models import PriceVersion, Product
for manufacturer, model, category in %(models)r:
    product = Product.objects.create(name=model, category=categories[category],
        manufacturer=manufacturer)
    PriceVersion.objects.create(product=product, amount=Decimal("300.00"),
        valid_from=datetime.date(2019, 1, 1))
"""


MODELS = [
    ("Lenovo", "ThinkPad T14", "Laptop"),
    ("Lenovo", "ThinkPad X13", "Laptop"),
    ("HP", "EliteBook 840", "Laptop"),
    ("Dell", "OptiPlex 7010", "Desktop"),
    ("Apple", "iPhone 15", "Phone"),
    ("Samsung", "Galaxy A55", "Phone"),
    ("Canon", "imageRUNNER C3826i", "Printer"),
    ("HP", "LaserJet M406", "Printer"),
]


def generate_rows(count: int, seed: int = 6) -> list[list[str]]:
    """``count`` asset rows as a Norwegian municipality's old system exports them."""
    rng = random.Random(seed)
    persons = max(count // 5, 1)
    locations = [f"Skole {i}" for i in range(1, 40)] + ["Rådhuset", "Helsesenteret", "Biblioteket"]
    statuses = ["Deployed"] * 8 + ["Ready to Deploy", "Out for Repair", "Archived"]
    rows = []
    start = datetime.date(2020, 1, 1)
    for n in range(count):
        manufacturer, model, category = MODELS[n % len(MODELS)]
        status = statuses[rng.randrange(len(statuses))]
        in_use = status in ("Deployed", "Out for Repair")
        person = rng.randrange(persons)
        first, last = FIRST[person % len(FIRST)], LAST[person % len(LAST)]
        ascii_name = f"{first}.{last}".lower().translate(ASCII)
        username = f"{ascii_name}{person}" if in_use else ""
        bought = start + datetime.timedelta(days=rng.randrange(1800))
        cost = Decimal(rng.randrange(200000, 2500000)) / 100
        leased = n % 4 == 0
        area = SERVICE_AREAS[n % len(SERVICE_AREAS)][0]
        rows.append(
            [
                "Fjordvik kommune",
                f"FV-{n:06d}",
                f"A{n:07d}",
                f"SN{rng.randrange(16**10):010X}{n}",
                category,
                manufacturer,
                model,
                f"{model[:3].upper()}-{n % 97}",
                f"{manufacturer} {model} Gen {n % 5 + 1}",
                status,
                bought.strftime("%d.%m.%Y"),
                f"{cost:,.2f}".replace(",", " ").replace(".", ","),
                f"PO{n // 50:06d}",
                "Atea AS",
                locations[n % len(locations)] if in_use else "",
                f"{first} {last}" if in_use else "",
                username,
                first if in_use else "",
                last if in_use else "",
                f"{username}@fjordvik.kommune.no" if in_use else "",
                area if in_use else "",
                "Innkjøpt via rammeavtale; æøå ÆØÅ" if n % 10 == 0 else "",
                "36",
                (bought + datetime.timedelta(days=3 * 365)).isoformat(),
                (bought + datetime.timedelta(days=5 * 365)).strftime("%d.%m.%Y"),
                "Leaset" if leased else "Kjøpt",
                "Nordic Leasing AS" if leased else "",
                bought.isoformat() if leased else "",
                (bought + datetime.timedelta(days=3 * 365)).isoformat() if leased else "",
                (bought + datetime.timedelta(days=7)).strftime("%d.%m.%Y") if in_use else "",
            ]
        )
    return rows


def write_csv(path: Path, rows: list[list[str]]) -> None:
    # Windows-1252 and semicolons: the hardest case of an ordinary Norwegian Excel export.
    with path.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADERS)
        writer.writerows(rows)


def write_xlsx(path: Path, rows: list[list[str]]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Assets")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, capture_output=True, text=True, check=False)


def fresh_database(env: dict[str, str]) -> None:
    for step in (
        [SAMDRIFT, "migrate", "--no-input", "-v", "0"],
        [
            PYTHON,
            "-c",
            "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
            "'samdrift.settings'); django.setup(); exec(os.environ['SEED'])",
        ],
    ):
        done = run(
            step,
            {
                **env,
                "SEED": SEED_SCRIPT
                % {"areas": SERVICE_AREAS, "categories": CATEGORIES, "models": MODELS},
            },
        )
        if done.returncode != 0:
            sys.exit(f"setup failed: {' '.join(step)}\n{done.stderr}")


# Runs one command and reports the command's own peak memory and CPU time: a process of
# its own, so each import is measured alone (RUSAGE_CHILDREN keeps the largest child).
MEASURE = """
import json, resource, subprocess, sys
done = subprocess.run(sys.argv[1:])
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print("RUSAGE " + json.dumps({"returncode": done.returncode, "maxrss_kb": usage.ru_maxrss,
      "cpu": usage.ru_utime + usage.ru_stime}), file=sys.stderr)
"""


def timed_import(path: Path, env: dict[str, str]) -> dict:
    """One import in a subprocess: wall seconds, CPU seconds, peak RSS (MB), its output."""
    command = [SAMDRIFT, "import", "assets", str(path), "--municipality", "4601"]
    started = time.perf_counter()
    done = run([PYTHON, "-c", MEASURE, *command, "--progress", "none"], env)
    seconds = time.perf_counter() - started
    usage_line = next(
        line for line in reversed(done.stderr.splitlines()) if line.startswith("RUSAGE ")
    )
    usage = json.loads(usage_line.removeprefix("RUSAGE "))
    if usage["returncode"] != 0:
        sys.exit(f"import failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return {
        "seconds": round(seconds, 2),
        # CPU time of the import: on a shared machine the steadier figure.
        "cpu_seconds": round(usage["cpu"], 2),
        "peak_rss_mb": round(usage["maxrss_kb"] / 1024, 1),  # kilobytes on Linux
        "output_tail": done.stdout.strip().splitlines()[-6:],
    }


def bench_engine(
    engine: str, env: dict[str, str], files: dict[str, Path], rows: int, reset
) -> dict:
    figures = {}
    for fmt, path in files.items():
        reset()
        fresh_database(env)
        first = timed_import(path, env)
        again = timed_import(path, env)
        figures[fmt] = {
            "rows": rows,
            "file_mb": round(path.stat().st_size / 1024**2, 1),
            "first_import_seconds": first["seconds"],
            "first_import_cpu_seconds": first["cpu_seconds"],
            "rows_per_second": round(rows / first["seconds"]),
            "reimport_unchanged_seconds": again["seconds"],
            "reimport_unchanged_cpu_seconds": again["cpu_seconds"],
            "peak_rss_mb": max(first["peak_rss_mb"], again["peak_rss_mb"]),
            "output": first["output_tail"],
        }
        print(
            f"{engine:10} {fmt:4} {rows} rows: {first['seconds']:6.1f} s "
            f"(cpu {first['cpu_seconds']:.1f} s, {rows / first['seconds']:,.0f} rows/s), "
            f"re-import {again['seconds']:.1f} s (cpu {again['cpu_seconds']:.1f} s), "
            f"peak {figures[fmt]['peak_rss_mb']} MB",
            flush=True,
        )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--postgres", help="PostgreSQL URL of a scratch database (dropped)")
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--no-sqlite", action="store_true")
    options = parser.parse_args()
    results = {
        "benchmark": "import of asset rows (samdrift import assets, fresh database)",
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        ),
        "targets": {
            "csv_seconds": 20,
            "csv_rows_per_second": 20000,
            "xlsx_seconds": 60,
            "peak_rss_mb": 1024,
        },
        "engines": {},
    }
    with tempfile.TemporaryDirectory(prefix="samdrift-bench-import-") as tmp:
        folder = Path(tmp)
        rows = generate_rows(options.rows)
        files = {}
        formats = options.formats.split(",")
        if "csv" in formats:
            files["csv"] = folder / "assets.csv"
            write_csv(files["csv"], rows)
        if "xlsx" in formats:
            files["xlsx"] = folder / "assets.xlsx"
            write_xlsx(files["xlsx"], rows)
        del rows
        base_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        base_env["SAMDRIFT_DATA_DIR"] = str(folder / "var")
        if not options.no_sqlite:

            def reset_sqlite() -> None:
                for leftover in (folder / "var").glob("samdrift.sqlite3*"):
                    leftover.unlink()

            results["engines"]["sqlite"] = bench_engine(
                "sqlite", base_env, files, options.rows, reset_sqlite
            )
        if options.postgres:
            env = {**base_env, "DATABASE_URL": options.postgres}
            try:
                results["engines"]["postgresql"] = bench_engine(
                    "postgresql", env, files, options.rows, lambda: reset_postgres(options.postgres)
                )
            finally:
                drop_postgres(options.postgres)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")


def _admin(url: str):
    import psycopg

    base, name = url.rsplit("/", 1)
    return psycopg.connect(base + "/postgres", autocommit=True), name


def reset_postgres(url: str) -> None:
    connection, name = _admin(url)
    with connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_postgres(url: str) -> None:
    connection, name = _admin(url)
    with connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
