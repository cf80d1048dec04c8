"""Agreed prices on the agreement page (issue #17): finance and operators add and change
them through ``set_agreed_price``/``update_agreed_price`` (field errors, nothing saved,
change log); the municipality's own users read them, another municipality's do not."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from samdrift.agreements.models import AgreedPrice
from samdrift.agreements.services import create_agreement, set_agreed_price
from samdrift.billing.models import Charge
from samdrift.billing.services.issuing import issue_period
from samdrift.billing.services.periods import close_period
from samdrift.billing.services.runs import bill_period
from samdrift.core.choices import ChangeAction
from samdrift.core.models import ObjectChange
from tests import factories
from tests.confirming import confirm

D = datetime.date


@pytest.fixture
def agreement(municipality_a):
    return create_agreement(
        municipality=municipality_a, name="Avtale 2026", valid_from=D(2026, 1, 1)
    )


@pytest.fixture
def archive(db):
    return factories.make_service(name="Sak og arkiv drift", code="app-arkiv")


def price_changes() -> int:
    content_type = ContentType.objects.get_for_model(AgreedPrice)
    return ObjectChange.objects.filter(content_type=content_type).count()


def test_finance_adds_and_edits_an_agreed_price(agreement, archive, finance_user):
    client = factories.client_for(finance_user)
    detail = reverse("agreements:agreement_detail", args=[agreement.pk])
    add = reverse("agreements:price_create", args=[agreement.pk])
    assert add in client.get(detail).content.decode()
    response = client.post(add, {"service": archive.pk, "amount": "1 250,50", "note": "Rabatt"})
    assert response.status_code == 302
    assert response.url == detail
    price = AgreedPrice.objects.get(agreement=agreement)
    assert (price.service, price.amount, price.note) == (archive, Decimal("1250.5"), "Rabatt")
    edit = reverse("agreements:price_edit", args=[price.pk])
    assert edit in client.get(detail).content.decode()
    response = client.post(edit, {"service": archive.pk, "amount": "1100", "note": ""})
    assert response.status_code == 302
    price.refresh_from_db()
    assert price.amount == Decimal("1100")
    change = ObjectChange.objects.filter(object_id=price.pk).order_by("id").last()
    assert change.user == finance_user
    assert change.changed_fields()["amount"] == ("1250.5000", "1100.0000")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"amount": "10"}, "product"),  # neither a product nor a service
        ({"service": "S", "product": "P", "amount": "10"}, "product"),  # both
        ({"service": "S", "amount": "-1"}, "amount"),
        ({"service": "S", "amount": "ten"}, "amount"),
        ({"service": "999999", "amount": "10"}, "service"),
    ],
)
def test_bad_price_input_names_the_field_and_saves_nothing(
    agreement, archive, operator_client, data, field
):
    product = factories.make_product(name="Laptop")
    ids = {"S": archive.pk, "P": product.pk}
    before = price_changes()
    response = operator_client.post(
        reverse("agreements:price_create", args=[agreement.pk]),
        {name: ids.get(value, value) for name, value in data.items()},
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert not AgreedPrice.objects.exists()
    assert price_changes() == before


def test_the_municipalitys_users_read_their_prices_only(
    agreement, archive, contact_a, contact_b, manager_a
):
    price = set_agreed_price(agreement=agreement, service=archive, amount=Decimal("125.00"))
    detail = reverse("agreements:agreement_detail", args=[agreement.pk])
    for login in (contact_a, manager_a):
        client = factories.client_for(login)
        page = client.get(detail).content.decode()
        assert "Sak og arkiv drift" in page
        assert reverse("agreements:price_edit", args=[price.pk]) not in page
        assert reverse("agreements:price_create", args=[agreement.pk]) not in page
        assert client.get(reverse("agreements:price_edit", args=[price.pk])).status_code == 403
    other = factories.client_for(contact_b)
    assert other.get(detail).status_code == 404
    # Denied before the object is looked up: no role without the right learns it exists.
    assert other.get(reverse("agreements:price_edit", args=[price.pk])).status_code == 403
    other_agreement = create_agreement(
        municipality=contact_b.municipality, name="Elvdal", valid_from=D(2026, 1, 1)
    )
    operator_page = factories.client_for(factories.make_user()).get(
        reverse("agreements:price_edit", args=[price.pk])
    )
    assert operator_page.status_code == 200
    assert other_agreement.prices.count() == 0


def test_finance_deletes_a_wrong_price_and_billing_credits_the_closed_month(
    billing_world, finance_user, contact_a
):
    """A price agreed by mistake can be removed (not only changed): the item is billed at
    the catalogue's price again, and the next run bills a closed month's difference."""
    world = billing_world
    asset = world.assets[0]  # a laptop of Fjordvik's, catalogue price 328.69
    agreement = create_agreement(
        municipality=world.fjordvik, name="Avtale 2026", valid_from=D(2026, 1, 1)
    )
    price = set_agreed_price(agreement=agreement, product=world.laptop, amount=Decimal("300.00"))
    october, november = D(2026, 10, 1), D(2026, 11, 1)
    bill_period(month=october)
    issue_period(month=october, issue_date=october)
    close_period(month=october)
    billed = Charge.objects.get(period__month=october, asset=asset, adjusts_period__isnull=True)
    assert billed.amount == Decimal("300.00")

    edit = reverse("agreements:price_edit", args=[price.pk])
    # Who may only read the agreement cannot delete, nor see the confirmation.
    contact = factories.client_for(contact_a)
    assert contact.post(edit, {"delete": "1"}).status_code == 403
    assert contact.get(edit, {"delete": "1"}).status_code == 403
    client = factories.client_for(finance_user)
    page = client.get(edit).content.decode()
    assert 'data-testid="agreements-delete"' in page
    # A POST that was not confirmed deletes nothing: it leads to the confirmation.
    unconfirmed = client.post(edit, {"delete": "1"})
    assert unconfirmed.status_code == 302 and unconfirmed.url == f"{edit}?delete=1"
    assert AgreedPrice.objects.filter(pk=price.pk).exists()
    # The confirmation says what goes and what it does to billing.
    shown = client.get(edit, {"delete": "1"}).content.decode()
    assert "Delete the agreed price Standard laptop 14in: NOK 300.00 from Avtale 2026" in shown
    assert "billed at the catalogue&#x27;s price again" in shown
    response = confirm(client, edit, {"delete": "1"}, follow=False)
    assert response.status_code == 302
    assert response.url == reverse("agreements:agreement_detail", args=[agreement.pk])
    assert not AgreedPrice.objects.filter(pk=price.pk).exists()
    said = [str(m) for m in response.wsgi_request._messages]
    assert said == ["Deleted Standard laptop 14in: NOK 300.00."]
    deletion = ObjectChange.objects.filter(object_id=price.pk).order_by("id").last()
    assert (deletion.action, deletion.user) == (ChangeAction.DELETE, finance_user)

    bill_period(month=november)
    difference = Charge.objects.filter(
        period__month=november, asset=asset, adjusts_period=billed.period
    )
    assert [c.amount for c in difference] == [Decimal("328.69") - Decimal("300.00")]
