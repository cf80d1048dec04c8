"""Benchmark: proof under load (issue #19, item 6) — operators and municipality users
doing their usual mix (bench/locustfile.py) against gunicorn + PostgreSQL on the medium
demo, at 20 and 100 concurrent users; then the same while a billing run and an import
run write, to show that readers are not blocked (their p95 during against before).

    .venv/bin/python bench/bench_load.py                     # builds the demo, 4 phases
    .venv/bin/python bench/bench_load.py --reuse --duration 120
    .venv/bin/python bench/bench_load.py --reuse --quick     # a smoke run: 20 users, 20 s

Steps:

1. the medium demo in a PostgreSQL database of its own (``--database-url``, default
   ``samdrift_load``): reused with ``--reuse`` when it holds one, else built by
   ``samdrift demo --size medium --no-serve --password …`` (SAMDRIFT_ENV=demo: only demo
   mode creates the logins), then migrated;
2. the plan (``plan.json`` beside the results, see the locustfile): the logins — the
   operator ``admin``, every municipality's contact, the service-area manager — and for
   each the URLs of every kind of page it opens, each checked to answer 200 to it;
3. gunicorn in production mode (``SAMDRIFT_ENV=production``: no DEBUG, the API's rate
   counts in the database, no browsable API) on 127.0.0.1 over plain HTTP, so the TLS
   settings (HTTPS redirect, secure cookies, HSTS) are off for the run; ``--workers`` and
   ``--threads`` (gthread), by default 3 × 4: one process per core plus one, each with
   threads to overlap the database's waits;
4. locust headless for ``--duration`` seconds per phase: ``--users`` (20 and 100) alone,
   then each again while ``samdrift bill MONTH`` (the open month, re-rated: idempotent)
   and ``samdrift import assets`` (``--import-rows`` new assets for the largest
   municipality, new tags each run) run over and over in their own processes.

What the run changes, and says so in the results: the API throttles are raised
(``SAMDRIFT_API_RATE_PER_TOKEN``/``_PER_ADDRESS``), since every simulated user comes from
127.0.0.1 and the users share a few logins — the real limits are per person and address.
The login lock-out (django-axes) is left as it is: every password is right, so nothing
counts toward it. The database grows by the imported assets of each writer phase.

Results: bench/results/load.json — per phase and page p50/p95/max/count/errors (locust's
percentiles, to two significant digits), the failures named, the writers' runs, the
command and the machine — and a table on stdout (``--table`` prints it from the file).
Zero errors is the acceptance: the exit status is 1 when any request failed.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import platform
import random
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results" / "load.json"
LOCUSTFILE = BENCH / "locustfile.py"
PASSWORD = "demo-pass-123"  # noqa: S105 — the demo's documented login password
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/samdrift_load"
# Raised for the run (see the docstring); recorded in the results.
RAISED_LIMITS = {
    "SAMDRIFT_API_RATE_PER_TOKEN": "100000/minute",
    "SAMDRIFT_API_RATE_PER_ADDRESS": "100000/minute",
}

sys.path.insert(0, str(BENCH))


# --- the plan: who opens what --------------------------------------------------------


def with_query(url: str, **params) -> str:
    from bench_scale import with_query as scale_with_query

    return scale_with_query(url, **params)


def logins() -> list[tuple[str, object]]:
    """(role, user): the operator ``admin`` (else the first operator), every
    municipality's contact, every service-area manager."""
    from samdrift.core.choices import Role
    from samdrift.core.models import User

    found = []
    admin = User.objects.filter(username="admin", role=Role.OPERATOR).first()
    admin = admin or User.objects.filter(role=Role.OPERATOR).order_by("pk").first()
    if admin is not None:
        found.append(("operator", admin))
    contacts = User.objects.filter(role=Role.MUNICIPALITY, is_active=True).order_by("pk")
    found += [("contact", user) for user in contacts]
    managers = User.objects.filter(role=Role.SERVICE_AREA, is_active=True).order_by("pk")
    found += [("manager", user) for user in managers]
    return found


