"""``samdrift export 2026-11 --format ehf|xlsx|csv|accounting --out DIR``: write a
month's invoice files; ``--check`` validates every EHF document (UBL XSD when the schemas
are at hand, and the Peppol/EN 16931 rules of ``billing.ehf_rules``)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from samdrift.billing.exports import FORMATS, export_period
from samdrift.billing.models import BillingPeriod, Charge, CreditNote, Invoice, InvoiceLine
from samdrift.billing.services.periods import parse_month


class Command(BaseCommand):
    help = "Write a month's EHF invoices, specifications or accounting export to a directory."

    def add_arguments(self, parser):
        parser.add_argument("month", help="The month, YYYY-MM.")
        parser.add_argument("--format", choices=FORMATS, default="ehf", dest="fmt")
        parser.add_argument("--out", required=True, help="Directory to write to.")
        parser.add_argument(
            "--check", action="store_true", help="Validate the EHF documents; exit 1 on findings."
        )

    def handle(self, *args, **options):
        try:
            month = parse_month(options["month"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        period = BillingPeriod.objects.filter(month=month).first()
        if period is None:
            raise CommandError(f"{month:%Y-%m} has not been billed.")
        # The command line acts for the operator: every row of the period.
        written, findings = export_period(
            invoices=Invoice.objects.filter(period=period),
            credit_notes=CreditNote.objects.filter(invoice__period=period),
            charges=Charge.objects.filter(period=period),
            lines=InvoiceLine.objects.filter(invoice__period=period),
            fmt=options["fmt"],
            out_dir=Path(options["out"]),
            check=options["check"] and options["fmt"] == "ehf",
        )
        for path in written:
            self.stdout.write(str(path))
        self.stdout.write(f"{len(written)} files written to {options['out']}.")
        if options["check"]:
            from samdrift.billing.ehf_rules import default_schema_dir

            if default_schema_dir() is None:
                self.stdout.write(
                    "Note: the UBL 2.1 schemas (tests/data/ubl-2.1 of a source checkout) are "
                    "not here, so only the business rules were checked, not the XSD."
                )
            for path, finding in findings:
                self.stderr.write(f"{path.name}: {finding}")
            if findings:
                raise CommandError(f"{len(findings)} findings in the EHF documents.")
            self.stdout.write("Every EHF document passed the checks.")
