"""The ordering demo step: offers and bundles, an approval rule, orders in every state
placed through the services as the demo logins, a bulk school order, a return, and the
installation fees billed."""

import pytest

from samdrift.billing.choices import ChargeSource
from samdrift.billing.models import Charge, OneOffCharge
from samdrift.core.choices import Role
from samdrift.inventory.choices import AssetStatus
from samdrift.ordering.choices import LineKind, OrderState, ReturnDisposition
from samdrift.ordering.models import (
    ApprovalRule,
    Bundle,
    CatalogueOffer,
    Delivery,
    Order,
    OrderLine,
    OrderTransition,
    ReturnLine,
)

pytestmark = pytest.mark.django_db


def test_orders_in_every_state(demo):
    states = set(Order.objects.values_list("state", flat=True))
    assert states == set(OrderState.values)
    rejected = Order.objects.filter(state=OrderState.REJECTED)
    assert all(
        order.transitions.get(to_state=OrderState.REJECTED).note.strip() for order in rejected
    )
    assert Order.objects.values("municipality").distinct().count() == len(demo.municipalities)


def test_offers_bundles_and_an_approval_rule(demo):
    assert CatalogueOffer.objects.filter(one_off_fee__gt=0).exists()
    assert CatalogueOffer.objects.filter(one_off_fee__isnull=True).exists()
    teacher = Bundle.objects.get(name="Lærerarbeidsplass")
    assert teacher.parts.filter(product__isnull=False).exists()
    assert teacher.parts.filter(service__isnull=False).exists()
    rule = ApprovalRule.objects.exclude(contact_approval_above=None).get()
    assert rule.contact_approval_above == 5000


def test_the_bulk_school_order_of_thirty_is_partly_delivered_from_stock(demo):
    line = OrderLine.objects.get(kind=LineKind.PRODUCT, quantity=30)
    assert line.person is None and line.product.category.code == "pupil-device"
    assert line.order.state == OrderState.PARTLY_DELIVERED
    assert 0 < line.delivered_quantity < 30
    deliveries = Delivery.objects.filter(line=line).select_related("asset")
    assert deliveries.count() == line.delivered_quantity
    assert all(d.asset.product_id == line.product_id for d in deliveries)
    assert all(d.asset.status == AssetStatus.DEPLOYED for d in deliveries)
    # Above the 5 000 kr rule: two approvals, a manager's and the contact's.
    approvals = line.order.transitions.exclude(approval_as="")
    assert sorted(approvals.values_list("approval_as", flat=True)) == ["contact", "manager"]


def test_transitions_are_audited_with_the_users(demo):
    rows = OrderTransition.objects.select_related("by")
    assert rows.exists() and not rows.filter(by__isnull=True).exists()
    roles = {row.by.role for row in rows}
    assert {Role.OPERATOR, Role.MUNICIPALITY, Role.SERVICE_AREA} <= roles
    accepted = rows.filter(to_state=OrderState.ACCEPTED)
    assert {row.by.username for row in accepted} == {"admin"}
    # Dated before "today" of the demo, in the order they happened.
    assert all(row.at.date() <= demo.today for row in rows)
    for order in Order.objects.exclude(state=OrderState.DRAFT):
        times = list(order.transitions.order_by("pk").values_list("at", flat=True))
        assert times == sorted(times), order.number


def test_a_non_standard_request_is_reviewed_by_the_operator(demo):
    line = OrderLine.objects.get(kind=LineKind.NON_STANDARD)
    assert line.reviewed and line.monthly_price is not None and line.review_note


def test_a_person_leaving_returns_devices_one_to_disposal_with_a_certificate(demo):
    lines = ReturnLine.objects.filter(asset__isnull=False).select_related("asset")
    dispositions = {line.disposition: line for line in lines}
    assert dispositions[ReturnDisposition.STOCK].asset.status == AssetStatus.IN_STOCK
    disposed = dispositions[ReturnDisposition.DISPOSAL]
    assert disposed.wipe_certificate and disposed.asset.status == AssetStatus.DISPOSED


def test_installation_fees_are_charged_and_billed(demo):
    fees = OneOffCharge.objects.filter(reference__startswith="B-")
    assert fees.exists()
    for fee in fees:
        order = Order.objects.get(number=fee.reference)
        line_fees = {line.one_off_fee for line in order.lines.all()}
        assert fee.unit_price in line_fees
        assert fee.date in set(
            Delivery.objects.filter(line__order=order).values_list("delivered_on", flat=True)
        )
    billed = Charge.objects.filter(source=ChargeSource.ONE_OFF, source_id__in=fees.values("pk"))
    assert billed.exists()
