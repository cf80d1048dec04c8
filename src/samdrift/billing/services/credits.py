"""Credit notes on issued invoices, in full or in part, with the VAT they credit."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.billing.choices import (
    InvoiceStatus,
)
from samdrift.billing.lines import (
    invoice_totals,
    quantity_and_price,
)
from samdrift.billing.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine
from samdrift.billing.models.numbering import credit_note_series, document_number
from samdrift.billing.services.numbering import next_number, require_collaboration
from samdrift.finance.money import ZERO, round_to_ore
from samdrift.finance.vat import distribute_vat


def _credited_by_line(invoice: Invoice) -> dict[int, tuple[Decimal, Decimal]]:
    """invoice line id → (net credited so far, VAT credited so far)."""
    credited: dict[int, tuple[Decimal, Decimal]] = {}
    for line_id, net, vat in CreditNoteLine.objects.filter(
        credit_note__invoice=invoice
    ).values_list("invoice_line_id", "net_amount", "vat_amount"):
        before = credited.get(line_id, (ZERO, ZERO))
        credited[line_id] = (before[0] + net, before[1] + vat)
    return credited


@dataclass
class CreditPlan:
    """What a credit note would credit: its lines (not saved) with their VAT, and totals.
    ``in_full`` when no amounts were given (whatever remains of every line)."""

    invoice: Invoice
    lines: list[CreditNoteLine]
    in_full: bool
    net: Decimal
    vat: Decimal
    gross: Decimal


def plan_credit_note(
    *, invoice: Invoice, amounts: Mapping[int, Decimal] | None = None
) -> CreditPlan:
    """The credit note ``create_credit_note`` would make on ``invoice`` as it is read now,
    without writing anything; its confirmation page shows this. Refused (ValidationError)
    for the same reasons. ``create_credit_note`` calls it on the invoice it has locked."""
    if invoice.status != InvoiceStatus.ISSUED:
        raise ValidationError(
            {
                "invoice": _(
                    "Only an issued invoice can be credited; a draft changes when its "
                    "period is re-run."
                )
            }
        )
    lines = {line.pk: line for line in invoice.lines.order_by("line_number")}
    credited = _credited_by_line(invoice)
    remaining = {
        pk: line.net_amount - credited.get(pk, (ZERO, ZERO))[0] for pk, line in lines.items()
    }
    wanted = _amounts_to_credit(invoice=invoice, lines=lines, remaining=remaining, amounts=amounts)
    credit_lines = _credit_lines(wanted=wanted, lines=lines)
    _credit_vat(credit_lines, lines=lines.values(), credited=credited)
    net, vat, gross = invoice_totals(credit_lines)
    return CreditPlan(
        invoice=invoice, lines=credit_lines, in_full=amounts is None, net=net, vat=vat, gross=gross
    )


def _amounts_to_credit(
    *,
    invoice: Invoice,
    lines: dict[int, InvoiceLine],
    remaining: dict[int, Decimal],
    amounts: Mapping[int, Decimal] | None,
) -> dict[int, Decimal]:
    """Line id → net amount to credit: what remains of every line (``amounts`` None), or
    the amounts given, each checked against what remains of its line."""
    if amounts is None:
        wanted = {pk: rest for pk, rest in remaining.items() if rest != 0}
        if not wanted:
            raise ValidationError(
                {
                    "amounts": _("Invoice %(number)s has been credited in full already.")
                    % {"number": invoice.number}
                }
            )
        return wanted
    wanted = {}
    errors = []
    for line_id, amount in amounts.items():
        line = lines.get(int(line_id))
        if line is None:
            errors.append(
                _("Line %(id)s is not a line of invoice %(number)s.")
                % {"id": line_id, "number": invoice.number}
            )
            continue
        amount = Decimal(amount)
        if amount == 0:
            continue
        error = _amount_error(line=line, amount=amount, rest=remaining[line.pk])
        if error:
            errors.append(error)
        else:
            wanted[line.pk] = amount
    if errors:
        raise ValidationError({"amounts": errors})
    if not wanted:
        raise ValidationError(
            {"amounts": _("Give at least one line and a non-zero amount to credit.")}
        )
    return wanted


def _amount_error(*, line: InvoiceLine, amount: Decimal, rest: Decimal) -> str | None:
    """Why ``amount`` cannot be credited on ``line`` of which ``rest`` remains (None: it
    can): whole øre, the line's sign, and no more than remains."""
    if amount != round_to_ore(amount):
        return _("Line %(line)d: %(amount)s has more than two decimals.") % {
            "line": line.line_number,
            "amount": amount,
        }
    if (amount > 0) != (line.net_amount > 0) or abs(amount) > abs(rest):
        return _(
            "Line %(line)d (%(item)s): %(amount)s is more than remains to be "
            "credited (%(rest)s of %(net)s)."
        ) % {
            "line": line.line_number,
            "item": line.description,
            "amount": amount,
            "rest": rest,
            "net": line.net_amount,
        }
    return None


