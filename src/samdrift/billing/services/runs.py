"""A billing run: rate a month and (re)draft one invoice per municipality, in one
transaction. Validation first, then the writes, so a refused run changes nothing."""

from __future__ import annotations

import contextlib
import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.billing import bulk
from samdrift.billing.adjustments import AdjustmentCheck
from samdrift.billing.bulk import raw_delete
from samdrift.billing.choices import (
    InvoiceStatus,
    RunStatus,
)
from samdrift.billing.models import (
    BillingPeriod,
    BillingRun,
    Charge,
    Invoice,
    InvoiceLine,
)
from samdrift.billing.rating.facts import FACT_FIELDS, Scope
from samdrift.billing.rating.rater import Rater
from samdrift.billing.services.drafting import (
    DraftedInvoices,
    draft_invoices,
    period_content_hash,
)
from samdrift.billing.services.numbering import require_collaboration
from samdrift.billing.services.periods import first_of_month, period_for_rating
from samdrift.billing.services.pools import measure_pool_keys
from samdrift.billing.writing import ChargeSink
from samdrift.core.actor import current_actor
from samdrift.core.bulk import TableWriter
from samdrift.core.changelog import record_summary
from samdrift.core.choices import ChangeAction
from samdrift.core.dating import overlapping
from samdrift.finance.money import ZERO
from samdrift.finance.proration import month_bounds
from samdrift.inventory.models import Assignment
from samdrift.organisations.models import Municipality

CHARGE_FIELDS = ["period", "run", "invoice", *FACT_FIELDS, "adjusts_period"]


MAX_LISTED_PROBLEMS = 10


Progress = Callable[[str, int], None]


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
    with TableWriter(Charge, CHARGE_FIELDS, batch_size=bulk.WRITE_BATCH) as writer:
        sink = ChargeSink(writer=writer, period_id=period.pk, run_id=run.pk, invoice_of=invoices)
        _rate(month=month, period=period, sink=sink, scope=scope)
    for municipality_id in ids:
        if sink.hexdigest(municipality_id) != expected.hexdigest(municipality_id):
            raise RuntimeError(
                f"Rating municipality {municipality_id} again gave other charges than the "
                "first pass of the same run; nothing was changed."
            )


class _Clock:
    """Seconds each phase of a run took (the run's ``timings``)."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = round(now - self._last, 3)
        self._last = now


@dataclass
class _Drafts:
    """The invoices a run (re)drafts: municipality id → invoice id, which of them it
    created, and the content hash each existing draft had (a rerun compares with it)."""

    invoice_of: dict[int, int]
    created: set[int]
    previous_hashes: dict[int, str]


def _open_drafts(*, period: BillingPeriod, run: BillingRun) -> _Drafts:
    """Clear the lines of the period's drafts and create an empty draft for every
    municipality that has no invoice in it yet; issued invoices are left alone."""
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
    return _Drafts(
        invoice_of=invoice_of,
        created={invoice.pk for invoice in new_invoices},
        previous_hashes={municipality_id: hash_ for municipality_id, _pk, hash_ in draft_rows},
    )


def _rate_and_write(
    *,
    month: datetime.date,
    period: BillingPeriod,
    run: BillingRun,
    drafts: _Drafts,
    progress: Progress | None,
) -> tuple[_Rated, ChargeSink, int]:
    """A first run: rate and write in one pass. The writer keeps a COPY open on
    PostgreSQL while facts are made (see bulk.py); leaving the block on an error abandons
    it, so the transaction rolls back whole. Returns what rating gave, the sink (line sums
    and hashes) and how many invoices were written."""
    with TableWriter(Charge, CHARGE_FIELDS, batch_size=bulk.WRITE_BATCH) as writer:
        sink = ChargeSink(
            writer=writer, period_id=period.pk, run_id=run.pk, invoice_of=drafts.invoice_of
        )
        rated = _rate(month=month, period=period, sink=sink, progress=progress)
        _refuse_missing_prices(rated)
    return rated, sink, len(drafts.invoice_of)


def _rate_then_rewrite_changed(
    *,
    month: datetime.date,
    period: BillingPeriod,
    run: BillingRun,
    drafts: _Drafts,
    progress: Progress | None,
    clock: _Clock,
) -> tuple[_Rated, ChargeSink, int]:
    """A rerun: rate without writing first, for each invoice's content hash. Drafts whose
    charges come out the same (most, when little has changed) keep them; only the others
    are deleted and rated again — only their inputs — and written."""
    sink = ChargeSink(writer=None, period_id=period.pk, run_id=run.pk, invoice_of=drafts.invoice_of)
    rated = _rate(month=month, period=period, sink=sink, progress=progress)
    _refuse_missing_prices(rated)
    clock.lap("rate")
    changed = {
        municipality_id: pk
        for municipality_id, pk in drafts.invoice_of.items()
        if sink.hexdigest(municipality_id) != drafts.previous_hashes.get(municipality_id)
    }
    _rewrite(month=month, period=period, run=run, invoices=changed, expected=sink)
    return rated, sink, len(changed)


def _finish_run(
    *,
    run: BillingRun,
    period: BillingPeriod,
    rated: _Rated,
    drafted: DraftedInvoices,
    started: datetime.datetime,
    timings: dict,
) -> None:
    """Record what the run made: the period's content hash and how far its inputs are
    rated, the run's counts and totals, and a change-log summary."""
    period_hash, first_rated = period_content_hash(period=period, started=started)
    period.rated_through = first_rated
    period.save(update_fields=["rated_through", "last_updated"])
    run.content_hash = period_hash
    run.input_hash = rated.rater.input_hash.hexdigest()
    run.charge_count = rated.charges + rated.adjustments
    run.adjustment_count = rated.adjustments
    run.invoice_count = len(drafted.invoices)
    run.line_count = drafted.line_count
    run.net_total = sum((invoice.net_total for invoice in drafted.invoices), ZERO)
    run.status = RunStatus.SUCCEEDED
    run.timings = {**timings, "checked periods": rated.check.checked_periods}
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
            "adjustments": rated.adjustments,
            "invoices": run.invoice_count,
        },
    )


