"""Benchmark: a buyout of 2,000 old devices (issue #4 asks the valuation in under 2 s),
and the yearly price-list and indexation publications.

A fresh database is migrated (SQLite in a temporary directory, or the PostgreSQL database
given with ``--postgres URL`` — a scratch database: it is flushed), and then timed
separately, each with the number of queries it sent:

- **register** — one municipality's old equipment registered for a buyout
  (``leasing.buyouts.drafting.register_equipment``: assets, assignments, items, change log);
- **valuation** — ``buyout_valuation`` of the draft (book value per asset and the total);
- **agree** — freezing the valuation and writing the signed-off XLSX with its SHA-256;
- **complete** — bought-out origin, the ``AssetPrice`` rows of each asset (nothing while
  the municipality held it, its buyout price over the remaining life, then the fee), the
  amount owed;
- **publish** — ``leasing.pricing.price_list.publish_price_list`` for next year over ``--products``
  products priced this year (each gets a new version, the old one closed);
- **index** — ``publish_indexation`` of ``--services`` service prices.

The writes' share spent in ``core.changelog.record_bulk_changes`` (the change-log rows,
before and after per object) is reported apart as ``changelog_seconds``.

The valuation total is checked against the sum of per-asset book values computed
independently from the stored rows with ``finance.depreciation`` and rounded per asset,
to the øre; the script exits non-zero on a mismatch.

    .venv/bin/python bench/bench_buyout.py                   # SQLite, 2,000 devices
    .venv/bin/python bench/bench_buyout.py --devices 10000
    .venv/bin/python bench/bench_buyout.py --postgres postgres://postgres@127.0.0.1:5432/samdrift_bench
    .venv/bin/python bench/bench_buyout.py --no-write   # print only, bench/results untouched

Figures are printed and written to bench/results/buyout.json (one entry per database).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "buyout.json"
TARGET_SECONDS = 2.0


def setup_django(postgres_url: str | None, data_dir: str) -> None:
    os.environ["SAMDRIFT_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samdrift.settings")
    if postgres_url:
        os.environ["DATABASE_URL"] = postgres_url
    else:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    if postgres_url:
        call_command("flush", verbosity=0, interactive=False)


CHANGELOG_SECONDS: list[float] = []
# How the change log's rows go in: a (multi-row) INSERT on SQLite, a COPY on PostgreSQL.
CHANGE_LOG_INSERT = ('INSERT INTO "core_objectchange"', 'COPY "core_objectchange"')


def count_changelog_time() -> None:
    """Add the time spent in ``record_bulk_changes`` to CHANGELOG_SECONDS (wrapped where
    the timed services call it)."""
    import functools

    from samdrift.leasing.buyouts import agreeing, completion, drafting
    from samdrift.leasing.pricing import versions

    for module in (drafting, agreeing, completion, versions):
        original = module.record_bulk_changes

        @functools.wraps(original)
        def wrapper(*args, _original=original, **kwargs):
            started = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                CHANGELOG_SECONDS.append(time.perf_counter() - started)

        module.record_bulk_changes = wrapper


def timed(label: str, figures: dict, function, *args, **kwargs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    CHANGELOG_SECONDS.clear()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = function(*args, **kwargs)
        seconds = time.perf_counter() - started
    changelog = sum(CHANGELOG_SECONDS)
    # Change-log INSERT statements: on SQLite Django splits a bulk insert into statements
    # of at most 999 parameters (about 70 change rows each), so they grow with the rows.
    changelog_statements = sum(
        1 for q in queries.captured_queries if q["sql"].startswith(CHANGE_LOG_INSERT)
    )
    figures["seconds"][label] = round(seconds, 3)
    figures["queries"][label] = len(queries.captured_queries)
    figures["changelog_statements"][label] = changelog_statements
    figures["changelog_seconds"][label] = round(changelog, 3)
    print(
        f"{label:>12}: {seconds:8.3f} s  {len(queries.captured_queries):5d} queries"
        f" ({changelog_statements} of them change-log inserts)  change log {changelog:.3f} s"
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=2000)
    parser.add_argument("--postgres", metavar="URL", default=None)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--products", type=int, default=300)
    parser.add_argument("--services", type=int, default=300)
    parser.add_argument(
        "--no-write", action="store_true", help="print only; bench/results is not touched"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="samdrift-bench-buyout-") as data_dir:
        setup_django(args.postgres, data_dir)
        return run(args)


def run(args) -> int:
    from django.db import connection

    from samdrift.catalogue.models import PriceVersion, Product, ProductCategory, Service
    from samdrift.core.actor import acting_as
    from samdrift.core.models import User
    from samdrift.finance.depreciation import age_in_months, book_value
    from samdrift.finance.money import round_to_ore
    from samdrift.leasing.buyouts import agreeing, completion, drafting
    from samdrift.leasing.buyouts.valuation import buyout_valuation
    from samdrift.leasing.models import AssetPrice, BuyoutItem, LeaseModel
    from samdrift.leasing.pricing.indexation import publish_indexation
    from samdrift.leasing.pricing.price_list import publish_price_list
    from samdrift.organisations.models import Municipality

    count_changelog_time()
    rng = random.Random(args.seed)
    valuation_date = datetime.date.today().replace(day=1)
    figures: dict = {
        "seconds": {},
        "queries": {},
        "changelog_statements": {},
        "changelog_seconds": {},
    }
    with acting_as(label="bench"):
        finance = User.objects.create(username="bench-finance", role="finance")
        municipality = Municipality.objects.create(
            name="Benchvik",
            number="4699",
            organisation_number="964338531",
            population=25000,
            joined_on=datetime.date(2024, 1, 1),
        )
        lease = LeaseModel.objects.create(
            name="Bench 48",
            term_months=48,
            annual_rate=Decimal("0.045"),
            residual_percent=Decimal("0"),
            monthly_service_fee=Decimal("85.00"),
        )
        products = []
        for code, life, cost in [
            ("laptop", 48, "11990.00"),
            ("desktop", 60, "8990.00"),
            ("phone", 36, "6490.00"),
            ("printer", 60, "24990.00"),
        ]:
            category = ProductCategory.objects.create(
                name=code.title(), code=code, useful_life_months=life, lease_model=lease
            )
            products.append(
                Product.objects.create(
                    name=f"Old {code}", category=category, standard_cost=Decimal(cost)
                )
            )
        rows = []
        for n in range(args.devices):
            product = rng.choice(products)
            age_days = rng.randint(30, 8 * 365)  # up to eight years old: many fully written off
            row = {
                "product": product,
                "asset_tag": f"BV{n:06d}",
                "serial_number": f"SNBV{n:08d}",
                "acquisition_date": valuation_date - datetime.timedelta(days=age_days),
                "acquisition_cost": Decimal(rng.randint(300_000, 3_000_000)) / 100,
            }
            if n % 50 == 0:
                row["useful_life_months"] = 36
                row["life_override_reason"] = "Heavy use in schools"
            rows.append(row)

        buyout = drafting.create_buyout(
            municipality=municipality, name="Benchvik takeover", valuation_date=valuation_date
        )
        timed("register", figures, drafting.register_equipment, buyout=buyout, rows=rows)
        valuation = timed("valuation", figures, buyout_valuation, buyout=buyout)

        # The independent check: every stored item valued again and rounded per asset.
        expected = Decimal("0")
        for acquired, cost, residual, life, default_life in BuyoutItem.objects.filter(
            buyout=buyout
        ).values_list(
            "acquisition_date",
            "acquisition_cost",
            "residual_value",
            "useful_life_months",
            "asset__product__category__useful_life_months",
        ):
            expected += round_to_ore(
                book_value(
                    cost=cost,
                    residual=residual,
                    useful_life_months=min(life or default_life, 60),
                    age_months=age_in_months(acquired=acquired, on=valuation_date),
                )
            )
        total_matches = valuation.total == expected
        print(
            f"{'total':>12}: {valuation.total} (independent sum {expected}) "
            f"{'OK' if total_matches else 'MISMATCH'}"
        )

        # Agreed, completed and published by the finance user (stored as who did it).
        with acting_as(finance, label="bench"):
            agreed = timed("agree", figures, agreeing.agree_buyout, buyout=buyout)
            frozen_matches = agreed.agreed_total == expected
            timed(
                "complete",
                figures,
                completion.complete_buyout,
                buyout=buyout,
                completed_on=max(valuation_date, agreed.agreed_on),
            )
            prices = AssetPrice.objects.filter(asset__buyout_item__buyout=buyout).count()

            # The price list: products priced this year, republished for next year (their
            # standard costs moved, so every one gets a new version); services indexed.
            this_year = datetime.date.today().year
            category = ProductCategory.objects.get(code="laptop")
            listed = Product.objects.bulk_create(
                [
                    Product(
                        name=f"Listed {n}",
                        category=category,
                        standard_cost=Decimal(rng.randint(300_000, 3_000_000)) / 100,
                    )
                    for n in range(args.products)
                ]
            )
            services = Service.objects.bulk_create(
                [Service(name=f"Service {n}", code=f"svc{n}") for n in range(args.services)]
            )
            PriceVersion.objects.bulk_create(
                [
                    PriceVersion(product=p, amount=Decimal("1.00"), valid_from=valuation_date)
                    for p in listed
                ]
                + [
                    PriceVersion(
                        service=s,
                        amount=Decimal(rng.randint(1_000, 90_000)) / 100,
                        valid_from=valuation_date,
                    )
                    for s in services
                ]
            )
            publication = timed(
                "publish",
                figures,
                publish_price_list,
                year=this_year + 1,
            )
            indexation = timed(
                "index",
                figures,
                publish_indexation,
                year=this_year + 1,
                old_index=Decimal("100"),
                new_index=Decimal("103.9"),
                index_name="Bench deflator",
            )

    result = {
        "benchmark": "buyout valuation",
        "devices": args.devices,
        "products": args.products,
        "services": args.services,
        "database": connection.vendor,
        **figures,
        "target_seconds": {"valuation": TARGET_SECONDS},
        "valuation_within_target": figures["seconds"]["valuation"] < TARGET_SECONDS,
        "total": str(valuation.total),
        "independent_sum": str(expected),
        "total_matches_sum_of_book_values": total_matches,
        "agreed_total_matches": frozen_matches,
        "asset_price_rows": prices,
        "price_versions_published": publication.versions_created,
        "service_versions_indexed": indexation.versions_created,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "run_at": datetime.datetime.now().isoformat(timespec="seconds"),
        "command": " ".join(["bench/bench_buyout.py", *sys.argv[1:]]),
    }
    if args.no_write:
        return 0 if total_matches and frozen_matches else 1
    # One entry per database engine, so the SQLite and PostgreSQL runs sit side by side.
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    runs = {}
    if RESULTS.exists():
        try:
            runs = json.loads(RESULTS.read_text()).get("runs", {})
        except (ValueError, AttributeError):
            runs = {}
    runs[connection.vendor] = result
    RESULTS.write_text(json.dumps({"benchmark": "buyout", "runs": runs}, indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0 if total_matches and frozen_matches else 1


if __name__ == "__main__":
    sys.exit(main())