def page_urls(client, user, role: str, rng: random.Random, deep: int) -> dict[str, list[str]]:
    """Every kind of page the locustfile names, with the URLs this user may open (its
    own municipality's objects when it sees one only)."""
    from bench_scale import deep_pages, sampled, search_terms
    from django.urls import reverse

    from samdrift.billing.models import Invoice
    from samdrift.core.permissions import restrict
    from samdrift.inventory.models import Asset
    from samdrift.organisations.models import Municipality, Person

    largest = Municipality.objects.order_by("-population", "pk").first()
    own = user.municipality or largest
    assets, persons = reverse("inventory:asset_list"), reverse("organisations:person_list")
    invoices = list(restrict(Invoice.objects.order_by("-period__month", "pk"), user)[:6])
    words = [term for _kind, term in search_terms(own, rng, 2)]
    search = reverse("search")
    urls: dict[str, list[str]] = {
        "overview": [reverse("home")],
        "assets, first page": [assets],
        "assets, filtered + sorted": [
            with_query(assets, municipality=own.pk, status="deployed", sort="-acquisition_date"),
            with_query(assets, status="in_stock", sort="asset_tag"),
        ],
        "assets, deep page": deep_pages(client, assets, deep, rng, api=False),
        "persons, first page": [persons],
        "persons, deep page": deep_pages(client, persons, deep, rng, api=False),
        "asset detail": [
            reverse("inventory:asset_detail", args=[a.pk])
            for a in sampled(restrict(Asset.objects.filter(person__isnull=False), user), 8, rng)
        ],
        "person detail": [
            reverse("organisations:person_detail", args=[p.pk])
            for p in sampled(restrict(Person.objects.all(), user), 8, rng)
        ],
        "municipality detail": [reverse("organisations:municipality_detail", args=[own.pk])],
        "search, global box": [with_query(search, q=w, jump=0) for w in words],
        "search, asset list": [with_query(assets, q=w) for w in words],
        "billing months": [reverse("billing:period_list")],
        "billing month": sorted(
            {reverse("billing:period_detail", args=[f"{i.period.month:%Y-%m}"]) for i in invoices}
        ),
        "invoice": [reverse("billing:invoice_detail", args=[i.pk]) for i in invoices],
        "invoice specification (xlsx)": [
            reverse("billing:invoice_specification", args=[i.pk, "xlsx"]) for i in invoices[:2]
        ],
        # One municipality's assets (a contact's own): the download people make.
        "assets CSV export": [with_query(assets, municipality=own.pk, export="csv")],
        "API assets": ["/api/assets/", with_query("/api/assets/", q=words[0] if words else "")],
    }
    if role == "contact":
        urls.update(portal_urls(own))
    return urls


def portal_urls(municipality) -> dict[str, list[str]]:
    """A contact's own pages: the SLA report of the latest month with one, the replacement
    forecast, common versus separate, the agreement."""
    from django.urls import reverse

    from samdrift.agreements.models import ServiceAgreement
    from samdrift.servicedesk.models import ServiceCredit

    month = ServiceCredit.objects.order_by("-month").values_list("month", flat=True).first()
    month = month or datetime.date.today().replace(day=1)
    agreement = (
        ServiceAgreement.objects.filter(municipality=municipality).order_by("-valid_from").first()
    )
    return {
        "portal: SLA report": [
            reverse("servicedesk:sla_report", args=[municipality.pk, f"{month:%Y-%m}"])
        ],
        "portal: replacement forecast": [
            reverse("planning:forecast_detail", args=[municipality.pk])
        ],
        "portal: common vs separate": [reverse("gains:comparison_detail", args=[municipality.pk])],
        "portal: agreement": [
            reverse("agreements:agreement_detail", args=[agreement.pk]),
            reverse("agreements:agreement_document", args=[agreement.pk]),
        ]
        if agreement
        else [],
    }


def make_plan(password: str, rng: random.Random, deep: int = 3) -> tuple[dict, list[str]]:
    """The locustfile's plan, and the URLs left out because they did not answer 200 to
    their login (a role that may not open a kind of page; reported, never hidden)."""
    from django.test import Client
    from locust_mix import MIX

    accounts, dropped = [], []
    for role, user in logins():
        client = Client()
        client.force_login(user)
        kept = {}
        for kind, urls in page_urls(client, user, role, rng, deep).items():
            if kind not in MIX[role]:
                continue
            for url in dict.fromkeys(urls):
                response = client.get(url)
                if response.streaming:
                    b"".join(response.streaming_content)
                if response.status_code == 200:
                    kept.setdefault(kind, []).append(url)
                else:
                    dropped.append(f"{user.username} {kind} {url}: {response.status_code}")
        accounts.append({"role": role, "username": user.username, "urls": kept})
    return {"password": password, "accounts": accounts}, dropped


