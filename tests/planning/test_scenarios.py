"""Scenarios (planning.scenarios) on the hand-built fleet of tests/planning/forecast_world:
a member leaving (its pool share split over the others by the key, to the øre, and its
devices settled at book value), one joining (estimated from its population), a longer
lease term and other interest rates (the new devices' lease price, worked out from the
annuity formula here), the stored comparison and its workbook, and bad input refused
naming the field with nothing saved."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from samdrift.finance.allocation import allocate
from samdrift.inventory.services import assign_asset
from samdrift.planning.choices import MemberChange
from samdrift.planning.exports import scenario_xlsx
from samdrift.planning.forecast import forecast, forecast_pair
from samdrift.planning.models import Scenario, ScenarioMember, ScenarioPoolChange, ScenarioResult
from samdrift.planning.scenarios import (
    add_member,
    baseline,
    comparison,
    compute_scenario,
    copy_baseline,
    set_pool_change,
    update_scenario,
)
from tests import factories
from tests.planning.forecast_world import START

D = datetime.date
M = Decimal
JANUARY = D(2027, 1, 1)


def by_name(forecasts):
    return {item.name: item for item in forecasts}


def pools(item, k):
    return item.months[k].pools


@pytest.fixture
def scenario(fleet):
    scenario = copy_baseline(name="What if")
    update_scenario(scenario, years=1)
    return scenario


def test_a_member_leaving(fleet, scenario):
    add_member(scenario, change=MemberChange.LEAVES, on=JANUARY, municipality=fleet.elvdal)
    before, after = (by_name(result) for result in forecast_pair(scenario, start=START))
    # December: as in the baseline.
    for name in before:
        assert after[name].months[1].total == before[name].months[1].total
    # From January Elvdal pays nothing …
    assert all(month.total == 0 for month in after["Elvdal"].months[2:])
    # … and its share is split over the others by the key: the pool of 10,300.00 (after
    # the index) by population without Elvdal — 8,828.57 and 1,471.43 by hand.
    expected = allocate(amount=M("10300.00"), weights={"4601": M(60000), "4603": M(10000)})
    assert expected == {"4601": M("8828.57"), "4603": M("1471.43")}
    for k in range(2, 12):
        assert pools(after["Fjordvik"], k) == expected["4601"]
        assert pools(after["Havbygd"], k) == expected["4603"]
        # The pool's total is unchanged, to the øre.
        assert sum(pools(item, k) for item in after.values()) == M("10300.00")
        assert sum(pools(item, k) for item in before.values()) == M("10300.00")
    # Its laptop (10,000.00 on 10 February 2024, 48 months down to the lease model's 10 %)
    # is 34 whole months old on 1 January 2027: 10,000 − 9,000 × 34 / 48 = 3,625.00.
    assert after["Elvdal"].months[2].settlement == M("3625.00")
    assert after["Elvdal"].settlement == M("3625.00")
    assert after["Elvdal"].months[2].total == 0  # the settlement is apart


def test_a_municipality_joining_from_its_population(fleet, scenario):
    add_member(scenario, change=MemberChange.JOINS, on=JANUARY, name="Nyby", population=14300)
    before, after = (by_name(result) for result in forecast_pair(scenario, start=START))
    nyby = after["Nyby"]
    assert nyby.municipality_id is None and "Nyby" not in before
    assert all(month.total == 0 for month in nyby.months[:2])
    # The members: 71,500 inhabitants, 5 charged laptops (all replaced by the G2), 3
    # persons with 3 workplaces. Nyby: 14,300 × 5 / 71,500 = 1 device, 14,300 × 3 /
    # 71,500 = 0.6 → 1 person with 1 workplace. In January: a G2 at 412.00 (400.00 after
    # the index), a workplace at 154.50, and its population's share of the pool:
    # 10,300 × 14,300 / 85,800 → 1,716.67 (the øre left over go to 180.07, 7,202.80 and it).
    january = nyby.months[2]
    assert january.devices == M("412.00")
    assert january.subscriptions == M("154.50")
    assert january.pools == M("1716.67")
    assert pools(after["Fjordvik"], 2) == M("7202.80")
    assert pools(after["Elvdal"], 2) == M("180.07")
    assert pools(after["Havbygd"], 2) == M("1200.46")
    # The others pay less of the pool than in the baseline; the total is the same.
    for name in ("Fjordvik", "Elvdal", "Havbygd"):
        assert pools(after[name], 2) < pools(before[name], 2)
    assert sum(pools(item, 2) for item in after.values()) == M("10300.00")


def test_a_join_with_entered_figures(fleet, scenario):
    add_member(scenario, change=MemberChange.JOINS, on=START, name="Nyby", persons=2, devices=3)
    nyby = by_name(forecast(scenario=scenario, start=START))["Nyby"]
    # 3 G2 at 400.00 and 2 workplaces at 150.00 from the first month.
    assert nyby.months[0].devices == M("1200.00")
    assert nyby.months[0].subscriptions == M("300.00")


def lease_price_by_hand(rate: Decimal, months: int) -> Decimal:
    """The G2's lease price: the annuity of 12,000 down to 1,200 (10 %) in arrears, plus
    the fee of 50 (DESIGN.md's formula, written out here)."""
    i = rate / 12
    growth = (1 + i) ** months
    payment = (M(12000) * growth - M(1200)) * i / (growth - 1)
    return payment.quantize(M("0.01")) + M("50.00")


def test_a_longer_lease_term(fleet, scenario):
    update_scenario(scenario, lease_term_months=48)
    before, after = (by_name(result) for result in forecast_pair(scenario, start=START))
    price = lease_price_by_hand(M("0.05"), 48)
    assert price == M("303.72")  # 253.72 + 50.00
    # Havbygd's overdue laptop, replaced in December: a G2 at the 48-month price instead
    # of the list price 400.00; in 2027 indexed: 303.72 × 1.03 = 312.8316 → 312.83.
    assert before["Havbygd"].months[1].devices == M("400.00")
    assert after["Havbygd"].months[1].devices == price
    assert after["Havbygd"].months[2].devices == M("312.83")
    # Elvdal's from March; Fjordvik replaces nothing in the year: unchanged.
    assert after["Elvdal"].months[4].devices == M("312.83")
    assert after["Elvdal"].months[3].devices == before["Elvdal"].months[3].devices
    assert [m.total for m in after["Fjordvik"].months] == [
        m.total for m in before["Fjordvik"].months
    ]
    assert after["Havbygd"].total < before["Havbygd"].total


@pytest.mark.parametrize(
    ("percent", "price"),
    [("2.00", "361.34"), ("8.00", "396.43"), ("-1.00", "344.40")],
)
def test_an_interest_rate(fleet, scenario, percent, price):
    update_scenario(scenario, annual_rate_percent=M(percent))
    havbygd = by_name(forecast(scenario=scenario, start=START))["Havbygd"]
    # The G2 over the model's 36 months at the scenario's rate (a negative one too).
    assert lease_price_by_hand(M(percent) / 100, 36) == M(price)
    assert havbygd.months[1].devices == M(price)


def test_the_rate_moves_the_price_up_and_down(fleet, scenario):
    low = copy_baseline(name="Low")
    update_scenario(low, years=1, annual_rate_percent=M("2"))
    high = copy_baseline(name="High")
    update_scenario(high, years=1, annual_rate_percent=M("8"))
    cheap = by_name(forecast(scenario=low, start=START))["Havbygd"].total
    dear = by_name(forecast(scenario=high, start=START))["Havbygd"].total
    assert cheap < dear


def twenty_in_fjordvik(fleet) -> None:
    """Fjordvik holds 20 laptops: 17 more L1 at the agreed 300.00."""
    for _ in range(17):
        asset = factories.make_asset(fleet.laptop, acquisition_date=D(2026, 1, 10))
        assign_asset(
            asset=asset,
            municipality=fleet.fjordvik,
            service_area=fleet.school,
            valid_from=D(2026, 1, 10),
        )


def grown(before, after, name) -> list[Decimal]:
    months = zip(after[name].months, before[name].months, strict=True)
    return [scenario.devices - base.devices for scenario, base in months]


def test_growth_in_devices(fleet, scenario):
    # 10 % more each January: 2 G2 in 2027 at 412.00 (no agreed price for the G2: the
    # list 400.00, indexed), then 10 % of 22 = 2.2 → 2 more in 2028 at 424.36 (400.00 ×
    # 1.03²). Elvdal and Havbygd, one laptop each, grow by round(0.1) = 0.
    twenty_in_fjordvik(fleet)
    update_scenario(scenario, years=2, growth_percent=M("10"))
    before, after = (by_name(result) for result in forecast_pair(scenario, start=START))
    fjordvik = grown(before, after, "Fjordvik")
    assert fjordvik[:2] == [0, 0]
    assert fjordvik[2:14] == [2 * M("412.00")] * 12
    assert fjordvik[14:] == [2 * M("424.36") + 2 * M("424.36")] * 10
    assert grown(before, after, "Elvdal") == [0] * 24


def test_a_shrinking_fleet(fleet, scenario):
    # −10 %: 2 laptops fewer in 2027, at the L1's own (agreed) price 309.00 after the index.
    twenty_in_fjordvik(fleet)
    update_scenario(scenario, growth_percent=M("-10"))
    before, after = (by_name(result) for result in forecast_pair(scenario, start=START))
    assert grown(before, after, "Fjordvik")[2:] == [-2 * M("309.00")] * 10


def test_pool_growth(fleet, scenario):
    update_scenario(scenario, pool_growth_percent=M("10"))
    (havbygd,) = forecast(scenario=scenario, start=START, municipality_ids=[fleet.havbygd.pk])
    # 10,000 × 1.03 × 1.10 = 11,330.00 in 2027, Havbygd's share 11,330 × 10 / 71.5.
    assert havbygd.months[2].pools == M("1584.62")
    set_pool_change(scenario, pool=fleet.pool, growth_percent=M("0"))
    (havbygd,) = forecast(scenario=scenario, start=START, municipality_ids=[fleet.havbygd.pk])
    assert havbygd.months[2].pools == M("1440.56")  # the index alone


def test_computed_and_compared(fleet, scenario):
    add_member(scenario, change=MemberChange.LEAVES, on=JANUARY, municipality=fleet.elvdal)
    compute_scenario(scenario, start=START)
    scenario.refresh_from_db()
    assert scenario.computed_from == START and scenario.computed_at is not None
    assert ScenarioResult.objects.filter(scenario=scenario).count() == 3 * 12
    rows = {row.name: row for row in comparison(scenario)}
    assert list(rows) == ["Elvdal", "Fjordvik", "Havbygd"]
    elvdal = rows["Elvdal"]
    # Elvdal's baseline by hand: 773.48 in November and December, 796.73 in January and
    # February, 870.18 from March (its G2).
    assert elvdal.baseline_total == 2 * M("773.48") + 2 * M("796.73") + 8 * M("870.18")
    assert elvdal.scenario_total == 2 * M("773.48")
    assert elvdal.difference == elvdal.scenario_total - elvdal.baseline_total
    assert elvdal.settlement == M("3625.00")
    assert [year.year for year in elvdal.years] == [2026, 2027]
    assert elvdal.years[0].difference == 0
    # The pool: what Elvdal no longer pays, the others do.
    total_before = sum(row.baseline_total for row in rows.values())
    total_after = sum(row.scenario_total for row in rows.values())
    dropped = 10 * (M("154.50") + M("87.60")) + 2 * M("338.55") + 8 * M("412.00")
    assert total_before - total_after == dropped
    # A change of assumptions makes the stored results stale.
    update_scenario(scenario, index_percent=M("2"))
    scenario.refresh_from_db()
    assert scenario.computed_at is None and not comparison(scenario)


def test_the_workbook(fleet, scenario):
    add_member(scenario, change=MemberChange.LEAVES, on=JANUARY, municipality=fleet.elvdal)
    compute_scenario(scenario, start=START)
    scenario.refresh_from_db()
    book = load_workbook(io.BytesIO(scenario_xlsx(scenario)))
    assert book.sheetnames == ["Assumptions", "Comparison", "Months"]
    comparison_rows = list(book["Comparison"].values)
    assert comparison_rows[0][:6] == (
        "Municipality",
        "Baseline",
        "Scenario",
        "Difference",
        "Difference (%)",
        "Settlement",
    )
    names = [row[0] for row in comparison_rows[1:]]
    assert names == ["Elvdal", "Fjordvik", "Havbygd", "Total"]
    assert comparison_rows[1][5] == 3625
    months = list(book["Months"].values)
    assert len(months) == 1 + 36
    assumptions = {row[0]: row[1] for row in book["Assumptions"].values}
    assert assumptions["Scenario"] == "What if"
    assert "Elvdal" in assumptions["Member change"]


# Bad input ------------------------------------------------------------------------------


def saved_rows():
    return (
        Scenario.objects.count(),
        ScenarioMember.objects.count(),
        ScenarioPoolChange.objects.count(),
        list(Scenario.objects.order_by("pk").values_list(*FIELDS)),
    )


FIELDS = ("name", "years", "lease_term_months", "annual_rate_percent", "index_percent")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"annual_rate_percent": M("-100")}, "annual_rate_percent"),
        ({"annual_rate_percent": M("-150")}, "annual_rate_percent"),
        ({"lease_term_months": 0}, "lease_term_months"),
        ({"years": 0}, "years"),
        ({"years": 6}, "years"),
        ({"index_percent": M("-100")}, "index_percent"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_assumptions_name_the_field(fleet, scenario, changes, field):
    before = saved_rows()
    with pytest.raises(ValidationError) as raised:
        update_scenario(scenario, **changes)
    assert field in raised.value.message_dict
    assert saved_rows() == before


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "Nyby", "persons": -1, "devices": 3}, "persons"),
        ({"name": "Nyby", "population": 5000, "devices": -2}, "devices"),
        ({"name": "Nyby"}, "population"),
        ({"name": "Nyby", "persons": 10}, "population"),
        ({"name": "", "population": 5000}, "name"),
        ({"name": "Fjordvik", "population": 5000}, "name"),
    ],
)
def test_a_bad_join_names_the_field(fleet, scenario, kwargs, field):
    before = saved_rows()
    with pytest.raises(ValidationError) as raised:
        add_member(scenario, change=MemberChange.JOINS, on=JANUARY, **kwargs)
    assert field in raised.value.message_dict
    assert saved_rows() == before


