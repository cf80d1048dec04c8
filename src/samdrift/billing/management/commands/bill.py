"""``samdrift bill 2026-11``: rate a month and draft its invoices (with a progress bar);
``--issue`` issues its drafts, ``--close`` closes it. Bad input is refused with the reason
and changes nothing."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from samdrift.billing.models import BillingPeriod, Invoice
from samdrift.billing.selectors import pool_summary
from samdrift.billing.services.issuing import issue_period
from samdrift.billing.services.periods import close_period, parse_month
from samdrift.billing.services.runs import bill_period
from samdrift.inventory.models import Assignment, Subscription

STAGES = {
    "asset": "devices",
    "subscription": "subscriptions",
    "usage": "usage",
    "one_off": "one-off charges",
    "cost_pool": "shared costs",
    "buyout": "buyout credits",
    "sla_credit": "service credits",
}


def messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [message for items in error.message_dict.values() for message in items]
    return list(error.messages)


class Command(BaseCommand):
    help = "Rate a month and draft its invoices; --issue issues them, --close closes the month."

    def add_arguments(self, parser):
        parser.add_argument("month", help="The month, YYYY-MM (e.g. 2026-11).")
        parser.add_argument("--issue", action="store_true", help="Issue the month's drafts.")
        parser.add_argument("--close", action="store_true", help="Close the month for good.")
        parser.add_argument("--issue-date", help="Issue date (YYYY-MM-DD); default today.")
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args, **options):
        console = Console(file=self.stdout, highlight=False)
        try:
            month = parse_month(options["month"])
            if options["issue"] or options["close"]:
                if options["issue"]:
                    self._issue(console, month, options.get("issue_date"))
                if options["close"]:
                    period = close_period(month=month)
                    console.print(f"Closed {period.label}.")
                return
            self._bill(console, month, quiet=options["quiet"])
        except ValidationError as error:
            raise CommandError("\n".join(messages(error))) from None

    def _issue(self, console, month, issue_date):
        import datetime

        day = datetime.date.fromisoformat(issue_date) if issue_date else None
        invoices = issue_period(month=month, issue_date=day)
        for invoice in invoices:
            console.print(
                f"{invoice.number}  {invoice.municipality.name:<30} {invoice.gross_total:>16,.2f}"
            )
        console.print(f"Issued {len(invoices)} invoices for {month:%Y-%m}.")

    def _bill(self, console, month, *, quiet: bool):
        from django.db.models import Q

        from samdrift.core.dating import overlapping
        from samdrift.finance.proration import month_bounds

        start, end = month_bounds(month)
        expected = Assignment.objects.filter(overlapping(start, end)).count()
        expected += Subscription.objects.filter(overlapping(start, end) & Q()).count()
        with Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:,.0f} charges"),
            TimeElapsedColumn(),
            console=console,
            disable=quiet,
            transient=True,
        ) as progress:
            task = progress.add_task(f"Rating {month:%Y-%m}", total=expected or None)

            def advance(stage: str, count: int) -> None:
                progress.update(task, advance=count, description=f"Rating {STAGES[stage]}")

            run = bill_period(month=month, progress=advance)
        period = BillingPeriod.objects.get(month=month)
        table = Table(title=f"Draft invoices {period.label}")
        for name in ("Municipality", "Invoice", "Charges", "Net", "VAT", "Total"):
            table.add_column(
                name, justify="left" if name in ("Municipality", "Invoice") else "right"
            )
        for invoice in (
            Invoice.objects.filter(period=period)
            .select_related("municipality")
            .order_by("municipality__number")
        ):
            table.add_row(
                invoice.municipality.name,
                invoice.number or "draft",
                f"{invoice.charge_count:,}",
                f"{invoice.net_total:,.2f}",
                f"{invoice.vat_total:,.2f}",
                f"{invoice.gross_total:,.2f}",
            )
        console.print(table)
        for summary in pool_summary(period=period):
            if summary.unallocated:
                console.print(
                    f"Shared cost {summary.pool.name}: {summary.unallocated:,.2f} unallocated."
                )
        seconds = (run.finished_at - run.started_at).total_seconds()
        console.print(
            f"{run.charge_count:,} charges ({run.adjustment_count:,} adjustments), "
            f"{run.invoice_count} draft invoices, net {run.net_total:,.2f} in {seconds:.1f} s. "
            f"Content hash {run.content_hash[:16]}…"
        )