# --- the writers ---------------------------------------------------------------------


def billing_month() -> str:
    """The open month with drafts (re-rating it is idempotent), else the month after the
    latest billed."""
    from samdrift.billing.models import BillingPeriod

    period = BillingPeriod.objects.filter(status="open").order_by("-month").first()
    if period is not None:
        return f"{period.month:%Y-%m}"
    latest = BillingPeriod.objects.order_by("-month").first()
    month = latest.month if latest else datetime.date.today().replace(day=1)
    return f"{(month + datetime.timedelta(days=32)).replace(day=1):%Y-%m}"


def import_material(rows: int) -> dict:
    """What a CSV of ``rows`` new assets for the largest municipality is made of: its
    products and the usernames of its persons active today (the import gives half the
    assets a holder)."""
    from django.db.models import Q

    from samdrift.inventory.models import Asset
    from samdrift.organisations.models import Municipality, Person

    municipality = Municipality.objects.order_by("-population", "pk").first()
    products = list(
        Asset.objects.filter(municipality=municipality)
        .values_list("product__name", flat=True)
        .distinct()[:20]
    )
    today = datetime.date.today()
    active = Person.objects.filter(municipality=municipality, active_from__lte=today).filter(
        Q(active_to__isnull=True) | Q(active_to__gte=today)
    )
    persons = list(active.order_by("pk").values_list("username", flat=True)[: max(rows // 2, 1)])
    return {"municipality": municipality.name, "products": products, "persons": persons}


def write_import_file(path: Path, material: dict, rows: int, run: str) -> None:
    """``rows`` assets with tags new to this run (``LOAD<run>-00001`` …), half held."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["asset_tag", "serial_number", "product", "status", "acquisition_date", "person"]
        )
        for n in range(rows):
            person = material["persons"][n % len(material["persons"])] if n % 2 == 0 else ""
            writer.writerow(
                [
                    f"LOAD{run}-{n:05d}",
                    f"SNLOAD{run}{n:05d}",
                    material["products"][n % len(material["products"])],
                    "deployed" if person else "in stock",
                    "2026-01-15",
                    person,
                ]
            )


class Writers:
    """``samdrift bill`` and ``samdrift import`` each in a loop of its own process until
    stopped; every run's seconds and exit status kept."""

    def __init__(self, env: dict, month: str, material: dict, rows: int, folder: Path) -> None:
        self.env, self.month, self.material, self.rows = env, month, material, rows
        self.folder = folder
        self.stopping = threading.Event()
        self.runs: dict[str, list[dict]] = {"billing": [], "import": []}
        self.threads = [
            threading.Thread(target=self.loop, args=("billing", self.bill)),
            threading.Thread(target=self.loop, args=("import", self.import_)),
        ]

    def bill(self) -> list[str]:
        return ["bill", self.month, "--quiet"]

    def import_(self) -> list[str]:
        run = f"{int(time.time() * 1000) % 10**9:09d}"
        path = self.folder / f"load-import-{run}.csv"
        write_import_file(path, self.material, self.rows, run)
        return ["import", "assets", str(path), "--municipality", self.material["municipality"]]

    def loop(self, name: str, arguments) -> None:
        while not self.stopping.is_set():
            command = [sys.executable, "-m", "samdrift.cli", *arguments()]
            started = time.perf_counter()
            done = subprocess.run(command, env=self.env, cwd=ROOT, capture_output=True, text=True)
            run = {"seconds": round(time.perf_counter() - started, 1), "exit": done.returncode}
            if done.returncode != 0:
                run["output"] = (done.stdout + done.stderr)[-1500:]
            self.runs[name].append(run)

    def __enter__(self) -> Writers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()  # the runs under way finish: each is all or nothing anyway
        for thread in self.threads:
            thread.join()


# --- the server and locust -----------------------------------------------------------


def server_env(args) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAMDRIFT_", "DATABASE_"))}
    env.update(
        {
            "SAMDRIFT_ENV": "production",
            "SAMDRIFT_SECRET_KEY": "bench-load-not-secret-" + "x" * 40,
            "SAMDRIFT_ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Plain HTTP on the loopback: no TLS, so none of its settings.
            "SAMDRIFT_HTTPS_REDIRECT": "0",
            "SAMDRIFT_SECURE_COOKIES": "0",
            "SAMDRIFT_HSTS_SECONDS": "0",
            "SAMDRIFT_DATA_DIR": str(args.data_dir),
            "DATABASE_URL": args.database_url,
            "DJANGO_SETTINGS_MODULE": "samdrift.settings",
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])
            ),
            **RAISED_LIMITS,
        }
    )
    return env


