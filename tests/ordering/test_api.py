"""The ordering API end to end: an order created, filled, submitted, approved, accepted,
delivered and returned through the endpoints; bad input answered 400 naming the field;
tenancy (404) and operator-only steps (403)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from samdrift.inventory.choices import AssetStatus
from samdrift.ordering.choices import LineKind, OrderState
from samdrift.ordering.models import Order
from tests.factories import api_as

pytestmark = pytest.mark.django_db


def post(user, url, body=None):
    return api_as(user).post(url, body or {}, format="json")


def test_the_whole_flow_through_the_api(world):
    today = timezone.localdate()
    manager = world.school_manager
    created = post(
        manager,
        "/api/orders/",
        {"municipality": world.fjordvik.pk, "comment": "Two new teachers"},
    )
    assert created.status_code == 201, created.content
    order = created.json()
    assert order["state"] == "draft"
    assert order["service_area"] == world.school.pk  # a manager orders for their area
    assert order["created_by"] == manager.pk
    url = f"/api/orders/{order['id']}/"

    line = post(
        manager,
        url + "lines/",
        {"kind": "product", "product": world.laptop.pk, "quantity": 2, "person": world.teacher.pk},
    )
    assert line.status_code == 201, line.content
    line_id = line.json()["id"]
    assert line.json()["order"] == order["id"]

    changed = api_as(manager).patch(f"/api/order-lines/{line_id}/", {"quantity": 2}, format="json")
    assert changed.status_code == 200

    submitted = post(manager, url + "submit/")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["state"] == "submitted"
    # 300.0000 a month per laptop, charged device by device: 2 × 300.00.
    assert Decimal(submitted.json()["monthly_total"]) == Decimal("600.00")
    assert Decimal(submitted.json()["lines"][0]["monthly_price"]) == Decimal("300.0000")

    queue = api_as(world.contact).get("/api/orders/approval-queue/").json()
    assert [o["id"] for o in queue["results"]] == [order["id"]]
    assert api_as(manager).get("/api/orders/approval-queue/").json()["count"] == 0  # own

    approved = post(world.contact, url + "approve/", {"note": "OK"})
    assert approved.status_code == 200, approved.content
    assert approved.json()["state"] == "approved"

    accepted = post(world.operator, url + "accept/")
    assert accepted.json()["state"] == "accepted"
    deliveries = api_as(world.operator).get("/api/orders/delivery-queue/").json()
    assert [o["id"] for o in deliveries["results"]] == [order["id"]]

    laptop = world.stock[0]
    first = post(
        world.operator,
        "/api/deliveries/",
        {"line": line_id, "on": today.isoformat(), "asset": laptop.pk},
    )
    assert first.status_code == 201, first.content
    assert first.json()["asset"] == laptop.pk
    assert first.json()["delivered_on"] == today.isoformat()
    assert api_as(manager).get(url).json()["state"] == "partly_delivered"
    second = post(
        world.operator,
        "/api/deliveries/",
        {
            "line": line_id,
            "on": today.isoformat(),
            "new_asset": {"serial": "PF0NEW01", "asset_tag": "N-9001", "acquisition_cost": "9990"},
        },
    )
    assert second.status_code == 201, second.content
    final = api_as(manager).get(url).json()
    assert final["state"] == "delivered"
    assert final["lines"][0]["delivered_quantity"] == 2
    laptop.refresh_from_db()
    assert laptop.status == AssetStatus.DEPLOYED

    trail = api_as(manager).get("/api/order-transitions/", {"order": order["id"]}).json()
    assert sorted((t["from_state"], t["to_state"]) for t in trail["results"]) == sorted(
        [
            ("draft", "submitted"),
            ("submitted", "approved"),
            ("approved", "accepted"),
            ("accepted", "partly_delivered"),
            ("partly_delivered", "delivered"),
        ]
    )

    back_on = today + datetime.timedelta(days=1)
    returned = post(
        world.operator,
        "/api/returns/",
        {
            "municipality": world.fjordvik.pk,
            "person": world.teacher.pk,
            "on": back_on.isoformat(),
            "items": [{"asset": laptop.pk, "disposition": "stock"}],
            "reason": "Left the school",
        },
    )
    assert returned.status_code == 201, returned.content
    assert returned.json()["return_on"] == back_on.isoformat()
    assert [(r["asset"], r["disposition"]) for r in returned.json()["lines"]] == [
        (laptop.pk, "stock")
    ]
    laptop.refresh_from_db()
    assert laptop.status == AssetStatus.IN_STOCK
    assert api_as(world.contact).get(f"/api/returns/{returned.json()['id']}/").status_code == 200
    assert (
        api_as(world.elvdal_contact).get(f"/api/returns/{returned.json()['id']}/").status_code
        == 404
    )


def test_reject_and_cancel_with_reasons(world):
    order = world.order()
    post(world.school_manager, f"/api/orders/{order.pk}/submit/")
    no_reason = post(world.contact, f"/api/orders/{order.pk}/reject/", {})
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()
    rejected = post(world.contact, f"/api/orders/{order.pk}/reject/", {"reason": "Not in budget"})
    assert rejected.json()["state"] == "rejected"
    other = world.order()
    cancelled = post(world.school_manager, f"/api/orders/{other.pk}/cancel/", {"reason": "Dup"})
    assert cancelled.status_code == 200
    assert cancelled.json()["state"] == "cancelled"
    assert list(other.transitions.values_list("note", flat=True)) == ["Dup"]


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/orders/", {"needed_by": "soon"}, "needed_by"),
        ("lines", {"kind": "product", "product": "LAPTOP", "quantity": 0}, "quantity"),
        ("lines", {"kind": "non_standard", "description": "Chair"}, "justification"),
        ("lines", {"kind": "spaceship"}, "kind"),
        ("/api/deliveries/", {"on": "2026-03-01"}, "line"),
        ("/api/deliveries/", {"line": "LINE", "on": "2026-03-01", "new_asset": {}}, "new_asset"),
        ("/api/deliveries/", {"line": "LINE", "on": "1. mars"}, "on"),
        ("/api/returns/", {"municipality": "FJORDVIK", "on": "2026-03-01", "items": []}, "items"),
    ],
)
def test_bad_input_is_400_naming_the_field(world, url, body, field):
    order = world.order()
    line = order.lines.get()
    replace = {"LAPTOP": world.laptop.pk, "LINE": line.pk, "FJORDVIK": world.fjordvik.pk}
    body = {k: replace.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    if url == "/api/orders/":
        body["municipality"] = world.fjordvik.pk
    if url == "lines":
        url = f"/api/orders/{order.pk}/lines/"
    response = post(world.operator, url, body)
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()


def test_disposal_without_certificate_names_the_field(world):
    order = world.accepted()
    line = order.lines.get()
    today = timezone.localdate()
    post(
        world.operator,
        "/api/deliveries/",
        {"line": line.pk, "on": today.isoformat(), "asset": world.stock[0].pk},
    )
    response = post(
        world.operator,
        "/api/returns/",
        {
            "municipality": world.fjordvik.pk,
            "on": (today + datetime.timedelta(days=1)).isoformat(),
            "items": [{"asset": world.stock[0].pk, "disposition": "disposal"}],
        },
    )
    assert response.status_code == 400
    assert "wipe_certificate" in response.json()


def test_tenancy_and_roles(world):
    order = world.order()  # Fjordvik's school area
    url = f"/api/orders/{order.pk}/"
    assert api_as(world.elvdal_contact).get(url).status_code == 404
    assert api_as(world.health_manager).get(url).status_code == 404
    assert api_as(world.contact).get(url).status_code == 200
    assert post(world.elvdal_contact, url + "submit/").status_code == 404
    assert post(world.elvdal_contact, url + "lines/", {"kind": "product"}).status_code == 404
    listed = api_as(world.health_manager).get("/api/orders/").json()
    assert listed["count"] == 0
    # Another municipality, whatever its id: 403, nothing created.
    for municipality in (world.fjordvik.pk, 999999):
        response = post(world.elvdal_contact, "/api/orders/", {"municipality": municipality})
        assert response.status_code == 403
    assert Order.objects.count() == 1
    # Operator-only steps.
    post(world.school_manager, url + "submit/")
    post(world.contact, url + "approve/")
    assert post(world.contact, url + "accept/").status_code == 403
    assert post(world.operator, url + "approve/").status_code == 403  # not a budget owner
    assert post(world.operator, url + "accept/").status_code == 200
    line = order.lines.get()
    body = {"line": line.pk, "on": timezone.localdate().isoformat(), "asset": world.stock[0].pk}
    assert post(world.contact, "/api/deliveries/", body).status_code == 403
    assert api_as(world.contact).get("/api/orders/delivery-queue/").status_code == 403


def test_a_manager_approving_another_area_is_refused(world):
    order = world.order(by=world.contact, service_area="health")
    post(world.contact, f"/api/orders/{order.pk}/submit/")
    # The school manager does not see the health area's order at all.
    assert post(world.school_manager, f"/api/orders/{order.pk}/approve/").status_code == 404
    response = post(world.health_manager, f"/api/orders/{order.pk}/approve/")
    assert response.status_code == 200
    assert response.json()["state"] == OrderState.APPROVED


def test_bundle_prices_for_a_municipality(world):
    response = api_as(world.contact).get("/api/bundles/", {"municipality": world.fjordvik.pk})
    bundle = response.json()["results"][0]
    # Laptop 300.00 + 2 monitors at 45.5550 rounded to 45.56 each + the workplace 150.00.
    assert Decimal(bundle["monthly_price"]) == Decimal("300.00") + 2 * Decimal("45.56") + Decimal(
        "150.00"
    )
    assert len(bundle["parts"]) == 3
    assert api_as(world.contact).get("/api/bundles/").json()["results"][0]["monthly_price"] is None
    foreign = api_as(world.contact).get("/api/bundles/", {"municipality": world.elvdal.pk})
    assert foreign.status_code == 404
    bad = api_as(world.contact).get("/api/bundles/", {"municipality": "x"})
    assert bad.status_code == 400
    assert "municipality" in bad.json()


def test_review_of_a_non_standard_line(world):
    order = world.order(
        lines=[{"kind": LineKind.NON_STANDARD, "description": "Chair", "justification": "Back"}]
    )
    post(world.school_manager, f"/api/orders/{order.pk}/submit/")
    line = order.lines.get()
    url = f"/api/order-lines/{line.pk}/review/"
    assert post(world.contact, url, {"monthly_price": "10"}).status_code == 403
    bad = post(world.operator, url, {"monthly_price": "-1"})
    assert bad.status_code == 400
    assert "monthly_price" in bad.json()
    reviewed = post(world.operator, url, {"monthly_price": "42.50", "note": "Standard chair"})
    assert reviewed.status_code == 200
    assert reviewed.json()["reviewed"] is True
    assert Decimal(reviewed.json()["monthly_price"]) == Decimal("42.50")


def test_purchasing_figures(world):
    order = world.accepted()
    response = api_as(world.operator).get("/api/purchasing/pending/")
    assert response.json() == [{"product": world.laptop.pk, "units": 1}]
    stock = api_as(world.operator).get("/api/purchasing/stock/").json()
    laptops = next(row for row in stock if row["product"] == world.laptop.pk)
    assert (laptops["in_stock"], laptops["pending"], laptops["shortfall"]) == (3, 1, 0)
    # Elvdal's contact sees none of Fjordvik's orders.
    assert api_as(world.elvdal_contact).get("/api/purchasing/pending/").json() == []
    assert order.state == OrderState.ACCEPTED
