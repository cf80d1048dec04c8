"""Benchmark: Samdrift at the design scale (issue #18) — every page type, the API, search,
downloads and import on the large demo (50 municipalities, ~500,000 persons, ~1.1 million
assets), on SQLite and PostgreSQL, sequential and with concurrent clients.

For each engine the demo is reused (``--reuse``, when the data dir or database holds one)
or built with ``samdrift demo --size large --no-serve``, migrated, and then:

1. sequential, in-process (Django's test client, no network, as bench_ui.py): every UI
   page type — overview, asset list (first page, random deep pages, filtered and sorted),
   persons list (first, deep), asset / person / municipality detail, billing month,
   billing months list, invoice — as the operator ``admin``, as the largest
   municipality's contact (their overview, assets and invoices: the portal pages) and as
   a service-area manager; the API lists as admin and contact; search (global box, asset
   list, persons list, API ``?q=``) over terms sampled from the database (asset tags,
   serials, last names, usernames). ``--repeat`` requests per page → p50/p95/max and the
   SQL query count. Deep pages: a random ``?page=N`` while the lists number their pages,
   or the pages reached by following ``next`` links when they are keyset (cursor) paged;
2. downloads: the asset CSV of the largest municipality and of everything (time to first
   byte, total, rows/s) and the specification XLSX of the largest invoice;
3. concurrent: gunicorn (``--workers``) on 127.0.0.1, ``--concurrency`` client threads
   that log in through /login/ (CSRF token, session cookie) and run the page mix of their
   role for ``--duration`` seconds → p50/p95 per page, throughput, errors (anything but 200);
4. import: ``bench_import.py``'s own measurement of 100,000 CSV asset rows into a fresh
   database (or its last results with ``--skip-import``).

    .venv/bin/python bench/bench_scale.py --reuse --data-dir /work/large/copy-sqlite
    .venv/bin/python bench/bench_scale.py --engine postgresql --reuse \\
        --database-url postgres://postgres@127.0.0.1:5432/samdrift_large_copy
    .venv/bin/python bench/bench_scale.py --engine both        # builds the large demo twice
    .venv/bin/python bench/bench_scale.py --size medium --quick --skip-import  # smoke run

The reused demo is migrated (and sessions are written by logging in): pass a copy, never
a database others read. Figures are printed and merged into bench/results/scale.json
(one entry per engine), each with its target and ``within_target``; the README's table
"Speed at the design scale" quotes it.
"""

from __future__ import annotations

import argparse
import html
import http.client
import json
import math
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results" / "scale.json"
PASSWORD = "demo-pass-123"  # noqa: S105 — the demo's documented login password
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/samdrift_bench_scale"

# Issue #18's targets, in milliseconds unless named otherwise.
TARGETS = {
    "ui": {"p50_ms": 150, "p95_ms": 300},
    "api": {"p95_ms": 100},
    "search": {"p95_ms": 150},
    "download_first_byte_s": 1.0,
    "specification_s": 3.0,
    "csv_rows_per_s": 100_000,
    "import_rows_per_s": 20_000,
}


# --- small helpers -------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 of 20 samples is the 19th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summary(seconds: list[float]) -> dict:
    if not seconds:
        return {"n": 0}
    return {
        "n": len(seconds),
        "p50_ms": round(statistics.median(seconds) * 1000, 1),
        "p95_ms": round(percentile(seconds, 0.95) * 1000, 1),
        "max_ms": round(max(seconds) * 1000, 1),
    }


def within(kind: str, figures: dict) -> bool | None:
    if not figures.get("n"):
        return None
    return all(figures[name] < limit for name, limit in TARGETS[kind].items())


def with_query(url: str, **params) -> str:
    """``url`` with ``params`` set (None removes one), the others kept."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += [(k, str(v)) for k, v in params.items() if v is not None]
    return urlunsplit(("", "", parts.path, urlencode(query), ""))


class Links(HTMLParser):
    """Every <a>/<link> of a page, as attribute dicts (href unescaped)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("a", "link"):
            found = {name: value or "" for name, value in attrs}
            if "href" in found:
                found["href"] = html.unescape(found["href"])
                self.links.append(found)


def page_links(content: str) -> list[dict]:
    parser = Links()
    parser.feed(content)
    return parser.links