def gunicorn_command(port: int, workers: int, threads: int) -> list[str]:
    from samdrift.core.management.commands.serve import gunicorn_arguments

    command = gunicorn_arguments(host="127.0.0.1", port=port, workers=workers)
    command += ["--threads", str(threads), "--worker-class", "gthread"]
    command[command.index("--access-logfile") + 1] = "/dev/null"
    return command


def start_server(command: list[str], env: dict, port: int, log: Path) -> subprocess.Popen:
    """gunicorn, its error log (worker timeouts, restarts, tracebacks) into ``log``."""
    import http.client

    with log.open("ab") as output:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=output, stderr=output)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/health/")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.5)
    process.terminate()
    raise SystemExit(f"gunicorn on 127.0.0.1:{port} did not start")


def locust_command(host: str, users: int, seconds: int, prefix: Path, spawn: float) -> list[str]:
    return [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        host,
        "--users",
        str(users),
        "--spawn-rate",
        str(spawn),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "60",  # the requests under way at the end are answered and counted
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]


def number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None  # "N/A": no request of the kind succeeded


def read_stats(prefix: Path) -> dict:
    """locust's CSV files → per page n/errors/p50/p95/max (ms), and the failures named."""
    pages = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            pages[row["Name"]] = {
                "n": int(row["Request Count"]),
                "errors": int(row["Failure Count"]),
                "p50_ms": number(row["50%"]),
                "p95_ms": number(row["95%"]),
                "max_ms": number(row["Max Response Time"]),
                "per_s": round(float(row["Requests/s"]), 2),
            }
    failures = []
    with open(f"{prefix}_failures.csv", encoding="utf-8") as handle:
        failures = [
            {"page": row["Name"], "error": row["Error"], "count": int(row["Occurrences"])}
            for row in csv.DictReader(handle)
        ]
    overall = pages.pop("Aggregated", {})
    return {"overall": overall, "pages": pages, "failures": failures}


