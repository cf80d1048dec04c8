"""Benchmark: value a buyout of 2,000 old devices (issue #4 asks for under 2 s).

A fresh database is migrated (SQLite in a temporary directory, or the PostgreSQL database
given with ``--postgres URL`` — a scratch database: it is flushed), one municipality's
old equipment is registered for a buyout (``inventory.buyouts.register_equipment``), and
then timed separately:

- **valuation** — ``buyout_valuation`` of the draft (book value per asset and the total);
- **agree** — freezing the valuation and writing the signed-off XLSX with its SHA-256;
- **complete** — bought-out origin, two ``AssetPrice`` rows per asset, the amount owed.

The valuation total is checked against the sum of per-asset book values computed
independently from the stored rows with ``finance.depreciation`` and rounded per asset,
to the øre; the script exits non-zero on a mismatch.

    .venv/bin/python bench/bench_buyout.py                   # SQLite, 2,000 devices
    .venv/bin/python bench/bench_buyout.py --devices 10000
    .venv/bin/python bench/bench_buyout.py --postgres postgres://postgres@127.0.0.1:5432/samdrift_bench

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


def timed(label: str, figures: dict, function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    seconds = time.perf_counter() - started
    figures[label] = round(seconds, 3)
    print(f"{label:>12}: {seconds:8.3f} s")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=2000)
    parser.add_argument("--postgres", metavar="URL", default=None)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="samdrift-bench-buyout-") as data_dir:
        setup_django(args.postgres, data_dir)
        return run(args)


def run(args) -> int:
    from django.db import connection

    from samdrift.catalogue.models import LeaseModel, Product, ProductCategory
    from samdrift.core.actor import acting_as
    from samdrift.core.models import User
    from samdrift.finance.depreciation import age_in_months, book_value
    from samdrift.finance.money import round_to_ore
    from samdrift.inventory import buyouts
    from samdrift.inventory.buyout_selectors import buyout_valuation
    from samdrift.inventory.models import AssetPrice, BuyoutItem
    from samdrift.organisations.models import Municipality

    rng = random.Random(args.seed)
    valuation_date = datetime.date.today().replace(day=1)
    figures: dict = {}
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

        buyout = buyouts.create_buyout(
            municipality=municipality, name="Benchvik takeover", valuation_date=valuation_date
        )
        timed("register", figures, buyouts.register_equipment, buyout=buyout, rows=rows)
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

        agreed = timed("agree", figures, buyouts.agree_buyout, buyout=buyout, agreed_by=finance)
        frozen_matches = agreed.agreed_total == expected
        timed(
            "complete",
            figures,
            buyouts.complete_buyout,
            buyout=buyout,
            completed_by=finance,
            completed_on=max(valuation_date, agreed.agreed_on),
        )
        prices = AssetPrice.objects.filter(asset__buyout_item__buyout=buyout).count()

    result = {
        "benchmark": "buyout valuation",
        "devices": args.devices,
        "database": connection.vendor,
        "seconds": figures,
        "target_seconds": {"valuation": TARGET_SECONDS},
        "valuation_within_target": figures["valuation"] < TARGET_SECONDS,
        "total": str(valuation.total),
        "independent_sum": str(expected),
        "total_matches_sum_of_book_values": total_matches,
        "agreed_total_matches": frozen_matches,
        "asset_price_rows": prices,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "run_at": datetime.datetime.now().isoformat(timespec="seconds"),
        "command": " ".join(["bench/bench_buyout.py", *sys.argv[1:]]),
    }
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
