"""Benchmark: ordering at the design size (issue #14).

10,000 open orders across 50 municipalities (submitted, approved, accepted and partly
delivered, one to three lines each, bundles and non-standard requests among them) — the
approver's queue, the operator's queue (the first page of 50, and the whole queue) and the
purchasing views must each answer in under 200 ms, with the same number of queries as on
a tiny data set.

    .venv/bin/python bench/bench_ordering.py                  # SQLite
    .venv/bin/python bench/bench_ordering.py --postgres postgres://postgres@127.0.0.1:5432/samdrift_bench

The database is a scratch one (a temporary SQLite file, or the PostgreSQL database given,
created when missing and flushed). The data is written with ``bulk_create`` (bench data,
no change log). Each figure is the median of ``--repeat`` runs, printed and merged into
bench/results/ordering.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import random
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from benchenv import ensure_postgres_database, prepare_database, setup_django

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "ordering.json"
MUNICIPALITIES, ORDERS, TARGET_MS = 50, 10_000, 200.0


def build(orders: int) -> dict:
    """The data set; returns the users whose views are timed."""
    from django.utils import timezone

    from samdrift.catalogue.models import PriceVersion, Product, ProductCategory, Service
    from samdrift.core.choices import Role
    from samdrift.core.models import User
    from samdrift.core.validators import organisation_number_with_check_digit
    from samdrift.inventory.models import Asset
    from samdrift.ordering.choices import ApprovalCapacity, LineKind, OrderState
    from samdrift.ordering.models import (
        Bundle,
        BundlePart,
        CatalogueOffer,
        Delivery,
        Order,
        OrderLine,
        OrderTransition,
    )
    from samdrift.organisations.models import Municipality, Person, ServiceArea

    rng = random.Random(14)
    category = ProductCategory.objects.create(name="Devices", code="devices")
    products = [Product.objects.create(name=f"Product {i}", category=category) for i in range(6)]
    service = Service.objects.create(name="Workplace", code="workplace", unit="per_user")
    for product in products:
        PriceVersion.objects.create(
            product=product, amount=Decimal("300"), valid_from=datetime.date(2025, 1, 1)
        )
        CatalogueOffer.objects.create(product=product)
    PriceVersion.objects.create(
        service=service, amount=Decimal("150"), valid_from=datetime.date(2025, 1, 1)
    )
    CatalogueOffer.objects.create(service=service)
    bundle = Bundle.objects.create(name="Workstation", code="ws")
    BundlePart.objects.create(bundle=bundle, product=products[0], quantity=1)
    BundlePart.objects.create(bundle=bundle, product=products[1], quantity=2)

    municipalities = []
    for n in range(MUNICIPALITIES):
        seed = 94_000_000 + n * 37
        while (number := organisation_number_with_check_digit(str(seed))) is None:
            seed += 1
        municipalities.append(
            Municipality(
                name=f"Kommune {n}",
                number=f"{3000 + n:04d}",
                organisation_number=number,
                population=5000 + n,
                joined_on=datetime.date(2024, 1, 1),
            )
        )
    Municipality.objects.bulk_create(municipalities)
    areas = ServiceArea.objects.bulk_create(
        [
            ServiceArea(municipality=m, name=f"Area {k}", cost_centre=f"{k}")
            for m in municipalities
            for k in range(2)
        ]
    )
    areas_of = {m.pk: [a for a in areas if a.municipality_id == m.pk] for m in municipalities}
    persons = Person.objects.bulk_create(
        [
            Person(
                municipality=m,
                service_area=areas_of[m.pk][k % 2],
                username=f"u{m.pk}-{k}",
                first_name="Kari",
                last_name=f"N{k}",
                active_from=datetime.date(2023, 1, 1),
            )
            for m in municipalities
            for k in range(20)
        ]
    )
    persons_of = {m.pk: [p for p in persons if p.municipality_id == m.pk] for m in municipalities}
    creators = User.objects.bulk_create(
        [
            User(
                username=f"creator{m.pk}",
                role=Role.SERVICE_AREA,
                municipality=m,
                service_area=areas_of[m.pk][0],
            )
            for m in municipalities
        ]
    )
    creator_of = {u.municipality_id: u for u in creators}
    contact = User.objects.create(
        username="contact", role=Role.MUNICIPALITY, municipality=municipalities[0]
    )
    manager = User.objects.create(
        username="manager",
        role=Role.SERVICE_AREA,
        municipality=municipalities[0],
        service_area=areas_of[municipalities[0].pk][1],
    )
    operator = User.objects.create(username="operator", role=Role.OPERATOR)

    now = timezone.now()
    states = (
        [OrderState.SUBMITTED] * 40
        + [OrderState.APPROVED] * 20
        + [OrderState.ACCEPTED] * 25
        + [OrderState.PARTLY_DELIVERED] * 15
    )
    order_rows = []
    for i in range(orders):
        m = municipalities[i % MUNICIPALITIES]
        state = states[i % len(states)]
        submitted = now - datetime.timedelta(days=rng.randint(5, 400))
        order_rows.append(
            Order(
                number=f"B-2026-{i + 1:06d}",
                municipality=m,
                service_area=areas_of[m.pk][i % 2],
                created_by=creator_of[m.pk],
                state=state,
                submitted_at=submitted,
                accepted_at=submitted + datetime.timedelta(days=2)
                if state in (OrderState.ACCEPTED, OrderState.PARTLY_DELIVERED)
                else None,
                monthly_total=Decimal("300.00"),
                one_off_total=Decimal("0.00"),
            )
        )
    order_rows = Order.objects.bulk_create(order_rows, batch_size=2000)
    lines, transitions = [], []
    for order in order_rows:
        person = rng.choice(persons_of[order.municipality_id])
        for k in range(rng.randint(1, 3)):
            roll = rng.random()
            if roll < 0.1:
                lines.append(
                    OrderLine(
                        order=order,
                        kind=LineKind.NON_STANDARD,
                        description="Special",
                        justification="Need",
                        quantity=1,
                        monthly_price=Decimal("100"),
                        reviewed=True,
                    )
                )
            elif roll < 0.2:
                lines.append(
                    OrderLine(order=order, kind=LineKind.BUNDLE, bundle=bundle, quantity=1)
                )
            else:
                quantity = 30 if roll > 0.98 else 1
                delivered = (
                    1
                    if order.state == OrderState.PARTLY_DELIVERED and k == 0 and quantity > 1
                    else 0
                )
                lines.append(
                    OrderLine(
                        order=order,
                        kind=LineKind.PRODUCT,
                        product=rng.choice(products),
                        quantity=quantity,
                        delivered_quantity=delivered,
                        person=person if quantity == 1 else None,
                        monthly_price=Decimal("300"),
                    )
                )
        if order.state != OrderState.SUBMITTED:
            transitions.append(
                OrderTransition(
                    order=order,
                    from_state=OrderState.SUBMITTED,
                    to_state=OrderState.APPROVED,
                    actor="bench",
                    at=order.submitted_at,
                    approval_as=ApprovalCapacity.CONTACT,
                )
            )
    lines = OrderLine.objects.bulk_create(lines, batch_size=2000)
    OrderTransition.objects.bulk_create(transitions, batch_size=2000)
    Asset.objects.bulk_create(
        [
            Asset(product=products[i % len(products)], asset_tag=f"S{i:06d}", status="in_stock")
            for i in range(1000)
        ],
        batch_size=2000,
    )
    delivered_lines = [line for line in lines if line.delivered_quantity]
    assets = Asset.objects.bulk_create(
        [
            Asset(product_id=line.product_id, asset_tag=f"D{i:06d}", status="deployed")
            for i, line in enumerate(delivered_lines)
        ],
        batch_size=2000,
    )
    Delivery.objects.bulk_create(
        [
            Delivery(
                line=line,
                asset=asset,
                delivered_on=timezone.localdate() - datetime.timedelta(days=rng.randint(0, 60)),
            )
            for line, asset in zip(delivered_lines, assets, strict=True)
        ],
        batch_size=2000,
    )
    return {"contact": contact, "manager": manager, "operator": operator, "lines": len(lines)}


def measure(fn, repeat: int) -> tuple[float, int]:
    """(median milliseconds, queries) of ``fn()``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        queries = len(captured.captured_queries)
    return round(statistics.median(times), 1), queries


