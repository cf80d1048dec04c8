"""Billing operations: rate and draft a period, issue, credit, close; enter one-off charges,
allocation keys and cost pools. Each is one transaction: validation first, then the
writes, so a refused operation changes nothing."""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.billing.adjustments import AdjustmentCheck
from samdrift.billing.allocation import measure_key
from samdrift.billing.bulk import TableWriter, raw_delete
from samdrift.billing.choices import (
    AllocationBasis,
    ChargeSource,
    InvoiceStatus,
    PeriodStatus,
    RunStatus,
)
from samdrift.billing.kid import make_kid
from samdrift.billing.lines import (
    LineNames,
    build_lines,
    invoice_totals,
    quantity_and_price,
)
from samdrift.billing.models import (
    AllocationKey,
    AllocationKeyPart,
    AllocationWeight,
    BillingPeriod,
    BillingRun,
    Charge,
    CostPool,
    CreditNote,
    CreditNoteLine,
    DocumentCounter,
    Invoice,
    InvoiceLine,
    OneOffCharge,
    credit_note_series,
    document_number,
)
from samdrift.billing.rating import FACT_FIELDS, Rater, Scope
from samdrift.billing.writing import ChargeSink
from samdrift.catalogue.models import Product, Service
from samdrift.core.actor import current_actor
from samdrift.core.changelog import record_bulk_changes, record_summary
from samdrift.core.choices import ChangeAction
from samdrift.core.dating import overlapping
from samdrift.core.membership import foreign_member_errors
from samdrift.core.services import save_object
from samdrift.finance.money import ZERO, round_to_ore
from samdrift.finance.proration import month_bounds
from samdrift.inventory.models import Asset, Assignment
from samdrift.leasing.models import AmountOwed
from samdrift.organisations.models import Collaboration, Municipality, Person, ServiceArea

CHARGE_FIELDS = ["period", "run", "invoice", *FACT_FIELDS, "adjusts_period"]
MAX_LISTED_PROBLEMS = 10

Progress = Callable[[str, int], None]


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def previous_month(month: datetime.date) -> datetime.date:
    return (month - datetime.timedelta(days=1)).replace(day=1)


def parse_month(text: str) -> datetime.date:
    """``2026-11`` (or ``2026-11-01``) → 2026-11-01, with an error naming the input."""
    try:
        parts = [int(part) for part in text.strip().split("-")]
        return datetime.date(parts[0], parts[1], 1)
    except (ValueError, IndexError):
        raise ValidationError(
            {
                "month": _("“%(text)s” is not a month; write it as YYYY-MM, e.g. 2026-11.")
                % {"text": text}
            }
        ) from None


def _collaboration() -> Collaboration:
    collaboration = Collaboration.get()
    if collaboration is None:
        raise ValidationError(
            _("The collaboration (the seller on invoices) is not set up; run 'samdrift init'.")
        )
    return collaboration


def _period_for_rating(month: datetime.date) -> BillingPeriod:
    """The period to rate, created when new; refused when closed, when an earlier period is
    still open or was skipped, or when a later period exists already."""
    label = f"{month:%Y-%m}"
    period = BillingPeriod.objects.select_for_update().filter(month=month).first()
    if period is not None and period.is_closed:
        raise ValidationError(
            {
                "month": _(
                    "%(month)s is closed and never changes. Changes dated in it are billed as "
                    "adjustments when the next open month is billed."
                )
                % {"month": label}
            }
        )
    earlier = BillingPeriod.objects.filter(month__lt=month).order_by("-month").first()
    if earlier is not None:
        previous = previous_month(month)
        if earlier.month != previous:
            raise ValidationError(
                {
                    "month": _(
                        "%(previous)s has not been billed; bill and close it before %(month)s "
                        "(the last billed month is %(last)s)."
                    )
                    % {"previous": f"{previous:%Y-%m}", "month": label, "last": earlier.label}
                }
            )
        if not earlier.is_closed:
            raise ValidationError(
                {
                    "month": _(
                        "%(previous)s is still open; issue its invoices and close it before "
                        "billing %(month)s."
                    )
                    % {"previous": earlier.label, "month": label}
                }
            )
    if period is None:
        later = BillingPeriod.objects.filter(month__gt=month).order_by("month").first()
        if later is not None:
            raise ValidationError(
                {
                    "month": _(
                        "%(later)s has been billed already; a month before it cannot be started "
                        "now. Late changes are billed as adjustments."
                    )
                    % {"later": later.label}
                }
            )
        period = BillingPeriod(month=month)
        period.full_clean()
        period.save()
    return period


