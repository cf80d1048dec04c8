"""One-off charge pages (issue #17): finance enters and corrects them through the same
service as the API (field errors, nothing saved, change log); a municipality's contact
reads only their own, read-only; another municipality's charge is a 404."""

import datetime
from decimal import Decimal

import pytest

from samdrift.billing.models import OneOffCharge
from samdrift.billing.services.one_offs import add_one_off_charge
from samdrift.core.models import ObjectChange
from tests.factories import client_for

D = datetime.date


def _post(world, **overrides):
    data = {
        "municipality": world.fjordvik.pk,
        "service_area": world.school.pk,
        "description": "Installation of a printer",
        "date": "2027-02-10",
        "quantity": "3",
        "unit_price": "950,50",
        "vat_rate": "",
        "reference": "WO-17",
    }
    data.update(overrides)
    return data


@pytest.fixture
def charge(world):
    return add_one_off_charge(
        municipality=world.fjordvik,
        service_area=world.school,
        description="Hours of work",
        date=D(2027, 2, 3),
        unit_price=Decimal("800.00"),
    )


def test_finance_enters_a_one_off_charge(world, finance_user):
    client = client_for(finance_user)
    assert client.get("/billing/one-offs/new/").status_code == 200
    response = client.post("/billing/one-offs/new/", _post(world))
    assert response.status_code == 302
    charge = OneOffCharge.objects.get(reference="WO-17")
    # "950,50" typed the Norwegian way; no service: the standard rate.
    assert charge.unit_price == Decimal("950.50")
    assert charge.quantity == Decimal("3")
    assert charge.vat_rate == Decimal("25.00")
    assert ObjectChange.objects.filter(
        content_type__model="oneoffcharge", object_id=charge.pk, action="create"
    ).exists()
    listing = client.get("/billing/one-offs/")
    assert b"Installation of a printer" in listing.content
    assert f"/billing/one-offs/{charge.pk}/edit/".encode() in listing.content


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"description": ""}, "description"),
        ({"date": "31.02.2027"}, "date"),
        ({"unit_price": "lots"}, "unit_price"),
        ({"vat_rate": "101"}, "vat_rate"),
        ({"municipality": ""}, "municipality"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(world, finance_user, overrides, field):
    response = client_for(finance_user).post("/billing/one-offs/new/", _post(world, **overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not OneOffCharge.objects.exists()


def test_a_service_area_of_another_municipality_is_refused_by_the_service(world, operator):
    """The form offers every area an operator sees; the service refuses another
    municipality's, next to the field, and saves nothing."""
    data = _post(world, service_area=world.elvdal_care.pk)
    response = client_for(operator).post("/billing/one-offs/new/", data)
    assert response.status_code == 400
    assert "service_area" in response.context["form"].errors
    assert not OneOffCharge.objects.exists()


def test_finance_corrects_a_charge_and_the_change_log_keeps_the_old_price(
    world, finance_user, charge
):
    client = client_for(finance_user)
    url = f"/billing/one-offs/{charge.pk}/edit/"
    page = client.get(url)
    assert page.status_code == 200
    data = _post(world, description=charge.description, date="2027-02-03", quantity="1")
    data.update(unit_price="850", vat_rate="25.00", reference="")
    assert client.post(url, data).status_code == 302
    charge.refresh_from_db()
    assert charge.unit_price == Decimal("850.00")
    change = ObjectChange.objects.get(
        content_type__model="oneoffcharge", object_id=charge.pk, action="update"
    )
    assert Decimal(change.prechange_data["unit_price"]) == Decimal("800")
    assert Decimal(change.postchange_data["unit_price"]) == Decimal("850")
    assert change.user == finance_user
    # A bad correction: field error, nothing changed.
    response = client.post(url, {**data, "quantity": "x"})
    assert response.status_code == 400 and "quantity" in response.context["form"].errors
    charge.refresh_from_db()
    assert charge.unit_price == Decimal("850.00")


def test_a_contact_reads_only_their_own_charges_without_edit_links(world, charge, contact_b):
    elvdal = add_one_off_charge(
        municipality=world.elvdal,
        description="Elvdal's cabling",
        date=D(2027, 2, 4),
        unit_price=Decimal("100"),
    )
    client = client_for(contact_b)
    listing = client.get("/billing/one-offs/")
    assert listing.status_code == 200
    assert b"Elvdal&#x27;s cabling" in listing.content
    assert b"Hours of work" not in listing.content
    assert b"/edit/" not in listing.content
    assert b'data-testid="create"' not in listing.content
    assert client.get(f"/billing/one-offs/{elvdal.pk}/edit/").status_code == 403


def test_another_municipalitys_charge_is_a_404(world, charge, contact_b, finance_user):
    """A contact asking for another municipality's charges by filter gets a 404, as for
    an id that does not exist; a writer asking for a missing charge too (no 500)."""
    response = client_for(contact_b).get(f"/billing/one-offs/?municipality={world.fjordvik.pk}")
    assert response.status_code == 404
    assert client_for(finance_user).get("/billing/one-offs/999999/edit/").status_code == 404


def test_a_service_area_manager_sees_only_their_areas_charges(world, charge, manager_a):
    add_one_off_charge(
        municipality=world.fjordvik,
        service_area=world.health,
        description="Health's cabling",
        date=D(2027, 2, 4),
        unit_price=Decimal("100"),
    )
    listing = client_for(manager_a).get("/billing/one-offs/")
    assert b"Hours of work" in listing.content
    assert b"cabling" not in listing.content


def test_the_list_costs_the_same_for_more_charges(
    world, finance_user, charge, django_assert_num_queries
):
    client = client_for(finance_user)
    client.get("/billing/one-offs/")  # warm the session
    queries = _count(client)
    for n in range(5):
        add_one_off_charge(
            municipality=world.fjordvik,
            service_area=world.health,
            description=f"More {n}",
            date=D(2027, 2, 5),
            unit_price=Decimal("10"),
        )
    with django_assert_num_queries(queries):
        client.get("/billing/one-offs/")


def _count(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get("/billing/one-offs/")
    return len(captured)