def next_link(content: str) -> str | None:
    for link in page_links(content):
        if "next" in link.get("rel", "").split():
            return link["href"]
    return None


# --- what is measured ----------------------------------------------------------------


def find_users() -> dict:
    """admin, the largest municipality's contact and a service-area manager (of that
    municipality when it has one)."""
    from samdrift.core.choices import Role
    from samdrift.core.models import User
    from samdrift.organisations.models import Municipality

    largest = Municipality.objects.order_by("-population", "pk").first()
    admin = User.objects.filter(username="admin").first()
    admin = admin or User.objects.filter(role=Role.OPERATOR).order_by("pk").first()
    contact = User.objects.filter(role=Role.MUNICIPALITY, municipality=largest).order_by("pk")
    managers = User.objects.filter(role=Role.SERVICE_AREA).order_by("pk")
    manager = managers.filter(municipality=largest).first() or managers.first()
    users = {"admin": admin, "contact": contact.first(), "manager": manager}
    return {role: user for role, user in users.items() if user is not None}, largest


def sampled(queryset, count: int, rng: random.Random) -> list:
    """``count`` rows spread over the table without ORDER BY RANDOM() (a full scan on a
    million rows): a random primary key, then the first row at or after it."""
    bounds = queryset.order_by("pk").values_list("pk", flat=True)
    low, high = bounds.first(), bounds.last()
    if low is None:
        return []
    rows = []
    for _ in range(count * 3):
        row = queryset.filter(pk__gte=rng.randint(low, high)).order_by("pk").first()
        if row is not None and row not in rows:
            rows.append(row)
        if len(rows) == count:
            break
    return rows


def search_terms(municipality, rng: random.Random, per_kind: int) -> list[tuple[str, str]]:
    """(kind, term) pairs people type: asset tags, serials, last names, usernames — from
    the largest municipality, so its contact finds them too."""
    from samdrift.inventory.models import Asset
    from samdrift.organisations.models import Person

    assets = sampled(Asset.objects.filter(municipality=municipality), per_kind, rng)
    persons = sampled(Person.objects.filter(municipality=municipality), per_kind, rng)
    terms = [("asset tag", a.asset_tag) for a in assets]
    terms += [("serial", a.serial_number) for a in assets if a.serial_number]
    terms += [("last name", p.last_name) for p in persons]
    terms += [("username", p.username) for p in persons]
    return terms


def largest_invoice(municipality):
    """The invoice with the most charges (the specification's rows) in the latest month
    the municipality was billed. Not the most lines: every municipality's invoice may
    have as many lines (one per service area and product), and the first of those was
    a small one."""
    from django.db.models import Count

    from samdrift.billing.models import Invoice

    latest = Invoice.objects.filter(municipality=municipality).order_by("-period__month").first()
    if latest is None:
        return None
    return (
        Invoice.objects.filter(period=latest.period)
        .annotate(n=Count("charges"))
        .order_by("-n", "pk")
        .first()
    )


def detail_samples(user, municipality, invoice, rng: random.Random) -> dict:
    """Objects this user may open: an asset with a history, a person, the municipality,
    the invoice (its own municipality's when the user sees one only)."""
    from samdrift.billing.models import Invoice
    from samdrift.core.permissions import restrict
    from samdrift.inventory.models import Asset
    from samdrift.organisations.models import Person

    assets = restrict(Asset.objects.filter(person__isnull=False), user)
    persons = restrict(Person.objects.all(), user)
    own = getattr(user, "municipality", None) or municipality
    if invoice is not None and not restrict(Invoice.objects.filter(pk=invoice.pk), user).exists():
        invoice = restrict(Invoice.objects.filter(period=invoice.period), user).first()
    return {
        "assets": sampled(assets, 5, rng),
        "persons": sampled(persons, 5, rng),
        "municipality": own,
        "invoice": invoice,
    }


