"""Read questions about billing, each a fixed number of queries. Callers pass querysets
already restricted to what the user may see (``core.permissions.restrict``).

``invoice_scope`` is the one place that decides what a user may see of an invoice: the
whole of it for those who see their whole municipality, and for a service-area manager
only their area's part (its lines, charges and credited amounts, and the subtotal of
those) and never the EHF, which is the municipality's legal document. The invoice page,
the print page, the specification, the accounting export and the API all start from it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from samdrift.billing.choices import ChargeSource, InvoiceStatus
from samdrift.billing.lines import TEXT_SOURCES
from samdrift.billing.models import (
    BillingPeriod,
    BillingRun,
    Charge,
    CostPool,
    CreditNote,
    CreditNoteLine,
    DocumentCounter,
    Invoice,
    InvoiceLine,
)
from samdrift.billing.models.numbering import document_number
from samdrift.core.dating import overlapping
from samdrift.core.permissions import limited_to_service_area, restrict
from samdrift.finance.money import ZERO, round_to_ore
from samdrift.finance.proration import days_in_month, month_bounds, overlap_days, prorate


@dataclass
class PoolSummary:
    """What a pool cost in a period, what was charged out and what was not (unallocated)."""

    pool: CostPool
    month_amount: Decimal
    allocated: Decimal

    @property
    def unallocated(self) -> Decimal:
        return self.month_amount - self.allocated


def pool_summary(*, period: BillingPeriod) -> list[PoolSummary]:
    """Per pool in force in ``period``: its month amount, the sum of its charges, and the
    unallocated rest. Sums are taken in Decimal (two queries)."""
    start, end = month_bounds(period.month)
    dim = days_in_month(period.month)
    allocated: dict[int, Decimal] = {}
    for pool_id, amount in Charge.objects.filter(
        period=period, source=ChargeSource.COST_POOL, adjusts_period__isnull=True
    ).values_list("cost_pool_id", "amount"):
        allocated[pool_id] = allocated.get(pool_id, ZERO) + amount
    result = []
    for pool in CostPool.objects.filter(overlapping(start, end)).order_by("name", "pk"):
        days = overlap_days(
            start=pool.valid_from, end=pool.valid_to, period_start=start, period_end=end
        )
        month_amount = round_to_ore(
            prorate(monthly_amount=pool.monthly_amount, active_days=days, days_in_month=dim)
        )
        result.append(
            PoolSummary(
                pool=pool, month_amount=month_amount, allocated=allocated.get(pool.pk, ZERO)
            )
        )
    return result


def line_charges(*, line: InvoiceLine, charges: QuerySet[Charge] | None = None) -> QuerySet[Charge]:
    """The charges summed into ``line`` (the same grouping the run used)."""
    charges = Charge.objects.all() if charges is None else charges
    text = line.description if line.source in TEXT_SOURCES else None
    queryset = charges.filter(
        invoice_id=line.invoice_id,
        service_area_id=line.service_area_id,
        source=line.source,
        product_id=line.product_id,
        service_id=line.service_id,
        cost_pool_id=line.cost_pool_id,
        adjusts_period_id=line.adjusts_period_id,
        vat_rate=line.vat_rate,
    )
    if text is not None and line.adjusts_period_id is None:
        queryset = queryset.filter(description=text)
    return queryset


def charge_rows(charges: QuerySet[Charge]) -> QuerySet:
    """Charges with everything a specification shows, as plain values (streamable)."""
    return charges.order_by(
        "invoice__municipality__number", "service_area__cost_centre", "person__username", "pk"
    ).values(
        "pk",
        "invoice__number",
        "invoice__municipality__name",
        "invoice__municipality__number",
        "period__month",
        "service_area__name",
        "service_area__cost_centre",
        "person__username",
        "person__first_name",
        "person__last_name",
        "asset__asset_tag",
        "asset__serial_number",
        "source",
        "source_id",
        "product__name",
        "service__name",
        "cost_pool__name",
        "description",
        "quantity",
        "unit_price",
        "days_active",
        "days_in_month",
        "valid_from",
        "valid_to",
        "amount",
        "vat_rate",
        "adjusts_period__month",
    )


@dataclass(frozen=True)
class Totals:
    """Net and VAT of what a user may see of a document; gross is their sum."""

    net: Decimal = ZERO
    vat: Decimal = ZERO

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat


def _line_sums(lines: QuerySet) -> Totals:
    """Sums of ``net_amount`` and ``vat_amount``, in Decimal (one query)."""
    net = vat = ZERO
    for line_net, line_vat in lines.values_list("net_amount", "vat_amount"):
        net += line_net
        vat += line_vat
    return Totals(net, vat)


def sees_whole_invoices(user) -> bool:
    """Whether ``user`` sees an invoice whole (its totals, its EHF); a service-area
    manager sees only their area's part of one."""
    return not limited_to_service_area(user)


