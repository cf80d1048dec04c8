"""The yearly device growth (planning.growth), the one rule of the forecast and the
investment need: its arithmetic worked out by hand, and the two agreeing on a fleet."""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal

from samdrift.inventory.services import assign_asset
from samdrift.planning.forecast_inputs import Horizon, load_inputs
from samdrift.planning.forecast_members import MemberChanges
from samdrift.planning.forecast_projection import growth_units
from samdrift.planning.growth import grow, growth_months
from samdrift.planning.investment import investment_need
from samdrift.planning.models import Scenario
from samdrift.planning.rules import RuleBook
from tests import factories
from tests.planning.forecast_world import START

D = datetime.date
M = Decimal
A, B = (1, 10), (2, 10)  # (service area, product)


def test_growth_months_each_january_strictly_after_the_first_month():
    until = D(2029, 1, 1)
    assert growth_months(D(2026, 11, 1), until) == [D(2027, 1, 1), D(2028, 1, 1)]
    # A forecast starting in January grows from the next one; ``until`` itself is out.
    assert growth_months(D(2027, 1, 1), until) == [D(2028, 1, 1)]
    assert growth_months(D(2028, 6, 1), until) == []


def test_rounded_half_up_per_member():
    def once(devices: int, percent: str) -> dict:
        return grow(fleets={"m": {A: devices}}, percent=M(percent), months=[1])

    assert once(5, "10") == {"m": {A: {1: 1}}}  # 0.5 → 1
    assert once(4, "10") == {}  # 0.4 → 0
    assert once(15, "10") == {"m": {A: {1: 2}}}  # 1.5 → 2
    assert once(15, "0") == {}
    # Each member rounds its own: 5 × 10 % = 0.5 → 1 twice (of 10 together: 1).
    both = grow(fleets={"m": {A: 5}, "n": {A: 5}}, percent=M("10"), months=[1])
    assert both == {"m": {A: {1: 1}}, "n": {A: {1: 1}}}


def test_spread_by_largest_remainder():
    # 10 devices × 25 % = 2.5 → 3, exactly 3 × 7/10 = 2.1, 3 × 2/10 = 0.6, 3 × 1/10 = 0.3:
    # 2 and 0 and 0 whole, the one left to the largest remainder, 0.6.
    fleet = {A: 7, B: 2, (2, 11): 1, (3, 10): 0}
    assert grow(fleets={"m": fleet}, percent=M("25"), months=[1]) == {"m": {A: {1: 2}, B: {1: 1}}}


def test_compounded():
    # 10 × 50 % = 5; 15 × 50 % = 7.5 → 8; 23 × 50 % = 11.5 → 12.
    added = grow(fleets={"m": {A: 10}}, percent=M("50"), months=[1, 13, 25])
    assert added == {"m": {A: {1: 5, 13: 8, 25: 12}}}


def test_negative_takes_devices_away():
    # 20 × −10 % = −2; 18 × −10 % = −1.8 → −2. Half up is away from zero: 10 × −25 % =
    # −2.5 → −3.
    assert grow(fleets={"m": {A: 20}}, percent=M("-10"), months=[1, 13]) == {
        "m": {A: {1: -2, 13: -2}}
    }
    assert grow(fleets={"m": {A: 10}}, percent=M("-25"), months=[1]) == {"m": {A: {1: -3}}}


def test_arrivals_and_departures():
    # "j" joins in month 5 with 10 devices: grows from month 13; "m" leaves in month 13.
    added = grow(
        fleets={"m": {A: 10}},
        percent=M("10"),
        months=[1, 13],
        arrivals={"j": (5, {(0, 10): 10})},
        departures={"m": 13},
    )
    assert added == {"m": {A: {1: 1}}, "j": {(0, 10): {13: 1}}}


def forecast_growth_per_year(percent: Decimal) -> Counter:
    """The forecast's growth units (from ``START``) per year, negative when taken away."""
    inputs = load_inputs(horizon=Horizon(start=START, count=36), rule_books=[RuleBook()])
    months = inputs.horizon.months
    per_year: Counter = Counter()
    for keys in growth_units(inputs, percent, MemberChanges(), []).values():
        for starts in keys.values():
            for k, units in starts.items():
                per_year[months[k].year] += units
    return per_year


def test_the_forecast_and_the_investment_need_grow_alike(
    municipality_a, municipality_b, service_area_a, service_area_b
):
    # Phones held since 10 January 2026: Fjordvik 10 in a service area and 5 in none,
    # Elvdal 5 in a service area. At 10 %, from November 2026 (the month after 15 October
    # 2026), January 2027: Fjordvik 15 × 0.1 = 1.5 → 2 (exactly 1.33 and 0.67: one each),
    # Elvdal 0.5 → 1; January 2028: Fjordvik 17 × 0.1 = 1.7 → 2, Elvdal 6 × 0.1 = 0.6 → 1.
    # (The collaboration's 20 phones, rounded once, would give 2.)
    phone = factories.make_product(factories.make_category(name="Phones"), name="Phone")
    for municipality, area, count in (
        (municipality_a, service_area_a, 10),
        (municipality_a, None, 5),
        (municipality_b, service_area_b, 5),
    ):
        for _ in range(count):
            asset = factories.make_asset(phone, acquisition_date=D(2026, 1, 10))
            assign_asset(
                asset=asset, municipality=municipality, service_area=area, valid_from=D(2026, 1, 10)
            )
    as_of = D(2026, 10, 15)
    need = investment_need(as_of=as_of, scenario=Scenario(years=3, growth_percent=M("10")))
    forecast = forecast_growth_per_year(M("10"))
    assert [y.growth_units for y in need] == [0, 3, 3]
    assert [forecast[y.year] for y in need] == [0, 3, 3]
    # Shrinking, the investment need buys none; the forecast takes away, 2027: Fjordvik
    # −1.5 → −2, Elvdal −0.5 → −1; 2028: Fjordvik 13 × −0.1 = −1.3 → −1, Elvdal −0.4 → 0.
    need = investment_need(as_of=as_of, scenario=Scenario(years=3, growth_percent=M("-10")))
    assert [y.growth_units for y in need] == [0, 0, 0]
    forecast = forecast_growth_per_year(M("-10"))
    assert [forecast[y.year] for y in need] == [0, -3, -1]
