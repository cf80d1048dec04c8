"""The issue's acceptance, end to end through billing: an order delivered on the 10th of a
30-day month is charged from that day; a return on the 20th ends the charge on the 20th.
Runs on SQLite and on PostgreSQL (whichever DATABASE_URL names)."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from samdrift.billing.models import Charge
from samdrift.billing.services.runs import bill_period
from samdrift.core.actor import acting_as
from samdrift.ordering.choices import LineKind
from samdrift.ordering.services import deliver_line, return_assets

D = datetime.date
NOVEMBER = D(2026, 11, 1)  # 30 days


def share(monthly: str, days: int, of: int) -> Decimal:
    """Computed here, by hand: the monthly price × days / days in month, to the øre."""
    return (Decimal(monthly) * days / of).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_a_delivered_order_is_billed_from_the_delivery_day_and_a_return_stops_it(world):
    lines = [
        {"kind": LineKind.PRODUCT, "product": world.laptop, "person": world.teacher},
        {"kind": LineKind.SERVICE, "service": world.workplace, "person": world.teacher},
    ]
    order = world.accepted(lines=lines)
    laptop_line, service_line = order.lines.order_by("pk")
    asset = world.stock[0]
    with acting_as(world.operator):
        deliver_line(line=laptop_line, on=D(2026, 11, 10), asset=asset)
        deliver_line(line=service_line, on=D(2026, 11, 10))

    bill_period(month=NOVEMBER)
    device = Charge.objects.get(asset=asset)
    service = Charge.objects.get(subscription__isnull=False)
    # The 10th to the 30th, both included: 21 days of 30.
    assert (device.days_active, device.days_in_month) == (21, 30)
    assert device.amount == share("300.00", 21, 30) == Decimal("210.00")
    assert (device.municipality, device.service_area, device.person) == (
        world.fjordvik,
        world.school,
        world.teacher,
    )
    assert (service.days_active, service.amount) == (21, share("150.00", 21, 30))

    with acting_as(world.operator):
        return_assets(
            municipality=world.fjordvik,
            person=world.teacher,
            on=D(2026, 11, 20),
            items=[(asset, "stock", "")],
        )
    bill_period(month=NOVEMBER)  # the open month re-rated
    device = Charge.objects.get(asset=asset)
    service = Charge.objects.get(subscription__isnull=False)
    # The return date is the first day no longer held: the 10th to the 19th, 10 days.
    assert (device.days_active, device.valid_from, device.valid_to) == (
        10,
        D(2026, 11, 10),
        D(2026, 11, 20),
    )
    assert device.amount == share("300.00", 10, 30) == Decimal("100.00")
    assert (service.days_active, service.amount) == (10, share("150.00", 10, 30))
