"""Profile: search at the design scale, term by term (issue #18: search p95 < 150 ms).

Runs on an existing install (a copy of the large demo; reads only), in process through
Django's test client, as ``admin`` (the operator: all 50 municipalities) and as the
largest municipality's contact. For each search page (the global box ``/search/``, the
asset list, the persons list, the API's ``/api/assets/``) and each term, the best of two
requests: wall time, the Django process's CPU time (on SQLite that includes the
database's work), and the time of the queries as the database driver saw it (on
PostgreSQL, the server's work). The terms are bench/bench_scale.py's sample (seed 18:
tags, serials, last names, usernames of the largest municipality) plus words common in
the fleet ("Chromebook": 377,000 devices; "Sykehjem", "Hansen", "ole", "10", "kari
nord"). Wall times on a shared machine wander; quote CPU and query times.

    SAMDRIFT_DATA_DIR=COPY .venv/bin/python bench/profile_search.py
    DATABASE_URL=postgres://…/COPY .venv/bin/python bench/profile_search.py --kinds api

Prints one line per request and a p50/p95 summary per page and user.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
TERMS = [
    # bench_scale.py's sample of the large demo (seed 18, three of each kind)
    "FRI0763235",
    "K4735-00001",
    "R500BA5637B7",
    "KE4735000001",
    "Rasmussen",
    "Moe",
    "Solberg",
    "eriras31442",
    "solmoe19364",
    "larsol30037",
    # words common in the fleet
    "Chromebook",
    "Sykehjem",
    "Hansen",
    "ole",
    "kari nord",
    "10",
]
URLS = {
    "global": "/search/?jump=0&q=",
    "assets": "/assets/?q=",
    "persons": "/persons/?q=",
    "api": "/api/assets/?q=",
}


def p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--terms", default=",".join(TERMS), help="comma-separated")
    parser.add_argument("--kinds", default=",".join(URLS), help="comma-separated")
    parser.add_argument("--users", default="admin,contact", help="comma-separated")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samdrift.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from samdrift.core.models import User
    from samdrift.organisations.models import Municipality

    largest = Municipality.objects.order_by("-population").first()
    logins = {
        "admin": User.objects.get(username="admin"),
        "contact": User.objects.filter(municipality=largest, role="municipality").first(),
    }
    summary: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    for who in args.users.split(","):
        client = Client()
        client.force_login(logins[who])
        for kind in args.kinds.split(","):
            for term in args.terms.split(","):
                best = None
                for _ in range(2):
                    with CaptureQueriesContext(connection) as queries:
                        wall, cpu = time.perf_counter(), time.process_time()
                        response = client.get(URLS[kind] + quote(term))
                        wall = time.perf_counter() - wall
                        cpu = time.process_time() - cpu
                    assert response.status_code == 200, (kind, term, response.status_code)
                    sql = sum(float(q["time"]) for q in queries.captured_queries)
                    if best is None or wall < best[0]:
                        best = (wall * 1000, cpu * 1000, sql * 1000, len(queries))
                wall, cpu, sql, count = best
                summary.setdefault((who, kind), []).append((wall, cpu, sql))
                print(
                    f"{who:8} {kind:8} {term:14} wall {wall:6.0f} cpu {cpu:5.0f} "
                    f"sql {sql:6.0f} ms, {count} queries",
                    flush=True,
                )
    print(f"\n{connection.vendor}: p50 / p95 ms")
    for (who, kind), rows in summary.items():
        wall, cpu, sql = (list(column) for column in zip(*rows, strict=True))
        print(
            f"{who:8} {kind:8} wall {statistics.median(wall):5.0f} / {p95(wall):5.0f}  "
            f"cpu {statistics.median(cpu):5.0f} / {p95(cpu):5.0f}  "
            f"sql {statistics.median(sql):5.0f} / {p95(sql):5.0f}"
        )


if __name__ == "__main__":
    main()
