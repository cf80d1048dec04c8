"""Ordering services: drafting, submitting, the approval rule, review, delivery, returns,
and every bad input of the issue's acceptance — a clear error naming the field, nothing
changed."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from samdrift.core.actor import acting_as
from samdrift.inventory.choices import AssetStatus
from samdrift.inventory.models import Assignment, Subscription
from samdrift.ordering.choices import ApprovalCapacity, LineKind, OrderState
from samdrift.ordering.models import (
    CatalogueOffer,
    Delivery,
    OfferRestriction,
    Order,
    OrderLine,
    OrderTransition,
    ReturnLine,
)
from samdrift.ordering.services import (
    accept_order,
    add_line,
    approve_order,
    cancel_order,
    create_order,
    deliver_line,
    reject_order,
    remove_line,
    return_assets,
    review_line,
    set_approval_rule,
    submit_order,
    update_line,
)
from tests import factories

D = datetime.date
ON = D(2026, 11, 10)


def fields_of(error: pytest.ExceptionInfo) -> set[str]:
    return set(error.value.message_dict)


def snapshot(order):
    order.refresh_from_db()
    return (
        order.state,
        list(order.lines.values_list("pk", "quantity", "delivered_quantity", "monthly_price")),
        order.transitions.count(),
        Delivery.objects.count(),
        Assignment.objects.count(),
    )


# Drafting and submitting ---------------------------------------------------------------------


def test_orders_are_numbered_by_year(world):
    first, second = world.order(), world.order()
    year = datetime.date.today().year
    assert first.number == f"B-{year}-000001"
    assert second.number == f"B-{year}-000002"
    assert first.created_by == world.school_manager and first.state == OrderState.DRAFT


@pytest.mark.parametrize("quantity", [0, -1])
def test_quantity_zero_or_negative_is_refused(world, quantity):
    order = world.order()
    before = snapshot(order)
    with acting_as(world.school_manager), pytest.raises(ValidationError) as error:
        add_line(order=order, kind=LineKind.PRODUCT, product=world.laptop, quantity=quantity)
    assert fields_of(error) == {"quantity"}
    line = order.lines.get()
    with acting_as(world.school_manager), pytest.raises(ValidationError) as error:
        update_line(line=line, changes={"quantity": quantity})
    assert fields_of(error) == {"quantity"}
    assert snapshot(order) == before


def test_a_person_of_another_municipality_is_refused(world):
    order = world.order()
    before = snapshot(order)
    with acting_as(world.school_manager), pytest.raises(ValidationError) as error:
        add_line(
            order=order, kind=LineKind.PRODUCT, product=world.laptop, person=world.elvdal_person
        )
    assert fields_of(error) == {"person"}
    assert str(world.elvdal_person) in str(error.value)
    assert snapshot(order) == before


def test_a_manager_orders_only_for_their_own_area_and_municipality(world):
    with acting_as(world.school_manager), pytest.raises(ValidationError) as error:
        create_order(municipality=world.fjordvik, service_area=world.health)
    assert fields_of(error) == {"service_area"}
    with acting_as(world.school_manager), pytest.raises(ValidationError) as error:
        create_order(municipality=world.elvdal)
    assert "municipality" in fields_of(error)
    with acting_as(world.school_manager):
        order = create_order(municipality=world.fjordvik)
    assert order.service_area == world.school
    assert Order.objects.count() == 1


def test_only_orderable_items_may_be_ordered(world):
    other = factories.make_product(name="Gaming rig")  # no offer
    restricted = CatalogueOffer.objects.get(product=world.monitor)
    OfferRestriction.objects.create(offer=restricted, municipality=world.elvdal)
    order = world.order()
    with acting_as(world.school_manager):
        for product in (other, world.monitor):
            with pytest.raises(ValidationError) as error:
                add_line(order=order, kind=LineKind.PRODUCT, product=product)
            assert fields_of(error) == {"product"}
    OfferRestriction.objects.create(offer=restricted, municipality=world.fjordvik)
    with acting_as(world.school_manager):
        add_line(order=order, kind=LineKind.PRODUCT, product=world.monitor)
    assert order.lines.count() == 2


def test_a_non_standard_request_needs_description_and_justification(world):
    order = world.order()
    with acting_as(world.school_manager), pytest.raises(ValidationError) as error:
        add_line(order=order, kind=LineKind.NON_STANDARD, description=" ")
    assert fields_of(error) == {"description", "justification"}


def test_submission_snapshots_prices_and_totals(world):
    lines = [
        {"kind": LineKind.PRODUCT, "product": world.monitor, "quantity": 3},
        {"kind": LineKind.SERVICE, "service": world.workplace, "person": world.teacher},
        {"kind": LineKind.BUNDLE, "bundle": world.bundle, "person": world.teacher},
    ]
    order = world.order(lines=lines)
    with acting_as(world.school_manager):
        submit_order(order=order)
    order.refresh_from_db()
    monitor, workplace, bundle = order.lines.order_by("pk")
    assert monitor.monthly_price == Decimal("45.5550") and monitor.price_source == "list"
    assert workplace.one_off_fee == Decimal("500.00")
    # A bundle a month: the laptop, two monitors each rounded as billed, the workplace.
    assert bundle.monthly_price == Decimal("300.00") + 2 * Decimal("45.56") + Decimal("150.00")
    assert order.monthly_total == 3 * Decimal("45.56") + Decimal("150.00") + Decimal("541.12")
    assert order.one_off_total == Decimal("500.00") + Decimal("750.00")
    assert order.state == OrderState.SUBMITTED and order.submitted_at is not None


def test_submitting_reports_every_bad_line_and_changes_nothing(world):
    order = world.order(
        lines=[
            {"kind": LineKind.PRODUCT, "product": world.laptop},
            {"kind": LineKind.PRODUCT, "product": world.monitor},
        ]
    )
    CatalogueOffer.objects.filter(product=world.monitor).update(active=False)
    # The database refuses a quantity below 1 outright (a check constraint); a person
    # who moved to another municipality after the line was added is caught here.
    OrderLine.objects.filter(order=order, product=world.laptop).update(person=world.elvdal_person)
    before = snapshot(order)
    with acting_as(world.school_manager), pytest.raises(ValidationError) as error:
        submit_order(order=order)
    assert fields_of(error) == {"person", "product"}
    assert "Line 1" in str(error.value) and "Line 2" in str(error.value)
    assert snapshot(order) == before


def test_lines_change_only_in_a_draft(world):
    order = world.order()
    with acting_as(world.school_manager):
        submit_order(order=order)
        with pytest.raises(ValidationError) as error:
            remove_line(line=order.lines.get())
    assert fields_of(error) == {"state"}
    assert order.lines.count() == 1


# Approval ---------------------------------------------------------------------------------------


def submitted(world, **kwargs):
    order = world.order(**kwargs)
    with acting_as(kwargs.get("by") or world.school_manager):
        submit_order(order=order)
    return order


def test_the_manager_of_the_area_approves(world):
    order = submitted(world, by=world.contact)
    with acting_as(world.school_manager):
        approve_order(order=order, note="ok")
    order.refresh_from_db()
    assert order.state == OrderState.APPROVED
    row = order.transitions.get(to_state=OrderState.APPROVED)
    assert (row.by, row.approval_as, row.note) == (
        world.school_manager,
        ApprovalCapacity.MANAGER,
        "ok",
    )


def test_a_manager_of_another_area_is_refused(world):
    order = submitted(world)
    before = snapshot(order)
    with acting_as(world.health_manager), pytest.raises(ValidationError) as error:
        approve_order(order=order)
    assert fields_of(error) == {"service_area"}
    assert snapshot(order) == before


def test_other_municipalities_and_operators_do_not_approve(world):
    order = submitted(world)
    before = snapshot(order)
    for user in (world.elvdal_contact, world.operator):
        with acting_as(user), pytest.raises(ValidationError) as error:
            approve_order(order=order)
        assert fields_of(error) == {"user"}
    assert snapshot(order) == before


def test_approving_ones_own_order_is_refused_unless_the_rule_allows_it(world):
    order = submitted(world)  # by the school manager
    before = snapshot(order)
    with acting_as(world.school_manager), pytest.raises(ValidationError) as error:
        approve_order(order=order)
    assert fields_of(error) == {"created_by"}
    assert snapshot(order) == before
    set_approval_rule(
        municipality=world.fjordvik, contact_approval_above=None, allow_self_approval=True
    )
    with acting_as(world.school_manager):
        approve_order(order=order)
    order.refresh_from_db()
    assert order.state == OrderState.APPROVED


def test_above_the_rule_amount_the_contact_must_approve_as_well(world):
    # Two laptops: 2 × 300.00 = 600.00 a month, above 500.
    set_approval_rule(municipality=world.fjordvik, contact_approval_above=Decimal("500"))
    lines = [{"kind": LineKind.PRODUCT, "product": world.laptop, "quantity": 2}]
    order = submitted(world, by=world.contact_2, lines=lines)
    order.refresh_from_db()
    assert order.monthly_total == Decimal("600.00")
    with acting_as(world.school_manager):
        approve_order(order=order)
    order.refresh_from_db()
    assert order.state == OrderState.SUBMITTED  # one approval of two
    with acting_as(world.school_manager), pytest.raises(ValidationError):
        approve_order(order=order)  # not twice by the same person
    with acting_as(world.contact):
        approve_order(order=order)
    order.refresh_from_db()
    assert order.state == OrderState.APPROVED
    assert list(
        order.transitions.exclude(approval_as="").values_list("by", "approval_as", "to_state")
    ) == [
        (world.school_manager.pk, ApprovalCapacity.MANAGER, OrderState.SUBMITTED),
        (world.contact.pk, ApprovalCapacity.CONTACT, OrderState.APPROVED),
    ]


def test_at_or_below_the_rule_amount_one_approval_suffices(world):
    set_approval_rule(municipality=world.fjordvik, contact_approval_above=Decimal("300.00"))
    order = submitted(world, by=world.contact_2)  # one laptop: 300.00, not above
    with acting_as(world.school_manager):
        approve_order(order=order)
    order.refresh_from_db()
    assert order.state == OrderState.APPROVED


def test_rejection_needs_a_reason(world):
    order = submitted(world)
    with acting_as(world.contact), pytest.raises(ValidationError) as error:
        reject_order(order=order, reason="  ")
    assert fields_of(error) == {"reason"}
    with acting_as(world.contact):
        reject_order(order=order, reason="No budget")
    order.refresh_from_db()
    assert order.state == OrderState.REJECTED
    assert order.transitions.get(to_state=OrderState.REJECTED).note == "No budget"


def test_cancelling_before_delivery_by_creator_contact_or_operator(world):
    for user in (world.school_manager, world.contact, world.operator):
        order = submitted(world)
        with acting_as(user):
            cancel_order(order=order, reason="changed plans")
        order.refresh_from_db()
        assert order.state == OrderState.CANCELLED
    order = submitted(world)
    with acting_as(world.health_manager), pytest.raises(ValidationError) as error:
        cancel_order(order=order)
    assert fields_of(error) == {"user"}


def test_a_partly_delivered_order_is_not_cancelled(world):
    lines = [{"kind": LineKind.PRODUCT, "product": world.laptop, "quantity": 2}]
    order = world.accepted(lines=lines)
    with acting_as(world.operator):
        deliver_line(line=order.lines.get(), on=ON, asset=world.stock[0])
        with pytest.raises(ValidationError) as error:
            cancel_order(order=order)
    assert fields_of(error) == {"state"}


# Non-standard review ------------------------------------------------------------------------


def test_a_non_standard_line_is_reviewed_and_priced_before_acceptance(world):
    lines = [
        {
            "kind": LineKind.NON_STANDARD,
            "description": "Braille display",
            "justification": "Visually impaired teacher",
            "person": world.teacher,
        }
    ]
    order = submitted(world, lines=lines)
    # The budget owner approves a priced total: not before the operator's review.
    with acting_as(world.contact), pytest.raises(ValidationError) as error:
        approve_order(order=order)
    assert fields_of(error) == {"lines"}
    order.refresh_from_db()
    assert order.state == OrderState.SUBMITTED and not order.transitions.filter(approval_as__gt="")
    line = order.lines.get()
    with acting_as(world.operator):
        review_line(line=line, monthly_price=Decimal("410.00"), one_off_fee=Decimal("99"))
    with acting_as(world.contact):
        approve_order(order=order)
    # Once approved, the price is what was approved: no second review.
    with acting_as(world.operator), pytest.raises(ValidationError) as error:
        review_line(line=line, monthly_price=Decimal("900.00"))
    assert fields_of(error) == {"state"}
    with acting_as(world.operator):
        accept_order(order=order)
        delivery = deliver_line(line=line, on=ON)
    order.refresh_from_db()
    line.refresh_from_db()
    assert line.reviewed and line.monthly_price == Decimal("410.00")
    assert order.monthly_total == Decimal("410.00") and order.one_off_total == Decimal("99.00")
    assert delivery.asset is None and delivery.quantity == 1
    assert order.state == OrderState.DELIVERED


# Delivery --------------------------------------------------------------------------------------


def test_delivering_assigns_the_asset_from_the_delivery_date(world):
    order = world.accepted()
    line = order.lines.get()
    asset = world.stock[0]
    with acting_as(world.operator):
        delivery = deliver_line(line=line, on=ON, asset=asset)
    assignment = Assignment.objects.get(asset=asset)
    assert (assignment.valid_from, assignment.valid_to) == (ON, None)
    assert (assignment.municipality, assignment.service_area, assignment.person) == (
        world.fjordvik,
        world.school,
        world.teacher,
    )
    asset.refresh_from_db()
    assert asset.status == AssetStatus.DEPLOYED
    assert delivery.by == world.operator
    order.refresh_from_db()
    assert order.state == OrderState.DELIVERED
    assert order.transitions.get(to_state=OrderState.DELIVERED).from_state == OrderState.ACCEPTED


def test_partial_deliveries(world):
    lines = [{"kind": LineKind.PRODUCT, "product": world.laptop, "quantity": 2}]
    order = world.accepted(lines=lines)
    line = order.lines.get()
    with acting_as(world.operator):
        deliver_line(line=line, on=ON, asset=world.stock[0])
        order.refresh_from_db()
        assert order.state == OrderState.PARTLY_DELIVERED
        deliver_line(
            line=line,
            on=ON,
            new_asset={"tag": "NEW-1", "serial": "S-NEW-1", "acquisition_cost": Decimal("9000")},
        )
    order.refresh_from_db()
    line.refresh_from_db()
    assert line.delivered_quantity == 2 and order.state == OrderState.DELIVERED
    new = Delivery.objects.get(asset__asset_tag="NEW-1").asset
    assert new.product == world.laptop and new.acquisition_cost == Decimal("9000.00")


def test_delivering_more_than_ordered_is_refused(world):
    order = world.accepted()
    line = order.lines.get()
    Order.objects.filter(pk=order.pk).update(state=OrderState.PARTLY_DELIVERED)
    with acting_as(world.operator):
        deliver_line(line=line, on=ON, asset=world.stock[0])
    order.refresh_from_db()
    Order.objects.filter(pk=order.pk).update(state=OrderState.PARTLY_DELIVERED)
    before = snapshot(order)
    with acting_as(world.operator), pytest.raises(ValidationError) as error:
        deliver_line(line=line, on=ON, asset=world.stock[1])
    assert fields_of(error) == {"quantity"}
    assert "more than ordered" in str(error.value)
    assert snapshot(order) == before
    world.stock[1].refresh_from_db()
    assert world.stock[1].status == AssetStatus.IN_STOCK


def test_an_asset_of_another_product_or_not_in_stock_is_refused(world):
    order = world.accepted()
    line = order.lines.get()
    deployed = world.stock[2]
    with acting_as(world.operator):
        deliver_line(line=world.accepted().lines.get(), on=ON, asset=deployed)
    in_repair = factories.make_asset(world.laptop, status=AssetStatus.IN_REPAIR)
    before = snapshot(order)
    for asset, needle in (
        (world.monitors[0], "Monitor 27in"),
        (deployed, "not in stock"),
        (in_repair, "not in stock"),
    ):
        with acting_as(world.operator), pytest.raises(ValidationError) as error:
            deliver_line(line=line, on=ON, asset=asset)
        assert fields_of(error) == {"asset"}
        assert needle in str(error.value)
    assert snapshot(order) == before


def test_only_an_accepted_order_is_delivered(world):
    order = submitted(world)
    with acting_as(world.operator), pytest.raises(ValidationError) as error:
        deliver_line(line=order.lines.get(), on=ON, asset=world.stock[0])
    assert fields_of(error) == {"state"}
    assert not Delivery.objects.exists()


def test_a_service_line_starts_a_subscription_that_day(world):
    lines = [{"kind": LineKind.SERVICE, "service": world.workplace, "quantity": 3}]
    order = world.accepted(lines=lines)
    with acting_as(world.operator):
        deliver_line(line=order.lines.get(), on=ON, quantity=2)
        deliver_line(line=order.lines.get(), on=ON + datetime.timedelta(days=1))
    subscriptions = Subscription.objects.order_by("valid_from")
    assert [(s.valid_from, s.quantity, s.service_area) for s in subscriptions] == [
        (ON, Decimal("2.000"), world.school),
        (ON + datetime.timedelta(days=1), Decimal("1.000"), world.school),
    ]
    order.refresh_from_db()
    assert order.state == OrderState.DELIVERED


def test_a_bundle_is_delivered_part_by_part(world):
    lines = [{"kind": LineKind.BUNDLE, "bundle": world.bundle, "person": world.teacher}]
    order = world.accepted(lines=lines)
    line = order.lines.get()
    laptop_part, monitor_part, workplace_part = world.bundle.parts.order_by("pk")
    with acting_as(world.operator):
        with pytest.raises(ValidationError) as error:
            deliver_line(line=line, on=ON, asset=world.stock[0])
        assert fields_of(error) == {"part"}
        deliver_line(line=line, on=ON, part=laptop_part, asset=world.stock[0])
        deliver_line(line=line, on=ON, part=monitor_part, asset=world.monitors[0])
        line.refresh_from_db()
        assert line.delivered_quantity == 0
        deliver_line(line=line, on=ON, part=monitor_part, asset=world.monitors[1])
        with pytest.raises(ValidationError) as error:
            deliver_line(line=line, on=ON, part=laptop_part, asset=world.stock[1])
        assert fields_of(error) == {"quantity"}
        deliver_line(line=line, on=ON, part=workplace_part)
    line.refresh_from_db()
    order.refresh_from_db()
    assert line.delivered_quantity == 1 and order.state == OrderState.DELIVERED
    assert Assignment.objects.filter(person=world.teacher, valid_from=ON).count() == 3


# Returns ----------------------------------------------------------------------------------------


def test_a_return_ends_assignment_and_subscriptions_on_the_date(world):
    lines = [
        {"kind": LineKind.PRODUCT, "product": world.laptop, "person": world.teacher},
        {"kind": LineKind.PRODUCT, "product": world.monitor, "person": world.teacher},
        {"kind": LineKind.SERVICE, "service": world.workplace, "person": world.teacher},
    ]
    order = world.accepted(lines=lines)
    laptop_line, monitor_line, service_line = order.lines.order_by("pk")
    back = D(2026, 11, 20)
    with acting_as(world.operator):
        deliver_line(line=laptop_line, on=ON, asset=world.stock[0])
        deliver_line(line=monitor_line, on=ON, asset=world.monitors[0])
        deliver_line(line=service_line, on=ON)
        with pytest.raises(ValidationError) as error:
            return_assets(
                municipality=world.fjordvik,
                person=world.teacher,
                on=back,
                items=[(world.monitors[0], "disposal", "")],
            )
        assert fields_of(error) == {"wipe_certificate"}
        ret = return_assets(
            municipality=world.fjordvik,
            person=world.teacher,
            on=back,
            reason="Left the job",
            items=[(world.stock[0], "stock", ""), (world.monitors[0], "disposal", "WIPE-42")],
        )
    assert set(Assignment.objects.values_list("valid_to", flat=True)) == {back}
    assert Subscription.objects.get().valid_to == back
    world.stock[0].refresh_from_db()
    world.monitors[0].refresh_from_db()
    assert world.stock[0].status == AssetStatus.IN_STOCK
    assert world.monitors[0].status == AssetStatus.DISPOSED
    assert ReturnLine.objects.filter(ret=ret).count() == 3
    assert ReturnLine.objects.get(asset=world.monitors[0]).wipe_certificate == "WIPE-42"
    assert not Delivery.objects.filter(returned_on__isnull=True, asset__isnull=False).exists()
    # Back in stock: the laptop can go to another order.
    with acting_as(world.operator):
        deliver_line(line=world.accepted().lines.get(), on=D(2026, 11, 25), asset=world.stock[0])


def test_a_return_of_an_asset_not_held_by_the_municipality_is_refused(world):
    with acting_as(world.operator), pytest.raises(ValidationError) as error:
        return_assets(
            municipality=world.fjordvik,
            person=world.elvdal_person,
            on=ON,
            items=[(world.stock[0], "repair", "")],
        )
    assert fields_of(error) == {"asset", "person"}
    assert not OrderTransition.objects.exists()
