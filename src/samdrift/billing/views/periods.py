"""Billing pages for months: the list, running a month, a month's invoices, issuing and
closing it (each through a confirmation), and its accounting file.

Every page starts from ``restrict``: a municipality's users see their own invoices only;
operations (run, issue, close) are for finance and operators."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from samdrift.billing.choices import InvoiceStatus
from samdrift.billing.exports import (
    accounting_csv,
)
from samdrift.billing.models import (
    BillingPeriod,
    BillingRun,
    Invoice,
)
from samdrift.billing.selectors import (
    IssuePlan,
    issue_plan,
    periods_with_totals,
    pool_summary,
    sees_whole_invoices,
    visible_lines,
    visible_totals,
)
from samdrift.billing.services.issuing import issue_period
from samdrift.billing.services.periods import (
    close_period,
    close_refusals,
    parse_month,
    rateable_months,
)
from samdrift.billing.services.runs import bill_period
from samdrift.billing.views.common import error_text, may_operate_billing, require_operate
from samdrift.billing.views.forms import RunForm
from samdrift.core.exports import CSV_CONTENT_TYPE, attachment
from samdrift.core.permissions import restrict
from samdrift.organisations.models import Collaboration
from samdrift.ui.confirm import (
    Confirmation,
    Done,
    Table,
    fingerprint,
    number_range,
    perform_confirmed,
    render_confirmation,
)
from samdrift.ui.formatting import format_day, format_money, format_number
from samdrift.ui.permissions import get_restricted_or_404


@login_required
def period_list(request):
    user = request.user
    periods = periods_with_totals(
        restrict(BillingPeriod.objects.all(), user),
        restrict(Invoice.objects.all(), user),
        user=user,
    )
    return render(
        request,
        "billing/period_list.html",
        {
            "periods": periods,
            "form": RunForm(months=rateable_months(today=timezone.localdate())),
            "may_operate": may_operate_billing(user),
        },
    )


@login_required
@require_POST
def period_run(request):
    require_operate(request.user)
    form = RunForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a month as YYYY-MM."))
        return redirect("billing:period_list")
    try:
        month = parse_month(form.cleaned_data["month"])
        run = bill_period(month=month)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("billing:period_list")
    messages.success(
        request,
        _("Rated %(month)s: %(charges)s charges, %(invoices)s draft invoices.")
        % {
            "month": run.period.name,
            "charges": format_number(run.charge_count),
            "invoices": format_number(run.invoice_count),
        },
    )
    return redirect("billing:period_detail", month=run.period.label)


def _period(request, month: str) -> BillingPeriod:
    try:
        day = parse_month(month)
    except ValidationError:
        raise Http404(month) from None
    return get_restricted_or_404(BillingPeriod.objects.all(), request.user, month=day)


@login_required
def period_detail(request, month: str):
    user = request.user
    period = _period(request, month)
    invoices = list(
        restrict(Invoice.objects.filter(period=period), user)
        .select_related("municipality")
        .order_by("municipality__number")
    )
    totals = visible_totals(invoices=invoices, user=user)
    may_operate = may_operate_billing(user)
    context = {
        "period": period,
        "invoices": [(invoice, totals[invoice.pk]) for invoice in invoices],
        "may_operate": may_operate,
        "whole": sees_whole_invoices(user),
        "drafts": any(i.status == InvoiceStatus.DRAFT for i in invoices),
        "net": sum((t.net for t in totals.values()), Decimal(0)),
        "vat": sum((t.vat for t in totals.values()), Decimal(0)),
        "gross": sum((t.gross for t in totals.values()), Decimal(0)),
    }
    if restrict(BillingRun.objects.all(), user).exists() or may_operate:
        context["run"] = restrict(BillingRun.objects.filter(period=period), user).first()
        context["pools"] = pool_summary(period=period) if user.sees_all_municipalities else []
    return render(request, "billing/period_detail.html", context)


def _issue_plan(period: BillingPeriod, *, lock: bool = False) -> IssuePlan:
    collaboration = Collaboration.get()
    series = collaboration.invoice_series if collaboration else ""
    return issue_plan(period=period, series=series, issue_date=timezone.localdate(), lock=lock)


@login_required
def period_issue_confirm(request, month: str):
    """What "issue all drafts" will do: how many invoices, their sums and numbers."""
    require_operate(request.user)
    period = _period(request, month)
    plan = _issue_plan(period)
    count = len(plan.drafts)
    collaboration = Collaboration.get()
    problems = []
    if collaboration is None:
        problems.append(_("The collaboration (the seller on invoices) is not set up."))
    if not count:
        problems.append(_("%(month)s has no draft invoices to issue.") % {"month": period.name})
    facts = [(_("Issue date"), format_day(plan.issue_date))]
    if collaboration is not None:
        due = plan.issue_date + datetime.timedelta(days=collaboration.payment_terms_days)
        facts.append((_("Due date"), format_day(due)))
    confirmation = Confirmation(
        title=_("Issue all drafts of %(month)s") % {"month": period.name},
        summary=ngettext(
            "Issue %(count)d invoice, %(net)s net (%(gross)s with VAT), number %(numbers)s.",
            "Issue %(count)d invoices, %(net)s net (%(gross)s with VAT), numbers %(numbers)s.",
            count,
        )
        % {
            "count": count,
            "net": format_money(plan.net),
            "gross": format_money(plan.gross),
            "numbers": number_range(plan.numbers),
        },
        button=ngettext("Issue %(count)d invoice", "Issue %(count)d invoices", count)
        % {"count": count},
        action_url=reverse("billing:period_issue", args=[period.label]),
        cancel_url=reverse("billing:period_detail", args=[period.label]),
        fingerprint=_issue_fingerprint(plan),
        facts=facts,
        table=Table(
            headers=[_("Municipality"), _("Number"), _("Net"), _("VAT"), _("Total")],
            rows=[
                [
                    invoice.municipality.name,
                    number,
                    format_money(invoice.net_total),
                    format_money(invoice.vat_total),
                    format_money(invoice.gross_total),
                ]
                for invoice, number in zip(plan.drafts, plan.numbers, strict=True)
            ],
            numeric=frozenset({2, 3, 4}),
            footer=[
                _("Sum"),
                "",
                format_money(plan.net),
                format_money(plan.vat),
                format_money(plan.gross),
            ],
        ),
        notes=[_("An issued invoice never changes; it is corrected with a credit note.")],
        problems=problems,
    )
    return render_confirmation(request, confirmation)


def _issue_fingerprint(plan: IssuePlan) -> str:
    return fingerprint("issue_period", plan.issue_date, *plan.state())


@login_required
@require_POST
def period_issue(request, month: str):
    require_operate(request.user)
    period = _period(request, month)

    def current() -> str:
        locked = BillingPeriod.objects.select_for_update().get(pk=period.pk)
        return _issue_fingerprint(_issue_plan(locked, lock=True))

    def act() -> Done:
        invoices = issue_period(month=period.month, issue_date=timezone.localdate())
        return Done(
            ngettext(
                "Issued %(count)d invoice: %(numbers)s.",
                "Issued %(count)d invoices: %(numbers)s.",
                len(invoices),
            )
            % {"count": len(invoices), "numbers": number_range(i.number for i in invoices)},
            reverse("billing:period_detail", args=[period.label]),
        )

    return perform_confirmed(
        request,
        kind="billing.issue_period",
        current_fingerprint=current,
        act=act,
        confirm_url=reverse("billing:period_issue_confirm", args=[period.label]),
    )


def _close_fingerprint(period: BillingPeriod, invoices: list[Invoice], run_hash: str) -> str:
    return fingerprint(
        "close_period",
        period.pk,
        period.status,
        run_hash,
        [(i.pk, i.status, i.number, i.gross_total) for i in invoices],
    )


def _close_state(period: BillingPeriod) -> tuple[list[Invoice], str]:
    invoices = list(
        Invoice.objects.filter(period=period)
        .select_related("municipality")
        .order_by("municipality__number")
    )
    run = BillingRun.objects.filter(period=period).order_by("-started_at", "-pk").first()
    return invoices, run.content_hash if run else ""


@login_required
def period_close_confirm(request, month: str):
    """What closing the month means, with its invoices' count and sums."""
    require_operate(request.user)
    period = _period(request, month)
    invoices, run_hash = _close_state(period)
    issued = [i for i in invoices if i.is_issued]
    net = sum((i.net_total for i in issued), Decimal(0))
    gross = sum((i.gross_total for i in issued), Decimal(0))
    numbers = sorted(i.number for i in issued)
    confirmation = Confirmation(
        title=_("Close %(month)s") % {"month": period.name},
        summary=ngettext(
            "Close %(month)s for good with %(count)d issued invoice, %(net)s net "
            "(%(gross)s with VAT).",
            "Close %(month)s for good with %(count)d issued invoices, %(net)s net "
            "(%(gross)s with VAT).",
            len(issued),
        )
        % {
            "month": period.name,
            "count": len(issued),
            "net": format_money(net),
            "gross": format_money(gross),
        },
        button=_("Close %(month)s") % {"month": period.name},
        action_url=reverse("billing:period_close", args=[period.label]),
        cancel_url=reverse("billing:period_detail", args=[period.label]),
        fingerprint=_close_fingerprint(period, invoices, run_hash),
        facts=[
            (_("Invoices"), format_number(len(issued))),
            (_("Numbers"), number_range(numbers) or "–"),
            (_("Net"), format_money(net)),
            (_("Total"), format_money(gross)),
        ],
        notes=[
            _(
                "A closed month never changes. Changes dated in it later are billed as "
                "adjustments in the next open month."
            )
        ],
        problems=close_refusals(period=period),
    )
    return render_confirmation(request, confirmation)


@login_required
@require_POST
def period_close(request, month: str):
    require_operate(request.user)
    period = _period(request, month)

    def current() -> str:
        locked = BillingPeriod.objects.select_for_update().get(pk=period.pk)
        return _close_fingerprint(locked, *_close_state(locked))

    def act() -> Done:
        close_period(month=period.month)
        return Done(
            _("Closed %(month)s.") % {"month": period.name},
            reverse("billing:period_detail", args=[period.label]),
        )

    return perform_confirmed(
        request,
        kind="billing.close_period",
        current_fingerprint=current,
        act=act,
        confirm_url=reverse("billing:period_close_confirm", args=[period.label]),
    )


@login_required
def period_accounting(request, month: str):
    period = _period(request, month)
    lines = visible_lines(user=request.user, invoice__period=period)
    return attachment(
        accounting_csv(lines),
        filename=f"accounting-{period.label}.csv",
        content_type=CSV_CONTENT_TYPE,
    )
