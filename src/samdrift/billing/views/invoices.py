"""Billing pages for one invoice: its lines per service area (drill-down to persons and
devices), issuing it, downloads, and a print-ready invoice.

What a user sees of one invoice (all of it, or a service-area manager's part, without
the EHF) is decided by ``billing.selectors.invoice_scope``."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samdrift.billing.ehf import invoice_xml
from samdrift.billing.exports import (
    file_stem,
    specification_csv,
    specification_xlsx_chunks,
)
from samdrift.billing.models import (
    Charge,
    Invoice,
    InvoiceLine,
)
from samdrift.billing.part_month import line_part_month
from samdrift.billing.selectors import (
    area_totals,
    invoice_scope,
    line_charges,
    require_whole_invoices,
)
from samdrift.billing.services.issuing import issue_invoice
from samdrift.billing.views.common import error_text, may_operate_billing, require_operate
from samdrift.billing.views.forms import CreditForm, credit_form
from samdrift.core.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, attachment
from samdrift.core.permissions import restrict
from samdrift.organisations.models import Collaboration
from samdrift.ui.formatting import is_norwegian
from samdrift.ui.pdf import render_pdf
from samdrift.ui.permissions import get_restricted_or_404

CHARGES_PER_PAGE = 100


def restricted_invoice(request, pk: int) -> Invoice:
    return get_restricted_or_404(
        Invoice.objects.select_related("period", "municipality", "run"), request.user, pk=pk
    )


def explained(lines, invoice: Invoice) -> list[InvoiceLine]:
    """``lines`` in order, each with ``part_month``: what a fractional quantity is."""
    lines = list(lines.select_related("adjusts_period", "service").order_by("line_number"))
    for line in lines:
        line.part_month = line_part_month(line, invoice_month=invoice.period.month)
    return lines


def invoice_page(request, invoice: Invoice, credit_form: CreditForm, status: int = 200):
    user = request.user
    scope = invoice_scope(invoice=invoice, user=user)
    lines = scope.lines.select_related("service_area")
    areas = area_totals(invoice=invoice, lines=lines)
    by_area: dict = {}
    for line in explained(lines, invoice):
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
            "may_operate": may_operate_billing(user),
            "credit_form": credit_form,
        },
        status=status,
    )


@login_required
def invoice_detail(request, pk: int):
    invoice = restricted_invoice(request, pk)
    # Back from a credit confirmation ("Cancel"): what was typed is filled in again.
    initial = {k: v for k, v in request.GET.items() if k == "reason" or k.startswith("amount_")}
    return invoice_page(request, invoice, credit_form(invoice, initial=initial))


def _print_context(request, pk: int) -> dict:
    """What the print page and the PDF show: the invoice, or a manager's extract of it."""
    invoice = restricted_invoice(request, pk)
    scope = invoice_scope(invoice=invoice, user=request.user)
    lines = scope.lines.select_related("service_area")
    vat_groups: dict = {}
    for line in lines:
        group = vat_groups.setdefault(
            (line.vat_category, line.vat_rate), [Decimal(0), Decimal(0), line.vat_exemption_reason]
        )
        group[0] += line.net_amount
        group[1] += line.vat_amount
    return {
        "invoice": invoice,
        "scope": scope,
        "service_area": None if scope.whole else request.user.service_area,
        "lines": explained(lines, invoice),
        "seller": Collaboration.get(),
        "vat_groups": [
            {"category": k[0], "rate": k[1], "net": v[0], "vat": v[1], "reason": v[2]}
            for k, v in sorted(vat_groups.items())
        ],
    }


@login_required
def invoice_print(request, pk: int):
    return render(request, "billing/invoice_print.html", _print_context(request, pk))


@login_required
def invoice_pdf(request, pk: int):
    """The print page as a PDF, from the same HTML (so page, print and PDF agree)."""
    context = _print_context(request, pk)
    html = render_to_string("billing/invoice_print.html", {**context, "for_pdf": True}, request)
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    invoice = context["invoice"]
    name = f"invoice-{invoice.number}" if invoice.is_issued else f"draft-invoice-{invoice.pk}"
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


@login_required
@require_POST
def invoice_issue(request, pk: int):
    require_operate(request.user)
    invoice = restricted_invoice(request, pk)
    try:
        invoice = issue_invoice(invoice=invoice)
        messages.success(request, _("Issued %(number)s.") % {"number": invoice.number})
    except ValidationError as error:
        messages.error(request, error_text(error))
    return redirect("billing:invoice_detail", pk=invoice.pk)


@login_required
def invoice_ehf(request, pk: int):
    # Refused before the invoice is looked up: the same 403 for every id.
    require_whole_invoices(request.user)
    invoice = restricted_invoice(request, pk)
    if not invoice.is_issued:
        raise Http404(_("A draft has no EHF."))
    return attachment(
        invoice_xml(invoice), filename=f"{invoice.number}.xml", content_type="application/xml"
    )


@login_required
def invoice_specification(request, pk: int, fmt: str):
    """The specification for people: headers in their language; in Norwegian, dates as
    dd.mm.yyyy in the XLSX. ``excel.csv`` is the CSV Norwegian Excel opens as columns."""
    invoice = restricted_invoice(request, pk)
    charges = invoice_scope(invoice=invoice, user=request.user).charges
    stem = f"{file_stem(invoice)}-specification"
    if fmt == "xlsx":
        content = specification_xlsx_chunks(
            charges, title=file_stem(invoice), for_people=True, norwegian=is_norwegian()
        )
        return attachment(content, filename=f"{stem}.xlsx", content_type=XLSX_CONTENT_TYPE)
    return attachment(
        specification_csv(charges, for_people=True, excel=fmt == "excel.csv"),
        filename=f"{stem}.csv",
        content_type=CSV_CONTENT_TYPE,
    )


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