# PostgreSQL's SQLSTATE for "could not serialize access due to concurrent update".
SERIALIZATION_FAILURE = "40001"


@contextlib.contextmanager
def _one_snapshot():
    """The run's transaction, reading one snapshot of the inputs throughout.

    A rerun rates every municipality, then rates the changed ones again to write them, and
    checks both gave the same. On PostgreSQL's default READ COMMITTED each statement sees
    what others committed meanwhile, so an import committing between the two passes made
    the run fail (seen under load: bench/bench_load.py with imports beside). REPEATABLE
    READ gives the whole run the snapshot of its first query, as SQLite's transaction does
    already. Only for an outermost transaction: inside another the snapshot is the
    caller's. A concurrent update of a row the run also updates (another run or an issue
    of the same month's drafts) then fails the run instead of waiting: a clear refusal,
    nothing changed, to run again."""
    connection = transaction.get_connection()
    outermost = not connection.in_atomic_block
    try:
        with transaction.atomic():
            if outermost and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) != SERIALIZATION_FAILURE:
            raise
        raise ValidationError(
            {
                "month": _(
                    "This month's invoices were changed by someone else while the run "
                    "rated them (another billing run or an issue). Nothing was changed: "
                    "run it again."
                )
            }
        ) from error


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
    clock = _Clock()
    collaboration = require_collaboration()
    with _one_snapshot():
        period = period_for_rating(month)
        run = BillingRun.objects.create(
            period=period, started_at=started, actor=current_actor().describe()[:150]
        )
        # Rating only reads: the weights of the pools' keys are measured here, first.
        measure_pool_keys(until=month_bounds(month)[1])
        drafts = _open_drafts(period=period, run=run)
        clock.lap("prepare")
        steps = dict(month=month, period=period, run=run, drafts=drafts, progress=progress)
        if drafts.previous_hashes:
            rated, sink, rewritten = _rate_then_rewrite_changed(**steps, clock=clock)
            clock.lap("write changed invoices")
        else:
            rated, sink, rewritten = _rate_and_write(**steps)
            clock.lap("rate")
        clock.timings["rewritten invoices"] = rewritten
        drafted = draft_invoices(
            period=period,
            run=run,
            lines=sink.lines.lines,
            hexdigest=sink.hexdigest,
            invoice_ids=list(drafts.invoice_of.values()),
            created=drafts.created,
            vat_registered=collaboration.vat_registered,
        )
        clock.lap("draft invoices")
        _finish_run(
            run=run,
            period=period,
            rated=rated,
            drafted=drafted,
            started=started,
            timings=clock.timings,
        )
    return run
