"""Billing pages: months (run, issue, close), a month's invoices, an invoice with its lines
per service area (drill-down to persons and devices), crediting, downloads, and a
print-ready invoice.

Every page starts from ``restrict``: a municipality's users see their own invoices only;
operations (run, issue, credit, close) are for finance and operators. What a user sees of
one invoice (all of it, or a service-area manager's part, without the EHF) is decided by
``billing.selectors.invoice_scope``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from samdrift.billing.choices import InvoiceStatus
from samdrift.billing.ehf import credit_note_xml, invoice_xml
from samdrift.billing.exports import (
    accounting_csv,
    file_stem,
    specification_csv,
    specification_xlsx,
)
from samdrift.billing.models import (
    BillingPeriod,
    BillingRun,
    Charge,
    CreditNote,
    Invoice,
    InvoiceLine,
    credit_note_series,
)
from samdrift.billing.selectors import (
    IssuePlan,
    area_totals,
    invoice_scope,
    issue_plan,
    line_charges,
    next_document_numbers,
    periods_with_totals,
    pool_summary,
    require_whole_invoices,
    sees_whole_invoices,
    visible_lines,
    visible_totals,
)
from samdrift.billing.services.credits import CreditPlan, create_credit_note, plan_credit_note
from samdrift.billing.services.issuing import issue_invoice, issue_period
from samdrift.billing.services.periods import close_period, close_refusals, parse_month
from samdrift.billing.services.runs import bill_period
from samdrift.core.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from samdrift.core.permissions import can_write, restrict
from samdrift.organisations.models import Collaboration
from samdrift.web.confirm import (
    Confirmation,
    Done,
    Table,
    fingerprint,
    number_range,
    perform_confirmed,
    render_confirmation,
)
from samdrift.web.formatting import format_day, format_money, format_number
from samdrift.web.forms import DateField, DateInput, MoneyField, add_service_errors
from samdrift.web.permissions import get_restricted_or_404

CHARGES_PER_PAGE = 100


def _may_operate(user) -> bool:
    return can_write(user, Invoice)


def _require_operate(user) -> None:
    if not _may_operate(user):
        raise PermissionDenied(_("Your role may not run billing."))


def _error_text(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return " ".join(m for messages_ in error.message_dict.values() for m in messages_)
    return " ".join(error.messages)


class RunForm(forms.Form):
    month = forms.CharField(
        label=gettext_lazy("Month"), help_text=gettext_lazy("YYYY-MM, e.g. 2026-11.")
    )


class CreditForm(forms.Form):
    """Reason, issue date and an amount per invoice line (``amount_<line id>``, empty: not
    credited; every one empty: the whole invoice). Bound, it re-renders what was typed."""

    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)
    issue_date = DateField(label=gettext_lazy("Issue date"), required=False, widget=DateInput)

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.line_fields = []
        for line in lines:
            name = f"amount_{line.pk}"
            self.fields[name] = MoneyField(
                label=_("Line %(line)d") % {"line": line.line_number},
                required=False,
                min_value=None,
            )
            self.fields[name].widget.attrs.update({"size": 10, "aria-label": _("Amount to credit")})
            self.line_fields.append(name)

    def amounts(self) -> dict[int, Decimal] | None:
        """Line id → amount typed; None when none was (credit what remains in full)."""
        amounts = {
            int(name.removeprefix("amount_")): self.cleaned_data[name]
            for name in self.line_fields
            if self.cleaned_data.get(name) is not None
        }
        return amounts or None

    def typed(self) -> dict[str, str]:
        """What was typed, to carry through the confirmation (and back to the form)."""
        data = {"reason": self.cleaned_data["reason"]}
        if self.cleaned_data.get("issue_date"):
            data["issue_date"] = self.cleaned_data["issue_date"].isoformat()
        for line_id, amount in (self.amounts() or {}).items():
            data[f"amount_{line_id}"] = str(amount)
        return data


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
        {"periods": periods, "form": RunForm(), "may_operate": _may_operate(user)},
    )


@login_required
@require_POST
def period_run(request):
    _require_operate(request.user)
    form = RunForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a month as YYYY-MM."))
        return redirect("billing:period_list")
    try:
        month = parse_month(form.cleaned_data["month"])
        run = bill_period(month=month)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("billing:period_list")
    messages.success(
        request,
        _("Rated %(month)s: %(charges)s charges, %(invoices)s draft invoices.")
        % {"month": run.period.label, "charges": run.charge_count, "invoices": run.invoice_count},
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
    may_operate = _may_operate(user)
    context = {
        "period": period,
        "invoices": [(invoice, totals[invoice.pk]) for invoice in invoices],
        "may_operate": may_operate,
        "whole": sees_whole_invoices(user),
        "drafts": any(i.status == InvoiceStatus.DRAFT for i in invoices),
        "net": sum((t.net for t in totals.values()), Decimal(0)),
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
    _require_operate(request.user)
    period = _period(request, month)
    plan = _issue_plan(period)
    count = len(plan.drafts)
    collaboration = Collaboration.get()
    problems = []
    if collaboration is None:
        problems.append(_("The collaboration (the seller on invoices) is not set up."))
    if not count:
        problems.append(_("%(month)s has no draft invoices to issue.") % {"month": period.label})
    facts = [(_("Issue date"), format_day(plan.issue_date))]
    if collaboration is not None:
        due = plan.issue_date + datetime.timedelta(days=collaboration.payment_terms_days)
        facts.append((_("Due date"), format_day(due)))
    confirmation = Confirmation(
        title=_("Issue all drafts of %(month)s") % {"month": period.label},
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
    _require_operate(request.user)
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
    _require_operate(request.user)
    period = _period(request, month)
    invoices, run_hash = _close_state(period)
    issued = [i for i in invoices if i.is_issued]
    net = sum((i.net_total for i in issued), Decimal(0))
    gross = sum((i.gross_total for i in issued), Decimal(0))
    numbers = sorted(i.number for i in issued)
    confirmation = Confirmation(
        title=_("Close %(month)s") % {"month": period.label},
        summary=ngettext(
            "Close %(month)s for good with %(count)d issued invoice, %(net)s net "
            "(%(gross)s with VAT).",
            "Close %(month)s for good with %(count)d issued invoices, %(net)s net "
            "(%(gross)s with VAT).",
            len(issued),
        )
        % {
            "month": period.label,
            "count": len(issued),
            "net": format_money(net),
            "gross": format_money(gross),
        },
        button=_("Close %(month)s") % {"month": period.label},
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
    _require_operate(request.user)
    period = _period(request, month)

    def current() -> str:
        locked = BillingPeriod.objects.select_for_update().get(pk=period.pk)
        return _close_fingerprint(locked, *_close_state(locked))

    def act() -> Done:
        close_period(month=period.month)
        return Done(
            _("Closed %(month)s.") % {"month": period.label},
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
    response = StreamingHttpResponse(accounting_csv(lines), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="accounting-{period.label}.csv"'
    return response


def _invoice(request, pk: int) -> Invoice:
    return get_restricted_or_404(
        Invoice.objects.select_related("period", "municipality", "run"), request.user, pk=pk
    )


def _credit_form(invoice: Invoice, data=None, initial=None) -> CreditForm:
    lines = (
        InvoiceLine.objects.filter(invoice=invoice)
        .order_by("line_number")
        .only("pk", "line_number")
    )
    return CreditForm(data, initial=initial, lines=lines if invoice.is_issued else ())


def _invoice_page(request, invoice: Invoice, credit_form: CreditForm, status: int = 200):
    user = request.user
    scope = invoice_scope(invoice=invoice, user=user)
    lines = scope.lines.select_related("service_area", "adjusts_period")
    areas = area_totals(invoice=invoice, lines=lines)
    by_area: dict = {}
    for line in lines.order_by("line_number"):
        name = f"amount_{line.pk}"
        # The credit form's field of this line (keeps what was typed when re-rendered).
        line.credit_field = credit_form[name] if name in credit_form.fields else None
        by_area.setdefault(line.service_area_id, []).append(line)
    return render(
        request,
        "billing/invoice_detail.html",
        {
            "invoice": invoice,
            "scope": scope,
            "service_area": None if scope.whole else user.service_area,
            "areas": [(area, by_area.get(area.service_area_id, [])) for area in areas],
            "credit_notes": scope.credit_notes,
            "may_operate": _may_operate(user),
            "credit_form": credit_form,
        },
        status=status,
    )


@login_required
def invoice_detail(request, pk: int):
    invoice = _invoice(request, pk)
    # Back from a credit confirmation ("Cancel"): what was typed is filled in again.
    initial = {k: v for k, v in request.GET.items() if k == "reason" or k.startswith("amount_")}
    return _invoice_page(request, invoice, _credit_form(invoice, initial=initial))


@login_required
def invoice_print(request, pk: int):
    invoice = _invoice(request, pk)
    scope = invoice_scope(invoice=invoice, user=request.user)
    lines = scope.lines.select_related("service_area")
    vat_groups: dict = {}
    for line in lines:
        group = vat_groups.setdefault(
            (line.vat_category, line.vat_rate), [Decimal(0), Decimal(0), line.vat_exemption_reason]
        )
        group[0] += line.net_amount
        group[1] += line.vat_amount
    return render(
        request,
        "billing/invoice_print.html",
        {
            "invoice": invoice,
            "scope": scope,
            "service_area": None if scope.whole else request.user.service_area,
            "lines": lines.order_by("line_number"),
            "seller": Collaboration.get(),
            "vat_groups": [
                {"category": k[0], "rate": k[1], "net": v[0], "vat": v[1], "reason": v[2]}
                for k, v in sorted(vat_groups.items())
            ],
        },
    )


@login_required
@require_POST
def invoice_issue(request, pk: int):
    _require_operate(request.user)
    invoice = _invoice(request, pk)
    try:
        invoice = issue_invoice(invoice=invoice)
        messages.success(request, _("Issued %(number)s.") % {"number": invoice.number})
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return redirect("billing:invoice_detail", pk=invoice.pk)


def _credit_plan(request, invoice: Invoice, form: CreditForm) -> CreditPlan | None:
    """The credit note the form asks for, or None with the reasons put on the form."""
    if not form.is_valid():
        return None
    try:
        return plan_credit_note(invoice=invoice, amounts=form.amounts())
    except ValidationError as error:
        add_service_errors(form, error)
        return None


def _credit_fingerprint(plan: CreditPlan, form: CreditForm, number: str) -> str:
    return fingerprint(
        "credit_note",
        plan.invoice.pk,
        plan.invoice.status,
        number,
        sorted(form.typed().items()),
        [(line.invoice_line_id, line.net_amount, line.vat_amount) for line in plan.lines],
    )


def _next_credit_note_number(form: CreditForm, *, lock: bool = False) -> str:
    collaboration = Collaboration.get()
    if collaboration is None:
        return ""
    day = form.cleaned_data.get("issue_date") or timezone.localdate()
    return next_document_numbers(
        series=credit_note_series(collaboration), year=day.year, count=1, lock=lock
    )[0]


@login_required
def invoice_credit_confirm(request, pk: int):
    """The credit form sends here (GET, nothing changes): what the credit note will
    credit, line by line — or the form again with its errors and what was typed."""
    _require_operate(request.user)
    invoice = _invoice(request, pk)
    form = _credit_form(invoice, request.GET)
    plan = _credit_plan(request, invoice, form)
    if plan is None:
        messages.error(request, _("Nothing was credited; correct what is marked below."))
        return _invoice_page(request, invoice, form, status=400)
    number = _next_credit_note_number(form)
    rows = [
        [
            str(line.invoice_line.line_number),
            line.description,
            format_money(line.net_amount),
            f"{format_number(line.vat_rate, 0)} %",
            format_money(line.vat_amount),
        ]
        for line in plan.lines
    ]
    values = {
        "number": invoice.number,
        "count": len(plan.lines),
        "net": format_money(plan.net),
        "vat": format_money(plan.vat),
        "gross": format_money(plan.gross),
        "note": number,
    }
    if plan.in_full:
        summary = _(
            "Credit the whole invoice %(number)s (what remains of every line): %(net)s net + "
            "%(vat)s VAT = %(gross)s, as credit note %(note)s."
        )
    else:
        summary = ngettext(
            "Credit %(count)d line of invoice %(number)s: %(net)s net + %(vat)s VAT = "
            "%(gross)s, as credit note %(note)s.",
            "Credit %(count)d lines of invoice %(number)s: %(net)s net + %(vat)s VAT = "
            "%(gross)s, as credit note %(note)s.",
            len(plan.lines),
        )
    typed = form.typed()
    confirmation = Confirmation(
        title=_("Credit note on %(number)s") % {"number": invoice.number},
        summary=summary % values,
        button=_("Make credit note %(note)s") % {"note": number},
        action_url=reverse("billing:invoice_credit", args=[invoice.pk]),
        cancel_url=f"{reverse('billing:invoice_detail', args=[invoice.pk])}?{urlencode(typed)}",
        fingerprint=_credit_fingerprint(plan, form, number),
        facts=[
            (_("Municipality"), invoice.municipality.name),
            (_("What"), _("The whole invoice") if plan.in_full else _("The amounts typed")),
            (_("Reason"), typed["reason"]),
            (
                _("Issue date"),
                format_day(form.cleaned_data.get("issue_date") or timezone.localdate()),
            ),
        ],
        table=Table(
            headers=["#", _("Item"), _("Net"), _("VAT rate"), _("VAT")],
            rows=rows,
            numeric=frozenset({0, 2, 3, 4}),
            footer=[_("Sum"), "", format_money(plan.net), "", format_money(plan.vat)],
        ),
        hidden=typed,
    )
    return render_confirmation(request, confirmation)


@login_required
@require_POST
def invoice_credit(request, pk: int):
    """Make the credit note confirmed on ``invoice_credit_confirm`` (fields carried)."""
    _require_operate(request.user)
    invoice = _invoice(request, pk)
    form = _credit_form(invoice, request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was credited; correct what is marked below."))
        return _invoice_page(request, invoice, form, status=400)
    confirm_url = (
        f"{reverse('billing:invoice_credit_confirm', args=[invoice.pk])}?{urlencode(form.typed())}"
    )

    def current() -> str:
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        plan = plan_credit_note(invoice=locked, amounts=form.amounts())
        return _credit_fingerprint(plan, form, _next_credit_note_number(form, lock=True))

    def act() -> Done:
        note = create_credit_note(
            invoice=invoice,
            reason=form.cleaned_data["reason"],
            amounts=form.amounts(),
            issue_date=form.cleaned_data.get("issue_date"),
        )
        return Done(
            _("Credit note %(number)s made.") % {"number": note.number},
            reverse("billing:invoice_detail", args=[invoice.pk]),
        )

    return perform_confirmed(
        request,
        kind="billing.credit_note",
        current_fingerprint=current,
        act=act,
        confirm_url=confirm_url,
    )


@login_required
def invoice_ehf(request, pk: int):
    # Refused before the invoice is looked up: the same 403 for every id.
    require_whole_invoices(request.user)
    invoice = _invoice(request, pk)
    if not invoice.is_issued:
        raise Http404(_("A draft has no EHF."))
    response = HttpResponse(invoice_xml(invoice), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.xml"'
    return response


@login_required
def credit_note_ehf(request, pk: int):
    require_whole_invoices(request.user)
    note = get_restricted_or_404(CreditNote.objects.select_related("invoice"), request.user, pk=pk)
    response = HttpResponse(credit_note_xml(note), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{note.number}.xml"'
    return response


@login_required
def invoice_specification(request, pk: int, fmt: str):
    invoice = _invoice(request, pk)
    charges = invoice_scope(invoice=invoice, user=request.user).charges
    stem = f"{file_stem(invoice)}-specification"
    if fmt == "xlsx":
        response = HttpResponse(
            specification_xlsx(charges, title=file_stem(invoice)), content_type=XLSX_CONTENT_TYPE
        )
    else:
        response = StreamingHttpResponse(specification_csv(charges), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


@login_required
def line_detail(request, pk: int):
    """The charges of one invoice line: every person and device, days and amounts."""
    user = request.user
    line = get_restricted_or_404(
        InvoiceLine.objects.select_related(
            "invoice__period", "invoice__municipality", "service_area"
        ),
        user,
        pk=pk,
    )
    charges = (
        line_charges(line=line, charges=restrict(Charge.objects.all(), user))
        .select_related("person", "asset", "service_area")
        .order_by("person__last_name", "asset__asset_tag", "pk")
    )
    page = Paginator(charges, CHARGES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "billing/line_detail.html", {"line": line, "page": page})