def deep_pages(client, first_url: str, count: int, rng: random.Random, *, api: bool) -> list[str]:
    """Random deep pages of a list: ``?page=N`` for random N while the list numbers its
    pages; with keyset (cursor) paging, the pages reached by following ``next`` links
    (with the biggest page size on the way, so the walk goes deep in few steps)."""
    response = client.get(first_url)
    if response.status_code != 200:
        return []
    if api:
        body = response.json()
        following = body.get("next")
        numbered = following and "page" in dict(parse_qsl(urlsplit(following).query))
        if numbered:
            per_page = max(len(body.get("results", [])), 1)
            last = max(1, math.ceil((body.get("count") or 0) / per_page))
    else:
        content = response.content.decode()
        following = next_link(content)
        numbered = following and "page" in dict(parse_qsl(urlsplit(following).query))
        if numbered:
            numbers = [
                int(value)
                for link in page_links(content)
                for name, value in parse_qsl(urlsplit(link["href"]).query)
                if name == "page" and value.isdigit()
            ]
            last = max(numbers, default=1)
    if not following:
        return []
    if numbered:
        return [with_query(first_url, page=rng.randint(2, max(last, 2))) for _ in range(count)]
    # Keyset: walk on, recording where each step lands, then request those pages with the
    # list's own page size.
    size_name, big = ("page_size", 1000) if api else ("per_page", 100)
    url, landed = with_query(following, **{size_name: big}), []
    for _ in range(count * 3):
        response = client.get(url)
        if response.status_code != 200:
            break
        landed.append(with_query(url, **{size_name: None}))
        following = response.json().get("next") if api else next_link(response.content.decode())
        if not following:
            break
        url = with_query(following, **{size_name: big})
    return landed[-count:]


def cases(client, user, role: str, samples: dict, terms, rng, deep: int) -> list[dict]:
    """The pages one role requests: each a label, its kind (ui/api/search) and the URLs
    taken in turn."""
    from django.urls import reverse

    municipality = samples["municipality"]
    assets = reverse("inventory:asset_list")
    persons = reverse("organisations:person_list")

    def case(label, kind, *urls):
        return {"label": label, "kind": kind, "urls": [u for u in urls if u]}

    listed = [
        case("overview /", "ui", reverse("home")),
        case("assets, first page", "ui", assets),
        case("assets, deep pages", "ui", *deep_pages(client, assets, deep, rng, api=False)),
        case(
            "assets, municipality + status, sorted",
            "ui",
            with_query(
                assets, municipality=municipality.pk, status="deployed", sort="-acquisition_date"
            ),
        ),
        case("persons, first page", "ui", persons),
        case("persons, deep pages", "ui", *deep_pages(client, persons, deep, rng, api=False)),
        case(
            "asset detail",
            "ui",
            *[reverse("inventory:asset_detail", args=[a.pk]) for a in samples["assets"]],
        ),
        case(
            "person detail",
            "ui",
            *[reverse("organisations:person_detail", args=[p.pk]) for p in samples["persons"]],
        ),
        case(
            "municipality detail",
            "ui",
            reverse("organisations:municipality_detail", args=[municipality.pk]),
        ),
        case("billing months (invoices)", "ui", reverse("billing:period_list")),
    ]
    invoice = samples["invoice"]
    if invoice is not None:
        month = invoice.period.month.strftime("%Y-%m")
        listed += [
            case("billing month", "ui", reverse("billing:period_detail", args=[month])),
            case("invoice", "ui", reverse("billing:invoice_detail", args=[invoice.pk])),
        ]
    words = [term for _kind, term in terms]
    search = reverse("search")
    listed += [
        case("search, global box", "search", *[with_query(search, q=w, jump=0) for w in words]),
        case("search, asset list", "search", *[with_query(assets, q=w) for w in words]),
        case("search, persons list", "search", *[with_query(persons, q=w) for w in words]),
    ]
    if role in ("admin", "contact"):
        listed += [
            case("API assets, first page", "api", "/api/assets/"),
            case(
                "API assets, deep pages",
                "api",
                *deep_pages(client, "/api/assets/", deep, rng, api=True),
            ),
            case("API persons, first page", "api", "/api/persons/"),
            case("API assets ?q=", "search", *[with_query("/api/assets/", q=w) for w in words]),
        ]
    return [c for c in listed if c["urls"]]


# --- sequential (in-process) ---------------------------------------------------------


