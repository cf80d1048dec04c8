"""Issue all drafts, close the month and make a credit note each ask for a confirmation
that shows what will happen with its figures, refuse a missing or stale confirmation
without changing anything, and act once on a double submit. The figures are computed
here from the rows, not by the selectors under test."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from samdrift.billing.models import (
    BillingPeriod,
    CreditNote,
    DocumentCounter,
    Invoice,
    OneOffCharge,
)
from samdrift.billing.services.issuing import issue_invoice, issue_period
from samdrift.billing.services.runs import bill_period
from samdrift.ui.models import ConfirmedAction
from tests.confirming import confirm, confirmation_form

D = datetime.date
MONTH = "2026-11"


def nok(amount: Decimal) -> str:
    """English money as the pages print it: NOK 1,234.50 (written out here, not imported)."""
    return f"NOK {amount:,.2f}"


def text(response) -> str:
    """The page as read: tags dropped, whitespace squeezed, entities of quotes undone."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    body = body.replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&")
    return re.sub(r"\s+", " ", body)


@pytest.fixture
def finance(finance_user) -> Client:
    client = Client()
    client.force_login(finance_user)
    return client


@pytest.fixture
def drafted(world):
    bill_period(month=D(2026, 11, 1))
    return list(Invoice.objects.order_by("municipality__number"))


def counter(series: str) -> int:
    row = DocumentCounter.objects.filter(series=series, year=timezone.localdate().year).first()
    return row.last_number if row else 0


# --- Issue all drafts ---------------------------------------------------------------------


def test_issue_confirmation_shows_count_sum_and_the_numbers_that_will_be_given(
    world, drafted, finance
):
    series, year = world.collaboration.invoice_series, timezone.localdate().year
    DocumentCounter.objects.create(series=series, year=year, last_number=6)
    drafts = list(Invoice.objects.filter(status="draft").order_by("municipality__number"))
    net = sum((i.net_total for i in drafts), Decimal(0))
    assert len(drafts) == 2 and net > 0
    page = finance.get(f"/billing/{MONTH}/issue/confirm/")
    expected = (
        f"Issue 2 invoices, {nok(net)} net "
        f"({nok(sum((i.gross_total for i in drafts), Decimal(0)))} with VAT), "
        f"numbers {series}-{year}-000007 to -000008."
    )
    assert expected in text(page)
    # Nothing happened by looking.
    assert Invoice.objects.filter(status="draft").count() == 2 and counter(series) == 6

    response = confirm(finance, f"/billing/{MONTH}/issue/confirm/")
    assert response.redirect_chain[-1][0] == f"/billing/{MONTH}/"
    numbers = list(
        Invoice.objects.order_by("municipality__number").values_list("number", flat=True)
    )
    assert numbers == [f"{series}-{year}-000007", f"{series}-{year}-000008"]
    assert f"Issued 2 invoices: {series}-{year}-000007 to -000008." in text(response)


def test_issuing_without_a_confirmation_is_refused_and_changes_nothing(world, drafted, finance):
    response = finance.post(f"/billing/{MONTH}/issue/", follow=True)
    assert response.redirect_chain[0][0] == f"/billing/{MONTH}/issue/confirm/"
    assert "Nothing was done: this needs a confirmation" in text(response)
    assert set(Invoice.objects.values_list("status", flat=True)) == {"draft"}
    assert counter(world.collaboration.invoice_series) == 0
    # A made-up token is no better than none.
    finance.post(f"/billing/{MONTH}/issue/", {"confirmation": "0" * 32 + ":x"})
    assert set(Invoice.objects.values_list("status", flat=True)) == {"draft"}


def test_a_stale_issue_confirmation_is_refused_and_changes_nothing(world, drafted, finance):
    action, fields = confirmation_form(finance.get(f"/billing/{MONTH}/issue/confirm/"))
    # Meanwhile the month is re-run with a new one-off charge: other sums.
    OneOffCharge.objects.create(
        municipality=world.fjordvik,
        description="Installation",
        date=D(2026, 11, 5),
        quantity=Decimal(1),
        unit_price=Decimal("1000.00"),
        vat_rate=Decimal("25.00"),
    )
    bill_period(month=D(2026, 11, 1))
    response = finance.post(action, fields, follow=True)
    assert "the figures have changed since this confirmation was shown" in text(response)
    assert response.redirect_chain[-1][0] == f"/billing/{MONTH}/issue/confirm/"
    assert set(Invoice.objects.values_list("status", flat=True)) == {"draft"}
    assert not ConfirmedAction.objects.exists()


