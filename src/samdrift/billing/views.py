"""Billing pages: months (run, issue, close), a month's invoices, an invoice with its lines
per service area (drill-down to persons and devices), crediting, downloads, and a
print-ready invoice.

Every page starts from ``restrict``: a municipality's users see their own invoices only;
operations (run, issue, credit, close) are for finance and operators.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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
)
from samdrift.billing.selectors import (
    area_totals,
    credited_amounts,
    line_charges,
    periods_with_totals,
    pool_summary,
)
from samdrift.billing.services import (
    bill_period,
    close_period,
    create_credit_note,
    issue_invoice,
    issue_period,
    parse_month,
)
from samdrift.core.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from samdrift.core.permissions import can_write, restrict
from samdrift.organisations.models import Collaboration
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
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)
    issue_date = DateField(label=gettext_lazy("Issue date"), required=False, widget=DateInput)


@login_required
def period_list(request):
    user = request.user
    periods = periods_with_totals(
        restrict(BillingPeriod.objects.all(), user), restrict(Invoice.objects.all(), user)
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
    invoices = (
        restrict(Invoice.objects.filter(period=period), user)
        .select_related("municipality")
        .order_by("municipality__number")
    )
    may_operate = _may_operate(user)
    context = {
        "period": period,
        "invoices": invoices,
        "may_operate": may_operate,
        "drafts": any(i.status == InvoiceStatus.DRAFT for i in invoices),
        "net": sum((i.net_total for i in invoices), Decimal(0)),
        "gross": sum((i.gross_total for i in invoices), Decimal(0)),
    }
    if restrict(BillingRun.objects.all(), user).exists() or may_operate:
        context["run"] = restrict(BillingRun.objects.filter(period=period), user).first()
        context["pools"] = pool_summary(period=period) if user.sees_all_municipalities else []
    return render(request, "billing/period_detail.html", context)


@login_required
@require_POST
def period_issue(request, month: str):
    _require_operate(request.user)
    period = _period(request, month)
    try:
        invoices = issue_period(month=period.month)
        messages.success(request, _("Issued %(count)d invoices.") % {"count": len(invoices)})
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return redirect("billing:period_detail", month=period.label)


@login_required
@require_POST
def period_close(request, month: str):
    _require_operate(request.user)
    period = _period(request, month)
    try:
        close_period(month=period.month)
        messages.success(request, _("Closed %(month)s.") % {"month": period.label})
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return redirect("billing:period_detail", month=period.label)


@login_required
def period_accounting(request, month: str):
    period = _period(request, month)
    lines = restrict(InvoiceLine.objects.all(), request.user).filter(invoice__period=period)
    response = StreamingHttpResponse(accounting_csv(lines), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="accounting-{period.label}.csv"'
    return response


def _invoice(request, pk: int) -> Invoice:
    return get_restricted_or_404(
        Invoice.objects.select_related("period", "municipality", "run"), request.user, pk=pk
    )


@login_required
def invoice_detail(request, pk: int):
    user = request.user
    invoice = _invoice(request, pk)
    lines = restrict(InvoiceLine.objects.filter(invoice=invoice), user).select_related(
        "service_area", "adjusts_period"
    )
    areas = area_totals(invoice=invoice, lines=lines)
    by_area: dict = {}
    for line in lines.order_by("line_number"):
        by_area.setdefault(line.service_area_id, []).append(line)
    credited_net, credited_vat = credited_amounts(invoice=invoice)
    return render(
        request,
        "billing/invoice_detail.html",
        {
            "invoice": invoice,
            "areas": [(area, by_area.get(area.service_area_id, [])) for area in areas],
            "credit_notes": restrict(CreditNote.objects.filter(invoice=invoice), user),
            "credited_net": credited_net,
            "credited_vat": credited_vat,
            "may_operate": _may_operate(user),
            "credit_form": CreditForm(),
        },
    )


@login_required
def invoice_print(request, pk: int):
    invoice = _invoice(request, pk)
    lines = restrict(InvoiceLine.objects.filter(invoice=invoice), request.user).select_related(
        "service_area"
    )
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


@login_required
@require_POST
def invoice_credit(request, pk: int):
    """Credit in full, or the amounts typed per line (``amount_<line id>``)."""
    _require_operate(request.user)
    invoice = _invoice(request, pk)
    form = CreditForm(request.POST)
    amounts = {}
    for name, value in request.POST.items():
        if name.startswith("amount_") and value.strip():
            # The money field's parsing: refuses NaN, Infinity and more digits than stored.
            try:
                amounts[int(name.removeprefix("amount_"))] = MoneyField(min_value=None).clean(value)
            except (ValidationError, ValueError) as error:
                reason = " ".join(getattr(error, "messages", ()))
                form.add_error(
                    None,
                    _("“%(value)s” is not an amount. %(reason)s")
                    % {"value": value, "reason": reason},
                )
    if form.is_valid():
        try:
            note = create_credit_note(
                invoice=invoice,
                reason=form.cleaned_data["reason"],
                amounts=amounts or None,
                issue_date=form.cleaned_data.get("issue_date"),
            )
            messages.success(request, _("Credit note %(number)s made.") % {"number": note.number})
            return redirect("billing:invoice_detail", pk=invoice.pk)
        except ValidationError as error:
            add_service_errors(form, error)
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("billing:invoice_detail", pk=invoice.pk)


@login_required
def invoice_ehf(request, pk: int):
    invoice = _invoice(request, pk)
    if not invoice.is_issued:
        raise Http404(_("A draft has no EHF."))
    response = HttpResponse(invoice_xml(invoice), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.xml"'
    return response


@login_required
def credit_note_ehf(request, pk: int):
    note = get_restricted_or_404(CreditNote.objects.select_related("invoice"), request.user, pk=pk)
    response = HttpResponse(credit_note_xml(note), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{note.number}.xml"'
    return response


@login_required
def invoice_specification(request, pk: int, fmt: str):
    invoice = _invoice(request, pk)
    charges = restrict(Charge.objects.all(), request.user).filter(invoice=invoice)
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
