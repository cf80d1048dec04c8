"""Permission-matrix entries of the billing endpoints (see tests/core/matrix.py).

The world gets one open month (2026-12) with a run, an issued invoice per municipality
(one line and one charge per service area: own, own_other_area, foreign), a credit note
on each, a one-off charge per area, and an allocation key with a cost pool. The rows are
made directly, one per target, because the matrix compares lists with exactly the rows
each login may see.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from samdrift.billing.models import BillingPeriod, BillingRun, Charge, Invoice, InvoiceLine
from samdrift.billing.services.credits import create_credit_note
from samdrift.billing.services.issuing import issue_invoice
from samdrift.billing.services.one_offs import add_one_off_charge
from samdrift.billing.services.pools import create_allocation_key, create_cost_pool
from samdrift.catalogue.services import publish_price
from tests.core.matrix import FINANCE, Action, Resource, unique
from tests.worlds import MatrixWorld

D = datetime.date
MONTH = D(2026, 12, 1)


def extend_world(world: MatrixWorld) -> None:
    workplace = world.objects["service"]["shared"]
    # Rating needs a price for every day of every subscription.
    world.add(
        "priceversion",
        "shared_billing_workplace",
        publish_price(amount=Decimal("150.00"), valid_from=D(2025, 1, 1), service=workplace),
    )
    period = BillingPeriod.objects.create(month=MONTH)
    run = BillingRun.objects.create(period=period, started_at=timezone.now())
    world.add("billingperiod", "shared", period)
    world.add("billingrun", "stock", run)
    areas = world.objects["servicearea"]
    assets = world.objects["asset"]
    product = world.objects["product"]["shared"]
    plan = {
        world.municipality_a: [("own", Decimal("60.00")), ("own_other_area", Decimal("40.00"))],
        world.municipality_b: [("foreign", Decimal("50.00"))],
    }
    for municipality, pieces in plan.items():
        net = sum((amount for _target, amount in pieces), Decimal(0))
        invoice = Invoice.objects.create(
            period=period,
            municipality=municipality,
            run=run,
            buyer_reference=municipality.number,
            net_total=net,
            vat_total=net / 4,
            gross_total=net * Decimal("1.25"),
            charge_count=len(pieces),
        )
        for number, (target, amount) in enumerate(pieces, start=1):
            line = InvoiceLine.objects.create(
                invoice=invoice,
                line_number=number,
                service_area=areas[target],
                source="asset",
                product=product,
                description=product.name,
                units=Decimal(1),
                quantity=Decimal(1),
                unit_price=amount,
                net_amount=amount,
                vat_rate=Decimal("25.00"),
                vat_category="S",
                vat_amount=amount / 4,
                charge_count=1,
            )
            charge = Charge.objects.create(
                period=period,
                run=run,
                invoice=invoice,
                municipality=municipality,
                service_area=areas[target],
                asset=assets[target],
                source="asset",
                source_id=assets[target].pk,
                product=product,
                quantity=Decimal(1),
                unit_price=amount,
                days_active=31,
                days_in_month=31,
                valid_from=MONTH,
                valid_to=D(2027, 1, 1),
                amount=amount,
                vat_rate=Decimal("25.00"),
            )
            world.add("invoiceline", target, line)
            world.add("charge", target, charge)
        invoice = issue_invoice(invoice=invoice, issue_date=D(2027, 1, 2))
        target = "own" if municipality == world.municipality_a else "foreign"
        world.add("invoice", target, invoice)
        first = invoice.lines.order_by("line_number").first()
        world.add(
            "creditnote",
            target,
            create_credit_note(invoice=invoice, reason="Price error", amounts={first.pk: "5.00"}),
        )
    for target, area in (
        ("own", "own"),
        ("own_other_area", "own_other_area"),
        ("foreign", "foreign"),
    ):
        world.add(
            "oneoffcharge",
            target,
            add_one_off_charge(
                municipality=areas[area].municipality,
                service_area=areas[area],
                description="Installation",
                date=D(2027, 2, 3),
                unit_price=Decimal("950.00"),
            ),
        )
    key = create_allocation_key(
        name="Matrix key",
        measured_on=D(2026, 1, 1),
        parts={"equal": Decimal(1), "population": Decimal(2)},
    )
    world.add("allocationkey", "shared", key)
    world.add(
        "costpool",
        "shared",
        create_cost_pool(
            name="Shared operations",
            monthly_amount=Decimal("1000.00"),
            key=key,
            valid_from=D(2027, 1, 1),
        ),
    )


# Who may download an EHF: everyone who sees whole invoices. A service-area manager sees
# their area's part of an invoice, never the municipality's whole legal document (403,
# for any id, before the lookup).
WHOLE_INVOICES = frozenset(
    {"operator", "finance", "auditor", "auditor_a", "contact_a", "contact_b"}
)

RESOURCES: dict[str, Resource] = {
    "billingperiod": Resource(
        writers=FINANCE,
        actions={
            "run": Action("post", False, lambda w, o: {"month": f"{MONTH:%Y-%m}"}, 201),
            # Every invoice of the world's month is issued: issuing the month is refused
            # (400, nothing changes), which the matrix checks for every login that may.
            "issue": Action("post", True, lambda w, o: {}, 400),
            "close": Action("post", True, lambda w, o: {}),
            "accounting": Action("get", True),
        },
    ),
    "billingrun": Resource(writers=FINANCE),
    "invoice": Resource(
        writers=FINANCE,
        actions={
            "issue": Action("post", True, lambda w, o: {}, 400),  # issued already
            "credit": Action("post", True, lambda w, o: {"reason": f"Cancelled {unique()}"}, 201),
            "ehf": Action("get", True, allowed=WHOLE_INVOICES),
            "specification": Action("get", True),
        },
    ),
    "invoiceline": Resource(writers=FINANCE),
    "charge": Resource(writers=FINANCE),
    "creditnote": Resource(
        writers=FINANCE, actions={"ehf": Action("get", True, allowed=WHOLE_INVOICES)}
    ),
    "oneoffcharge": Resource(
        writers=FINANCE,
        create=lambda w: {
            "municipality": w.municipality_a.pk,
            "service_area": w.objects["servicearea"]["own"].pk,
            "description": f"Hours of work {unique()}",
            "date": "2027-02-10",
            "quantity": "3",
            "unit_price": "950.00",
        },
    ),
    "costpool": Resource(writers=FINANCE),
    "allocationkey": Resource(writers=FINANCE),
}