def _line_names(period: BillingPeriod, totals_by_invoice) -> LineNames:
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
class _Rated:
    """What rating a period gave: the rater and adjustment check (problems, input hash,
    checked periods) and how many facts of each kind the sink took."""

    rater: Rater
    check: AdjustmentCheck
    charges: int
    adjustments: int


def _rate(
    *,
    month: datetime.date,
    period: BillingPeriod,
    sink: ChargeSink,
    progress: Progress | None = None,
    scope: Scope | None = None,
) -> _Rated:
    """Rate ``month`` (the inputs in ``scope``) and check the closed periods for
    adjustments, feeding every fact to ``sink``. The fact streams are closed here, also
    on an error: closing one closes its server-side cursor, which must happen while the
    connection is still usable, not whenever the garbage collector gets to it."""
    rater = Rater(month=month, progress=progress, scope=scope or Scope())
    with contextlib.closing(rater.facts()) as facts:
        charges = sink.consume(facts)
    check = AdjustmentCheck(current=period)
    adjustments = 0
    with contextlib.closing(check.facts()) as adjusting:
        for fact, adjusts_id in adjusting:
            adjustments += sink.consume((fact,), adjusts_id)
    return _Rated(rater=rater, check=check, charges=charges, adjustments=adjustments)


def _refuse_missing_prices(rated: _Rated) -> None:
    problems = rated.rater.problems + rated.check.problems
    if problems:
        names = dict(Municipality.objects.values_list("pk", "name"))
        messages = [problem.message(names) for problem in problems[:MAX_LISTED_PROBLEMS]]
        if len(problems) > MAX_LISTED_PROBLEMS:
            messages.append(
                _("… and %(count)d more days without a price.")
                % {"count": len(problems) - MAX_LISTED_PROBLEMS}
            )
        raise ValidationError({"month": messages})


def _rewrite(
    *,
    month: datetime.date,
    period: BillingPeriod,
    run: BillingRun,
    invoices: dict[int, int],
    expected: ChargeSink,
) -> None:
    """Replace the charges of ``invoices`` (municipality id → invoice id) with a fresh
    rating of their municipalities' inputs — whole assets, so that the pieces of an asset
    that moved between municipalities are rated together — and check that each came out
    with the content hash the first pass gave (else: an error, and nothing changes)."""
    if not invoices:
        return
    raw_delete(Charge.objects.filter(invoice_id__in=list(invoices.values())))
    ids = list(invoices)
    start, end = month_bounds(month)
    held = Assignment.objects.filter(overlapping(start, end), municipality_id__in=ids)
    scope = Scope(
        assignments=Q(asset_id__in=held.values("asset_id")),
        subscriptions=Q(municipality_id__in=ids),
        usage=Q(municipality_id__in=ids),
        one_offs=Q(municipality_id__in=ids),
    )
    with TableWriter(Charge, CHARGE_FIELDS) as writer:
        sink = ChargeSink(writer=writer, period_id=period.pk, run_id=run.pk, invoice_of=invoices)
        _rate(month=month, period=period, sink=sink, scope=scope)
    for municipality_id in ids:
        if sink.hexdigest(municipality_id) != expected.hexdigest(municipality_id):
            raise RuntimeError(
                f"Rating municipality {municipality_id} again gave other charges than the "
                "first pass of the same run; nothing was changed."
            )


