"""Approving a month's SLA report: freeze its figures and give its service credits.

``approve_month`` stores the report's figures as computed now (``servicedesk.sla``) in the
municipality's ``SlaReport`` for the month and writes one ``ServiceCredit`` per service
whose credit percent is above 0. Re-approving replaces the frozen copy and brings the
credits not yet billed in line (updated, added, removed); a credit billing has taken
(``billed_in`` set by ``mark_credits_billed``) is never changed — the page shows the
difference instead. The unique (municipality, service, month) of a credit makes a
duplicate impossible.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.core.actor import current_actor
from samdrift.organisations.models import Municipality
from samdrift.servicedesk import sla, sla_figures, sla_months
from samdrift.servicedesk.models import ServiceCredit, SlaReport


def _require_operator():
    user = current_actor().resolved_user()
    if user is not None and not user.is_operator:
        raise PermissionDenied(_("Only operators approve SLA reports."))
    return user


def month_errors(month: datetime.date, *, today: datetime.date | None = None) -> dict[str, str]:
    """Why ``month`` cannot be approved yet (not finished), or {}."""
    today = today or timezone.localdate()
    if sla_months.first_of_month(month) >= today.replace(day=1):
        return {
            "month": _("%(month)s is not over yet; only a finished month can be approved.")
            % {"month": month.strftime("%Y-%m")}
        }
    return {}


def approve_month(*, municipality: Municipality, month: datetime.date, now=None) -> SlaReport:
    """Freeze ``municipality``'s report for ``month`` (any day of it) and give its credits."""
    user = _require_operator()
    month = sla_months.first_of_month(month)
    now = now or timezone.now()
    errors = month_errors(month, today=timezone.localdate(now))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        live = sla.compute_month(month=month, municipality_ids=[municipality.pk], now=now)[
            municipality.pk
        ]
        figures = sla_figures.figures_of(live)
        report = (
            SlaReport.objects.select_for_update()
            .filter(municipality=municipality, month=month)
            .first()
        )
        if report is None:
            report = SlaReport(municipality=municipality, month=month)
        report.figures = figures
        report.approved_at = now
        report.approved_by = user
        report.full_clean()
        report.save()
        _credits(report, live)
    return report


def _credits(report: SlaReport, live: sla.MonthReport) -> None:
    existing = {
        c.service_id: c
        for c in ServiceCredit.objects.select_for_update().filter(
            municipality_id=report.municipality_id, month=report.month
        )
    }
    wanted = {s.service_id: s for s in live.services if s.credit_percent and s.credit_percent > 0}
    for service_id, figures in wanted.items():
        values = {
            "availability": figures.availability,
            "target": figures.target,
            "percent": Decimal(figures.credit_percent),
        }
        credit = existing.get(service_id)
        if credit is None:
            ServiceCredit.objects.create(
                report=report,
                municipality_id=report.municipality_id,
                service_id=service_id,
                month=report.month,
                **values,
            )
        elif not credit.billed:
            changed = [k for k, v in values.items() if getattr(credit, k) != v]
            if credit.report_id != report.pk:
                credit.report = report
                changed.append("report")
            if changed:
                for key, value in values.items():
                    setattr(credit, key, value)
                credit.save(update_fields=changed)
    for service_id, credit in existing.items():
        if service_id not in wanted and not credit.billed:
            credit.delete()


def credit_warnings(report: SlaReport) -> list[str]:
    """The billed credits of ``report``'s month that the frozen figures no longer match
    (a re-approval after billing): billing's credit stays; the difference is shown."""
    frozen = {
        s["service"]: Decimal(s["credit_percent"] or "0")
        for s in (report.figures or {}).get("services", [])
    }
    warnings = []
    for credit in ServiceCredit.objects.filter(
        municipality_id=report.municipality_id, month=report.month
    ).select_related("service"):
        if credit.billed and frozen.get(credit.service_id, Decimal("0")) != credit.percent:
            warnings.append(
                _(
                    "%(service)s: %(billed)s %% was credited in invoice %(invoice)s; the "
                    "approved figures now give %(now)s %%. The billed credit is not changed."
                )
                % {
                    "service": credit.service.name,
                    "billed": credit.percent,
                    "invoice": credit.billed_in,
                    "now": frozen.get(credit.service_id, Decimal("0")),
                }
            )
    return warnings


def mark_credits_billed(*, ids, invoice_number: str) -> int:
    """Billing's call when an invoice credits these service credits: from then on a
    re-approval leaves them alone. Credits billed already keep their first invoice
    (idempotent); returns how many were marked now."""
    invoice_number = (invoice_number or "").strip()
    if not invoice_number:
        raise ValidationError({"invoice_number": _("Give the invoice that credits them.")})
    with transaction.atomic():
        credits = list(
            ServiceCredit.objects.select_for_update().filter(pk__in=list(ids), billed_in="")
        )
        for credit in credits:
            credit.billed_in = invoice_number[:60]
            credit.save(update_fields=["billed_in"])
    return len(credits)


def differences(report: SlaReport, *, now=None) -> list[sla_figures.Difference]:
    """The frozen figures of ``report`` against a fresh computation of its month."""
    live = sla.compute_month(
        month=report.month, municipality_ids=[report.municipality_id], now=now
    )[report.municipality_id]
    return sla_figures.differences(report.figures or {}, sla_figures.figures_of(live))
