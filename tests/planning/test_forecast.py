"""The forecast (planning.forecast) of a fleet built by hand (tests/planning/forecast_world):
its first month is what billing rates for that month, to the øre, and the later months are
the figures worked out below — the January index step, an overdue device replaced from the
second month, a device falling due in February replaced from March, an amount owed
credited in its month, usage estimated from the latest recorded month."""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from decimal import Decimal

import pytest

from samdrift.billing.rating.rater import Rater
from samdrift.finance.money import ZERO
from samdrift.inventory.services import assign_asset
from samdrift.organisations.models import Person
from samdrift.planning.forecast import MonthCost, forecast
from samdrift.planning.forecast_projection import COMPONENTS
from tests import factories
from tests.planning.forecast_world import START

D = datetime.date
M = Decimal


def rated(month: datetime.date) -> dict[int, Decimal]:
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for fact in Rater(month=month).facts():
        totals[fact.municipality] += fact.amount
    return dict(totals)


@pytest.fixture
def forecasts(fleet):
    return {item.name: item for item in forecast(start=START, years=1)}


def test_first_month_is_what_billing_rates(fleet, forecasts):
    billed = rated(START)
    for municipality in (fleet.fjordvik, fleet.elvdal, fleet.havbygd):
        assert forecasts[municipality.name].first_month_total == billed[municipality.pk]
    # By hand. Fjordvik: two laptops at the agreed 300.00, the bought-out one at its own
    # 210.00, two workplaces at 150.00, its population share of the pool (10,000 ×
    # 60,000 / 71,500 = 8,391.608 → 8,391.61 by largest remainder), the one-off 500.00,
    # the amount owed −1,000.00.
    fjordvik = forecasts["Fjordvik"].months[0]
    assert fjordvik.devices == M("810.00")
    assert fjordvik.subscriptions == M("300.00")
    assert fjordvik.pools == M("8391.61")
    assert fjordvik.one_offs == M("500.00")
    assert fjordvik.credits == M("-1000.00")
    assert fjordvik.total == M("9001.61")
    # Elvdal: the laptop at list 328.69, a workplace, 1,000 pages at 0.0850, 209.79.
    assert forecasts["Elvdal"].months[0].usage == M("85.00")
    assert forecasts["Elvdal"].first_month_total == M("773.48")
    # Havbygd: its overdue laptop still charged as it is this month, 1,398.60 of the pool.
    assert forecasts["Havbygd"].first_month_total == M("1727.29")


def test_later_months_by_hand(forecasts):
    fjordvik = [month.total for month in forecasts["Fjordvik"].months]
    elvdal = [month.total for month in forecasts["Elvdal"].months]
    havbygd = [month.total for month in forecasts["Havbygd"].months]
    # December 2026: no one-off, no credit; Elvdal's usage estimated from November;
    # Havbygd's overdue laptop is now a G2 at 400.00.
    assert fjordvik[1] == M("810.00") + M("300.00") + M("8391.61")
    assert elvdal[1] == M("328.69") + M("150.00") + M("85.00") + M("209.79")
    assert forecasts["Elvdal"].months[1].usage_estimate == M("85.00")
    assert havbygd[1] == M("400.00") + M("1398.60")
    # January 2027, index 3 %: agreed 300.00 → 309.00, list 328.69 → 338.55 (338.5507),
    # 150.00 → 154.50, G2 400.00 → 412.00, 0.0850 a page → 0.0876 (0.08755, four
    # decimals as the price list's indexation) so 87.60; the own price 210.00 stays; the
    # pool 10,300.00 splits 8,643.36 / 216.08 / 1,440.56.
    assert fjordvik[2] == 2 * M("309.00") + M("210.00") + 2 * M("154.50") + M("8643.36")
    assert elvdal[2] == M("338.55") + M("154.50") + M("87.60") + M("216.08")
    assert havbygd[2] == M("412.00") + M("1440.56")
    # February 2027: Fjordvik is credited the 500.00 owed; Elvdal's laptop falls due on
    # 10 February, so it is still the L1 this month …
    assert fjordvik[3] == fjordvik[2] - M("500.00")
    assert elvdal[3] == elvdal[2]
    # … and a G2 at 412.00 from March.
    assert elvdal[4] == M("412.00") + M("154.50") + M("87.60") + M("216.08")
    assert [month.month for month in forecasts["Elvdal"].months][:5] == [
        D(2026, 11, 1),
        D(2026, 12, 1),
        D(2027, 1, 1),
        D(2027, 2, 1),
        D(2027, 3, 1),
    ]
    assert len(forecasts["Elvdal"].months) == 12


