"""Benchmark: the board report (issue #16) at the design size: 50 municipalities.

The world: 50 members joined 1 January 2024, a year (2025) of issued invoices (600, a
credit note on every twentieth), baselines (three categories each) and a cost index,
15 actions with two gains each shared by every member or a third of them, with
measurements, an approved SLA report per member and month (4 services, 4 priorities),
a fleet of ``--fleet`` devices in service (default 150,000: 3,000 per member, many past
their age limit) and solutions in use with their gaps. Built with bulk inserts in about
a minute on SQLite.

Times, as an operator through the Django test client, the page ``gains:board_report``
(``?year=2025``, target p50 under 2 s) and its PDF (``gains:board_report_pdf``, target
p50 under 10 s): p50 and p95 of ``--repeat`` runs each, with the page's query count.

    .venv/bin/python bench/bench_board_report.py                     # SQLite, scratch
    .venv/bin/python bench/bench_board_report.py --data-dir /tmp/br  # kept: reused
    .venv/bin/python bench/bench_board_report.py --postgres postgres://postgres@127.0.0.1:5432/samdrift_bench

The database is a scratch one (SQLite in ``--data-dir`` or a temporary directory, or the
PostgreSQL database given, created when missing); a database already holding this world
(same fleet size) is reused, ``--rebuild`` builds it afresh. Figures are printed and
merged into bench/results/board_report.json (one entry per engine); the script exits
non-zero when a median is over its target.
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchenv import ensure_postgres_database, prepare_database, setup_django

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "board_report.json"
YEAR = 2025
MUNICIPALITIES, ACTIONS, SERVICES = 50, 15, 4
PAGE_TARGET, PDF_TARGET = 2.0, 10.0
OPERATOR = "bench-board"
D = datetime.date
M = Decimal


def world_present(fleet: int) -> bool:
    from django.db.utils import DatabaseError

    from samdrift.core.models import User
    from samdrift.gains.models import Action
    from samdrift.inventory.models import Asset
    from samdrift.organisations.models import Municipality

    try:
        return (
            Municipality.objects.count() == MUNICIPALITIES
            and Asset.objects.count() == fleet
            and Action.objects.count() == ACTIONS
            and User.objects.filter(username=OPERATOR).exists()
        )
    except DatabaseError:
        return False


def build(fleet: int) -> dict:
    """The world, in bulk; returns what it made."""
    from samdrift.billing.choices import InvoiceStatus, PeriodStatus
    from samdrift.billing.models import BillingPeriod, CreditNote, Invoice
    from samdrift.catalogue.models import Product, ProductCategory
    from samdrift.core.choices import Role
    from samdrift.core.models import User
    from samdrift.core.validators import organisation_number_with_check_digit
    from samdrift.gains.choices import ActionStatus, CostCategory, GainType
    from samdrift.gains.models import (
        Action,
        BaselineCost,
        CollaborationCost,
        CostIndex,
        Gain,
        GainShare,
        Measurement,
    )
    from samdrift.inventory.choices import AssetStatus
    from samdrift.inventory.models import Asset, Assignment
    from samdrift.organisations.models import Collaboration, Municipality
    from samdrift.planning.choices import RuleBasis
    from samdrift.planning.models import ReplacementRule
    from samdrift.servicedesk.models import SlaReport
    from samdrift.solutions.choices import DeliveryForm
    from samdrift.solutions.models import Solution, SolutionFunction, SolutionUsage

    rng = random.Random(16)
    seed = 91_000_000
    while (own_number := organisation_number_with_check_digit(str(seed))) is None:
        seed += 1
    Collaboration.objects.create(
        name="Fjordregionen IKT",
        organisation_number=own_number,
        bank_account="86011117947",
        invoice_series="SD",
    )
    User.objects.create(username=OPERATOR, role=Role.OPERATOR)  # signed in by force_login
    municipalities = []
    seed = 940_000_000 // 10
    for n in range(MUNICIPALITIES):
        seed += 37
        while (number := organisation_number_with_check_digit(str(seed))) is None:
            seed += 1
        municipalities.append(
            Municipality(
                name=f"Kommune {n:02d}",
                number=f"{5000 + n}",
                organisation_number=number,
                population=2_000 + n * 1_500,
                joined_on=D(2024, 1, 1),
            )
        )
    municipalities = Municipality.objects.bulk_create(municipalities)

    # Invoices: every member, every month of the year, issued; a credit note on some.
    periods = BillingPeriod.objects.bulk_create(
        BillingPeriod(month=D(YEAR, m, 1), status=PeriodStatus.CLOSED) for m in range(1, 13)
    )
    invoices = []
    sequence = 0
    for p in periods:
        for municipality in municipalities:
            sequence += 1
            net = M(rng.randrange(200_000, 900_000)) / 10
            invoices.append(
                Invoice(
                    period=p,
                    municipality=municipality,
                    status=InvoiceStatus.ISSUED,
                    series="SD",
                    fiscal_year=YEAR,
                    sequence=sequence,
                    number=f"SD-{YEAR}-{sequence:05d}",
                    issue_date=p.month,
                    due_date=p.month + datetime.timedelta(days=30),
                    net_total=net,
                    vat_total=net / 4,
                    gross_total=net * 5 / 4,
                )
            )
    invoices = Invoice.objects.bulk_create(invoices)
    credit_notes = CreditNote.objects.bulk_create(
        CreditNote(
            invoice=invoice,
            series="KN",
            fiscal_year=YEAR,
            sequence=k + 1,
            number=f"KN-{YEAR}-{k + 1:05d}",
            issue_date=invoice.period.month + datetime.timedelta(days=20),
            reason="Returned early",
            net_total=M("1250.00"),
            vat_total=M("312.50"),
            gross_total=M("1562.50"),
        )
        for k, invoice in enumerate(invoices[::20])
    )

    # Baselines and the index.
    CostIndex.objects.bulk_create(
        CostIndex(year=y, value=M(v)) for y, v in ((2023, "100"), (2024, "104"), (2025, "108"))
    )
    baselines = []
    for municipality in municipalities:
        size = M(municipality.population) / 1000
        baselines += [
            BaselineCost(
                municipality=municipality,
                year=2023,
                category=CostCategory.STAFF,
                fte=size / 4,
                cost_per_fte=M("780000"),
                amount=(size / 4 * 780_000).quantize(M("0.01")),
            ),
            BaselineCost(
                municipality=municipality,
                year=2023,
                category=CostCategory.LICENCES,
                amount=size * 9_000,
            ),
            BaselineCost(
                municipality=municipality,
                year=2023,
                category=CostCategory.CONTRACTS,
                amount=size * 4_000,
            ),
        ]
    BaselineCost.objects.bulk_create(baselines)
    CollaborationCost.objects.create(year=YEAR, amount=M("350000"), description="Styret")

    # Actions, gains, shares and measurements.
    statuses = [ActionStatus.DONE, ActionStatus.IN_PROGRESS, ActionStatus.PLANNED]
    actions = Action.objects.bulk_create(
        Action(
            title=f"Tiltak {n + 1:02d}",
            owner=f"Eier {n % 4 + 1}",
            all_municipalities=n % 3 != 0,
            start=D(2024, 1 + n % 12, 1),
            deadline=D(2025, 1 + (n * 5) % 12, 28),
            status=statuses[n % 3] if n != 14 else ActionStatus.CANCELLED,
            budget=M(100_000 * (n + 1)),
            cost_to_date=M(60_000 * (n + 1)),
        )
        for n in range(ACTIONS)
    )
    through = Action.municipalities.through
    concerned = {}
    links = []
    for n, action in enumerate(actions):
        if action.all_municipalities:
            concerned[action.pk] = municipalities
        else:
            concerned[action.pk] = municipalities[n % 3 :: 3]
            links += [
                through(action_id=action.pk, municipality_id=m.pk) for m in concerned[action.pk]
            ]
    through.objects.bulk_create(links)
    gains = Gain.objects.bulk_create(
        Gain(
            action=action,
            effect=f"Effekt {k + 1} av {action.title}",
            type=GainType.BUDGET_SAVING if k == 0 else GainType.AVOIDED_COST,
            first_year=2025,
            last_year=2027,
        )
        for action in actions
        for k in range(2)
    )
    shares, measurements = [], []
    for gain in gains:
        for municipality in concerned[gain.action_id]:
            expected = M(rng.randrange(10, 200) * 1_000)
            shares.append(
                GainShare(
                    gain=gain,
                    municipality=municipality,
                    owner=f"Gevinsteier {municipality.name}",
                    expected_amount=expected,
                )
            )
            for month in (6, 12):
                measurements.append(
                    Measurement(
                        gain=gain,
                        municipality=municipality,
                        measured_on=D(YEAR, month, 28),
                        amount=(expected * M(rng.randrange(10, 70)) / 100).quantize(M("0.01")),
                        source="Regnskap",
                    )
                )
    GainShare.objects.bulk_create(shares)
    Measurement.objects.bulk_create(measurements, batch_size=2000)

    # An approved SLA report per member and month.
    reports = []
    for municipality in municipalities:
        for month in range(1, 13):
            services = []
            for s in range(SERVICES):
                seconds = 180 * 3600 if s else 720 * 3600
                down = rng.choice([0, 0, 0, 600, 3600, 7200])
                availability = (M(100) * (seconds - down) / seconds).quantize(M("0.001"))
                services.append(
                    {
                        "service": s + 1,
                        "name": f"Tjeneste {s}",
                        "target": "99.500",
                        "service_seconds": seconds,
                        "downtime_seconds": down,
                        "availability": str(availability),
                        "outages": [],
                    }
                )
            priorities = []
            for p in range(1, 5):
                met, breached = rng.randrange(0, 30), rng.randrange(0, 4)
                priorities.append(
                    {
                        "priority": p,
                        "incidents": met + breached,
                        "response": {"met": met, "breached": breached, "open": 0},
                        "resolution": {"met": met, "breached": breached, "open": 0},
                    }
                )
            reports.append(
                SlaReport(
                    municipality=municipality,
                    month=D(YEAR, month, 1),
                    figures={
                        "municipality": municipality.pk,
                        "month": D(YEAR, month, 1).isoformat(),
                        "services": services,
                        "priorities": priorities,
                        "breaches": [],
                        "not_measured": [],
                    },
                    approved_at=datetime.datetime(YEAR, month, 28, tzinfo=datetime.UTC),
                )
            )
    SlaReport.objects.bulk_create(reports)

    # The fleet: laptops (48 months), phones (36), screens (72), age-ruled.
    products = []
    kinds = (("laptop", 48, "12000"), ("phone", 36, "6000"), ("screen", 72, "2500"))
    for code, months, cost in kinds:
        category = ProductCategory.objects.create(
            name=code.title(), code=code, useful_life_months=months
        )
        product = Product.objects.create(
            name=f"Standard {code}", category=category, standard_cost=M(cost)
        )
        ReplacementRule.objects.create(
            category=category, basis=RuleBasis.MAX_AGE, max_age_months=months
        )
        products.append(product)
    per_member = fleet // MUNICIPALITIES
    assets = []
    n = 0
    for municipality in municipalities:
        for _ in range(per_member):
            n += 1
            assets.append(
                Asset(
                    product=products[n % 3],
                    asset_tag=f"BR{n:07d}",
                    serial_number=f"SN{n:09d}",
                    status=AssetStatus.DEPLOYED,
                    municipality=municipality,
                    acquisition_date=D(2019, 1, 1) + datetime.timedelta(days=rng.randrange(2500)),
                    acquisition_cost=M("10000.00"),
                )
            )
    assets = Asset.objects.bulk_create(assets, batch_size=5000)
    # Each device's holder history, as the inventory keeps it (the daily holder refresh
    # reads it: a device without one would be moved to no one).
    Assignment.objects.bulk_create(
        (
            Assignment(asset=a, municipality=a.municipality, valid_from=a.acquisition_date)
            for a in assets
        ),
        batch_size=5000,
    )

    # Solutions in use: some past their end of support, none risk-assessed.
    function = SolutionFunction.objects.create(name="Sak/arkiv", code="sak")
    solutions = Solution.objects.bulk_create(
        Solution(
            name=f"Løsning {k}",
            vendor="Leverandør",
            function=function,
            delivery_form=DeliveryForm.SAAS,
            end_of_support=D(2025, 6, 1) if k % 3 == 0 else None,
        )
        for k in range(6)
    )
    usages = SolutionUsage.objects.bulk_create(
        SolutionUsage(municipality=m, solution=s, valid_from=D(2024, 1, 1))
        for m in municipalities
        for s in solutions
    )
    return {
        "invoices": len(invoices),
        "credit_notes": len(credit_notes),
        "gain_shares": len(shares),
        "measurements": len(measurements),
        "sla_reports": len(reports),
        "solution_usages": len(usages),
    }


def timed(client, url: str, repeat: int, *, pdf: bool) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm-up: templates compiled, fonts loaded
    times, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        if pdf and not response.content.startswith(b"%PDF"):
            raise SystemExit(f"{url} is not a PDF")
        queries = len(captured)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return {
        "url": url,
        "p50_s": round(statistics.median(times), 3),
        "p95_s": round(p95, 3),
        "queries": queries,
        "bytes": len(response.content),
        "runs": repeat,
    }


def run(args) -> dict:
    from django.test import Client
    from django.urls import reverse

    from samdrift.core.models import User
    from samdrift.inventory.models import Asset

    build_s = None
    if args.rebuild or not world_present(args.fleet):
        prepare_database()
        started = time.perf_counter()
        sizes = build(args.fleet)
        build_s = round(time.perf_counter() - started, 1)
        print(f"  built the world in {build_s} s: {sizes}")
    fleet = Asset.objects.count()
    print(f"  fleet: {fleet} devices in service over {MUNICIPALITIES} municipalities")
    client = Client()
    client.force_login(User.objects.get(username=OPERATOR))
    query = f"?year={YEAR}"
    page = timed(client, reverse("gains:board_report") + query, args.repeat, pdf=False)
    print(f"  page  p50 {page['p50_s']:.3f} s  p95 {page['p95_s']:.3f} s  {page['queries']} q")
    pdf = timed(client, reverse("gains:board_report_pdf") + query, args.pdf_repeat, pdf=True)
    print(f"  pdf   p50 {pdf['p50_s']:.3f} s  p95 {pdf['p95_s']:.3f} s  {pdf['queries']} q")
    return {
        "engine": "postgresql" if args.postgres else "sqlite",
        "municipalities": MUNICIPALITIES,
        "actions": ACTIONS,
        "fleet": fleet,
        "build_s": build_s,
        "page": {**page, "target_s": PAGE_TARGET, "under_target": page["p50_s"] < PAGE_TARGET},
        "pdf": {**pdf, "target_s": PDF_TARGET, "under_target": pdf["p50_s"] < PDF_TARGET},
        "python": platform.python_version(),
        "measured": datetime.datetime.now().isoformat(timespec="seconds"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", help="URL of a scratch PostgreSQL database")
    parser.add_argument("--data-dir", help="SQLite data directory to keep (and reuse) the world")
    parser.add_argument("--fleet", type=int, default=150_000, help="devices in service")
    parser.add_argument("--rebuild", action="store_true", help="build the world afresh")
    parser.add_argument("--repeat", type=int, default=10, help="page renderings timed")
    parser.add_argument("--pdf-repeat", type=int, default=5, help="PDF renderings timed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        if args.postgres:
            ensure_postgres_database(args.postgres)
        setup_django(args.postgres, args.data_dir or scratch)
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        figures = run(args)
    print(json.dumps(figures, indent=2))
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    before = results.get(figures["engine"], {})
    if figures["build_s"] is None and before.get("fleet") == figures["fleet"]:
        figures["build_s"] = before.get("build_s")  # the world was reused: its last build
    results[figures["engine"]] = figures
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    slow = [name for name in ("page", "pdf") if not figures[name]["under_target"]]
    if slow:
        print(f"over target: {', '.join(slow)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
