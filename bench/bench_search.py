"""Benchmark: search at the design scale (issue #18: search p95 < 150 ms).

Runs on an existing install (the large demo, or a copy of it: this script reads, never
writes, but migrates first when ``--migrate`` is given), through Django's test client:
the asset list and the person list with ``?q=``, the API's ``/api/assets/?q=`` and
``/api/persons/?q=``, and the global search box ``/search/?q=``, as the operator
(``admin``), as the contact of the largest municipality and as a service-area manager
of it. The queries are taken from the data (an asset tag, its beginning, a serial number,
a host name, a surname, a first and last name, a model word, a service area).

    SAMDRIFT_DATA_DIR=/work/large/copy-sqlite .venv/bin/python bench/bench_search.py
    DATABASE_URL=postgres://…/samdrift_large_copy .venv/bin/python bench/bench_search.py

Prints p50/p95 per kind and user, and writes bench/results/search.json (one entry per
engine).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "search.json"


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samdrift.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def queries() -> list[str]:
    from samdrift.inventory.models import Asset
    from samdrift.organisations.models import Municipality, Person

    biggest = Municipality.objects.order_by("-population").first()
    asset = Asset.objects.filter(municipality=biggest, person__isnull=False).order_by("pk")[
        1000:1001
    ][0]
    person = asset.person
    other = Person.objects.filter(municipality=biggest).order_by("pk")[5000:5001][0]
    return [
        asset.asset_tag,  # a scanned label
        asset.asset_tag[:-2],  # its beginning
        asset.serial_number,
        asset.name,
        person.last_name,
        f"{other.first_name} {other.last_name}",
        person.username,
        "Chromebook",
        "Sykehjem",
    ]


def users() -> dict[str, object]:
    from samdrift.core.models import User
    from samdrift.organisations.models import Municipality

    biggest = Municipality.objects.order_by("-population").first()
    return {
        "admin": User.objects.get(username="admin"),
        "contact": User.objects.filter(municipality=biggest, role="municipality").first(),
        "manager": User.objects.filter(municipality=biggest, role="service_area").first(),
    }


def measure(repeat: int) -> dict:
    from django.test import Client
    from django.urls import reverse

    urls = {
        "asset list": reverse("inventory:asset_list"),
        "person list": reverse("organisations:person_list"),
        "API assets": "/api/assets/",
        "API persons": "/api/persons/",
        "global search": reverse("search"),
    }
    results = {}
    for who, user in users().items():
        client = Client()
        client.force_login(user)
        for kind, url in urls.items():
            times = []
            for query in queries():
                params = {"q": query}
                if kind == "global search":
                    params["jump"] = "0"
                best = []
                for _ in range(repeat):
                    start = time.perf_counter()
                    response = client.get(url, params)
                    best.append(time.perf_counter() - start)
                    assert response.status_code == 200, (url, query, response.status_code)
                times.append(min(best))
                times.extend(sorted(best)[1:2])  # the second best too: less luck
            times.sort()
            p50 = statistics.median(times)
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            results[f"{kind} / {who}"] = {"p50_ms": round(p50 * 1000), "p95_ms": round(p95 * 1000)}
            print(
                f"{kind:14} {who:8} p50 {p50 * 1000:7.0f} ms  p95 {p95 * 1000:7.0f} ms", flush=True
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--migrate", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    setup()
    from django.core.management import call_command
    from django.db import connection

    if args.migrate:
        call_command("migrate", verbosity=1, interactive=False)
    print("queries:", queries())
    results = measure(args.repeat)
    if not args.no_write:
        saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        saved[connection.vendor] = results
        RESULTS.write_text(json.dumps(saved, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