def test_another_issue_in_between_makes_the_numbers_stale(world, drafted, finance):
    action, fields = confirmation_form(finance.get(f"/billing/{MONTH}/issue/confirm/"))
    issue_invoice(invoice=drafted[0])  # takes the first number the page showed
    finance.post(action, fields)
    assert Invoice.objects.get(pk=drafted[1].pk).status == "draft"
    assert counter(world.collaboration.invoice_series) == 1


def test_a_double_submit_issues_once_and_shows_the_result(world, drafted, finance):
    action, fields = confirmation_form(finance.get(f"/billing/{MONTH}/issue/confirm/"))
    first = finance.post(action, fields, follow=True)
    second = finance.post(action, fields, follow=True)
    series, year = world.collaboration.invoice_series, timezone.localdate().year
    assert counter(series) == 2
    assert set(Invoice.objects.values_list("status", flat=True)) == {"issued"}
    assert "Issued 2 invoices" in text(first)
    assert "This was done already" in text(second)
    assert f"{series}-{year}-000001 to -000002" in text(second)
    assert second.redirect_chain[-1][0] == f"/billing/{MONTH}/"
    assert ConfirmedAction.objects.count() == 1


def test_a_contact_may_not_open_or_send_a_confirmation(world, drafted, contact_a):
    client = Client()
    client.force_login(contact_a)
    assert client.get(f"/billing/{MONTH}/issue/confirm/").status_code == 403
    assert client.post(f"/billing/{MONTH}/issue/", {"confirmation": "a:b"}).status_code == 403
    assert set(Invoice.objects.values_list("status", flat=True)) == {"draft"}


# --- Close the month ----------------------------------------------------------------------


def test_close_confirmation_names_drafts_and_offers_no_button_while_there_are_some(
    world, drafted, finance
):
    page = finance.get(f"/billing/{MONTH}/close/confirm/")
    assert 'data-testid="confirm-form"' not in page.content.decode()
    assert "still has draft invoices (Fjordvik, Elvdal)" in text(page) or (
        "still has draft invoices (Elvdal, Fjordvik)" in text(page)
    )


def test_close_confirmation_shows_the_issued_invoices_and_closes_once(world, drafted, finance):
    issue_period(month=D(2026, 11, 1), issue_date=D(2026, 12, 1))
    issued = list(Invoice.objects.order_by("number"))
    net = sum((i.net_total for i in issued), Decimal(0))
    page = finance.get(f"/billing/{MONTH}/close/confirm/")
    assert f"Close November 2026 for good with 2 issued invoices, {nok(net)} net" in text(page)
    assert f"{issued[0].number} to -{issued[-1].number.rsplit('-', 1)[1]}" in text(page)
    assert finance.post(f"/billing/{MONTH}/close/").status_code == 302
    assert not BillingPeriod.objects.get().is_closed  # no confirmation, nothing done
    action, fields = confirmation_form(page)
    finance.post(action, fields)
    closed_at = BillingPeriod.objects.get().closed_at
    again = finance.post(action, fields, follow=True)
    assert "This was done already" in text(again) and "Closed November 2026." in text(again)
    assert BillingPeriod.objects.get().closed_at == closed_at


# --- Credit notes -------------------------------------------------------------------------


@pytest.fixture
def invoice(world, drafted):
    issue_period(month=D(2026, 11, 1), issue_date=D(2026, 12, 1))
    return Invoice.objects.get(municipality=world.fjordvik)


def credit_confirm_url(invoice) -> str:
    return f"/billing/invoices/{invoice.pk}/credit/confirm/"


