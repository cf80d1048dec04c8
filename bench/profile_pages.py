"""Measure chosen pages on an existing install (e.g. the large demo) through Django's test
client, per user: the SQL queries, wall time and the request's CPU time (steadier than
wall time on a shared machine; with SQLite it includes the queries), optionally with a
pyinstrument profile (``pip install pyinstrument``; not a dependency).

    SAMDRIFT_DATA_DIR=/tmp/large PYTHONPATH=src .venv/bin/python bench/profile_pages.py \\
        / /municipalities/35/ --users admin contact-aasdal --repeat 11 [--slow 5] [--profile]

Not a ``bench_*.py``: ``run_all.py`` leaves it out, as it needs a filled install. Run it
with ``PYTHONPATH`` of another checkout to compare before and after on the same data.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--users", nargs="+", default=["admin"])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--slow", type=int, default=0, help="print the N slowest queries")
    parser.add_argument("--profile", action="store_true", help="one more request, profiled")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samdrift.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = ["*"]
    for username in args.users:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        for url in args.urls:
            status = client.get(url).status_code  # warm: the session, caches
            if status != 200:
                print(f"{username:20} {url:28} HTTP {status}")
                continue
            walls, cpus = [], []
            for _ in range(args.repeat):
                with CaptureQueriesContext(connection) as queries:
                    wall, cpu = time.perf_counter(), time.process_time()
                    client.get(url)
                    walls.append(time.perf_counter() - wall)
                    cpus.append(time.process_time() - cpu)
            print(
                f"{username:20} {url:28} queries={len(queries)} "
                f"p50={statistics.median(walls) * 1000:.0f} ms "
                f"max={max(walls) * 1000:.0f} ms "
                f"cpu p50={statistics.median(cpus) * 1000:.0f} ms"
            )
            slowest = sorted(
                ((float(q["time"]), q["sql"]) for q in queries.captured_queries), reverse=True
            )
            for seconds, sql in slowest[: args.slow]:
                print(f"    {seconds * 1000:7.1f} ms  {sql[:200]}")
            if args.profile:
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.001)
                profiler.start()
                client.get(url)
                profiler.stop()
                print(profiler.output_text(unicode=False, color=False))


if __name__ == "__main__":
    main()
