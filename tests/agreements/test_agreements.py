import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from samdrift.agreements.models import AgreedPrice
from samdrift.agreements.selectors import agreed_prices_between
from samdrift.agreements.services import create_agreement, end_agreement, set_agreed_price
from tests import factories
from tests.factories import api_as

D = datetime.date


def test_agreements_of_a_municipality_may_not_overlap(municipality_a):
    create_agreement(
        municipality=municipality_a, name="2026", valid_from=D(2026, 1, 1), valid_to=D(2027, 1, 1)
    )
    with pytest.raises(ValidationError) as error:
        create_agreement(municipality=municipality_a, name="Overlap", valid_from=D(2026, 6, 1))
    assert "valid_from" in error.value.message_dict
    create_agreement(municipality=municipality_a, name="2027", valid_from=D(2027, 1, 1))


def test_an_agreed_price_is_set_once_per_item_and_read_for_a_period(municipality_a):
    service = factories.make_service()
    agreement = create_agreement(municipality=municipality_a, name="2026", valid_from=D(2026, 3, 1))
    set_agreed_price(agreement=agreement, service=service, amount=Decimal("90.00"))
    set_agreed_price(agreement=agreement, service=service, amount=Decimal("95.00"))
    assert AgreedPrice.objects.get().amount == Decimal("95.00")
    (span,) = agreed_prices_between(start=D(2026, 3, 1), end=D(2026, 4, 1))
    assert (span.municipality_id, span.service_id, span.amount) == (
        municipality_a.pk,
        service.pk,
        Decimal("95.0000"),
    )
    end_agreement(agreement=agreement, on=D(2026, 4, 1))
    assert agreed_prices_between(start=D(2026, 4, 1), end=D(2026, 5, 1)) == []
    with pytest.raises(ValidationError):
        set_agreed_price(agreement=agreement, amount=Decimal("1"))


def test_a_municipality_sees_only_its_own_agreements(
    municipality_a, municipality_b, contact_a, finance_user
):
    create_agreement(municipality=municipality_a, name="A", valid_from=D(2026, 1, 1))
    create_agreement(municipality=municipality_b, name="B", valid_from=D(2026, 1, 1))
    names = [a["name"] for a in api_as(contact_a).get("/api/service-agreements/").json()["results"]]
    assert names == ["A"]
    response = api_as(contact_a).post(
        "/api/service-agreements/",
        {"municipality": municipality_a.pk, "name": "Mine", "valid_from": "2027-01-01"},
    )
    assert response.status_code == 403
    response = api_as(finance_user).post(
        "/api/service-agreements/",
        {"municipality": municipality_b.pk, "name": "Overlap", "valid_from": "2026-06-01"},
    )
    assert response.status_code == 400 and "valid_from" in response.json()