def test_names_are_unique(fleet, scenario):
    with pytest.raises(ValidationError) as raised:
        copy_baseline(name="What if")
    assert "name" in raised.value.message_dict
    assert Scenario.objects.filter(name="What if").count() == 1


def test_a_member_leaves_once(fleet, scenario):
    add_member(scenario, change=MemberChange.LEAVES, on=JANUARY, municipality=fleet.elvdal)
    before = saved_rows()
    with pytest.raises(ValidationError) as raised:
        add_member(
            scenario, change=MemberChange.LEAVES, on=D(2027, 3, 1), municipality=fleet.elvdal
        )
    assert "municipality" in raised.value.message_dict
    assert saved_rows() == before


def test_leaving_needs_a_member_and_a_first_day(fleet, scenario):
    with pytest.raises(ValidationError) as raised:
        add_member(scenario, change=MemberChange.LEAVES, on=JANUARY)
    assert "municipality" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        add_member(
            scenario, change=MemberChange.LEAVES, on=D(2027, 1, 15), municipality=fleet.elvdal
        )
    assert "on" in raised.value.message_dict
    assert not ScenarioMember.objects.exists()


def test_the_baseline_keeps_todays_members(fleet):
    with pytest.raises(ValidationError) as raised:
        add_member(baseline(), change=MemberChange.LEAVES, on=JANUARY, municipality=fleet.elvdal)
    assert "change" in raised.value.message_dict


def test_a_pool_change_above_minus_100(fleet, scenario):
    with pytest.raises(ValidationError) as raised:
        set_pool_change(scenario, pool=fleet.pool, growth_percent=M("-100"))
    assert "growth_percent" in raised.value.message_dict
    assert not ScenarioPoolChange.objects.exists()


def test_copies_carry_the_baselines_assumptions(fleet):
    base = baseline()
    update_scenario(base, index_percent=M("2.5"))
    set_pool_change(base, pool=fleet.pool, growth_percent=M("4"))
    copy = copy_baseline(name="Copy")
    assert copy.index_percent == M("2.5") and not copy.is_baseline
    assert ScenarioPoolChange.objects.get(scenario=copy).growth_percent == M("4")
    assert baseline().pk == base.pk
