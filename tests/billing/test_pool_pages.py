"""Cost pool pages (issue #17): finance starts and changes a pool through
``billing.services.pools`` (field errors, nothing saved, change log); once billed, only
its name, description and end change; every login reads the list."""

import datetime
from decimal import Decimal

import pytest

from samdrift.billing.models import CostPool
from samdrift.billing.services.pools import create_allocation_key, create_cost_pool
from samdrift.billing.services.runs import bill_period
from samdrift.core.models import ObjectChange
from tests.factories import client_for

D = datetime.date


@pytest.fixture
def key(world):
    return create_allocation_key(
        name="Equal and population",
        measured_on=D(2026, 1, 1),
        parts={"equal": Decimal(1), "population": Decimal(2)},
    )


def _post(allocation_key, **overrides):
    data = {
        "name": "Shared service desk",
        "description": "",
        "monthly_amount": "12 000,00",
        "key": allocation_key.pk,
        "valid_from": "2026-11-01",
        "split_to_service_areas": "",
        "vat_rate": "25",
        "vat_exemption_reason": "",
        "valid_to": "",
    }
    data.update(overrides)
    return data


def test_finance_starts_a_pool_and_its_key_is_measured(key, finance_user):
    client = client_for(finance_user)
    assert client.get("/billing/pools/new/").status_code == 200
    assert client.post("/billing/pools/new/", _post(key)).status_code == 302
    pool = CostPool.objects.get(name="Shared service desk")
    assert pool.monthly_amount == Decimal("12000.00")
    key.refresh_from_db()
    assert key.measured_at is not None
    listing = client.get("/billing/pools/")
    assert f"/billing/pools/{pool.pk}/edit/".encode() in listing.content


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"monthly_amount": "-5"}, "monthly_amount"),
        ({"key": ""}, "key"),
        ({"valid_to": "2026-10-01"}, "valid_to"),
        ({"vat_rate": "0"}, "vat_exemption_reason"),
    ],
)
def test_a_bad_pool_names_the_field_and_saves_nothing(key, finance_user, overrides, field):
    response = client_for(finance_user).post("/billing/pools/new/", _post(key, **overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors or any(field in m for m in errors.get("__all__", []))
    assert not CostPool.objects.exists()


def test_a_billed_pool_keeps_its_amount_but_can_be_ended(world, key, finance_user):
    pool = create_cost_pool(
        name="Licences", monthly_amount=Decimal("3000.00"), key=key, valid_from=D(2026, 11, 1)
    )
    bill_period(month=D(2026, 11, 1))
    client = client_for(finance_user)
    url = f"/billing/pools/{pool.pk}/edit/"
    response = client.post(
        url, _post(key, name="Licences", monthly_amount="3500", valid_from="2026-11-01")
    )
    assert response.status_code == 400
    assert "monthly_amount" in response.context["form"].errors
    pool.refresh_from_db()
    assert pool.monthly_amount == Decimal("3000.00")
    data = _post(key, name="Licences", monthly_amount="3000", valid_to="2027-01-01")
    assert client.post(url, data).status_code == 302
    pool.refresh_from_db()
    assert pool.valid_to == D(2027, 1, 1)
    change = ObjectChange.objects.get(
        content_type__model="costpool", object_id=pool.pk, action="update"
    )
    assert change.prechange_data["valid_to"] is None
    assert change.postchange_data["valid_to"] == "2027-01-01"


def test_an_unbilled_pool_can_be_corrected(key, finance_user):
    pool = create_cost_pool(
        name="Licences", monthly_amount=Decimal("3000.00"), key=key, valid_from=D(2027, 5, 1)
    )
    data = _post(key, name="Licences", monthly_amount="3100", valid_from="2027-05-01")
    assert client_for(finance_user).post(f"/billing/pools/{pool.pk}/edit/", data).status_code == 302
    pool.refresh_from_db()
    assert pool.monthly_amount == Decimal("3100.00")


def test_a_contact_reads_pools_and_cannot_change_them(key, contact_a):
    pool = create_cost_pool(
        name="Licences", monthly_amount=Decimal("3000.00"), key=key, valid_from=D(2027, 5, 1)
    )
    client = client_for(contact_a)
    listing = client.get("/billing/pools/")
    assert b"Licences" in listing.content and b"/edit/" not in listing.content
    assert client.get(f"/billing/pools/{pool.pk}/edit/").status_code == 403
    assert client.get("/billing/pools/new/").status_code == 403