def bill_period(*, month: datetime.date, progress: Progress | None = None) -> BillingRun:
    """Rate ``month`` and (re)draft one invoice per municipality.

    Replaces the period's draft charges, lines and invoices with the result of rating the
    inputs as they are now, plus adjustment charges for changes dated in closed periods.
    Issued invoices of the period keep their charges. The same inputs give the same
    charges and the same content hash. Refused, changing nothing, when the month is closed,
    its predecessor is not closed, or a price is missing for a day (each named).
    """
    month = first_of_month(month)
    started = timezone.now()
    clock = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        clock = now

    collaboration = _collaboration()
    with transaction.atomic():
        period = _period_for_rating(month)
        run = BillingRun.objects.create(
            period=period, started_at=started, actor=current_actor().describe()[:150]
        )
        invoices = Invoice.objects.filter(period=period)
        issued = set(
            invoices.filter(status=InvoiceStatus.ISSUED).values_list("municipality_id", flat=True)
        )
        draft_rows = list(
            invoices.filter(status=InvoiceStatus.DRAFT).values_list(
                "municipality_id", "pk", "content_hash"
            )
        )
        drafts = {municipality_id: pk for municipality_id, pk, _hash in draft_rows}
        draft_hashes = {municipality_id: hash_ for municipality_id, _pk, hash_ in draft_rows}
        raw_delete(InvoiceLine.objects.filter(invoice_id__in=list(drafts.values())))
        municipalities = list(Municipality.objects.values_list("pk", "number", "invoice_reference"))
        new_invoices = [
            Invoice(
                period=period,
                municipality_id=pk,
                run=run,
                buyer_reference=reference or number,
            )
            for pk, number, reference in municipalities
            if pk not in issued and pk not in drafts
        ]
        Invoice.objects.bulk_create(new_invoices)
        invoice_of = dict(drafts)
        invoice_of.update({invoice.municipality_id: invoice.pk for invoice in new_invoices})
        lap("prepare")

        if not drafts:
            # A first run: rate and write in one pass. The writer keeps a COPY open on
            # PostgreSQL while facts are made (see bulk.py); leaving the block on an
            # error abandons it, so the transaction rolls back whole.
            with TableWriter(Charge, CHARGE_FIELDS) as writer:
                sink = ChargeSink(
                    writer=writer, period_id=period.pk, run_id=run.pk, invoice_of=invoice_of
                )
                rated = _rate(month=month, period=period, sink=sink, progress=progress)
                _refuse_missing_prices(rated)
            lap("rate")
            rewritten = len(invoice_of)
        else:
            # A rerun: rate without writing first, for each invoice's content hash. Drafts
            # whose charges come out the same (most, when little has changed) keep them;
            # only the others are deleted and rated again — only their inputs — and
            # written.
            sink = ChargeSink(
                writer=None, period_id=period.pk, run_id=run.pk, invoice_of=invoice_of
            )
            rated = _rate(month=month, period=period, sink=sink, progress=progress)
            _refuse_missing_prices(rated)
            lap("rate")
            changed = {
                municipality_id: pk
                for municipality_id, pk in invoice_of.items()
                if sink.hexdigest(municipality_id) != draft_hashes.get(municipality_id)
            }
            _rewrite(month=month, period=period, run=run, invoices=changed, expected=sink)
            rewritten = len(changed)
            lap("write changed invoices")
        charge_count, adjustment_count = rated.charges, rated.adjustments
        rater, check = rated.rater, rated.check
        timings["rewritten invoices"] = rewritten

        names = _line_names(period, sink.lines.lines)
        line_rows = []
        to_update = []
        empty = []
        for invoice in Invoice.objects.filter(pk__in=list(invoice_of.values())).order_by("pk"):
            totals = sink.lines.lines.get(invoice.municipality_id, {})
            if not totals:
                empty.append(invoice.pk)
                continue
            values = build_lines(
                totals=totals, names=names, vat_registered=collaboration.vat_registered
            )
            line_rows.extend(InvoiceLine(invoice_id=invoice.pk, **value) for value in values)
            invoice.net_total, invoice.vat_total, invoice.gross_total = invoice_totals(values)
            invoice.charge_count = sum(total.count for total in totals.values())
            invoice.content_hash = sink.hexdigest(invoice.municipality_id)
            invoice.run = run
            to_update.append(invoice)
        InvoiceLine.objects.bulk_create(line_rows, batch_size=5000)
        Invoice.objects.bulk_update(
            to_update,
            ["net_total", "vat_total", "gross_total", "charge_count", "content_hash", "run"],
        )
        created_ids = {invoice.pk for invoice in new_invoices}
        record_bulk_changes(
            [i for i in to_update if i.pk in created_ids], action=ChangeAction.CREATE
        )
        record_bulk_changes(
            [i for i in to_update if i.pk not in created_ids], action=ChangeAction.UPDATE
        )
        for invoice in Invoice.objects.filter(pk__in=empty):
            invoice.delete()
        lap("draft invoices")

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
        period.rated_through = first_rated
        period.save(update_fields=["rated_through", "last_updated"])
        run.content_hash = period_hash.hexdigest()
        run.input_hash = rater.input_hash.hexdigest()
        run.charge_count = charge_count + adjustment_count
        run.adjustment_count = adjustment_count
        run.invoice_count = len(to_update)
        run.line_count = len(line_rows)
        run.net_total = sum((invoice.net_total for invoice in to_update), ZERO)
        run.status = RunStatus.SUCCEEDED
        run.timings = {**timings, "checked periods": check.checked_periods}
        run.finished_at = timezone.now()
        run.save()
        record_summary(
            model=BillingRun,
            action=ChangeAction.CREATE,
            object_id=run.pk,
            message=_(
                "Billing run %(month)s: %(charges)d charges (%(adjustments)d adjustments), "
                "%(invoices)d draft invoices"
            )
            % {
                "month": period.label,
                "charges": run.charge_count,
                "adjustments": adjustment_count,
                "invoices": run.invoice_count,
            },
        )
    return run


