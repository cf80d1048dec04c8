"""One-off fees (installation) are billed: delivering units of a line with a one-off fee
enters a billing one-off charge for those units × the fee, dated the delivery day and
referencing the order, and the month's billing run charges it."""

import datetime
from decimal import Decimal

from samdrift.billing.choices import ChargeSource
from samdrift.billing.models import Charge, OneOffCharge
from samdrift.billing.services.runs import bill_period
from samdrift.core.actor import acting_as
from samdrift.ordering.choices import LineKind
from samdrift.ordering.models import CatalogueOffer
from samdrift.ordering.services import deliver_line

D = datetime.date
NOVEMBER = D(2026, 11, 1)


def test_a_service_fee_is_charged_per_delivered_unit_and_billed_in_the_month(world):
    order = world.accepted(
        lines=[{"kind": LineKind.SERVICE, "service": world.workplace, "quantity": 3}]
    )
    (line,) = order.lines.all()
    assert line.one_off_fee == Decimal("500.00")
    with acting_as(world.operator):
        deliver_line(line=line, on=D(2026, 11, 10), quantity=2)
        deliver_line(line=line, on=D(2026, 11, 12))

    charges = list(OneOffCharge.objects.order_by("date"))
    assert [(c.date, c.quantity, c.unit_price) for c in charges] == [
        (D(2026, 11, 10), Decimal("2"), Decimal("500.00")),
        (D(2026, 11, 12), Decimal("1"), Decimal("500.00")),
    ]
    first = charges[0]
    assert (first.municipality, first.service_area, first.person, first.service) == (
        world.fjordvik,
        world.school,
        None,
        world.workplace,
    )
    assert first.reference == order.number
    # In the invoice's language (nb unless SAMDRIFT_INVOICE_LANGUAGE says otherwise).
    expected = f"Installasjon: {world.workplace.name} — bestilling {order.number}"
    assert first.description == expected
    assert first.vat_rate == world.workplace.vat_rate

    bill_period(month=NOVEMBER)
    billed = Charge.objects.filter(source=ChargeSource.ONE_OFF).order_by("valid_from")
    # 2 × 500 and 1 × 500, worked out by hand.
    assert [c.amount for c in billed] == [Decimal("1000.00"), Decimal("500.00")]
    assert {c.source_id for c in billed} == {c.pk for c in charges}


def test_a_device_fee_names_the_asset_and_person_and_takes_the_products_vat(world):
    CatalogueOffer.objects.filter(product=world.laptop).update(one_off_fee=Decimal("249.50"))
    world.laptop.vat_rate = Decimal("25.00")
    world.laptop.save()
    order = world.accepted()  # one laptop for the teacher; the fee snapshotted on submission
    (line,) = order.lines.all()
    asset = world.stock[0]
    with acting_as(world.operator):
        deliver_line(line=line, on=D(2026, 11, 3), asset=asset)

    charge = OneOffCharge.objects.get()
    assert (charge.asset, charge.person, charge.service_area, charge.service) == (
        asset,
        world.teacher,
        world.school,
        None,
    )
    assert (charge.quantity * charge.unit_price, charge.vat_rate) == (
        Decimal("249.50"),
        Decimal("25.00"),
    )
    bill_period(month=NOVEMBER)
    assert Charge.objects.get(source=ChargeSource.ONE_OFF).amount == Decimal("249.50")


def test_a_bundle_fee_is_charged_once_the_whole_bundle_is_delivered(world):
    order = world.accepted(
        lines=[{"kind": LineKind.BUNDLE, "bundle": world.bundle, "person": world.teacher}]
    )
    (line,) = order.lines.all()
    laptop_part, monitor_part, service_part = world.bundle.parts.order_by("pk")
    with acting_as(world.operator):
        deliver_line(line=line, part=laptop_part, on=D(2026, 11, 2), asset=world.stock[0])
        deliver_line(line=line, part=monitor_part, on=D(2026, 11, 2), asset=world.monitors[0])
        deliver_line(line=line, part=service_part, on=D(2026, 11, 2))
        assert not OneOffCharge.objects.exists()  # one monitor still missing
        deliver_line(line=line, part=monitor_part, on=D(2026, 11, 4), asset=world.monitors[1])

    charge = OneOffCharge.objects.get()
    assert (charge.date, charge.quantity, charge.unit_price, charge.asset) == (
        D(2026, 11, 4),
        Decimal("1"),
        Decimal("750.00"),
        None,
    )
    assert charge.reference == order.number


def test_a_line_without_a_fee_enters_no_charge(world):
    order = world.accepted()
    (line,) = order.lines.all()
    with acting_as(world.operator):
        deliver_line(line=line, on=D(2026, 11, 3), asset=world.stock[0])
    assert not OneOffCharge.objects.exists()
