"""Agreeing, completing and discarding a buyout each ask for a confirmation with the
figures; a missing or stale confirmation changes nothing; a double submit acts once."""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.test import Client
from django.urls import reverse

from samdrift.inventory.models import Asset
from samdrift.leasing.buyouts.agreeing import agree_buyout
from samdrift.leasing.buyouts.drafting import update_item
from samdrift.leasing.choices import BuyoutStatus
from samdrift.leasing.models import AmountOwed, Buyout, BuyoutItem, SignedValuation
from tests import factories
from tests.confirming import confirmation_form

COST = Decimal("10000.00")
DEVICES = 3
# Straight line over 60 months, 22 whole months old on the valuation date (DESIGN.md).
BOOK_VALUE = (COST - COST * 22 / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
TOTAL = BOOK_VALUE * DEVICES


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def nok(amount: Decimal) -> str:
    return f"NOK {amount:,.2f}"


@pytest.fixture
def draft(municipality_a):
    laptop = factories.make_leased_laptop(name="Standard laptop 14in")
    tags = [f"T-{i}" for i in range(DEVICES)]
    return factories.make_buyout_draft(municipality_a, laptop, tags, cost=COST)


@pytest.fixture
def finance(finance_user) -> Client:
    client = Client()
    client.force_login(finance_user)
    return client


def agree_page(finance, draft, on="2026-01-05"):
    return finance.get(reverse("buyouts:agree_confirm", args=[draft.pk]), {"on": on})


def test_agree_confirmation_shows_devices_and_book_value_and_agrees_once(finance, draft):
    page = agree_page(finance, draft)
    assert (
        f"Agree with Fjordvik on 2026-01-05: {DEVICES} devices, book value {nok(TOTAL)}."
        in text(page)
    )
    assert Buyout.objects.get().status == BuyoutStatus.DRAFT
    action, fields = confirmation_form(page)
    finance.post(action, fields)
    again = finance.post(action, fields, follow=True)
    assert "This was done already" in text(again)
    buyout = Buyout.objects.get()
    assert buyout.status == BuyoutStatus.AGREED and buyout.agreed_total == TOTAL
    assert SignedValuation.objects.count() == 1


def test_agreeing_without_or_with_a_stale_confirmation_changes_nothing(finance, draft):
    response = finance.post(reverse("buyouts:agree", args=[draft.pk]), {"on": "2026-01-05"})
    assert response.status_code == 302
    assert Buyout.objects.get().status == BuyoutStatus.DRAFT

    action, fields = confirmation_form(agree_page(finance, draft))
    item = BuyoutItem.objects.order_by("pk").first()
    update_item(item=item, changes={"acquisition_cost": Decimal("12000.00")})
    response = finance.post(action, fields, follow=True)
    assert "the figures have changed" in text(response)
    assert Buyout.objects.get().status == BuyoutStatus.DRAFT
    assert not SignedValuation.objects.exists()


def test_a_future_agreement_date_is_named_and_offers_no_button(finance, draft):
    page = agree_page(finance, draft, on="2999-01-01")
    assert "is in the future" in text(page)
    assert 'data-testid="confirm-form"' not in page.content.decode()


def test_complete_confirmation_shows_what_is_owed_and_completes_once(finance, draft):
    agree_buyout(buyout=draft, agreed_on=datetime.date(2026, 1, 5))
    page = finance.get(reverse("buyouts:complete_confirm", args=[draft.pk]), {"on": "2026-02-01"})
    assert (
        f"Take over {DEVICES} devices on 2026-02-01: they become the collaboration's and are "
        f"priced from that day; {nok(TOTAL)} is owed to Fjordvik and credited on the invoice "
        "for 2026-02."
    ) in text(page).replace("&#x27;", "'")
    action, fields = confirmation_form(page)
    finance.post(action, fields)
    again = finance.post(action, fields, follow=True)
    assert "This was done already" in text(again)
    assert Buyout.objects.get().status == BuyoutStatus.COMPLETED
    assert AmountOwed.objects.get().amount == TOTAL


def test_completing_a_draft_is_named_on_the_confirmation(finance, draft):
    page = finance.get(reverse("buyouts:complete_confirm", args=[draft.pk]), {"on": "2026-02-01"})
    assert "Agree the valuation with the municipality before completing" in text(page)
    assert 'data-testid="confirm-form"' not in page.content.decode()


def test_discard_confirmation_and_a_double_submit(finance, draft):
    page = finance.get(reverse("buyouts:delete_confirm", args=[draft.pk]))
    assert (
        f"Discard the draft buyout Takeover of Fjordvik with {DEVICES} devices "
        f"(book value {nok(TOTAL)}). The devices stay in the register."
    ) in text(page)
    assert finance.post(reverse("buyouts:delete", args=[draft.pk])).status_code == 302
    assert Buyout.objects.exists()  # no confirmation: nothing discarded
    action, fields = confirmation_form(page)
    first = finance.post(action, fields, follow=True)
    assert "was discarded" in text(first) and not Buyout.objects.exists()
    again = finance.post(action, fields, follow=True)
    assert again.status_code == 200 and "This was done already" in text(again)
    assert Asset.objects.count() == DEVICES


def test_a_contact_may_not_open_a_buyout_confirmation(client, contact_a, draft):
    client.force_login(contact_a)
    for name in ("buyouts:agree_confirm", "buyouts:complete_confirm", "buyouts:delete_confirm"):
        url = reverse(name, args=[draft.pk])
        assert client.get(url, {"on": "2026-01-05"}).status_code == 403, name
