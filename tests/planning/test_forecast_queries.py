"""The forecast reads its inputs set-based: the number of queries does not grow with the
fleet (more devices held all year, devices that move or stop, own prices, subscriptions,
usage, one-off charges), for the baseline and for a scenario with members joining and
leaving and a lease term of its own. Pinned."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from samdrift.billing.services.one_offs import add_one_off_charge
from samdrift.inventory.choices import AssetOrigin
from samdrift.inventory.models import UsageRecord
from samdrift.inventory.services import assign_asset, subscribe
from samdrift.leasing.models import AssetPrice
from samdrift.planning.choices import MemberChange
from samdrift.planning.forecast import forecast, forecast_pair
from samdrift.planning.scenarios import add_member, copy_baseline, update_scenario
from tests import factories
from tests.planning.forecast_world import START

D = datetime.date
BASELINE_QUERIES = 24
SCENARIO_QUERIES = 30


def grow(fleet, n: int) -> None:
    """``n`` more of every kind of input."""
    for i in range(n):
        person = factories.make_person(fleet.elvdal, fleet.care)
        held = factories.make_asset(
            fleet.laptop, acquisition_date=D(2025, 1, 1) + datetime.timedelta(days=i)
        )
        assign_asset(
            asset=held, municipality=fleet.elvdal, service_area=fleet.care, valid_from=D(2025, 1, 1)
        )
        moving = factories.make_asset(fleet.laptop, acquisition_date=D(2026, 2, 1))
        assign_asset(asset=moving, municipality=fleet.havbygd, valid_from=D(2026, 2, 1))
        assign_asset(
            asset=moving,
            municipality=fleet.fjordvik,
            service_area=fleet.school,
            valid_from=D(2027, 3, 10),
        )
        own = factories.make_asset(fleet.laptop, origin=AssetOrigin.BOUGHT_OUT)
        assign_asset(asset=own, municipality=fleet.fjordvik, valid_from=D(2025, 1, 1))
        AssetPrice.objects.create(
            asset=own,
            valid_from=D(2026, 1, 1),
            valid_to=D(2027, 6, 1),
            amount=Decimal("200.00") + i,
            capital_part=Decimal("150.00") + i,
            service_fee=Decimal("50.00"),
        )
        subscribe(
            service=fleet.workplace,
            municipality=fleet.elvdal,
            service_area=fleet.care,
            person=person,
            valid_from=D(2025, 1, 1) + datetime.timedelta(days=i),
        )
        UsageRecord.objects.create(
            service=fleet.printing,
            municipality=fleet.havbygd,
            month=START,
            quantity=Decimal(100 + i),
        )
        add_one_off_charge(
            municipality=fleet.havbygd,
            description="Work",
            date=D(2027, 2, 1) + datetime.timedelta(days=i),
            unit_price=Decimal("100.00") + i,
        )


def queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def test_the_baseline_reads_in_a_fixed_number_of_queries(fleet):
    run = lambda: forecast(start=START, years=5)  # noqa: E731
    few = queries(run)
    grow(fleet, 4)
    assert (few, queries(run)) == (BASELINE_QUERIES, BASELINE_QUERIES)


def test_a_scenario_reads_in_a_fixed_number_of_queries(fleet):
    scenario = copy_baseline(name="Changes")
    update_scenario(scenario, lease_term_months=48, growth_percent=Decimal("2"))
    add_member(scenario, change=MemberChange.LEAVES, on=D(2027, 1, 1), municipality=fleet.elvdal)
    add_member(scenario, change=MemberChange.JOINS, on=D(2027, 4, 1), name="Nyby", population=9000)
    run = lambda: forecast_pair(scenario, start=START)  # noqa: E731
    few = queries(run)
    grow(fleet, 4)
    assert (few, queries(run)) == (SCENARIO_QUERIES, SCENARIO_QUERIES)