def run_phase(name: str, args, env: dict, users: int, folder: Path) -> dict:
    prefix = folder / name.replace(" ", "-")
    command = locust_command(
        f"http://127.0.0.1:{args.port}", users, args.duration, prefix, args.spawn_rate or users / 10
    )
    load_before = os.getloadavg()
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    # Exit 1 is also locust's "some request failed" (in the figures); no figures at all
    # is locust's own failure.
    if done.returncode not in (0, 1) or not Path(f"{prefix}_stats.csv").exists():
        raise SystemExit(f"locust failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    figures = read_stats(prefix)
    figures.update(
        {
            "users": users,
            "seconds": round(time.perf_counter() - started, 1),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        }
    )
    show(name, figures)
    return figures


# --- output --------------------------------------------------------------------------


def ms(value) -> str:
    return "–" if value is None else f"{value:,.0f}"


def show(name: str, figures: dict) -> None:
    overall = figures["overall"]
    print(
        f"\n{name}: {overall.get('n', 0):,} requests, {overall.get('errors', 0)} errors, "
        f"p50 {ms(overall.get('p50_ms'))} ms, p95 {ms(overall.get('p95_ms'))} ms",
        flush=True,
    )
    for page, row in sorted(figures["pages"].items()):
        print(
            f"  {page:32s} n {row['n']:6,d}  err {row['errors']:3d}  p50 {ms(row['p50_ms']):>6} "
            f"p95 {ms(row['p95_ms']):>6}  max {ms(row['max_ms']):>6} ms",
            flush=True,
        )
    for failure in figures["failures"][:10]:
        print(f"  FAILED {failure['count']}× {failure['page']}: {failure['error']}", flush=True)


def table(results: dict) -> str:
    """The Markdown table docs/operations.md quotes: p50/p95 (ms) per page and phase,
    the requests and errors last."""
    phases = results["phases"]
    names = list(phases)
    pages = sorted({page for phase in phases.values() for page in phase["pages"]})
    lines = [
        "| page | " + " | ".join(f"{n} p50 | p95" for n in names) + " |",
        "|---" * (1 + 2 * len(names)) + "|",
    ]
    for page in pages:
        row = [page]
        for name in names:
            figures = phases[name]["pages"].get(page, {})
            row += [ms(figures.get("p50_ms")), ms(figures.get("p95_ms"))]
        lines.append("| " + " | ".join(row) + " |")
    row = ["**all requests**"]
    for name in names:
        overall = phases[name]["overall"]
        row += [f"**{ms(overall.get('p50_ms'))}**", f"**{ms(overall.get('p95_ms'))}**"]
    lines.append("| " + " | ".join(row) + " |")
    row = ["requests / errors"]
    for name in names:
        overall = phases[name]["overall"]
        row += [f"{overall.get('n', 0):,}", f"{overall.get('errors', 0)} errors"]
    lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def not_blocked(results: dict) -> dict:
    """Readers' p95 with the writers running against without, per user count."""
    phases, compared = results["phases"], {}
    for name, phase in phases.items():
        before = phases.get(name.replace("with writers", "alone"))
        if "with writers" not in name or before is None:
            continue
        compared[f"{phase['users']} users"] = {
            "p95_alone_ms": before["overall"].get("p95_ms"),
            "p95_with_writers_ms": phase["overall"].get("p95_ms"),
            "p50_alone_ms": before["overall"].get("p50_ms"),
            "p50_with_writers_ms": phase["overall"].get("p50_ms"),
            "errors_with_writers": phase["overall"].get("errors"),
        }
    return compared


# --- main ----------------------------------------------------------------------------


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_PG, help=f"default {DEFAULT_PG}")
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/samdrift-bench-load"))
    parser.add_argument("--size", choices=["small", "medium", "large"], default="medium")
    parser.add_argument("--reuse", action="store_true", help="reuse the demo when there is one")
    parser.add_argument("--password", default=PASSWORD, help="the demo users' password")
    parser.add_argument("--users", default="20,100", help="concurrent users, one phase each")
    parser.add_argument(
        "--writer-users", help="user counts of the phases with writers (default --users)"
    )
    parser.add_argument("--duration", type=int, default=120, help="seconds per phase")
    parser.add_argument("--spawn-rate", type=float, help="users started a second (users/10)")
    parser.add_argument("--wait", default="2,8", help="think time between requests, s (min,max)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (gthread)")
    parser.add_argument("--port", type=int, default=8119)
    parser.add_argument("--import-rows", type=int, default=2000, help="assets per import run")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--quick", action="store_true", help="smoke run: 20 users, 20 s")
    parser.add_argument("--table", action="store_true", help="print the table from the file")
    args = parser.parse_args(argv)
    if args.quick:
        args.users, args.duration = "20", min(args.duration, 20)
    args.user_counts = [int(n) for n in args.users.split(",")]
    args.writer_counts = [int(n) for n in (args.writer_users or args.users).split(",")]
    return args


