"""Crediting an issued invoice (through a confirmation that shows the credit note), and
a credit note's EHF."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from samdrift.billing.ehf import credit_note_xml
from samdrift.billing.models import (
    CreditNote,
    Invoice,
)
from samdrift.billing.models.numbering import credit_note_series
from samdrift.billing.selectors import (
    next_document_numbers,
    require_whole_invoices,
)
from samdrift.billing.services.credits import CreditPlan, create_credit_note, plan_credit_note
from samdrift.billing.views.common import require_operate
from samdrift.billing.views.forms import CreditForm, credit_form
from samdrift.billing.views.invoices import invoice_page, restricted_invoice
from samdrift.core.exports import attachment
from samdrift.organisations.models import Collaboration
from samdrift.ui.confirm import (
    Confirmation,
    Done,
    Table,
    fingerprint,
    perform_confirmed,
    render_confirmation,
)
from samdrift.ui.formatting import format_day, format_money, format_number
from samdrift.ui.forms import add_service_errors
from samdrift.ui.permissions import get_restricted_or_404


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
    require_operate(request.user)
    invoice = restricted_invoice(request, pk)
    form = credit_form(invoice, request.GET)
    plan = _credit_plan(request, invoice, form)
    if plan is None:
        messages.error(request, _("Nothing was credited; correct what is marked below."))
        return invoice_page(request, invoice, form, status=400)
    number = _next_credit_note_number(form)
    typed = form.typed()
    confirmation = Confirmation(
        title=_("Credit note on %(number)s") % {"number": invoice.number},
        summary=_credit_summary(invoice, plan, number),
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
        table=_credit_table(plan),
        hidden=typed,
    )
    return render_confirmation(request, confirmation)


def _credit_summary(invoice, plan, number: str) -> str:
    """One sentence: which lines (or the whole invoice), the sums, and the note's number."""
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
    return summary % values


def _credit_table(plan) -> Table:
    """The lines the note will credit, with their sums."""
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
    return Table(
        headers=["#", _("Item"), _("Net"), _("VAT rate"), _("VAT")],
        rows=rows,
        numeric=frozenset({0, 2, 3, 4}),
        footer=[_("Sum"), "", format_money(plan.net), "", format_money(plan.vat)],
    )


@login_required
@require_POST
def invoice_credit(request, pk: int):
    """Make the credit note confirmed on ``invoice_credit_confirm`` (fields carried)."""
    require_operate(request.user)
    invoice = restricted_invoice(request, pk)
    form = credit_form(invoice, request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was credited; correct what is marked below."))
        return invoice_page(request, invoice, form, status=400)
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
def credit_note_ehf(request, pk: int):
    require_whole_invoices(request.user)
    note = get_restricted_or_404(CreditNote.objects.select_related("invoice"), request.user, pk=pk)
    return attachment(
        credit_note_xml(note), filename=f"{note.number}.xml", content_type="application/xml"
    )