def backend_pid() -> int | None:
    """The process id of this connection's PostgreSQL backend (None on SQLite)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def server_cpu(pid: int | None) -> float:
    """CPU seconds used so far by the PostgreSQL backend ``pid`` (read from /proc, on
    this machine); 0 on SQLite, whose work is this process's own. Parallel workers are
    not counted."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # a server on another machine
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_case(client, case: dict, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(case["urls"][0])  # warm-up: templates compiled, caches filled
    pid = backend_pid()
    seconds, cpu, queries, errors = [], [], [], []
    for i in range(max(repeat, len(case["urls"]))):
        url = case["urls"][i % len(case["urls"])]
        with CaptureQueriesContext(connection) as captured:
            started, used = time.perf_counter(), time.process_time() + server_cpu(pid)
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
            elapsed = time.perf_counter() - started
        if response.status_code != 200:
            errors.append(f"{url}: HTTP {response.status_code}")
            continue
        seconds.append(elapsed)
        cpu.append(time.process_time() + server_cpu(pid) - used)
        queries.append(len(captured))
    figures = summary(seconds)
    figures.update(
        {
            "kind": case["kind"],
            "url": case["urls"][0],
            "urls": len(case["urls"]),
            "queries": max(queries, default=None),
            # CPU time of this process and its PostgreSQL backend: steadier than wall
            # time on a busy machine (2 cores shared here).
            "cpu_p50_ms": round(statistics.median(cpu) * 1000, 1) if cpu else None,
            "errors": errors[:5],
            "within_target": within(case["kind"], figures) if not errors else False,
        }
    )
    return figures


def show(label: str, figures: dict) -> None:
    if not figures.get("n"):
        print(f"  {label:40s} no answer: {'; '.join(figures.get('errors', []))}", flush=True)
        return
    mark = {True: "", False: "  ✗ target", None: ""}[figures.get("within_target")]
    queries = f"{figures['queries']:4d} q" if figures.get("queries") is not None else ""
    print(
        f"  {label:40s} p50 {figures['p50_ms']:8.1f} ms  p95 {figures['p95_ms']:8.1f} ms  "
        f"max {figures['max_ms']:8.1f} ms  {queries}"
        + (f"  cpu {figures['cpu_p50_ms']:7.1f} ms" if figures.get("cpu_p50_ms") else "")
        + mark,
        flush=True,
    )


def sequential(role_cases: dict, clients: dict, repeat: int) -> dict:
    results = {}
    for role, listed in role_cases.items():
        user = clients[role][1]
        print(f"{role} ({user.username}, {user.role}), sequential:", flush=True)
        results[role] = {"user": user.username}
        for case in listed:
            results[role][case["label"]] = figures = time_case(clients[role][0], case, repeat)
            show(case["label"], figures)
    return results


# --- downloads -----------------------------------------------------------------------


def download(client, url: str, *, rows: bool, limit: int | None = None) -> dict:
    """Time to the first byte and to the last, bytes and (CSV) data rows. With ``limit``,
    a streamed download is read only that many lines (rows/s then of that part)."""
    started = time.perf_counter()
    response = client.get(url)
    first = None
    size = lines = 0
    chunks = response.streaming_content if response.streaming else [response.content]
    for chunk in chunks:
        if first is None:
            first = time.perf_counter() - started
        size += len(chunk)
        lines += chunk.count(b"\n")
        if limit and lines > limit:
            break
    total = time.perf_counter() - started
    response.close()
    figures = {
        "url": url,
        "status": response.status_code,
        "streamed": response.streaming,
        "partial": bool(limit and lines > limit),
        "first_byte_s": round(first if first is not None else total, 3),
        "total_s": round(total, 3),
        "mb": round(size / 1024**2, 2),
    }
    if rows:
        figures["rows"] = max(lines - 1, 0)  # less the header
        figures["rows_per_s"] = round(figures["rows"] / total) if total else None
        figures["within_target"] = response.status_code == 200 and (
            figures["rows_per_s"] >= TARGETS["csv_rows_per_s"]
            and figures["first_byte_s"] < TARGETS["download_first_byte_s"]
        )
    return figures


def downloads(client, municipality, invoice, repeat: int, limit: int | None) -> dict:
    from django.urls import reverse

    assets = reverse("inventory:asset_list")
    results = {
        "asset CSV, largest municipality": download(
            client, with_query(assets, municipality=municipality.pk, export="csv"), rows=True
        ),
        "asset CSV, everything": download(
            client, with_query(assets, export="csv"), rows=True, limit=limit
        ),
    }
    if invoice is not None:
        url = reverse("billing:invoice_specification", args=[invoice.pk, "xlsx"])
        runs = [download(client, url, rows=False) for _ in range(repeat)]
        best = min(runs, key=lambda run: run["total_s"])
        best["runs_s"] = [run["total_s"] for run in runs]
        best["invoice_charges"] = getattr(invoice, "n", None)
        best["within_target"] = (
            best["status"] == 200 and best["total_s"] < TARGETS["specification_s"]
        )
        results["specification XLSX, largest invoice"] = best
    print("downloads (admin):", flush=True)
    for label, figures in results.items():
        extra = (
            f"{figures['rows']:,} rows, {figures['rows_per_s']:,} rows/s"
            if "rows" in figures
            else ""
        )
        print(
            f"  {label:40s} first byte {figures['first_byte_s']:6.2f} s  total "
            f"{figures['total_s']:7.2f} s  {figures['mb']:7.1f} MB  {extra}"
            f"{'' if figures['within_target'] else '  ✗ target'}",
            flush=True,
        )
    return results


# --- concurrent (real HTTP server) ---------------------------------------------------


class Session:
    """One logged-in HTTP client: cookies kept, a fresh connection per request (gunicorn's
    sync workers close each one)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, url: str, body: str | None = None) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}/login/"
        try:
            connection.request(method, url, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, content
        finally:
            connection.close()

    def login(self, username: str, password: str) -> bool:
        status, content = self.request("GET", "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        if status != 200 or token is None:
            return False
        form = {"username": username, "password": password, "next": "/"}
        form["csrfmiddlewaretoken"] = token.group(1).decode()
        status, _ = self.request("POST", "/login/", urlencode(form))
        return status == 302 and "sessionid" in self.cookies


def session_key(user) -> str:
    """A session for ``user`` made directly (when the demo's password is not known)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def start_server(env: dict, port: int, workers: int) -> subprocess.Popen:
    from samdrift.core.management.commands.serve import gunicorn_arguments

    command = gunicorn_arguments(host="127.0.0.1", port=port, workers=workers)
    command[command.index("--timeout") + 1] = "600"  # the big exports are not in the mix
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            if Session(port).request("GET", "/health/")[0] == 200:
                return process
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.terminate()
            raise SystemExit(f"gunicorn on 127.0.0.1:{port} did not start")
        time.sleep(0.5)


def concurrent(env, role_cases, users, *, port, workers, clients, duration, password) -> dict:
    process = start_server(env, port, workers)
    roles = list(role_cases)
    samples: dict[str, list] = {}
    errors: list[str] = []
    lock = threading.Lock()
    sessions, logins = [], {"password": 0, "direct": 0}
    for i in range(clients):
        role = roles[i % len(roles)]
        session = Session(port)
        if session.login(users[role].username, password):
            logins["password"] += 1
        else:
            session.cookies = {"sessionid": session_key(users[role])}
            logins["direct"] += 1
        sessions.append((role, session))

    def client(number: int, role: str, session: Session) -> None:
        rng = random.Random(number)
        listed = role_cases[role][:]
        rng.shuffle(listed)
        turn = 0
        stop = time.monotonic() + duration
        while time.monotonic() < stop:
            case = listed[turn % len(listed)]
            url = case["urls"][(turn // len(listed)) % len(case["urls"])]
            turn += 1
            started = time.perf_counter()
            try:
                status, _ = session.request("GET", url)
            except OSError as error:
                status = f"{type(error).__name__}"
            elapsed = time.perf_counter() - started
            with lock:
                if status == 200:
                    samples.setdefault(case["label"], []).append(elapsed)
                else:
                    errors.append(f"{role} {url}: {status}")

    threads = [
        threading.Thread(target=client, args=(n, role, session))
        for n, (role, session) in enumerate(sessions)
    ]
    started = time.perf_counter()
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        wall = time.perf_counter() - started
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    kinds = {c["label"]: c["kind"] for listed in role_cases.values() for c in listed}
    pages = {}
    for label, seconds in sorted(samples.items()):
        pages[label] = summary(seconds)
        pages[label]["within_target"] = within(kinds[label], pages[label])
    everything = [s for seconds in samples.values() for s in seconds]
    result = {
        "clients": clients,
        "workers": workers,
        "duration_s": round(wall, 1),
        "logins": logins,
        "requests": len(everything) + len(errors),
        "throughput_per_s": round((len(everything) + len(errors)) / wall, 1),
        "errors": len(errors),
        "error_examples": errors[:10],
        "overall": summary(everything),
        "pages": pages,
    }
    print(
        f"concurrent: {clients} clients, gunicorn {workers} workers, {result['duration_s']} s: "
        f"{result['requests']} requests, {result['throughput_per_s']}/s, "
        f"{result['errors']} errors (logins {logins})",
        flush=True,
    )
    for label, figures in pages.items():
        show(label, figures)
    return result


# --- import --------------------------------------------------------------------------


def import_figures(engine: str, database_url: str | None, rows: int, skip: bool) -> dict:
    """bench_import.py's measurement of ``rows`` CSV rows into a fresh database (its own
    scratch SQLite dir, or a scratch PostgreSQL database next to ``database_url``, dropped
    after), or its last written results with ``skip``."""
    sys.path.insert(0, str(BENCH))
    import bench_import

    if skip:
        if not bench_import.RESULTS.exists():
            return {"skipped": True}
        saved = json.loads(bench_import.RESULTS.read_text())
        figures = saved.get("engines", {}).get(engine, {}).get("csv")
        if not figures:
            return {"skipped": True}
        figures = {**figures, "from": "bench/results/import.json", "date": saved.get("date")}
    else:
        print(f"import: {rows:,} CSV rows (bench_import.py) …", flush=True)
        with tempfile.TemporaryDirectory(prefix="samdrift-bench-scale-import-") as tmp:
            folder = Path(tmp)
            files = {"csv": folder / "assets.csv"}
            bench_import.write_csv(files["csv"], bench_import.generate_rows(rows))
            env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SAMDRIFT_ENV")}
            env["SAMDRIFT_DATA_DIR"] = str(folder / "var")
            if engine == "sqlite":
                figures = bench_import.bench_engine(
                    engine,
                    env,
                    files,
                    rows,
                    lambda: [p.unlink() for p in folder.glob("var/*.sqlite3*")],
                )["csv"]
            else:
                scratch = database_url.rsplit("/", 1)[0] + "/samdrift_bench_scale_import"
                env["DATABASE_URL"] = scratch
                try:
                    figures = bench_import.bench_engine(
                        engine, env, files, rows, lambda: bench_import.reset_postgres(scratch)
                    )["csv"]
                finally:
                    bench_import.drop_postgres(scratch)
    figures["within_target"] = figures["rows_per_second"] >= TARGETS["import_rows_per_s"]
    print(
        f"import: {figures['rows']:,} rows in {figures['first_import_seconds']} s, "
        f"{figures['rows_per_second']:,} rows/s{'' if figures['within_target'] else '  ✗ target'}",
        flush=True,
    )
    return figures


# --- data ----------------------------------------------------------------------------


def environment(args) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAMDRIFT_", "DATABASE_"))}
    env.update(
        {
            "SAMDRIFT_DATA_DIR": str(args.data_dir),
            "SAMDRIFT_ENV": "demo",
            "DJANGO_SETTINGS_MODULE": "samdrift.settings",
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])
            ),
        }
    )
    if args.engine == "postgresql":
        env["DATABASE_URL"] = args.database_url
    return env


def samdrift(env: dict, *arguments: str) -> None:
    command = [sys.executable, "-m", "samdrift.cli", *arguments]
    done = subprocess.run(command, env=env, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"samdrift {' '.join(arguments)} failed (exit {done.returncode})")


def has_demo(args) -> bool:
    if args.engine == "sqlite":
        return (args.data_dir / "samdrift.sqlite3").exists()
    import psycopg

    try:
        with psycopg.connect(args.database_url.replace("postgres://", "postgresql://")) as db:
            return bool(db.execute("SELECT 1 FROM inventory_asset LIMIT 1").fetchone())
    except psycopg.Error:
        return False


def prepare(args, env: dict) -> str:
    if args.reuse and has_demo(args):
        source = "reused"
    else:
        if args.engine == "postgresql":
            sys.path.insert(0, str(BENCH))
            from benchenv import ensure_postgres_database

            ensure_postgres_database(args.database_url)
        args.data_dir.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        samdrift(env, "demo", "--size", args.size, "--no-serve", "--force", "--password", PASSWORD)
        source = (
            f"built (samdrift demo --size {args.size}) in {time.perf_counter() - started:.0f} s"
        )
    samdrift(env, "migrate", "--no-input", "-v", "0")
    return source


# --- main ----------------------------------------------------------------------------


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--size", choices=["small", "medium", "large"], default="large")
    parser.add_argument("--data-dir", type=Path, help="default /tmp/samdrift-bench-scale-SIZE")
    parser.add_argument("--database-url", default=DEFAULT_PG, help=f"PostgreSQL ({DEFAULT_PG})")
    parser.add_argument("--reuse", action="store_true", help="reuse the demo when there is one")
    parser.add_argument("--repeat", type=int, default=20, help="requests per page (sequential)")
    parser.add_argument("--deep", type=int, default=10, help="random deep pages per list")
    parser.add_argument("--terms", type=int, default=5, help="search terms of each kind")
    parser.add_argument("--spec-repeat", type=int, default=3, help="specification downloads")
    parser.add_argument(
        "--export-rows",
        type=int,
        help="read only this many rows of the whole asset CSV (rows/s of that part)",
    )
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--duration", type=float, default=60, help="seconds of concurrent load")
    parser.add_argument("--port", type=int, default=8118)
    parser.add_argument("--password", default=PASSWORD, help="the demo users' password")
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="a smoke run: few repeats")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-downloads", action="store_true")
    parser.add_argument("--skip-concurrent", action="store_true")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument(
        "--markdown", action="store_true", help="print the README's table from the results"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat, args.deep, args.terms = min(args.repeat, 3), min(args.deep, 3), 2
        args.duration, args.import_rows = min(args.duration, 10), min(args.import_rows, 5_000)
    args.data_dir = args.data_dir or Path(f"/tmp/samdrift-bench-scale-{args.size}")
    return args


def save(key: str, entry: dict) -> None:
    """Merge ``entry`` into the results file (after each phase: a long run interrupted
    keeps what it measured)."""
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[key] = entry
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n")


def run_engine(args) -> dict:
    env = environment(args)
    source = prepare(args, env)
    os.environ.update(env)
    if args.engine != "postgresql":
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.test import Client

    from samdrift.inventory.models import Asset
    from samdrift.organisations.models import Municipality, Person

    rng = random.Random(args.seed)
    users, largest = find_users()
    invoice = largest_invoice(largest)
    terms = search_terms(largest, rng, args.terms)
    data = {
        "source": source,
        "municipalities": Municipality.objects.count(),
        "persons": Person.objects.count(),
        "assets": Asset.objects.count(),
        "largest_municipality": str(largest),
        "invoice": invoice.pk if invoice else None,
        "search_terms": terms,
    }
    print(f"{args.engine}: {data['assets']:,} assets, {data['persons']:,} persons ({source})")
    clients, role_cases = {}, {}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        clients[role] = (client, user)
        samples = detail_samples(user, largest, invoice, rng)
        role_cases[role] = cases(client, user, role, samples, terms, rng, args.deep)
    entry = {
        "engine": args.engine,
        "size": args.size,
        "data": data,
        "targets": TARGETS,
        "repeat": args.repeat,
        "sequential": sequential(role_cases, clients, args.repeat),
    }
    key = f"{args.engine}-{args.size}"
    save(key, entry)
    if not args.skip_downloads:
        entry["downloads"] = downloads(
            clients["admin"][0],
            largest,
            invoice,
            1 if args.quick else args.spec_repeat,
            args.export_rows,
        )
        save(key, entry)
    if not args.skip_concurrent:
        from django.db import connections

        connections.close_all()  # the server's workers get the database to themselves
        entry["concurrent"] = concurrent(
            env,
            role_cases,
            users,
            port=args.port,
            workers=args.workers,
            clients=args.concurrency,
            duration=args.duration,
            password=args.password,
        )
        save(key, entry)
    entry["import"] = import_figures(
        args.engine, args.database_url, args.import_rows, args.skip_import
    )
    entry["within_target"] = verdict(entry)
    entry["machine"] = {"python": platform.python_version(), "cpus": os.cpu_count()}
    entry["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    return entry


def verdict(entry: dict) -> bool:
    """Every figure that has a target within it."""
    flags = [
        figures.get("within_target")
        for role in entry["sequential"].values()
        for figures in role.values()
        if isinstance(figures, dict)
    ]
    flags += [figures.get("within_target") for figures in entry.get("downloads", {}).values()]
    flags += [f.get("within_target") for f in entry.get("concurrent", {}).get("pages", {}).values()]
    flags.append(entry["import"].get("within_target"))
    if entry.get("concurrent"):
        flags.append(entry["concurrent"]["errors"] == 0)
    return all(flag is not False for flag in flags)


def cell(figures: dict | None, name: str) -> str:
    if not figures or figures.get(name) is None:
        return "–"
    mark = "" if figures.get("within_target") is not False else " ✗"
    return f"{figures[name]:,.0f}{mark}"


def markdown(results: dict, size: str) -> str:
    """The README's table from the results file: p50/p95 in ms per engine (✗ where a
    figure misses its target)."""
    engines = [e for e in ("sqlite", "postgresql") if f"{e}-{size}" in results]
    entries = [results[f"{e}-{size}"] for e in engines]
    head = "| what (ms) | " + " | ".join(f"{e} p50 | p95 | cpu" for e in engines) + " |"
    lines = [head, "|---" * (1 + 3 * len(engines)) + "|"]
    roles = [("admin", ""), ("contact", "contact: "), ("manager", "manager: ")]
    labels = []
    for role, prefix in roles:
        names = [n for e in entries for n in e["sequential"].get(role, {}) if n != "user"]
        for label in dict.fromkeys(names):  # each once, in the order measured
            if role == "admin" or label in ("overview /", "assets, first page", "invoice"):
                labels.append((role, prefix + label, label))
    for role, shown, label in labels:
        row = [shown]
        for entry in entries:
            figures = entry["sequential"].get(role, {}).get(label)
            row += [cell(figures, "p50_ms"), cell(figures, "p95_ms")]
            row.append(f"{figures['cpu_p50_ms']:,.0f}" if figures.get("cpu_p50_ms") else "–")
        lines.append("| " + " | ".join(row) + " |")
    for name in ("overall", "throughput"):
        row = [f"{name}, 8 concurrent clients" if name == "overall" else "requests/s, errors"]
        for entry in entries:
            run = entry.get("concurrent")
            if not run:
                row += ["–", "–", ""]
            elif name == "overall":
                row += [cell(run["overall"], "p50_ms"), cell(run["overall"], "p95_ms"), ""]
            else:
                row += [f"{run['throughput_per_s']}/s", f"{run['errors']} errors", ""]
        lines.append("| " + " | ".join(row) + " |")
    for label in (
        "asset CSV, largest municipality",
        "asset CSV, everything",
        "specification XLSX, largest invoice",
    ):
        row = [f"{label} (first byte s; total s or rows/s)"]
        for entry in entries:
            figures = entry.get("downloads", {}).get(label)
            if not figures:
                row += ["–", "–", ""]
                continue
            last = (
                f"{figures['rows_per_s']:,} rows/s"
                if "rows_per_s" in figures
                else (f"{figures['total_s']} s")
            )
            mark = "" if figures.get("within_target") else " ✗"
            row += [f"{figures['first_byte_s']} s", last + mark, ""]
        lines.append("| " + " | ".join(row) + " |")
    row = ["import, 100,000 CSV rows (rows/s)"]
    for entry in entries:
        figures = entry.get("import", {})
        rate = figures.get("rows_per_second")
        row += [f"{rate:,}" + ("" if figures.get("within_target") else " ✗") if rate else "–"]
        row += ["", ""]
    lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse(argv)
    if args.markdown:
        print(markdown(json.loads(RESULTS.read_text()), args.size))
        return 0
    if args.engine == "both":
        # One process per engine: Django is set up once per process.
        codes = [
            subprocess.run(
                [sys.executable, __file__, *argv, "--engine", engine], check=False
            ).returncode
            for engine in ("sqlite", "postgresql")
        ]
        return max(codes)
    entry = run_engine(args)
    save(f"{args.engine}-{args.size}", entry)
    print(f"{args.engine}: within every target: {entry['within_target']}; written to {RESULTS}")
    return 0 if entry["within_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