def require_whole_invoices(user) -> None:
    """Refuse (403) a service-area manager a municipality's whole document (an EHF)."""
    if not sees_whole_invoices(user):
        raise PermissionDenied(
            _(
                "The EHF is the municipality's whole invoice, its legal document, and a "
                "service-area manager sees only their own service area's part. Use the "
                "invoice page, its print page or the specification for your area's lines "
                "and subtotal; ask the municipality contact for the EHF."
            )
        )


_IN_CHUNK = 900  # ids per query, under SQLite's old limit of 999 parameters


def visible_totals(*, invoices: Iterable[Invoice], user) -> dict[int, Totals]:
    """Per invoice id, the totals ``user`` may see: the invoice's own, or for a
    service-area manager the sum of their area's lines (one query per 900 invoices)."""
    invoices = list(invoices)
    if sees_whole_invoices(user):
        return {i.pk: Totals(i.net_total, i.vat_total) for i in invoices}
    sums: dict[int, list[Decimal]] = {i.pk: [ZERO, ZERO] for i in invoices}
    ids = list(sums)
    for start in range(0, len(ids), _IN_CHUNK):
        lines = restrict(
            InvoiceLine.objects.filter(invoice_id__in=ids[start : start + _IN_CHUNK]), user
        )
        for invoice_id, net, vat in lines.values_list("invoice_id", "net_amount", "vat_amount"):
            sums[invoice_id][0] += net
            sums[invoice_id][1] += vat
    return {pk: Totals(net, vat) for pk, (net, vat) in sums.items()}


@dataclass(frozen=True)
class InvoiceScope:
    """What one user may see of one invoice (see ``invoice_scope``)."""

    invoice: Invoice
    whole: bool
    lines: QuerySet[InvoiceLine]
    charges: QuerySet[Charge]
    credit_notes: QuerySet[CreditNote]
    totals: Totals
    credited: Totals

    @property
    def may_download_ehf(self) -> bool:
        return self.whole and self.invoice.is_issued


def invoice_scope(*, invoice: Invoice, user) -> InvoiceScope:
    """What ``user`` (who may see ``invoice``) may see of it: for a service-area manager
    their area's lines, charges and credits and the subtotal of those, never the whole
    invoice's totals; for everyone else the whole invoice (three queries)."""
    whole = sees_whole_invoices(user)
    lines = restrict(InvoiceLine.objects.filter(invoice=invoice), user)
    credit_lines = restrict(CreditNoteLine.objects.filter(credit_note__invoice=invoice), user)
    credit_notes = restrict(CreditNote.objects.filter(invoice=invoice), user)
    if not whole:
        # Only the notes that credit something of the area.
        credit_notes = credit_notes.filter(pk__in=credit_lines.values("credit_note_id"))
    return InvoiceScope(
        invoice=invoice,
        whole=whole,
        lines=lines,
        charges=restrict(Charge.objects.filter(invoice=invoice), user),
        credit_notes=credit_notes,
        totals=Totals(invoice.net_total, invoice.vat_total) if whole else _line_sums(lines),
        credited=_line_sums(credit_lines),
    )


def visible_lines(*, user, **lookup) -> QuerySet[InvoiceLine]:
    """Invoice lines ``user`` may see (their area's only, for a manager), e.g. of a month."""
    return restrict(InvoiceLine.objects.filter(**lookup), user)


@dataclass
class AreaTotal:
    service_area_id: int | None
    name: str
    cost_centre: str
    net: Decimal
    vat: Decimal
    lines: int