def _next_number(*, series: str, year: int) -> int:
    """The next number of ``series`` in ``year``, taken under a row lock on its counter
    (see ``DocumentCounter``): gapless, because it rolls back with the transaction."""
    counter, _created = DocumentCounter.objects.select_for_update().get_or_create(
        series=series, year=year
    )
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def _issue(invoice: Invoice, *, issue_date: datetime.date, collaboration: Collaboration) -> Invoice:
    if invoice.status == InvoiceStatus.ISSUED:
        raise ValidationError(
            {
                "status": _(
                    "Invoice %(number)s was issued on %(date)s already; an invoice is issued "
                    "once. Correct it with a credit note."
                )
                % {"number": invoice.number, "date": invoice.issue_date.isoformat()}
            }
        )
    if invoice.period.is_closed:
        raise ValidationError(
            {"period": _("The period %(period)s is closed.") % {"period": invoice.period}}
        )
    if not invoice.lines.exists():
        raise ValidationError({"lines": _("The invoice has no lines; re-run the period first.")})
    series = collaboration.invoice_series
    year = issue_date.year
    sequence = _next_number(series=series, year=year)
    invoice.status = InvoiceStatus.ISSUED
    invoice.series = series
    invoice.fiscal_year = year
    invoice.sequence = sequence
    invoice.number = document_number(series=series, year=year, sequence=sequence)
    invoice.issue_date = issue_date
    invoice.due_date = issue_date + datetime.timedelta(days=collaboration.payment_terms_days)
    invoice.issued_at = timezone.now()
    invoice.kid = make_kid(
        municipality_number=invoice.municipality.number, year=year, sequence=sequence
    )
    invoice.save()
    # Amounts owed credited on this invoice are settled by it.
    owed_ids = Charge.objects.filter(invoice=invoice, source=ChargeSource.BUYOUT).values_list(
        "source_id", flat=True
    )
    for owed in AmountOwed.objects.filter(pk__in=list(owed_ids), settled_reference__isnull=True):
        owed.settled_reference = invoice.number
        owed.settled_on = issue_date
        owed.save(update_fields=["settled_reference", "settled_on", "last_updated"])
    return invoice


def issue_invoice(*, invoice: Invoice, issue_date: datetime.date | None = None) -> Invoice:
    """Issue a draft: give it the next number of its series, a KID, issue and due dates.
    From then on it never changes. Issuing it again is refused."""
    collaboration = _collaboration()
    with transaction.atomic():
        locked = (
            Invoice.objects.select_for_update()
            .select_related("period", "municipality")
            .get(pk=invoice.pk)
        )
        return _issue(
            locked, issue_date=issue_date or timezone.localdate(), collaboration=collaboration
        )


def issue_period(*, month: datetime.date, issue_date: datetime.date | None = None) -> list[Invoice]:
    """Issue every draft invoice of ``month``, by municipality number, all or none."""
    collaboration = _collaboration()
    month = first_of_month(month)
    with transaction.atomic():
        period = BillingPeriod.objects.filter(month=month).first()
        if period is None:
            raise ValidationError(
                {"month": _("%(month)s has not been billed.") % {"month": f"{month:%Y-%m}"}}
            )
        drafts = list(
            Invoice.objects.select_for_update()
            .select_related("period", "municipality")
            .filter(period=period, status=InvoiceStatus.DRAFT)
            .order_by("municipality__number")
        )
        if not drafts:
            raise ValidationError(
                {"month": _("%(month)s has no draft invoices to issue.") % {"month": period.label}}
            )
        day = issue_date or timezone.localdate()
        return [_issue(invoice, issue_date=day, collaboration=collaboration) for invoice in drafts]