def _credit_lines(
    *, wanted: dict[int, Decimal], lines: dict[int, InvoiceLine]
) -> list[CreditNoteLine]:
    """Unsaved credit lines for ``wanted`` (line id → amount), in the invoice's line order;
    a line credited in full keeps its quantity and price, a part is one lot. VAT is set
    afterwards, per category (``_credit_vat``)."""
    credit_lines = []
    for number, line_id in enumerate(sorted(wanted, key=lambda pk: lines[pk].line_number), start=1):
        line = lines[line_id]
        amount = wanted[line_id]
        if amount == line.net_amount:
            quantity, unit_price = line.quantity, line.unit_price
        else:
            quantity, unit_price = quantity_and_price(net=amount, units=ZERO, prices=set())
        credit_lines.append(
            CreditNoteLine(
                invoice_line=line,
                line_number=number,
                description=line.description,
                quantity=quantity,
                unit_code=line.unit_code if amount == line.net_amount else "C62",
                unit_price=unit_price,
                net_amount=amount,
                vat_rate=line.vat_rate,
                vat_category=line.vat_category,
                vat_exemption_reason=line.vat_exemption_reason,
                vat_amount=ZERO,
            )
        )
    return credit_lines


def create_credit_note(
    *,
    invoice: Invoice,
    reason: str,
    amounts: Mapping[int, Decimal] | None = None,
    issue_date: datetime.date | None = None,
) -> CreditNote:
    """Credit an issued invoice: in full (``amounts`` None: whatever remains of every line),
    or in part (invoice line id → net amount to credit, same sign as the line). Numbered in
    the collaboration's credit-note series. Refused, changing nothing, when the invoice is
    not issued, a line is not on it, or an amount exceeds what remains of its line
    (``plan_credit_note``)."""
    collaboration = require_collaboration()
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the invoice is credited.")})
    with transaction.atomic():
        invoice = (
            Invoice.objects.select_for_update().select_related("municipality").get(pk=invoice.pk)
        )
        plan = plan_credit_note(invoice=invoice, amounts=amounts)
        day = issue_date or timezone.localdate()
        series = credit_note_series(collaboration)
        sequence = next_number(series=series, year=day.year)
        note = CreditNote(
            invoice=invoice,
            series=series,
            fiscal_year=day.year,
            sequence=sequence,
            number=document_number(series=series, year=day.year, sequence=sequence),
            issue_date=day,
            reason=reason.strip()[:300],
            net_total=plan.net,
            vat_total=plan.vat,
            gross_total=plan.gross,
        )
        note.save()
        for line in plan.lines:
            line.credit_note = note
        CreditNoteLine.objects.bulk_create(plan.lines)
    return note


def _credit_vat(credit_lines, *, lines, credited) -> None:
    """VAT of credit lines per category: the rounded product of the credited taxable amount
    and the rate, except that crediting the last of a category credits exactly the VAT
    that remains of it — so credit notes never credit more VAT than was invoiced."""
    invoiced: dict[tuple, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for line in lines:
        group = invoiced[(line.vat_category, line.vat_rate)]
        before = credited.get(line.pk, (ZERO, ZERO))
        group[0] += line.net_amount - before[0]
        group[1] += line.vat_amount - before[1]
    groups: dict[tuple, list[CreditNoteLine]] = defaultdict(list)
    for line in credit_lines:
        groups[(line.vat_category, line.vat_rate)].append(line)
    for key, members in groups.items():
        nets = [line.net_amount for line in members]
        total, shares = distribute_vat(nets=nets, rate=key[1])
        remaining_net, remaining_vat = invoiced[key]
        if sum(nets, ZERO) == remaining_net and total != remaining_vat:
            shares[0] += remaining_vat - total
        for line, share in zip(members, shares, strict=True):
            line.vat_amount = share