def area_totals(*, invoice: Invoice, lines: QuerySet[InvoiceLine] | None = None) -> list[AreaTotal]:
    """The invoice summed per service area (one query)."""
    lines = invoice.lines.all() if lines is None else lines
    totals: dict[int | None, AreaTotal] = {}
    for area_id, name, centre, net, vat in lines.values_list(
        "service_area_id",
        "service_area__name",
        "service_area__cost_centre",
        "net_amount",
        "vat_amount",
    ):
        total = totals.get(area_id)
        if total is None:
            total = totals[area_id] = AreaTotal(area_id, name or "", centre or "", ZERO, ZERO, 0)
        total.net += net
        total.vat += vat
        total.lines += 1
    return sorted(totals.values(), key=lambda t: (t.cost_centre, t.name))


def periods_with_totals(
    periods: QuerySet[BillingPeriod], invoices: QuerySet[Invoice], *, user
) -> list:
    """Periods with the sum of the (visible) invoices of each: what ``user`` may see of
    them (``visible_totals``; two or three queries)."""
    rows = list(invoices.only("pk", "period_id", "status", "net_total", "vat_total", "gross_total"))
    totals = visible_totals(invoices=rows, user=user)
    sums: dict[int, list] = {}
    for invoice in rows:
        entry = sums.setdefault(invoice.period_id, [ZERO, ZERO, 0, 0])
        entry[0] += totals[invoice.pk].net
        entry[1] += totals[invoice.pk].gross
        entry[2] += 1
        entry[3] += invoice.status == "issued"
    result = []
    for period in periods.order_by("-month"):
        net, gross, count, issued = sums.get(period.pk, [ZERO, ZERO, 0, 0])
        result.append(
            {"period": period, "net": net, "gross": gross, "invoices": count, "issued": issued}
        )
    return result


def next_document_numbers(*, series: str, year: int, count: int, lock: bool = False) -> list[str]:
    """The next ``count`` numbers ``series`` gives in ``year`` — the ones issuing now would
    give (``services.numbering.next_number`` counts on from the same counter). With ``lock`` the
    counter row is locked, as issuing locks it, so they cannot be taken meanwhile."""
    counters = DocumentCounter.objects.filter(series=series, year=year)
    if lock:
        counters = counters.select_for_update()
    last = counters.values_list("last_number", flat=True).first() or 0
    return [
        document_number(series=series, year=year, sequence=sequence)
        for sequence in range(last + 1, last + 1 + count)
    ]


@dataclass
class IssuePlan:
    """What "issue all drafts" of a period would do: the drafts in the order they are
    numbered (municipality number), the numbers they would get, and the sums."""

    period: BillingPeriod
    issue_date: datetime.date
    drafts: list[Invoice]
    numbers: list[str]
    run_hash: str

    @property
    def net(self) -> Decimal:
        return sum((invoice.net_total for invoice in self.drafts), ZERO)

    @property
    def vat(self) -> Decimal:
        return sum((invoice.vat_total for invoice in self.drafts), ZERO)

    @property
    def gross(self) -> Decimal:
        return sum((invoice.gross_total for invoice in self.drafts), ZERO)

    def state(self) -> tuple:
        """Everything the figures depend on, for the confirmation's fingerprint."""
        return (
            self.period.pk,
            self.period.status,
            self.run_hash,
            self.numbers,
            [(i.pk, i.content_hash, i.net_total, i.vat_total, i.gross_total) for i in self.drafts],
        )


def issue_plan(
    *, period: BillingPeriod, series: str, issue_date: datetime.date, lock: bool = False
) -> IssuePlan:
    """The drafts ``services.issue_period`` would issue, ordered as it numbers them, with
    their numbers in ``series`` (three queries). ``lock`` takes the locks issuing takes."""
    drafts = (
        Invoice.objects.filter(period=period, status=InvoiceStatus.DRAFT)
        .select_related("municipality")
        .order_by("municipality__number")
    )
    if lock:
        drafts = drafts.select_for_update(of=("self",))
    drafts = list(drafts)
    run = BillingRun.objects.filter(period=period).order_by("-started_at", "-pk").first()
    return IssuePlan(
        period=period,
        issue_date=issue_date,
        drafts=drafts,
        numbers=next_document_numbers(
            series=series, year=issue_date.year, count=len(drafts), lock=lock
        ),
        run_hash=run.content_hash if run else "",
    )
