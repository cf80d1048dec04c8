"""The billing API: operations for finance, and each municipality sees only its own."""

import datetime

import pytest

from samdrift.billing.models import Invoice
from samdrift.billing.services.issuing import issue_period
from samdrift.billing.services.runs import bill_period
from tests.factories import api_as

D = datetime.date


@pytest.fixture
def issued(world):
    bill_period(month=D(2026, 11, 1))
    issue_period(month=D(2026, 11, 1), issue_date=D(2026, 12, 1))
    return {i.municipality_id: i for i in Invoice.objects.all()}


def test_finance_runs_issues_and_closes_a_month(world, finance_user):
    client = api_as(finance_user)
    response = client.post("/api/billing-periods/run/", {"month": "2026-11"})
    assert response.status_code == 201, response.content
    assert response.json()["charge_count"] == 6
    period_id = response.json()["period"]
    response = client.post(f"/api/billing-periods/{period_id}/issue/", {"issue_date": "2026-12-01"})
    assert [i["number"] for i in response.json()] == ["SD-2026-000001", "SD-2026-000002"]
    response = client.post(f"/api/billing-periods/{period_id}/close/")
    assert response.json()["status"] == "closed"
    response = client.post("/api/billing-periods/run/", {"month": "2026-11"})
    assert response.status_code == 400
    assert "closed" in response.json()["month"][0]


def test_a_municipality_contact_may_not_run_billing(world, contact_a):
    response = api_as(contact_a).post("/api/billing-periods/run/", {"month": "2026-11"})
    assert response.status_code == 403


def test_a_municipality_sees_and_downloads_only_its_own_invoices(issued, world, contact_a):
    client = api_as(contact_a)
    own, other = issued[world.fjordvik.pk], issued[world.elvdal.pk]
    listed = client.get("/api/invoices/").json()["results"]
    assert [i["id"] for i in listed] == [own.pk]
    assert client.get(f"/api/invoices/{other.pk}/").status_code == 404
    assert client.get(f"/api/invoices/{other.pk}/ehf/").status_code == 404
    assert client.get(f"/api/invoices/{other.pk}/specification/").status_code == 404
    # Another's invoice in a filter is a 404, like one that does not exist (no oracle).
    assert client.get(f"/api/charges/?invoice={other.pk}").status_code == 404
    assert client.get(f"/api/charges/?invoice={other.pk + 1000}").status_code == 404
    assert client.get(f"/api/charges/?municipality={world.elvdal.pk}").status_code == 404
    charges = client.get("/api/charges/").json()
    assert charges["count"] == 4
    assert {c["municipality"] for c in charges["results"]} == {world.fjordvik.pk}
    lines = client.get("/api/invoice-lines/").json()["results"]
    assert {line["invoice"] for line in lines} == {own.pk}
    ehf = client.get(f"/api/invoices/{own.pk}/ehf/")
    assert ehf.status_code == 200 and own.number.encode() in ehf.content
    spec = b"".join(client.get(f"/api/invoices/{own.pk}/specification/").streaming_content)
    assert world.assets[0].asset_tag.encode() in spec
    assert world.assets[2].asset_tag.encode() not in spec
    accounting = client.get(f"/api/billing-periods/{own.period_id}/accounting/")
    text = b"".join(accounting.streaming_content).decode()
    assert own.number in text and other.number not in text
    assert client.get("/api/billing-runs/").json()["count"] == 0


def test_issuing_twice_and_over_crediting_are_400s_naming_the_field(issued, world, finance_user):
    client = api_as(finance_user)
    invoice = issued[world.fjordvik.pk]
    response = client.post(f"/api/invoices/{invoice.pk}/issue/")
    assert response.status_code == 400 and "status" in response.json()
    line = invoice.lines.first()
    response = client.post(
        f"/api/invoices/{invoice.pk}/credit/",
        {"reason": "Too much", "amounts": {str(line.pk): "100000.00"}},
        format="json",
    )
    assert response.status_code == 400 and "amounts" in response.json()
    response = client.post(
        f"/api/invoices/{invoice.pk}/credit/", {"reason": "Cancelled"}, format="json"
    )
    assert response.status_code == 201
    note = response.json()
    assert note["net_total"] == str(invoice.net_total)
    assert client.get(f"/api/credit-notes/{note['id']}/ehf/").status_code == 200


def test_a_municipality_cannot_credit_or_see_another_municipalitys_credit_notes(
    issued, world, contact_b, finance_user
):
    invoice = issued[world.fjordvik.pk]
    api_as(finance_user).post(
        f"/api/invoices/{invoice.pk}/credit/", {"reason": "Cancelled"}, format="json"
    )
    client = api_as(contact_b)
    assert client.get("/api/credit-notes/").json()["count"] == 0
    assert client.post(
        f"/api/invoices/{invoice.pk}/credit/", {"reason": "x"}, format="json"
    ).status_code in (403, 404)


def test_the_schema_lists_the_billing_endpoints(operator):
    response = api_as(operator).get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/invoices/{id}/ehf/" in response.content