def close_refusals(*, period: BillingPeriod) -> list[str]:
    """Why ``period`` cannot be closed now (empty: it can). ``close_period`` refuses with
    these; its confirmation shows them instead of a button."""
    if period.is_closed:
        return [_("%(month)s is closed already.") % {"month": period.label}]
    drafts = list(
        period.invoices.filter(status=InvoiceStatus.DRAFT)
        .order_by("municipality__number")
        .values_list("municipality__name", flat=True)
    )
    if drafts:
        return [
            _("%(month)s still has draft invoices (%(names)s); issue them before closing.")
            % {"month": period.label, "names": ", ".join(drafts)}
        ]
    if not period.runs.exists():
        return [_("%(month)s has never been rated.") % {"month": period.label}]
    return []


def close_period(*, month: datetime.date) -> BillingPeriod:
    """Close ``month`` for good: every invoice must be issued. Later changes dated in it are
    billed as adjustments in the next open month."""
    month = first_of_month(month)
    with transaction.atomic():
        period = BillingPeriod.objects.select_for_update().filter(month=month).first()
        label = f"{month:%Y-%m}"
        if period is None:
            raise ValidationError({"month": _("%(month)s has not been billed.") % {"month": label}})
        refusals = close_refusals(period=period)
        if refusals:
            raise ValidationError({"month": refusals})
        period.status = PeriodStatus.CLOSED
        period.closed_at = timezone.now()
        period.save()
    return period


def _credited_by_line(invoice: Invoice) -> dict[int, tuple[Decimal, Decimal]]:
    """invoice line id → (net credited so far, VAT credited so far)."""
    credited: dict[int, tuple[Decimal, Decimal]] = {}
    for line_id, net, vat in CreditNoteLine.objects.filter(
        credit_note__invoice=invoice
    ).values_list("invoice_line_id", "net_amount", "vat_amount"):
        before = credited.get(line_id, (ZERO, ZERO))
        credited[line_id] = (before[0] + net, before[1] + vat)
    return credited


@dataclass
class CreditPlan:
    """What a credit note would credit: its lines (not saved) with their VAT, and totals.
    ``in_full`` when no amounts were given (whatever remains of every line)."""

    invoice: Invoice
    lines: list[CreditNoteLine]
    in_full: bool
    net: Decimal
    vat: Decimal
    gross: Decimal