def views(users: dict) -> dict:
    from samdrift.ordering import selectors

    def first_page(queryset, size=50):
        return lambda: list(queryset()[:size])

    return {
        "approver_queue_contact": first_page(lambda: selectors.approver_queue(users["contact"])),
        "approver_queue_manager": first_page(lambda: selectors.approver_queue(users["manager"])),
        "operator_queue_page": lambda: [
            len(o.outstanding_lines) for o in selectors.operator_queue(users["operator"])[:50]
        ],
        "operator_queue_count": lambda: selectors.operator_queue(users["operator"]).count(),
        "operator_queue_all": lambda: [
            len(o.outstanding_lines) for o in selectors.operator_queue(users["operator"])
        ],
        "non_standard_share": lambda: selectors.non_standard_share(users["operator"]),
        "pending_quantities": lambda: selectors.pending_quantities(users["operator"]),
        "lead_times": lambda: selectors.lead_times(users["operator"]),
        "stock_against_open_orders": lambda: selectors.stock_against_open_orders(users["operator"]),
        # The purchasing page shows all four at once: that is what must stay under target.
        "purchasing_view_all_four": lambda: (
            selectors.non_standard_share(users["operator"]),
            selectors.pending_quantities(users["operator"]),
            selectors.lead_times(users["operator"]),
            selectors.stock_against_open_orders(users["operator"]),
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a scratch PostgreSQL database URL")
    parser.add_argument("--orders", type=int, default=ORDERS)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        if args.postgres:
            ensure_postgres_database(args.postgres)
        setup_django(args.postgres, data_dir)
        prepare_database()
        from django.db import connection

        start = time.perf_counter()
        users = build(args.orders)
        build_seconds = round(time.perf_counter() - start, 1)
        figures = {}
        for name, fn in views(users).items():
            ms, queries = measure(fn, args.repeat)
            figures[name] = {"ms": ms, "queries": queries, "under_target": ms < TARGET_MS}
            print(f"{name:28s} {ms:8.1f} ms  {queries} queries")
        engine = connection.vendor
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[engine] = {
        "date": datetime.date.today().isoformat(),
        "machine": platform.platform(),
        "python": platform.python_version(),
        "orders": args.orders,
        "lines": users["lines"],
        "municipalities": MUNICIPALITIES,
        "build_seconds": build_seconds,
        "target_ms": TARGET_MS,
        "views": figures,
    }
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
