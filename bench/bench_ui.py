"""Benchmark: how fast the web UI answers on the demo data (issue #3: the overview loads
in under 1 s on the medium demo).

A throw-away install is filled with ``samdrift demo --size medium --no-serve`` (kept in
the data dir and reused on the next run), then:

1. server side: each main page is rendered through Django's test client (no network),
   as the operator and as a municipality contact — median and worst of ``--repeat`` runs,
   and the number of SQL queries;
2. in the browser: headless chromium loads the overview from ``samdrift runserver`` on
   127.0.0.1 (static files included) — the navigation timing until the load event.

    .venv/bin/python bench/bench_ui.py                    # medium demo, SQLite
    .venv/bin/python bench/bench_ui.py --size small --repeat 3 --no-browser

Figures are printed and merged into bench/results/ui.json (one entry per size).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import uiserver  # noqa: E402 — after the path is set

RESULTS = ROOT / "bench" / "results" / "ui.json"
TARGET_SECONDS = 1.0


def page_list() -> list[tuple[str, str]]:
    from django.db.models import Count
    from django.urls import reverse

    from samdrift.inventory.models import Asset
    from samdrift.organisations.models import Municipality, Person

    municipality = Municipality.objects.order_by("-population").first()
    asset = (
        Asset.objects.filter(municipality=municipality)
        .annotate(n=Count("assignments"))
        .order_by("-n", "pk")
        .first()
    )
    person = Person.objects.filter(municipality=municipality).order_by("pk").first()
    return [
        ("overview", reverse("home")),
        ("municipalities", reverse("organisations:municipality_list")),
        ("municipality", reverse("organisations:municipality_detail", args=[municipality.pk])),
        ("persons", reverse("organisations:person_list")),
        ("persons (search)", reverse("organisations:person_list") + "?q=han"),
        ("person", reverse("organisations:person_detail", args=[person.pk])),
        ("assets", reverse("inventory:asset_list")),
        (
            "assets (filtered, sorted)",
            reverse("inventory:asset_list")
            + f"?municipality={municipality.pk}&status=deployed&sort=-acquisition_date",
        ),
        ("asset", reverse("inventory:asset_detail", args=[asset.pk])),
        ("products", reverse("catalogue:product_list")),
        ("prices", reverse("catalogue:price_list")),
        ("service areas", reverse("organisations:service_area_list")),
    ]


def time_pages(username: str, pages: list[tuple[str, str]], repeat: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from samdrift.core.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    figures = {}
    for name, url in pages:
        client.get(url)  # warm-up: templates compiled, caches filled
        times = []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url)
                elapsed = time.perf_counter() - start
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code} for {username}")
            times.append(elapsed)
        figures[name] = {
            "url": url,
            "median_s": round(statistics.median(times), 4),
            "max_s": round(max(times), 4),
            "queries": len(queries),
        }
        print(
            f"  {name:28s} median {figures[name]['median_s']:.3f} s  "
            f"max {figures[name]['max_s']:.3f} s  {len(queries):3d} queries"
        )
    return figures


def browser_overview(data_dir: Path, port: int, username: str, repeat: int) -> dict:
    from playwright.sync_api import sync_playwright

    cookie = uiserver.session_cookie(username)
    loads, problems = [], []
    with uiserver.running_server(data_dir, port) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=uiserver.CHROMIUM, headless=True, args=uiserver.CHROMIUM_ARGS
        )
        context = browser.new_context()
        context.add_cookies([{"name": "sessionid", "value": cookie, "url": base}])
        page = context.new_page()
        guard = uiserver.Guard()
        guard.attach(context, page)
        page.goto(base + "/", wait_until="load")  # warm-up
        for _ in range(repeat):
            page.goto(base + "/", wait_until="load")
            timing = page.evaluate(
                "() => { const n = performance.getEntriesByType('navigation')[0]; return "
                "{load: n.loadEventEnd - n.startTime, ttfb: n.responseStart - n.startTime}; }"
            )
            loads.append(timing)
        problems = guard.problems
        browser.close()
    load_ms = [t["load"] for t in loads]
    ttfb_ms = [t["ttfb"] for t in loads]
    result = {
        "load_median_s": round(statistics.median(load_ms) / 1000, 4),
        "load_max_s": round(max(load_ms) / 1000, 4),
        "ttfb_median_s": round(statistics.median(ttfb_ms) / 1000, 4),
        "problems": problems,
    }
    print(
        f"  overview in chromium: load median {result['load_median_s']:.3f} s, "
        f"max {result['load_max_s']:.3f} s (first byte {result['ttfb_median_s']:.3f} s)"
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="medium", choices=["small", "medium", "large"])
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--port", type=int, default=8104)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    data_dir = args.data_dir or Path(f"/tmp/samdrift-bench-ui-{args.size}")

    started = time.perf_counter()
    source = uiserver.prepare_data(data_dir, args.size, reuse=True)
    print(f"data: {source} in {data_dir} (ready after {time.perf_counter() - started:.0f} s)")
    uiserver.setup_django(data_dir)
    from samdrift.core.choices import Role
    from samdrift.core.models import User
    from samdrift.inventory.models import Asset
    from samdrift.organisations.models import Municipality, Person

    operator = User.objects.filter(role=Role.OPERATOR).order_by("pk").first()
    biggest = Municipality.objects.order_by("-population").first()
    contact = User.objects.filter(role=Role.MUNICIPALITY, municipality=biggest).first()
    pages = page_list()
    print(f"operator ({operator.username}):")
    as_operator = time_pages(operator.username, pages, args.repeat)
    print(f"municipality contact ({contact.username}):")
    as_contact = time_pages(contact.username, pages, args.repeat)
    browser = None
    if not args.no_browser:
        browser = browser_overview(data_dir, args.port, operator.username, args.repeat)

    overview = as_operator["overview"]["median_s"]
    entry = {
        "size": args.size,
        "data": source,
        "persons": Person.objects.count(),
        "assets": Asset.objects.count(),
        "engine": "sqlite",
        "repeat": args.repeat,
        "target_overview_s": TARGET_SECONDS,
        "overview_median_s": overview,
        "overview_within_target": overview < TARGET_SECONDS
        and (browser is None or browser["load_median_s"] < TARGET_SECONDS),
        "operator": as_operator,
        "contact": as_contact,
        "browser_overview": browser,
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[args.size] = entry
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"overview: {overview:.3f} s (target < {TARGET_SECONDS} s); written to {RESULTS}")
    return 0 if entry["overview_within_target"] and not (browser and browser["problems"]) else 1


if __name__ == "__main__":
    sys.exit(main())