def plan_credit_note(
    *, invoice: Invoice, amounts: Mapping[int, Decimal] | None = None
) -> CreditPlan:
    """The credit note ``create_credit_note`` would make on ``invoice`` as it is read now,
    without writing anything; its confirmation page shows this. Refused (ValidationError)
    for the same reasons. ``create_credit_note`` calls it on the invoice it has locked."""
    if invoice.status != InvoiceStatus.ISSUED:
        raise ValidationError(
            {
                "invoice": _(
                    "Only an issued invoice can be credited; a draft changes when its "
                    "period is re-run."
                )
            }
        )
    lines = {line.pk: line for line in invoice.lines.order_by("line_number")}
    credited = _credited_by_line(invoice)
    remaining = {
        pk: line.net_amount - credited.get(pk, (ZERO, ZERO))[0] for pk, line in lines.items()
    }
    if amounts is None:
        wanted = {pk: rest for pk, rest in remaining.items() if rest != 0}
        if not wanted:
            raise ValidationError(
                {
                    "amounts": _("Invoice %(number)s has been credited in full already.")
                    % {"number": invoice.number}
                }
            )
    else:
        wanted = {}
        errors = []
        for line_id, amount in amounts.items():
            line = lines.get(int(line_id))
            if line is None:
                errors.append(
                    _("Line %(id)s is not a line of invoice %(number)s.")
                    % {"id": line_id, "number": invoice.number}
                )
                continue
            amount = Decimal(amount)
            rest = remaining[line.pk]
            if amount == 0:
                continue
            if amount != round_to_ore(amount):
                errors.append(
                    _("Line %(line)d: %(amount)s has more than two decimals.")
                    % {"line": line.line_number, "amount": amount}
                )
            elif (amount > 0) != (line.net_amount > 0) or abs(amount) > abs(rest):
                errors.append(
                    _(
                        "Line %(line)d (%(item)s): %(amount)s is more than remains to be "
                        "credited (%(rest)s of %(net)s)."
                    )
                    % {
                        "line": line.line_number,
                        "item": line.description,
                        "amount": amount,
                        "rest": rest,
                        "net": line.net_amount,
                    }
                )
            else:
                wanted[line.pk] = amount
        if errors:
            raise ValidationError({"amounts": errors})
        if not wanted:
            raise ValidationError(
                {"amounts": _("Give at least one line and a non-zero amount to credit.")}
            )

    credit_lines = []
    for number, line_id in enumerate(sorted(wanted, key=lambda pk: lines[pk].line_number), start=1):
        line = lines[line_id]
        amount = wanted[line_id]
        if amount == line.net_amount:
            quantity, unit_price = line.quantity, line.unit_price
        else:
            quantity, unit_price = quantity_and_price(net=amount, units=ZERO, prices=set())
        credit_lines.append(
            CreditNoteLine(
                invoice_line=line,
                line_number=number,
                description=line.description,
                quantity=quantity,
                unit_code=line.unit_code if amount == line.net_amount else "C62",
                unit_price=unit_price,
                net_amount=amount,
                vat_rate=line.vat_rate,
                vat_category=line.vat_category,
                vat_exemption_reason=line.vat_exemption_reason,
                vat_amount=ZERO,
            )
        )
    _credit_vat(credit_lines, lines=lines.values(), credited=credited)
    net, vat, gross = invoice_totals(credit_lines)
    return CreditPlan(
        invoice=invoice, lines=credit_lines, in_full=amounts is None, net=net, vat=vat, gross=gross
    )


def create_credit_note(
    *,
    invoice: Invoice,
    reason: str,
    amounts: Mapping[int, Decimal] | None = None,
    issue_date: datetime.date | None = None,
) -> CreditNote:
    """Credit an issued invoice: in full (``amounts`` None: whatever remains of every line),
    or in part (invoice line id → net amount to credit, same sign as the line). Numbered in
    the collaboration's credit-note series. Refused, changing nothing, when the invoice is
    not issued, a line is not on it, or an amount exceeds what remains of its line
    (``plan_credit_note``)."""
    collaboration = _collaboration()
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the invoice is credited.")})
    with transaction.atomic():
        invoice = (
            Invoice.objects.select_for_update().select_related("municipality").get(pk=invoice.pk)
        )
        plan = plan_credit_note(invoice=invoice, amounts=amounts)
        day = issue_date or timezone.localdate()
        series = credit_note_series(collaboration)
        sequence = _next_number(series=series, year=day.year)
        note = CreditNote(
            invoice=invoice,
            series=series,
            fiscal_year=day.year,
            sequence=sequence,
            number=document_number(series=series, year=day.year, sequence=sequence),
            issue_date=day,
            reason=reason.strip()[:300],
            net_total=plan.net,
            vat_total=plan.vat,
            gross_total=plan.gross,
        )
        note.save()
        for line in plan.lines:
            line.credit_note = note
        CreditNoteLine.objects.bulk_create(plan.lines)
    return note


