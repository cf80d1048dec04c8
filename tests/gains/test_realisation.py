"""Planned vs realised (gains/realisation.py): the figures of the gains world worked out
by hand (tests/gains/world.py), a quarter prorated and rounded once per cell, a property
(hypothesis) that the totals by action, municipality and year and the grand total are
sums of the same cells and agree with a plain independent sum, what a municipality's user
sees, and a query count that does not grow with the number of actions."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samdrift.core.choices import Role
from samdrift.finance.money import round_to_ore
from samdrift.gains import services
from samdrift.gains.choices import GainType
from samdrift.gains.models import Action, Gain, GainShare, Measurement
from samdrift.gains.realisation import (
    Cell,
    MeasurementRow,
    ShareRow,
    Totals,
    compute,
    months_by_year,
    realisation,
)
from samdrift.gains.selectors import visible_measurements, visible_realisation, visible_shares
from tests import factories
from tests.gains.world import GainsWorld

D = datetime.date
M = Decimal


def whole(**kwargs):
    return realisation(
        shares=GainShare.objects.all(), measurements=Measurement.objects.all(), **kwargs
    )


# The world, by hand ----------------------------------------------------------------------


@pytest.mark.django_db
def test_one_year_by_action_municipality_and_in_total(gains_world: GainsWorld):
    w = gains_world
    result = whole(start=D(2025, 1, 1), end=D(2026, 1, 1))
    # Only the desk has gains planned or realised in 2025: the migration's start in 2026,
    # the pilot is cancelled.
    assert result.by_action() == {w.desk.pk: Totals(M("280000"), M("192000"))}
    assert result.by_municipality() == {
        w.fjordvik.pk: Totals(M("120000"), M("110000")),
        w.elvdal.pk: Totals(M("30000"), M("30000")),
        w.havbygd.pk: Totals(M("130000"), M("52000")),
    }
    assert result.by_year() == {2025: Totals(M("280000"), M("192000"))}
    total = result.total
    assert (total.planned, total.realised, total.difference) == (
        M("280000"),
        M("192000"),
        M("-88000"),
    )
    assert total.realised_percent == M("68.6")  # 192/280 = 68.57 %


@pytest.mark.django_db
def test_two_years(gains_world: GainsWorld):
    w = gains_world
    result = whole(start=D(2025, 1, 1), end=D(2027, 1, 1))
    assert result.by_year() == {
        2025: Totals(M("280000"), M("192000")),
        2026: Totals(M("320000"), M("35000")),
    }
    assert result.by_action() == {
        w.desk.pk: Totals(M("560000"), M("217000")),
        w.migration.pk: Totals(M("40000"), M("10000")),
    }
    assert result.total == Totals(M("600000"), M("227000"))
    assert result.total.realised_percent == M("37.8")  # 227/600 = 37.83 %


@pytest.mark.django_db
def test_a_quarter_prorates_the_planned_amounts(gains_world: GainsWorld):
    w = gains_world
    result = whole(start=D(2026, 1, 1), end=D(2026, 4, 1))
    assert result.months == {2026: 3}
    cells = {(c.gain_id, c.municipality_id): (c.planned, c.realised) for c in result.cells}
    assert cells == {
        (w.licences.pk, w.fjordvik.pk): (M("30000.00"), M("25000")),
        (w.licences.pk, w.elvdal.pk): (M("7500.00"), M("0")),
        (w.time_saved.pk, w.havbygd.pk): (M("32500.00"), M("0")),
        (w.avoided.pk, w.elvdal.pk): (M("10000.00"), M("0")),
    }
    assert result.total == Totals(M("80000"), M("25000"))


@pytest.mark.django_db
def test_a_measurement_of_a_cancelled_action_is_realised_though_nothing_is_planned(
    gains_world: GainsWorld,
):
    w = gains_world
    services.save_measurement(
        measurement=Measurement(
            gain=w.pilot_gain,
            municipality=w.fjordvik,
            measured_on=D(2025, 4, 1),
            amount=M("1234.56"),
            source="Ledger",
        )
    )
    result = whole(start=D(2025, 1, 1), end=D(2026, 1, 1))
    assert result.by_action()[w.pilot.pk] == Totals(M("0"), M("1234.56"))


@pytest.mark.django_db
def test_a_municipality_sees_its_own(gains_world: GainsWorld):
    w = gains_world
    contact = factories.make_user(Role.MUNICIPALITY, municipality=w.elvdal)
    result = visible_realisation(contact, start=D(2025, 1, 1), end=D(2027, 1, 1))
    assert {c.municipality_id for c in result.cells} == {w.elvdal.pk}
    assert result.total == Totals(M("100000"), M("40000"))  # 2 × 30,000 + 40,000; 30 + 10
    only_migration = visible_realisation(
        contact,
        start=D(2025, 1, 1),
        end=D(2027, 1, 1),
        actions=Action.objects.filter(pk=w.migration.pk),
    )
    assert only_migration.total == Totals(M("40000"), M("10000"))


# Proration and rounding, by hand --------------------------------------------------------------


def share(expected: str, first=2020, last=2030, cancelled=False, gain=1, municipality=1):
    return ShareRow(
        action_id=1,
        gain_id=gain,
        municipality_id=municipality,
        expected_amount=M(expected),
        first_year=first,
        last_year=last,
        cancelled=cancelled,
    )


def test_part_of_a_year_is_expected_times_months_over_twelve_rounded_once_per_cell():
    one_month = compute(
        shares=[share("1000")], measurements=[], start=D(2026, 5, 1), end=D(2026, 6, 1)
    )
    assert [c.planned for c in one_month.cells] == [M("83.33")]  # 1000/12 = 83.333…
    quarter = compute(
        shares=[share("100.10")], measurements=[], start=D(2026, 7, 1), end=D(2026, 10, 1)
    )
    assert [c.planned for c in quarter.cells] == [M("25.03")]  # 25.025 rounds half up
    # Across new year: two months of 2025 and one of 2026, each cell rounded by itself.
    winter = compute(
        shares=[share("1000")], measurements=[], start=D(2025, 11, 1), end=D(2026, 2, 1)
    )
    assert [(c.year, c.planned) for c in winter.cells] == [(2025, M("166.67")), (2026, M("83.33"))]


def test_months_counted_are_those_whose_first_day_is_in_the_range():
    assert months_by_year(D(2026, 1, 1), D(2027, 1, 1)) == {2026: 12}
    assert months_by_year(D(2026, 1, 15), D(2026, 4, 1)) == {2026: 2}
    assert months_by_year(D(2025, 12, 1), D(2026, 1, 2)) == {2025: 1, 2026: 1}
    assert months_by_year(D(2026, 3, 1), D(2026, 3, 1)) == {}


def test_years_outside_the_gain_and_cancelled_actions_plan_nothing():
    result = compute(
        shares=[share("1200", first=2026, last=2026), share("500", cancelled=True, gain=2)],
        measurements=[
            MeasurementRow(1, 1, 1, D(2025, 6, 1), M("10")),
            MeasurementRow(1, 1, 1, D(2027, 1, 1), M("99")),  # after the end: not counted
        ],
        start=D(2025, 1, 1),
        end=D(2027, 1, 1),
    )
    assert result.cells == [
        Cell(1, 1, 1, 2025, planned=M("0"), realised=M("10")),
        Cell(1, 1, 1, 2026, planned=M("1200"), realised=M("0")),
    ]
    assert result.cells[0].difference == M("10")
    assert Totals().realised_percent is None


# The totals reconcile (hypothesis) ---------------------------------------------------------------

amounts = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False)
years = st.integers(min_value=2023, max_value=2028)


@st.composite
def plans(draw):
    keys = draw(
        st.lists(
            st.tuples(st.integers(1, 4), st.integers(1, 3)), unique=True, min_size=0, max_size=12
        )
    )  # (gain, municipality); the action of gain g is g % 3
    shares = []
    for gain, municipality in keys:
        first = draw(years)
        last = draw(st.integers(min_value=first, max_value=2028))
        shares.append(
            ShareRow(
                action_id=gain % 3,
                gain_id=gain,
                municipality_id=municipality,
                expected_amount=draw(amounts),
                first_year=first,
                last_year=last,
                cancelled=gain % 3 == 2 and draw(st.booleans()),
            )
        )
    measurements = [
        MeasurementRow(gain % 3, gain, municipality, when, amount)
        for gain, municipality, when, amount in draw(
            st.lists(
                st.tuples(
                    st.integers(1, 4),
                    st.integers(1, 3),
                    st.dates(D(2022, 6, 1), D(2029, 6, 1)),
                    amounts,
                ),
                max_size=20,
            )
        )
    ]
    start_year = draw(years)
    start = D(start_year, draw(st.integers(1, 12)), 1)
    end_year = draw(st.integers(min_value=start_year, max_value=2029))
    end = D(end_year, draw(st.integers(1, 12)), draw(st.sampled_from([1, 15])))
    return shares, measurements, start, end


@given(plans())
def test_totals_by_action_municipality_and_year_reconcile_with_the_grand_total(plan):
    shares, measurements, start, end = plan
    result = compute(shares=shares, measurements=measurements, start=start, end=end)
    total = result.total
    for grouping in (result.by_action(), result.by_municipality(), result.by_year()):
        assert sum((t.planned for t in grouping.values()), M(0)) == total.planned
        assert sum((t.realised for t in grouping.values()), M(0)) == total.realised
    # Independently: each share, year by year, month by month counted here.
    planned = M(0)
    for row in shares:
        if row.cancelled:
            continue
        for year in range(start.year, end.year + 1):
            months = sum(1 for month in range(1, 13) if start <= D(year, month, 1) < end)
            if months and row.first_year <= year <= row.last_year:
                planned += round_to_ore(row.expected_amount * months / 12)
    realised = sum((m.amount for m in measurements if start <= m.measured_on < end), M(0))
    assert (total.planned, total.realised) == (planned, realised)
    assert total.difference == realised - planned


# Queries -------------------------------------------------------------------------------------


def add_actions(world: GainsWorld, count: int) -> None:
    for n in range(count):
        action = services.save_action(
            action=Action(
                title=f"Extra {n}",
                owner="Lead",
                all_municipalities=False,
                start=D(2025, 1, 1),
                deadline=D(2025, 12, 31),
            ),
            municipalities=[world.fjordvik, world.elvdal],
        )
        gain = services.save_gain(
            gain=Gain(
                action=action,
                effect="E",
                type=GainType.BUDGET_SAVING,
                first_year=2025,
                last_year=2026,
            )
        )
        for municipality in (world.fjordvik, world.elvdal):
            services.save_share(
                share=GainShare(
                    gain=gain, municipality=municipality, owner="O", expected_amount=M("100")
                )
            )
            services.save_measurement(
                measurement=Measurement(
                    gain=gain,
                    municipality=municipality,
                    measured_on=D(2025, 5, 5),
                    amount=M("7"),
                    source="S",
                )
            )


@pytest.mark.django_db
def test_the_query_count_does_not_grow_with_the_number_of_actions(
    gains_world: GainsWorld, django_assert_num_queries
):
    contact = factories.make_user(Role.MUNICIPALITY, municipality=gains_world.elvdal)
    operator = factories.make_user(Role.OPERATOR)

    def run(user):
        return realisation(
            shares=visible_shares(user),
            measurements=visible_measurements(user),
            start=D(2025, 1, 1),
            end=D(2027, 1, 1),
        )

    users = {"operator": operator, "contact": contact}
    before = {}
    for name, user in users.items():
        with django_assert_num_queries(2):
            before[name] = run(user).total
    add_actions(gains_world, 12)
    after = {}
    for name, user in users.items():
        with django_assert_num_queries(2):
            after[name] = run(user).total
    # Each extra action: 100 planned in 2025 and in 2026 for each of two members, 7 realised.
    assert after["operator"].planned - before["operator"].planned == 12 * 2 * 2 * M("100")
    assert after["operator"].realised - before["operator"].realised == 12 * 2 * M("7")
    assert after["contact"].planned - before["contact"].planned == 12 * 2 * M("100")
    assert after["contact"].realised - before["contact"].realised == 12 * M("7")
