"""Selectors: the orderable catalogue with the municipality's prices, the queues, the
purchasing views — each restricted to what the user may see, in a fixed number of
queries."""

import datetime
from decimal import Decimal

from django.utils import timezone

from samdrift.agreements.models import AgreedPrice, ServiceAgreement
from samdrift.core.actor import acting_as
from samdrift.ordering.choices import LineKind, OrderState
from samdrift.ordering.models import Bundle, OfferRestriction, Order
from samdrift.ordering.selectors import (
    approver_queue,
    lead_times,
    non_standard_share,
    operator_queue,
    orderable_catalogue,
    pending_quantities,
    stock_against_open_orders,
)
from samdrift.ordering.services import (
    accept_order,
    approve_order,
    deliver_line,
    review_line,
    submit_order,
)
from tests import factories

D = datetime.date


def test_the_catalogue_shows_the_agreed_price_and_bundles_from_their_parts(
    world, django_assert_num_queries
):
    agreement = ServiceAgreement.objects.create(
        municipality=world.fjordvik, name="2026", valid_from=D(2026, 1, 1)
    )
    AgreedPrice.objects.create(agreement=agreement, product=world.laptop, amount=Decimal("280"))
    hidden = Bundle.objects.create(name="Elvdal only", code="elvdal")
    OfferRestriction.objects.create(bundle=hidden, municipality=world.elvdal)
    with django_assert_num_queries(5):
        entries = orderable_catalogue(municipality=world.fjordvik, day=D(2026, 11, 1))
    by_name = {e.name: e for e in entries}
    assert set(by_name) == {
        "Standard laptop 14in",
        "Monitor 27in",
        "User workplace",
        "Teacher workstation",
    }
    assert (
        by_name["Standard laptop 14in"].monthly_price,
        by_name["Standard laptop 14in"].price_source,
    ) == (Decimal("280"), "agreed")
    # 280.00 + 2 × 45.56 + 150.00, each part rounded as billed
    assert by_name["Teacher workstation"].monthly_price == Decimal("521.12")
    elvdal = {e.name: e for e in orderable_catalogue(municipality=world.elvdal, day=D(2026, 11, 1))}
    assert elvdal["Standard laptop 14in"].monthly_price == Decimal("300.0000")
    assert elvdal["Elvdal only"].monthly_price == Decimal("0.00")


def test_the_approver_queue(world, django_assert_num_queries):
    mine = world.order(by=world.contact)  # school area, placed by the contact
    with acting_as(world.contact):
        submit_order(order=mine)
    health = world.order(
        by=world.contact,
        service_area="health",
        lines=[{"kind": LineKind.PRODUCT, "product": world.laptop}],
    )
    with acting_as(world.contact):
        submit_order(order=health)
    with django_assert_num_queries(1):
        assert list(approver_queue(world.school_manager)) == [mine]
    assert list(approver_queue(world.health_manager)) == [health]
    assert list(approver_queue(world.contact)) == []  # their own orders
    assert list(approver_queue(world.contact_2)) == [mine, health]
    assert list(approver_queue(world.elvdal_contact)) == []
    assert list(approver_queue(world.operator)) == []
    with acting_as(world.contact_2):
        approve_order(order=mine)
    assert list(approver_queue(world.contact_2)) == [health]


def test_the_operator_queue_lists_lines_left_to_deliver(world, django_assert_num_queries):
    lines = [
        {"kind": LineKind.PRODUCT, "product": world.laptop, "quantity": 2},
        {"kind": LineKind.PRODUCT, "product": world.monitor},
    ]
    order = world.accepted(lines=lines)
    world.order()  # a draft: not in the queue
    with acting_as(world.operator):
        deliver_line(
            line=order.lines.get(product=world.monitor), on=D(2026, 11, 10), asset=world.monitors[0]
        )
    with django_assert_num_queries(2):
        queue = list(operator_queue(world.operator))
        assert [o.pk for o in queue] == [order.pk]
        assert [line.product for line in queue[0].outstanding_lines] == [world.laptop]
    assert list(operator_queue(world.elvdal_contact)) == []


def test_purchasing_views(world, django_assert_num_queries):
    lines = [
        {"kind": LineKind.PRODUCT, "product": world.laptop, "quantity": 3},
        {"kind": LineKind.BUNDLE, "bundle": world.bundle, "quantity": 2},
        {"kind": LineKind.NON_STANDARD, "description": "Pen", "justification": "Art"},
    ]
    order = world.order(lines=lines)
    with acting_as(world.school_manager):
        submit_order(order=order)
    with acting_as(world.operator):
        review_line(line=order.lines.get(kind=LineKind.NON_STANDARD), monthly_price=Decimal(1))
    with acting_as(world.contact):
        approve_order(order=order)
    with acting_as(world.operator):
        line = order.lines.get(kind=LineKind.PRODUCT)
        accept_order(order=order)
        deliver_line(line=line, on=timezone.localdate(), asset=world.stock[0])
    with django_assert_num_queries(4):
        pending = pending_quantities(world.operator)
    # laptops: 3 − 1 delivered + 2 bundles × 1; monitors: 2 bundles × 2
    assert pending == {world.laptop.pk: 4, world.monitor.pk: 4}
    with django_assert_num_queries(5):
        stock = {s.product_id: s for s in stock_against_open_orders(world.operator)}
    assert (stock[world.laptop.pk].in_stock, stock[world.laptop.pk].shortfall) == (2, 2)
    assert (stock[world.monitor.pk].in_stock, stock[world.monitor.pk].shortfall) == (2, 2)
    with django_assert_num_queries(2):
        shares = non_standard_share(world.operator)
    [row] = shares
    today = timezone.localdate()
    assert (row.municipality_id, row.year, row.quarter) == (
        world.fjordvik.pk,
        today.year,
        (today.month - 1) // 3 + 1,
    )
    assert (row.lines, row.non_standard, row.share) == (3, 1, Decimal("0.3333"))
    with django_assert_num_queries(1):
        [lead] = lead_times(world.operator)
    assert (lead.product_id, lead.deliveries, lead.median_days, lead.p90_days) == (
        world.laptop.pk,
        1,
        Decimal(0),
        0,
    )
    # Another municipality sees none of it.
    assert pending_quantities(world.elvdal_contact) == {}
    assert non_standard_share(world.elvdal_contact) == []
    assert lead_times(world.elvdal_contact) == []


def test_lead_time_median_and_90th_percentile(world):
    # Ten deliveries accepted on day 0, delivered 1..10 days later.
    lines = [{"kind": LineKind.PRODUCT, "product": world.laptop, "quantity": 10}]
    order = world.accepted(lines=lines)
    accepted = timezone.localdate(order.accepted_at)
    line = order.lines.get()
    with acting_as(world.operator):
        for days in range(1, 11):
            asset = factories.make_asset(world.laptop)
            deliver_line(line=line, on=accepted + datetime.timedelta(days=days), asset=asset)
    [lead] = lead_times(world.operator)
    # median of 1..10 is 5.5; nearest-rank p90 of ten values is the 9th: 9
    assert (lead.deliveries, lead.median_days, lead.p90_days) == (10, Decimal("5.5"), 9)
    assert Order.objects.get().state == OrderState.DELIVERED
