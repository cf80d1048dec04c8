"""The ordering pages through the test client: a contact orders and submits, a manager
approves their own area's order (another area's is a 404), an operator accepts, delivers
from stock and takes the device back; bad inputs come back as field errors; another
municipality's order is a 404."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from samdrift.core.actor import acting_as
from samdrift.inventory.choices import AssetStatus
from samdrift.inventory.models import Assignment
from samdrift.ordering.choices import LineKind, OrderState
from samdrift.ordering.models import ApprovalRule, Bundle, CatalogueOffer, Order, Return
from samdrift.ordering.services import submit_order
from tests import factories

pytestmark = pytest.mark.django_db


def _errors(response, field: str) -> list[str]:
    """The errors a page shows next to ``field`` of the form in its context."""
    for key in response.context.keys():  # noqa: SIM118 (a ContextList iterates contexts)
        value = response.context[key]
        if hasattr(value, "errors") and hasattr(value, "fields") and field in value.errors:
            return list(value.errors[field])
    raise AssertionError(f"no error on {field}")


def test_catalogue_shows_the_municipality_s_prices(world):
    client = factories.client_for(world.contact)
    response = client.get(reverse("ordering:catalogue"))
    assert response.status_code == 200
    entries = {(e.kind, e.item_id): e for e in response.context["entries"]}
    assert entries[("product", world.laptop.pk)].monthly_price == Decimal("300.00")
    # the bundle: laptop 300 + 2 monitors at round(45.555) = 45.56 each + workplace 150
    assert entries[("bundle", world.bundle.pk)].monthly_price == Decimal("541.12")
    assert "Teacher workstation" in response.content.decode()


def test_operator_picks_the_municipality(world):
    client = factories.client_for(world.operator)
    assert client.get(reverse("ordering:catalogue")).context["entries"] == []
    response = client.get(reverse("ordering:catalogue"), {"municipality": world.elvdal.pk})
    assert response.status_code == 200 and response.context["municipality"] == world.elvdal


def test_contact_orders_and_submits(world):
    client = factories.client_for(world.contact)
    url = reverse("ordering:catalogue")
    response = client.post(url, {"kind": "product", "item": world.laptop.pk, "quantity": 2})
    assert response.status_code == 302
    order = Order.objects.get(created_by=world.contact)
    assert order.state == OrderState.DRAFT
    client.post(url, {"kind": "bundle", "item": world.bundle.pk, "quantity": 1})
    assert order.lines.count() == 2  # the same basket
    assert client.get(reverse("ordering:basket"))["Location"] == reverse(
        "ordering:order_detail", args=[order.pk]
    )
    line = order.lines.get(kind=LineKind.PRODUCT)
    response = client.post(
        reverse("ordering:line_edit", args=[order.pk, line.pk]),
        {f"line-{line.pk}-quantity": 3, f"line-{line.pk}-person": world.teacher.pk},
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.quantity, line.person) == (3, world.teacher)
    response = client.post(
        reverse("ordering:non_standard_add", args=[order.pk]),
        {"ns-description": "Braille keyboard", "ns-justification": "", "ns-quantity": 1},
    )
    assert response.status_code == 400
    assert _errors(response, "justification")
    client.post(
        reverse("ordering:non_standard_add", args=[order.pk]),
        {"ns-description": "Braille keyboard", "ns-justification": "Sight", "ns-quantity": 1},
    )
    client.post(
        reverse("ordering:order_edit", args=[order.pk]),
        {"service_area": world.school.pk, "comment": "Start of term"},
    )
    response = client.post(reverse("ordering:order_submit", args=[order.pk]), {})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.SUBMITTED
    assert order.service_area == world.school
    # 3 laptops at 300 + the bundle at 541.12; the non-standard line is priced by review
    assert order.monthly_total == Decimal("1441.12")
    page = client.get(reverse("ordering:order_detail", args=[order.pk]))
    assert "Braille keyboard" in page.content.decode()
    assert page.context["transitions"][0].by == world.contact


def test_quantity_zero_is_a_field_error(world):
    client = factories.client_for(world.contact)
    response = client.post(
        reverse("ordering:catalogue"), {"kind": "product", "item": world.laptop.pk, "quantity": 0}
    )
    assert response.status_code == 400
    assert _errors(response, "quantity")
    assert not Order.objects.filter(lines__isnull=False).exists()


def test_submit_with_a_passed_needed_by_shows_it_on_the_field(world):
    order = world.order(by=world.school_manager)
    Order.objects.filter(pk=order.pk).update(needed_by=datetime.date(2020, 1, 1))
    client = factories.client_for(world.school_manager)
    response = client.post(reverse("ordering:order_submit", args=[order.pk]), {})
    assert response.status_code == 400
    assert _errors(response, "needed_by")
    order.refresh_from_db()
    assert order.state == OrderState.DRAFT


def test_manager_approves_own_area_not_another(world):
    own = world.order(by=world.contact, service_area="school")
    other = world.order(by=world.contact, service_area="health")
    with acting_as(world.contact):
        submit_order(order=own)
        submit_order(order=other)
    client = factories.client_for(world.school_manager)
    queue = client.get(reverse("ordering:approvals"))
    assert [o.pk for o in queue.context["page"].object_list] == [own.pk]
    response = client.post(reverse("ordering:order_approve", args=[own.pk]), {"approve-note": ""})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.state == OrderState.APPROVED
    assert client.get(reverse("ordering:order_detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("ordering:order_approve", args=[other.pk]), {}).status_code == 404
    other.refresh_from_db()
    assert other.state == OrderState.SUBMITTED


def test_reject_needs_a_reason(world):
    order = world.order(by=world.school_manager)
    with acting_as(world.school_manager):
        submit_order(order=order)
    client = factories.client_for(world.contact)
    url = reverse("ordering:order_reject", args=[order.pk])
    response = client.post(url, {"reject-reason": ""})
    assert response.status_code == 400
    assert _errors(response, "reason")
    assert client.post(url, {"reject-reason": "Too dear"}).status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.REJECTED
    assert order.transitions.last().note == "Too dear"


def test_operator_accepts_delivers_from_stock_and_takes_back(world):
    order = world.order(by=world.school_manager)
    with acting_as(world.school_manager):
        submit_order(order=order)
    with acting_as(world.contact):
        from samdrift.ordering.services import approve_order

        approve_order(order=order)
    client = factories.client_for(world.operator)
    assert client.post(reverse("ordering:order_accept", args=[order.pk]), {}).status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.ACCEPTED
    queue = client.get(reverse("ordering:deliveries"))
    assert [o.pk for o in queue.context["page"].object_list] == [order.pk]
    line = order.lines.get()
    today = timezone.localdate()
    url = reverse("ordering:line_deliver", args=[line.pk])
    assert client.get(url).status_code == 200
    # a monitor is another product: refused on the asset field, nothing delivered
    response = client.post(
        url, {"on": today.isoformat(), "asset": world.monitors[0].pk, "person": world.teacher.pk}
    )
    assert response.status_code == 400
    assert _errors(response, "asset")
    line.refresh_from_db()
    assert line.delivered_quantity == 0
    asset = world.stock[0]
    response = client.post(
        url, {"on": today.isoformat(), "asset": asset.pk, "person": world.teacher.pk}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.DELIVERED
    held = Assignment.objects.get(asset=asset, valid_to__isnull=True)
    assert (held.person, held.valid_from) == (world.teacher, today)
    # the return: the person's devices, a date, where each goes
    create = reverse("ordering:return_create")
    step = client.get(create, {"municipality": world.fjordvik.pk, "person": world.teacher.pk})
    assert [a.pk for a in step.context["form"].assets] == [asset.pk]
    query = f"?municipality={world.fjordvik.pk}&person={world.teacher.pk}"
    later = today + datetime.timedelta(days=5)
    response = client.post(
        create + query,
        {
            "return_on": later.isoformat(),
            f"take_{asset.pk}": "on",
            f"disposition_{asset.pk}": "disposal",
            f"certificate_{asset.pk}": "",
        },
    )
    assert response.status_code == 400  # disposal needs the wipe certificate
    response = client.post(
        create + query,
        {
            "return_on": later.isoformat(),
            f"take_{asset.pk}": "on",
            f"disposition_{asset.pk}": "stock",
        },
    )
    assert response.status_code == 302
    ret = Return.objects.get()
    assert client.get(reverse("ordering:return_detail", args=[ret.pk])).status_code == 200
    held.refresh_from_db()
    asset.refresh_from_db()
    assert held.valid_to == later and asset.status == AssetStatus.IN_STOCK


def test_operator_registers_a_newly_bought_device(world):
    order = world.accepted()
    line = order.lines.get()
    client = factories.client_for(world.operator)
    response = client.post(
        reverse("ordering:line_deliver", args=[line.pk]),
        {
            "on": timezone.localdate().isoformat(),
            "new_tag": "NEW-001",
            "new_serial": "SN-NEW-1",
            "new_cost": "9 990,00",
            "person": world.teacher.pk,
        },
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    assert Assignment.objects.filter(asset__asset_tag="NEW-001", person=world.teacher).exists()


def test_only_operators_deliver_accept_and_return(world):
    order = world.accepted()
    line = order.lines.get()
    client = factories.client_for(world.contact)
    assert client.get(reverse("ordering:line_deliver", args=[line.pk])).status_code == 403
    assert client.get(reverse("ordering:deliveries")).status_code == 403
    assert client.get(reverse("ordering:return_create")).status_code == 403


def test_another_municipality_s_order_is_hidden(world):
    order = world.order(by=world.contact)
    client = factories.client_for(world.elvdal_contact)
    assert client.get(reverse("ordering:order_detail", args=[order.pk])).status_code == 404
    assert client.post(reverse("ordering:order_submit", args=[order.pk])).status_code == 404
    listed = client.get(reverse("ordering:order_list"))
    assert order not in list(listed.context["rows"])
    assert (
        client.get(reverse("ordering:order_list"), {"municipality": world.fjordvik.pk}).status_code
        == 404
    )


def test_order_list_filters_by_state(world):
    draft = world.order(by=world.contact)
    submitted = world.order(by=world.contact)
    with acting_as(world.contact):
        submit_order(order=submitted)
    client = factories.client_for(world.contact)
    response = client.get(reverse("ordering:order_list"), {"state": "submitted"})
    assert [o.pk for o in response.context["rows"]] == [submitted.pk]
    assert draft.pk not in [o.pk for o in response.context["rows"]]


def test_purchasing_for_those_who_see_all(world):
    world.accepted()
    client = factories.client_for(world.operator)
    response = client.get(reverse("ordering:purchasing"))
    assert response.status_code == 200
    pending = response.context["tables"][1][2]
    assert pending == [[world.laptop.name, 1]]
    export = client.get(reverse("ordering:purchasing"), {"export": "xlsx"})
    assert export.status_code == 200 and export.content[:2] == b"PK"
    assert (
        factories.client_for(world.contact).get(reverse("ordering:purchasing")).status_code == 403
    )


def test_operator_edits_offers_and_bundles(world):
    client = factories.client_for(world.operator)
    offer = CatalogueOffer.objects.get(product=world.laptop)
    response = client.post(
        reverse("ordering:offer_edit", args=[offer.pk]),
        {"product": world.laptop.pk, "standard": "on", "active": "on", "lead_time_days": 7},
    )
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.lead_time_days == 7
    response = client.post(
        reverse("ordering:bundle_create"),
        {"name": "Pupil kit", "code": "pupil", "lead_time_days": 3, "active": "on"},
    )
    assert response.status_code == 302
    bundle = Bundle.objects.get(code="pupil")
    response = client.post(
        reverse("ordering:bundle_part_add", args=[bundle.pk]),
        {"part-product": world.laptop.pk, "part-quantity": 1},
    )
    assert response.status_code == 302
    assert bundle.parts.count() == 1
    # neither item nor both: the model's rule, shown on the form
    response = client.post(
        reverse("ordering:bundle_part_add", args=[bundle.pk]),
        {"part-quantity": 1},
    )
    assert response.status_code == 400
    assert (
        factories.client_for(world.contact).get(reverse("ordering:offer_create")).status_code == 403
    )


def test_contact_sets_their_own_approval_rule(world):
    client = factories.client_for(world.contact)
    response = client.post(
        reverse("ordering:approval_rule"), {"contact_approval_above": "5 000,00"}
    )
    assert response.status_code == 302
    rule = ApprovalRule.objects.get(municipality=world.fjordvik)
    assert rule.contact_approval_above == Decimal("5000.00")
    assert not rule.allow_self_approval
    # a contact cannot pick another municipality
    client.post(
        reverse("ordering:approval_rule"),
        {"municipality": world.elvdal.pk, "contact_approval_above": "1"},
    )
    assert not ApprovalRule.objects.filter(municipality=world.elvdal).exists()
    assert (
        factories.client_for(world.school_manager)
        .get(reverse("ordering:approval_rule"))
        .status_code
        == 403
    )


def test_operator_delivers_a_bundle_part_by_part(world):
    order = world.accepted(
        lines=[{"kind": LineKind.BUNDLE, "bundle": world.bundle, "person": world.teacher}]
    )
    line = order.lines.get()
    client = factories.client_for(world.operator)
    url = reverse("ordering:line_deliver", args=[line.pk])
    page = client.get(url)
    assert page.status_code == 200
    parts = {p.service_id or p.product_id: p for p in world.bundle.parts.all()}
    today = timezone.localdate().isoformat()
    # the workplace service: just the date
    response = client.post(url, {"on": today, "part": parts[world.workplace.pk].pk})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.PARTLY_DELIVERED
    # a laptop part without an asset: the service says which field is missing
    response = client.post(url, {"on": today, "part": parts[world.laptop.pk].pk})
    assert response.status_code == 400