def test_credit_confirmation_in_part_lists_the_lines_and_the_number(world, invoice, finance):
    lines = list(invoice.lines.order_by("line_number"))
    first, second = lines[0], lines[1]
    params = {"reason": "Price error", f"amount_{first.pk}": "10,00", f"amount_{second.pk}": "1,5"}
    page = finance.get(credit_confirm_url(invoice), params)
    year = timezone.localdate().year
    number = f"{world.collaboration.invoice_series}K-{year}-000001"
    vat = (Decimal("11.50") * first.vat_rate / 100).quantize(Decimal("0.01"))
    assert (
        f"Credit 2 lines of invoice {invoice.number}: {nok(Decimal('11.50'))} net + "
        f"{nok(vat)} VAT = {nok(Decimal('11.50') + vat)}, as credit note {number}."
    ) in text(page)
    assert first.description in text(page) and "Price error" in text(page)
    assert not CreditNote.objects.exists()

    action, fields = confirmation_form(page)
    finance.post(action, fields)
    again = finance.post(action, fields, follow=True)
    note = CreditNote.objects.get()
    assert note.number == number and note.net_total == Decimal("11.50")
    assert "This was done already" in text(again)


def test_an_empty_credit_form_confirms_the_whole_invoice(world, invoice, finance):
    page = finance.get(credit_confirm_url(invoice), {"reason": "Cancelled"})
    body = text(page)
    assert f"Credit the whole invoice {invoice.number}" in body and "The whole invoice" in body
    assert f"{nok(invoice.net_total)} net" in body and f"= {nok(invoice.gross_total)}" in body
    for line in invoice.lines.all():
        assert line.description in body
    confirm(finance, credit_confirm_url(invoice), {"reason": "Cancelled"})
    note = CreditNote.objects.get()
    assert (note.net_total, note.gross_total) == (invoice.net_total, invoice.gross_total)


def test_a_credit_in_between_makes_the_credit_confirmation_stale(world, invoice, finance):
    line = invoice.lines.order_by("line_number").first()
    params = {"reason": "Price error", f"amount_{line.pk}": "10"}
    action, fields = confirmation_form(finance.get(credit_confirm_url(invoice), params))
    confirm(finance, credit_confirm_url(invoice), params)  # another tab, confirmed first
    response = finance.post(action, fields, follow=True)
    assert "the figures have changed" in text(response)
    assert CreditNote.objects.count() == 1
    # Sent back to the confirmation with what was typed: it shows the new number.
    assert f"{world.collaboration.invoice_series}K-" in text(response)
    assert "000002" in text(response)


def test_posting_a_credit_without_confirmation_makes_nothing(world, invoice, finance):
    response = finance.post(f"/billing/invoices/{invoice.pk}/credit/", {"reason": "x"})
    assert response.status_code == 302 and not CreditNote.objects.exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("99999", "more than remains to be credited"),
        ("abc", "Enter an amount in kroner"),
        ("1,234", "Ensure that there are no more than 2 decimal places"),
    ],
)
def test_a_credit_form_with_an_error_keeps_what_was_typed(world, invoice, finance, typed, message):
    lines = list(invoice.lines.order_by("line_number"))
    params = {
        "reason": "Wrong price in November",
        "issue_date": "2026-12-10",
        f"amount_{lines[0].pk}": typed,
        f"amount_{lines[1].pk}": "5,00",
    }
    page = finance.get(credit_confirm_url(invoice), params)
    html = page.content.decode()
    assert page.status_code == 400 and message in html
    assert f'name="amount_{lines[0].pk}" value="{typed}"' in html
    assert f'name="amount_{lines[1].pk}" value="5,00"' in html
    assert 'value="Wrong price in November"' in html and 'value="2026-12-10"' in html
    assert not CreditNote.objects.exists()


def test_a_credit_form_without_a_reason_keeps_the_amounts(world, invoice, finance):
    line = invoice.lines.order_by("line_number").first()
    page = finance.get(credit_confirm_url(invoice), {"reason": "", f"amount_{line.pk}": "12,50"})
    html = page.content.decode()
    assert page.status_code == 400 and "This field is required" in html
    assert f'name="amount_{line.pk}" value="12,50"' in html


def test_cancel_on_the_credit_confirmation_brings_back_what_was_typed(world, invoice, finance):
    line = invoice.lines.order_by("line_number").first()
    params = {"reason": "Price error", f"amount_{line.pk}": "10,00"}
    html = finance.get(credit_confirm_url(invoice), params).content.decode()
    cancel = re.search(r'href="([^"]+)" data-testid="cancel"', html).group(1).replace("&amp;", "&")
    back = finance.get(cancel).content.decode()
    assert 'value="Price error"' in back and f'name="amount_{line.pk}" value="10.00"' in back
