"""Subscription and usage pages (issue #17): operators start and end subscriptions and
record and correct usage through the same services as the API (field errors, nothing
saved, change log); a municipality's contact reads their own, read-only; another
municipality's rows are hidden (404)."""

import datetime
from decimal import Decimal

import pytest

from samdrift.core.models import ObjectChange
from samdrift.inventory.models import Subscription, UsageRecord
from samdrift.inventory.services import record_usage
from tests.factories import client_for, make_service

D = datetime.date


@pytest.fixture
def world(billing_world):
    return billing_world


@pytest.fixture
def pages():
    return make_service(name="Printed pages", code="pages", unit="per_unit")


def _subscription(world, **overrides):
    data = {
        "service": world.workplace.pk,
        "municipality": world.fjordvik.pk,
        "service_area": world.school.pk,
        "quantity": "4",
        "valid_from": "2027-01-01",
        "valid_to": "",
        "note": "Page test",
    }
    data.update(overrides)
    return data


def _usage(world, pages, **overrides):
    data = {
        "service": pages.pk,
        "municipality": world.fjordvik.pk,
        "service_area": world.school.pk,
        "month": "2027-01-01",
        "quantity": "1200",
        "reference": "meter-1",
    }
    data.update(overrides)
    return data


def test_an_operator_starts_and_ends_a_subscription(world, operator):
    client = client_for(operator)
    assert client.get("/subscriptions/new/").status_code == 200
    assert client.post("/subscriptions/new/", _subscription(world)).status_code == 302
    subscription = Subscription.objects.get(note="Page test")
    assert subscription.quantity == Decimal("4") and subscription.valid_to is None
    listing = client.get("/subscriptions/?is_open=true")
    assert f"/subscriptions/{subscription.pk}/end/".encode() in listing.content
    url = f"/subscriptions/{subscription.pk}/end/"
    # Before the start: refused next to the date, nothing changed.
    response = client.post(url, {"on": "2026-12-31"})
    assert response.status_code == 400 and "on" in response.context["form"].errors
    subscription.refresh_from_db()
    assert subscription.valid_to is None
    assert client.post(url, {"on": "2027-03-01"}).status_code == 302
    subscription.refresh_from_db()
    assert subscription.valid_to == D(2027, 3, 1)
    change = ObjectChange.objects.get(
        content_type__model="subscription", object_id=subscription.pk, action="update"
    )
    assert change.prechange_data["valid_to"] is None
    assert change.postchange_data["valid_to"] == "2027-03-01"
    assert change.user == operator


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"service": ""}, "service"),
        ({"quantity": "0"}, "quantity"),
        ({"valid_from": "2027-02-30"}, "valid_from"),
        ({"valid_to": "2026-12-01"}, "valid_to"),
        ({"service_area": "elvdal"}, "service_area"),
    ],
)
def test_a_bad_subscription_names_the_field_and_saves_nothing(world, operator, overrides, field):
    if overrides.get("service_area") == "elvdal":
        overrides = {"service_area": world.elvdal_care.pk}
    before = Subscription.objects.count()
    response = client_for(operator).post("/subscriptions/new/", _subscription(world, **overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert Subscription.objects.count() == before


def test_an_operator_records_and_corrects_usage(world, pages, operator):
    client = client_for(operator)
    assert client.post("/usage/new/", _usage(world, pages)).status_code == 302
    record = UsageRecord.objects.get(reference="meter-1")
    assert record.quantity == Decimal("1200")
    url = f"/usage/{record.pk}/edit/"
    assert client.get(url).status_code == 200
    assert client.post(url, _usage(world, pages, quantity="1180")).status_code == 302
    record.refresh_from_db()
    assert record.quantity == Decimal("1180")
    change = ObjectChange.objects.get(
        content_type__model="usagerecord", object_id=record.pk, action="update"
    )
    assert Decimal(change.prechange_data["quantity"]) == Decimal("1200")
    # Not the first of the month: named, nothing changed.
    response = client.post(url, _usage(world, pages, month="2027-01-15"))
    assert response.status_code == 400 and "month" in response.context["form"].errors
    record.refresh_from_db()
    assert record.month == D(2027, 1, 1)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"quantity": "-1"}, "quantity"),
        ({"month": "2027-01-15"}, "month"),
        ({"asset": "elvdal"}, "asset"),
        ({"municipality": ""}, "municipality"),
    ],
)
def test_bad_usage_names_the_field_and_saves_nothing(world, pages, operator, overrides, field):
    if overrides.get("asset") == "elvdal":
        overrides = {"asset": world.assets[2].pk}  # held by Elvdal, not Fjordvik
    response = client_for(operator).post("/usage/new/", _usage(world, pages, **overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not UsageRecord.objects.exists()


def test_a_contact_reads_only_their_own_and_cannot_write(world, pages, contact_b):
    own = record_usage(
        service=pages,
        municipality=world.elvdal,
        service_area=world.elvdal_care,
        month=D(2027, 1, 1),
        quantity=Decimal("5"),
        reference="elvdal-meter",
    )
    record_usage(
        service=pages,
        municipality=world.fjordvik,
        service_area=world.school,
        month=D(2027, 1, 1),
        quantity=Decimal("7"),
        reference="fjordvik-meter",
    )
    client = client_for(contact_b)
    usage = client.get("/usage/")
    assert b"elvdal-meter" in usage.content and b"fjordvik-meter" not in usage.content
    assert b"/edit/" not in usage.content and b'data-testid="create"' not in usage.content
    subscriptions = client.get("/subscriptions/")
    assert len(subscriptions.context["rows"]) == 1  # Elvdal's one person's workplace
    assert b"/end/" not in subscriptions.content
    assert client.get(f"/usage/{own.pk}/edit/").status_code == 403
    # Asking for Fjordvik's rows by filter: hidden, as if it did not exist.
    assert client.get(f"/usage/?municipality={world.fjordvik.pk}").status_code == 404
    assert client.get(f"/subscriptions/?municipality={world.fjordvik.pk}").status_code == 404


def test_a_missing_subscription_or_record_is_a_404(world, operator):
    client = client_for(operator)
    assert client.get("/subscriptions/999999/end/").status_code == 404
    assert client.get("/usage/999999/edit/").status_code == 404


def test_the_subscription_list_costs_the_same_for_more_rows(
    world, operator, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(operator)
    client.get("/subscriptions/")
    with CaptureQueriesContext(connection) as captured:
        first = client.get("/subscriptions/")
    queries = len(captured)  # now: the next request resets the connection's query log
    assert first.status_code == 200 and queries > 0
    for n in range(4):
        client.post("/subscriptions/new/", _subscription(world, note=f"More {n}"))
    assert Subscription.objects.count() == 3 + 4
    with django_assert_num_queries(queries):
        client.get("/subscriptions/")
