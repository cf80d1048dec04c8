"""Benchmark: one asset import into an existing database, its CPU time split by table.

Runs ``samdrift import assets FILE --municipality N`` in this process against the
database the environment names (``SAMDRIFT_DATA_DIR`` for SQLite, ``DATABASE_URL`` for
PostgreSQL: point it at a *copy*, the import writes) and prints wall and CPU seconds,
rows per wall and per CPU second, and the time spent storing each table's rows
(SQLite: CPU of the ``executemany``, which runs in this process with the triggers and
indexes; PostgreSQL: wall time of each ``COPY`` in the writing thread, and the CPU time
of the server's backend process, read from ``/proc`` — the server must run on this
machine). On a shared machine the CPU figures are the steady ones.

    SAMDRIFT_DATA_DIR=/tmp/large-import .venv/bin/python bench/bench_import_tables.py \\
        assets.csv --municipality 4601
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/COPY .venv/bin/python \\
        bench/bench_import_tables.py assets.csv --municipality 4601

A file like ``bench_import.py``'s: ``--write N`` writes N of its rows to FILE first (its
company column says ``--company``). The municipality, its service areas and the file's
priced products must exist: ``--seed`` makes them (a new municipality named as the
company, without " kommune", numbered ``--municipality``; run it once per copy).
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _backend_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _seed(name: str, number: str) -> None:
    """The municipality, service areas, categories and priced products the file names."""
    import datetime
    from decimal import Decimal

    import bench_import

    from samdrift.catalogue.models import PriceVersion, Product, ProductCategory
    from samdrift.core.validators import organisation_number_with_check_digit
    from samdrift.organisations.models import Municipality, ServiceArea

    base = 93000000
    while (orgnr := organisation_number_with_check_digit(str(base))) is None or (
        Municipality.objects.filter(organisation_number=orgnr).exists()
    ):
        base += 1
    municipality = Municipality.objects.create(
        name=name,
        number=number,
        organisation_number=orgnr,
        population=60000,
        joined_on=datetime.date(2024, 1, 1),
    )
    for area, cost_centre, kind in bench_import.SERVICE_AREAS:
        ServiceArea.objects.create(
            municipality=municipality, name=area, cost_centre=cost_centre, kind=kind
        )
    categories = {
        category: ProductCategory.objects.get_or_create(code=code, defaults={"name": category})[0]
        for category, code in bench_import.CATEGORIES
    }
    for manufacturer, model, category in bench_import.MODELS:
        product, _created = Product.objects.get_or_create(
            name=model,
            manufacturer=manufacturer,
            defaults={"category": categories[category]},
        )
        PriceVersion.objects.get_or_create(
            product=product,
            valid_from=datetime.date(2019, 1, 1),
            defaults={"amount": Decimal("300.00")},
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file")
    parser.add_argument("--municipality", required=True, help="its number")
    parser.add_argument("--write", type=int, help="first write this many generated rows")
    parser.add_argument("--company", default="Importvik kommune")
    parser.add_argument("--seed", action="store_true", help="first make the municipality")
    options = parser.parse_args()
    if options.write:
        import bench_import

        rows = bench_import.generate_rows(options.write)
        for row in rows:
            row[0] = options.company
        bench_import.write_csv(Path(options.file), rows)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samdrift.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from samdrift.core import inserting

    if options.seed:
        _seed(options.company.removesuffix(" kommune"), options.municipality)

    spent: collections.Counter = collections.Counter()
    rows_of: collections.Counter = collections.Counter()
    write = inserting.Insert.write
    clock = time.perf_counter if connection.vendor == "postgresql" else time.process_time

    def timed(self, database, rows):
        started = clock()
        write(self, database, rows)
        spent[self.table] += clock() - started
        rows_of[self.table] += rows.count("\n") if isinstance(rows, str) else len(rows)

    inserting.Insert.write = timed
    backend = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        backend_started = _backend_cpu(backend)
    wall, cpu = time.perf_counter(), time.process_time()
    with open(os.devnull, "w") as quiet:
        call_command(
            "import",
            "assets",
            options.file,
            "--municipality",
            options.municipality,
            "--progress",
            "none",
            stdout=quiet,
        )
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    total = rows_of.get("inventory_asset", 0)
    print(f"{connection.vendor}: {total:,} assets in {wall:.1f} s wall, {cpu:.1f} s CPU")
    if total:
        print(f"  {total / wall:,.0f} rows per wall second, {total / cpu:,.0f} per CPU second")
    if backend is not None:
        server = _backend_cpu(backend) - backend_started
        print(f"  server backend CPU {server:.1f} s (app + server {cpu + server:.1f} s)")
    what = "COPY wall" if backend is not None else "storing, CPU"
    for table, seconds in spent.most_common():
        print(f"  {table:32} {seconds:6.2f} s {what}  ({rows_of[table]:,} rows)")


if __name__ == "__main__":
    main()
