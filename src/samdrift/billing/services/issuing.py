"""Issuing draft invoices: the next number of the series, a KID, issue and due dates.
An issued invoice never changes; amounts owed credited on it are settled by it."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.billing.choices import (
    ChargeSource,
    InvoiceStatus,
)
from samdrift.billing.kid import make_kid
from samdrift.billing.models import BillingPeriod, Charge, Invoice
from samdrift.billing.models.numbering import document_number
from samdrift.billing.services.numbering import next_number, require_collaboration
from samdrift.billing.services.periods import first_of_month
from samdrift.leasing.models import AmountOwed
from samdrift.organisations.models import Collaboration
from samdrift.servicedesk.services.reports import mark_credits_billed


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
    sequence = next_number(series=series, year=year)
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
    # Service credits on it are billed: a later re-approval of their month leaves them be.
    credit_ids = Charge.objects.filter(invoice=invoice, source=ChargeSource.SLA_CREDIT).values_list(
        "source_id", flat=True
    )
    if credit_ids:
        mark_credits_billed(ids=set(credit_ids), invoice_number=invoice.number)
    return invoice


def issue_invoice(*, invoice: Invoice, issue_date: datetime.date | None = None) -> Invoice:
    """Issue a draft: give it the next number of its series, a KID, issue and due dates.
    From then on it never changes. Issuing it again is refused."""
    collaboration = require_collaboration()
    with transaction.atomic():
        locked = (
            Invoice.objects.select_for_update()
            .select_related("period", "municipality")
            .get(pk=invoice.pk)
        )
        return _issue(
            locked, issue_date=issue_date or timezone.localdate(), collaboration=collaboration
        )


def issue_period(
    *,
    month: datetime.date,
    issue_date: datetime.date | None = None,
    progress: Callable[[Invoice], None] | None = None,
) -> list[Invoice]:
    """Issue every draft invoice of ``month``, by municipality number, all or none.
    ``progress`` is told of each invoice as it is issued (inside the transaction: should
    the process die, none of them is)."""
    collaboration = require_collaboration()
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
                {"month": _("%(month)s has no draft invoices to issue.") % {"month": period.name}}
            )
        day = issue_date or timezone.localdate()
        issued = []
        for invoice in drafts:
            issued.append(_issue(invoice, issue_date=day, collaboration=collaboration))
            if progress is not None:
                progress(invoice)
        return issued
