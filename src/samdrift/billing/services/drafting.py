"""Drafting a run's invoices from the line sums its charges gave: lines, totals,
content hashes, and the period's hash over them."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from samdrift.billing.choices import (
    ChargeSource,
)
from samdrift.billing.lines import (
    LineNames,
    LineTotal,
    build_lines,
    invoice_totals,
)
from samdrift.billing.models import (
    BillingPeriod,
    BillingRun,
    CostPool,
    Invoice,
    InvoiceLine,
    OneOffCharge,
)
from samdrift.catalogue.models import Product, Service
from samdrift.core.changelog import record_bulk_changes
from samdrift.core.choices import ChangeAction
from samdrift.organisations.models import ServiceArea


def line_names(period: BillingPeriod, totals_by_invoice) -> LineNames:
    one_off_ids = {
        total.first_source_id
        for totals in totals_by_invoice.values()
        for key, total in totals.items()
        if key[1] == ChargeSource.ONE_OFF
    }
    return LineNames(
        products=dict(Product.objects.values_list("pk", "name")),
        services={
            pk: (name, unit, reason)
            for pk, name, unit, reason in Service.objects.values_list(
                "pk", "name", "unit", "vat_exemption_reason"
            )
        },
        pools={
            pk: (name, reason)
            for pk, name, reason in CostPool.objects.values_list(
                "pk", "name", "vat_exemption_reason"
            )
        },
        one_off_reasons=dict(
            OneOffCharge.objects.filter(pk__in=one_off_ids).values_list(
                "pk", "vat_exemption_reason"
            )
        ),
        areas={
            pk: (name, centre)
            for pk, name, centre in ServiceArea.objects.values_list("pk", "name", "cost_centre")
        },
        periods={
            pk: f"{month:%Y-%m}" for pk, month in BillingPeriod.objects.values_list("pk", "month")
        },
    )


@dataclass
class DraftedInvoices:
    """The drafts a run filled (invoices without charges are deleted) and their lines."""

    invoices: list[Invoice]
    line_count: int


def draft_invoices(
    *,
    period: BillingPeriod,
    run: BillingRun,
    lines: dict[int, dict[tuple, LineTotal]],
    hexdigest: Callable[[int], str],
    invoice_ids: list[int],
    created: set[int],
    vat_registered: bool,
) -> DraftedInvoices:
    """Give each invoice of ``invoice_ids`` its lines and totals from the line sums of its
    municipality (``lines``) and its content hash (``hexdigest``); an invoice that got no
    charges is deleted. ``created``: the ids of invoices this run created (change log)."""
    names = line_names(period, lines)
    line_rows = []
    to_update = []
    empty = []
    for invoice in Invoice.objects.filter(pk__in=invoice_ids).order_by("pk"):
        totals = lines.get(invoice.municipality_id, {})
        if not totals:
            empty.append(invoice.pk)
            continue
        values = build_lines(totals=totals, names=names, vat_registered=vat_registered)
        line_rows.extend(InvoiceLine(invoice_id=invoice.pk, **value) for value in values)
        invoice.net_total, invoice.vat_total, invoice.gross_total = invoice_totals(values)
        invoice.charge_count = sum(total.count for total in totals.values())
        invoice.content_hash = hexdigest(invoice.municipality_id)
        invoice.run = run
        to_update.append(invoice)
    InvoiceLine.objects.bulk_create(line_rows, batch_size=5000)
    Invoice.objects.bulk_update(
        to_update,
        ["net_total", "vat_total", "gross_total", "charge_count", "content_hash", "run"],
    )
    record_bulk_changes([i for i in to_update if i.pk in created], action=ChangeAction.CREATE)
    record_bulk_changes([i for i in to_update if i.pk not in created], action=ChangeAction.UPDATE)
    for invoice in Invoice.objects.filter(pk__in=empty):
        invoice.delete()
    return DraftedInvoices(invoices=to_update, line_count=len(line_rows))


def period_content_hash(
    *, period: BillingPeriod, started: datetime.datetime
) -> tuple[str, datetime.datetime]:
    """The period's content hash over its invoices' hashes in municipality order, and when
    the oldest of the runs that rated them started (how far the period's inputs are rated;
    ``started``, this run's start, when none is older)."""
    period_hash = hashlib.sha256()
    first_rated = started
    for number, content_hash, run_started in (
        Invoice.objects.filter(period=period)
        .order_by("municipality__number")
        .values_list("municipality__number", "content_hash", "run__started_at")
    ):
        period_hash.update(f"{number}:{content_hash}\n".encode())
        if run_started is not None and run_started < first_rated:
            first_rated = run_started
    return period_hash.hexdigest(), first_rated