def prepare(args) -> str:
    from bench_scale import has_demo
    from benchenv import ensure_postgres_database

    demo_env = {**server_env(args), "SAMDRIFT_ENV": "demo"}
    args.engine = "postgresql"
    if args.reuse and has_demo(args):
        source = "reused"
    else:
        ensure_postgres_database(args.database_url)
        args.data_dir.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        samdrift = [sys.executable, "-m", "samdrift.cli"]
        demo = ["demo", "--size", args.size, "--no-serve", "--force", "--password", args.password]
        subprocess.run([*samdrift, *demo], env=demo_env, cwd=ROOT, check=True)
        seconds = time.perf_counter() - started
        source = f"built (samdrift demo --size {args.size}) in {seconds:.0f} s"
    subprocess.run(
        [sys.executable, "-m", "samdrift.cli", "migrate", "--no-input", "-v", "0"],
        env=demo_env,
        cwd=ROOT,
        check=True,
    )
    return source


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse(argv)
    if args.table:
        print(table(json.loads(RESULTS.read_text())))
        return 0
    source = prepare(args)
    # This process makes the plan with Django's test client (host "testserver").
    os.environ.update(
        {**server_env(args), "SAMDRIFT_ENV": "demo", "SAMDRIFT_ALLOWED_HOSTS": "testserver"}
    )
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.db import connections

    from samdrift.inventory.models import Asset
    from samdrift.organisations.models import Person

    folder = Path(tempfile.mkdtemp(prefix="samdrift-bench-load-"))
    plan, dropped = make_plan(args.password, random.Random(args.seed))
    plan_path = folder / "plan.json"
    plan_path.write_text(json.dumps(plan, indent=1, ensure_ascii=False))
    for line in dropped:
        print(f"not in the plan (not 200 to its login): {line}", flush=True)
    month, material = billing_month(), import_material(args.import_rows)
    data = {
        "source": source,
        "assets": Asset.objects.count(),
        "persons": Person.objects.count(),
        "logins": {a["username"]: a["role"] for a in plan["accounts"]},
    }
    connections.close_all()  # the server and the writers get the database to themselves

    env = server_env(args)
    command = gunicorn_command(args.port, args.workers, args.threads)
    locust_env = {**env, "SAMDRIFT_LOAD_PLAN": str(plan_path), "SAMDRIFT_LOAD_WAIT": args.wait}
    results = {
        "benchmark": "proof under load: locust against gunicorn + PostgreSQL (issue #19)",
        "command": "bench/bench_load.py " + shlex.join(argv),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        },
        "data": {**data, "size": args.size, "database": args.database_url.rsplit("/", 1)[1]},
        "server": {
            "command": " ".join(command[2:]),
            "workers": args.workers,
            "threads": args.threads,
            "settings": "SAMDRIFT_ENV=production over plain HTTP (no TLS redirect, cookies "
            "not Secure, no HSTS)",
        },
        "raised_limits": RAISED_LIMITS,
        "think_time_s": args.wait,
        "duration_s": args.duration,
        "plan_dropped": dropped,
        "phases": {},
    }
    server_log = folder / "gunicorn.log"
    server = start_server(command, env, args.port, server_log)
    try:
        for users in args.user_counts:
            name = f"{users} users alone"
            results["phases"][name] = run_phase(name, args, locust_env, users, folder)
            save(results)
        for users in args.writer_counts:
            name = f"{users} users with writers"
            writers = Writers(env, month, material, args.import_rows, folder)
            with writers:
                results["phases"][name] = run_phase(name, args, locust_env, users, folder)
            results["phases"][name]["writers"] = {
                "billing": {
                    "command": f"samdrift bill {month} --quiet",
                    "runs": writers.runs["billing"],
                },
                "import": {
                    "command": f"samdrift import assets FILE --municipality "
                    f"'{material['municipality']}' ({args.import_rows} new assets a run)",
                    "runs": writers.runs["import"],
                },
            }
            save(results)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    results["readers_not_blocked"] = not_blocked(results)
    # What the server logged beyond its start and stop: a worker that timed out or died,
    # a traceback — each would explain a failed request.
    logged = server_log.read_text(errors="replace").splitlines()
    results["server_log_problems"] = [
        line for line in logged if any(w in line for w in ("CRITICAL", "ERROR", "Traceback"))
    ][:20]
    errors = sum(p["overall"].get("errors", 0) for p in results["phases"].values())
    writer_failures = [
        run
        for phase in results["phases"].values()
        for job in phase.get("writers", {}).values()
        for run in job["runs"]
        if run["exit"] != 0
    ]
    results["errors"] = errors
    results["writer_failures"] = len(writer_failures)
    save(results)
    print("\n" + table(results))
    for users, compared in results["readers_not_blocked"].items():
        print(
            f"readers at {users}: p95 {ms(compared['p95_alone_ms'])} ms alone, "
            f"{ms(compared['p95_with_writers_ms'])} ms with the writers"
        )
    for phase in results["phases"].values():
        for job, figures in phase.get("writers", {}).items():
            seconds = [run["seconds"] for run in figures["runs"]]
            print(f"  {phase['users']} users: {job} ran {len(seconds)}× ({seconds} s)")
    for run in writer_failures[:3]:
        print(f"writer failed: {run['output']}")
    for line in results["server_log_problems"]:
        print(f"gunicorn: {line}")
    print(f"The plan, locust's CSV files and gunicorn's log are kept in {folder}.")
    print(f"{errors} failed requests, {len(writer_failures)} failed writer runs; {RESULTS}")
    return 0 if errors == 0 and not writer_failures else 1


def save(results: dict) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n")


if __name__ == "__main__":
    sys.exit(main())