def _credit_vat(credit_lines, *, lines, credited) -> None:
    """VAT of credit lines per category: the rounded product of the credited taxable amount
    and the rate, except that crediting the last of a category credits exactly the VAT
    that remains of it — so credit notes never credit more VAT than was invoiced."""
    from collections import defaultdict

    from samdrift.billing.lines import distribute_vat

    invoiced: dict[tuple, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for line in lines:
        group = invoiced[(line.vat_category, line.vat_rate)]
        before = credited.get(line.pk, (ZERO, ZERO))
        group[0] += line.net_amount - before[0]
        group[1] += line.vat_amount - before[1]
    groups: dict[tuple, list[CreditNoteLine]] = defaultdict(list)
    for line in credit_lines:
        groups[(line.vat_category, line.vat_rate)].append(line)
    for key, members in groups.items():
        nets = [line.net_amount for line in members]
        total, shares = distribute_vat(nets, key[1])
        remaining_net, remaining_vat = invoiced[key]
        if sum(nets, ZERO) == remaining_net and total != remaining_vat:
            shares[0] += remaining_vat - total
        for line, share in zip(members, shares, strict=True):
            line.vat_amount = share


def add_one_off_charge(
    *,
    municipality: Municipality,
    description: str,
    date: datetime.date,
    unit_price: Decimal,
    quantity: Decimal = Decimal("1"),
    service_area: ServiceArea | None = None,
    person: Person | None = None,
    asset: Asset | None = None,
    service: Service | None = None,
    vat_rate: Decimal | None = None,
    vat_exemption_reason: str = "",
    reference: str = "",
) -> OneOffCharge:
    """Enter a one-off charge (hours of work, an installation fee). VAT defaults to the
    service's. Dated in a closed month, it is billed as an adjustment next run."""
    errors = foreign_member_errors(
        municipality=municipality, service_area=service_area, person=person
    )
    if asset is not None and asset.municipality_id not in (None, municipality.pk):
        errors["asset"] = _("%(asset)s is held by another municipality.") % {"asset": asset}
    if errors:
        raise ValidationError(errors)
    if vat_rate is None:
        vat_rate = service.vat_rate if service is not None else Decimal("25.00")
        if service is not None and not vat_exemption_reason:
            vat_exemption_reason = service.vat_exemption_reason
    charge = OneOffCharge(
        municipality=municipality,
        service_area=service_area,
        person=person,
        asset=asset,
        service=service,
        description=description,
        date=date,
        quantity=quantity,
        unit_price=unit_price,
        vat_rate=vat_rate,
        vat_exemption_reason=vat_exemption_reason,
        reference=reference,
    )
    return save_object(instance=charge)


def create_allocation_key(
    *,
    name: str,
    measured_on: datetime.date,
    parts: Mapping[str, Decimal],
    weights: Mapping[str, Mapping[Municipality, Decimal]] | None = None,
    description: str = "",
) -> AllocationKey:
    """Make an allocation key from parts (basis → relative share, e.g. {"equal": 1,
    "population": 2} for 1/3 equal + 2/3 population) and, for fixed percentages and custom
    weights, the entered weight of each municipality."""
    weights = weights or {}
    errors = {}
    if not parts:
        errors["parts"] = _("Give at least one basis, e.g. equal shares.")
    for basis, share in parts.items():
        if basis not in AllocationBasis.values:
            errors["parts"] = _("“%(basis)s” is not a basis; use one of %(bases)s.") % {
                "basis": basis,
                "bases": ", ".join(AllocationBasis.values),
            }
        elif Decimal(share) <= 0:
            errors["parts"] = _("The share of %(basis)s must be more than 0.") % {"basis": basis}
        elif basis in (AllocationBasis.FIXED, AllocationBasis.CUSTOM) and not weights.get(basis):
            errors["weights"] = _("Give the weight of each municipality for %(basis)s.") % {
                "basis": basis
            }
    fixed = weights.get(AllocationBasis.FIXED, {})
    if sum((Decimal(w) for w in fixed.values()), ZERO) > 100:
        errors["weights"] = _("Fixed percentages add up to more than 100 %.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        key = save_object(
            instance=AllocationKey(name=name, measured_on=measured_on, description=description)
        )
        for basis, share in parts.items():
            part = save_object(
                instance=AllocationKeyPart(key=key, basis=basis, share=Decimal(share))
            )
            for municipality, weight in weights.get(basis, {}).items():
                save_object(
                    instance=AllocationWeight(
                        key=key, part=part, municipality=municipality, weight=Decimal(weight)
                    )
                )
    return key


def create_cost_pool(
    *,
    name: str,
    monthly_amount: Decimal,
    key: AllocationKey,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    split_to_service_areas: bool = False,
    vat_rate: Decimal = Decimal("25.00"),
    vat_exemption_reason: str = "",
    description: str = "",
) -> CostPool:
    """Start a shared cost, split monthly by ``key``. Its weights are measured now, on the
    key's date, so every month it covers splits the same way."""
    with transaction.atomic():
        pool = save_object(
            instance=CostPool(
                name=name,
                monthly_amount=monthly_amount,
                key=key,
                valid_from=valid_from,
                valid_to=valid_to,
                split_to_service_areas=split_to_service_areas,
                vat_rate=vat_rate,
                vat_exemption_reason=vat_exemption_reason,
                description=description,
            )
        )
        measure_key(key=key)
    return pool