def test_years_and_their_change(forecasts):
    havbygd = forecasts["Havbygd"]
    first, second = havbygd.years()
    assert (first.year, first.months) == (2026, 2)
    assert first.total == M("1727.29") + M("1798.60")
    assert first.monthly_average == M("1762.95")  # 3,525.89 / 2 = 1,762.945 → 1,762.95
    assert first.change_amount is None and first.change_percent is None
    assert (second.year, second.months) == (2027, 10)
    assert second.monthly_average == M("1852.56")
    assert second.change_amount == M("89.61")
    assert second.change_percent == M("5.08")  # 89.61 / 1,762.95 = 5.083 %


def test_a_service_area_sees_its_own(fleet):
    (school,) = forecast(start=START, years=1, service_area_id=fleet.school.pk)
    assert school.municipality_id == fleet.fjordvik.pk
    # Its devices and subscriptions; the pool, the one-off and the credit are the
    # municipality's (no service area).
    assert school.first_month_total == M("810.00") + M("300.00")


def test_only_the_asked_municipalities(fleet):
    (only,) = forecast(start=START, years=1, municipality_ids=[fleet.elvdal.pk])
    assert only.name == "Elvdal" and only.first_month_total == M("773.48")


def test_moves_and_leavers_within_the_horizon(fleet):
    # A device moving between Fjordvik's service areas on 10 November (agreed 300.00:
    # 9 and 21 days of 30, exactly 90.00 and 210.00), one moving from Havbygd to Elvdal
    # on 10 March 2027 (list 338.55 after the index: 9 and 22 days of 31, 98.2887 and
    # 240.2613, rounded together to 98.29 and 240.26), and a person of Fjordvik leaving
    # on 16 January 2027 (the workplace 154.50 for 15 of 31 days: 74.76).
    health = factories.make_service_area(fleet.fjordvik, name="Helse", cost_centre="3100")
    moving = factories.make_asset(fleet.laptop, acquisition_date=D(2026, 6, 1))
    assign_asset(
        asset=moving,
        municipality=fleet.fjordvik,
        service_area=fleet.school,
        valid_from=D(2026, 6, 1),
    )
    assign_asset(
        asset=moving, municipality=fleet.fjordvik, service_area=health, valid_from=D(2026, 11, 10)
    )
    travelling = factories.make_asset(fleet.laptop, acquisition_date=D(2026, 6, 1))
    assign_asset(asset=travelling, municipality=fleet.havbygd, valid_from=D(2026, 6, 1))
    assign_asset(asset=travelling, municipality=fleet.elvdal, valid_from=D(2027, 3, 10))
    leaver = Person.objects.filter(municipality=fleet.fjordvik).first()
    leaver.active_to = D(2027, 1, 16)
    leaver.save()
    forecasts = {item.name: item for item in forecast(start=START, years=1)}
    assert forecasts["Fjordvik"].first_month_total == rated(START)[fleet.fjordvik.pk]
    assert forecasts["Fjordvik"].months[0].devices == M("810.00") + M("300.00")
    (health_forecast,) = forecast(start=START, years=1, service_area_id=health.pk)
    assert health_forecast.months[0].devices == M("210.00")
    assert health_forecast.months[1].devices == M("300.00")
    assert forecasts["Fjordvik"].months[2].subscriptions == M("154.50") + M("74.76")
    assert forecasts["Fjordvik"].months[3].subscriptions == M("154.50")
    havbygd, elvdal = forecasts["Havbygd"].months, forecasts["Elvdal"].months
    assert havbygd[4].devices == M("412.00") + M("98.29")
    assert elvdal[4].devices == M("412.00") + M("240.26")
    assert havbygd[5].devices == M("412.00")
    assert elvdal[5].devices == M("412.00") + M("338.55")


def test_a_months_amounts_are_the_projections_components():
    names = [f.name for f in dataclasses.fields(MonthCost)]
    assert tuple(names[1:-1]) == COMPONENTS and names[-1] == "settlement"
