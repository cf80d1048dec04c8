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
company column says ``--company``; the municipality, its service areas and the file's
priced products must exist: ``bench_import.SEED_SCRIPT`` makes them in a fresh database).
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file")
    parser.add_argument("--municipality", required=True, help="its number")
    parser.add_argument("--write", type=int, help="first write this many generated rows")
    parser.add_argument("--company", default="Fjordvik kommune")
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
