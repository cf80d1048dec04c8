"""Every validation rule of the gains models (gains/models/), tried through the
services the pages and the API call: a ValidationError naming the field, and nothing
saved (neither the row nor a change-log row). The issue's bad inputs first: a target
date before the baseline date, a negative hourly rate, a measurement for a municipality
the action does not concern, a baseline year in the future, percentages outside 0–100."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone

from samdrift.core.choices import Role
from samdrift.core.models import ObjectChange
from samdrift.gains import services
from samdrift.gains.choices import CostCategory, GainType, IndicatorUnit
from samdrift.gains.models import (
    Action,
    BaselineCost,
    CollaborationCost,
    CostIndex,
    Gain,
    GainShare,
    Indicator,
    IndicatorBaseline,
    Measurement,
    Milestone,
)
from tests import factories
from tests.gains.world import GainsWorld

D = datetime.date
M = Decimal
pytestmark = pytest.mark.django_db


def refused(write: Callable[[], object], model, *fields: str) -> ValidationError:
    """``write`` raises a ValidationError naming each of ``fields``; nothing is saved."""
    rows, changes = model.objects.count(), ObjectChange.objects.count()
    with pytest.raises(ValidationError) as caught:
        write()
    for name in fields:
        assert name in caught.value.message_dict, caught.value.message_dict
    assert model.objects.count() == rows
    assert ObjectChange.objects.count() == changes
    return caught.value


def tomorrow() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=1)


# The bad inputs ---------------------------------------------------------------------


def test_a_target_date_before_the_baseline_date(gains_world: GainsWorld):
    gain = Gain(
        action=gains_world.desk,
        effect="Faster",
        type=GainType.AVOIDED_COST,
        indicator=gains_world.incidents,
        baseline_date=D(2025, 6, 1),
        target_date=D(2025, 5, 31),
        first_year=2025,
        last_year=2025,
    )
    error = refused(lambda: services.save_gain(gain=gain), Gain, "target_date")
    assert "2025-05-31" in error.message_dict["target_date"][0]


def test_a_negative_hourly_rate(gains_world: GainsWorld):
    gain = Gain(
        action=gains_world.desk,
        effect="Faster",
        type=GainType.TIME_SAVED,
        hourly_rate=M("-1"),
        first_year=2025,
        last_year=2025,
    )
    refused(lambda: services.save_gain(gain=gain), Gain, "hourly_rate")


def test_a_measurement_for_a_municipality_the_action_does_not_concern(gains_world: GainsWorld):
    # The migration concerns Elvdal only.
    measurement = Measurement(
        gain=gains_world.avoided,
        municipality=gains_world.fjordvik,
        measured_on=D(2026, 6, 1),
        amount=M("100"),
        source="Ledger",
    )
    error = refused(
        lambda: services.save_measurement(measurement=measurement), Measurement, "municipality"
    )
    assert "Elvdal migration" in error.message_dict["municipality"][0]


def test_a_share_for_a_municipality_the_action_does_not_concern(gains_world: GainsWorld):
    share = GainShare(gain=gains_world.avoided, municipality=gains_world.havbygd, owner="Per")
    refused(lambda: services.save_share(share=share), GainShare, "municipality")


def test_a_baseline_year_in_the_future(gains_world: GainsWorld):
    future = timezone.localdate().year + 1
    cost = BaselineCost(
        municipality=gains_world.fjordvik,
        year=future,
        category=CostCategory.OTHER,
        amount=M("1000"),
    )
    error = refused(lambda: services.save_baseline_cost(cost=cost), BaselineCost, "year")
    assert str(future) in error.message_dict["year"][0]


@pytest.mark.parametrize("value", ["-0.01", "100.01", "250"])
def test_percentages_outside_0_to_100(gains_world: GainsWorld, value):
    satisfaction = gains_world.satisfaction
    baseline = IndicatorBaseline(
        municipality=gains_world.elvdal,
        indicator=satisfaction,
        value=M(value),
        measured_on=D(2023, 1, 1),
    )
    refused(lambda: services.save_indicator_baseline(baseline=baseline), IndicatorBaseline, "value")
    for name in ("baseline_value", "target_value"):
        gain = Gain(
            action=gains_world.desk,
            effect="Happier",
            type=GainType.QUALITY,
            indicator=satisfaction,
            first_year=2025,
            last_year=2025,
            **{name: M(value)},
        )
        refused(lambda gain=gain: services.save_gain(gain=gain), Gain, name)
    measurement = Measurement(
        gain=gains_world.quality,
        municipality=gains_world.elvdal,
        measured_on=D(2025, 1, 1),
        value=M(value),
        source="Survey",
    )
    refused(lambda: services.save_measurement(measurement=measurement), Measurement, "value")


@pytest.mark.parametrize("value", ["0", "100", "250"])
def test_the_bounds_of_a_percentage_are_allowed_and_other_units_are_not_bounded(
    gains_world: GainsWorld, value
):
    indicator = gains_world.satisfaction if value != "250" else gains_world.incidents
    baseline = services.save_indicator_baseline(
        baseline=IndicatorBaseline(
            municipality=gains_world.elvdal,
            indicator=indicator,
            value=M(value),
            measured_on=D(2023, 1, 1),
        )
    )
    assert baseline.pk is not None


# Reference data and baselines -----------------------------------------------------------------


def test_cost_index_rules(gains_world: GainsWorld):
    refused(
        lambda: services.save_cost_index(index=CostIndex(year=2026, value=M("0"))),
        CostIndex,
        "value",
    )
    refused(
        lambda: services.save_cost_index(index=CostIndex(year=1999, value=M("100"))),
        CostIndex,
        "year",
    )
    refused(
        lambda: services.save_cost_index(index=CostIndex(year=2101, value=M("100"))),
        CostIndex,
        "year",
    )
    refused(
        lambda: services.save_cost_index(index=CostIndex(year=2024, value=M("100"))),
        CostIndex,
        "year",  # one value a year
    )


def test_an_indicator_name_is_unique_and_its_unit_a_choice(gains_world: GainsWorld):
    refused(
        lambda: services.save_indicator(
            indicator=Indicator(name="User satisfaction", unit=IndicatorUnit.SCORE)
        ),
        Indicator,
        "name",
    )
    refused(
        lambda: services.save_indicator(indicator=Indicator(name="Other", unit="furlongs")),
        Indicator,
        "unit",
    )


def test_a_baseline_is_from_before_joining(gains_world: GainsWorld):
    cost = BaselineCost(
        municipality=gains_world.fjordvik, year=2025, category=CostCategory.OTHER, amount=M("1")
    )
    error = refused(lambda: services.save_baseline_cost(cost=cost), BaselineCost, "year")
    assert "2024" in error.message_dict["year"][0]  # joined 1 January 2024


def test_staff_costs_need_ftes_and_a_cost_per_fte(gains_world: GainsWorld):
    cost = BaselineCost(
        municipality=gains_world.elvdal, year=2023, category=CostCategory.STAFF, amount=M("5")
    )
    refused(lambda: services.save_baseline_cost(cost=cost), BaselineCost, "fte", "cost_per_fte")


def test_staff_costs_are_ftes_times_cost_and_other_costs_forget_ftes(gains_world: GainsWorld):
    staff = services.save_baseline_cost(
        cost=BaselineCost(municipality=gains_world.elvdal, year=2023, category=CostCategory.STAFF),
        changes={"fte": M("1.5"), "cost_per_fte": M("700000.33"), "amount": M("0")},
    )
    staff.refresh_from_db()
    assert staff.amount == M("1050000.50")  # 1.5 × 700,000.33 = 1,050,000.495 → .50
    other = services.save_baseline_cost(
        cost=BaselineCost(
            municipality=gains_world.elvdal,
            year=2023,
            category=CostCategory.CONTRACTS,
            fte=M("3"),
            cost_per_fte=M("10"),
            amount=M("99"),
        )
    )
    other.refresh_from_db()
    assert (other.fte, other.cost_per_fte, other.amount) == (None, None, M("99"))


def test_a_baseline_amount_is_not_negative_and_one_a_category_and_year(gains_world: GainsWorld):
    negative = BaselineCost(
        municipality=gains_world.elvdal, year=2022, category=CostCategory.OTHER, amount=M("-1")
    )
    refused(lambda: services.save_baseline_cost(cost=negative), BaselineCost, "amount")
    twice = BaselineCost(
        municipality=gains_world.elvdal,
        year=2023,
        category=CostCategory.LICENCES,
        amount=M("1"),
    )
    refused(lambda: services.save_baseline_cost(cost=twice), BaselineCost, NON_FIELD_ERRORS)


def test_an_indicator_baseline_is_measured_not_expected(gains_world: GainsWorld):
    baseline = IndicatorBaseline(
        municipality=gains_world.elvdal,
        indicator=gains_world.incidents,
        value=M("3"),
        measured_on=tomorrow(),
    )
    refused(
        lambda: services.save_indicator_baseline(baseline=baseline),
        IndicatorBaseline,
        "measured_on",
    )


def test_a_collaboration_cost_is_not_negative_and_says_what(gains_world: GainsWorld):
    refused(
        lambda: services.save_collaboration_cost(
            cost=CollaborationCost(year=2025, amount=M("-5"), description="x")
        ),
        CollaborationCost,
        "amount",
    )
    refused(
        lambda: services.save_collaboration_cost(
            cost=CollaborationCost(year=2025, amount=M("5"), description="")
        ),
        CollaborationCost,
        "description",
    )


# The action plan ----------------------------------------------------------------------------


def test_an_action_ends_after_it_starts_and_costs_nothing_negative(gains_world: GainsWorld):
    def action(**fields):
        values = {"title": "A", "owner": "B", "start": D(2025, 1, 2), "deadline": D(2025, 2, 1)}
        return Action(**{**values, **fields})

    refused(lambda: services.save_action(action=action(deadline=D(2025, 1, 1))), Action, "deadline")
    refused(lambda: services.save_action(action=action(budget=M("-1"))), Action, "budget")
    refused(
        lambda: services.save_action(action=action(cost_to_date=M("-1"))), Action, "cost_to_date"
    )
    refused(lambda: services.save_action(action=action(status="lost")), Action, "status")


def test_a_milestone_has_a_title_and_a_date(gains_world: GainsWorld):
    refused(
        lambda: services.save_milestone(
            milestone=Milestone(action=gains_world.desk, title="", due=D(2025, 1, 1))
        ),
        Milestone,
        "title",
    )


def test_gain_rules(gains_world: GainsWorld):
    def gain(**fields):
        values = {
            "action": gains_world.desk,
            "effect": "E",
            "type": GainType.BUDGET_SAVING,
            "first_year": 2025,
            "last_year": 2026,
        }
        return Gain(**{**values, **fields})

    cases = [
        (gain(type=GainType.TIME_SAVED), "hourly_rate"),  # time saved needs its rate
        (gain(type=GainType.QUALITY), "indicator"),  # quality is shown by an indicator
        (gain(first_year=2026, last_year=2025), "last_year"),
        (gain(first_year=1999), "first_year"),
        (gain(type="luck"), "type"),
    ]
    for bad, name in cases:
        refused(lambda bad=bad: services.save_gain(gain=bad), Gain, name)


def test_share_rules(gains_world: GainsWorld):
    elvdal_user = factories.make_user(Role.MUNICIPALITY, municipality=gains_world.elvdal)
    cases = [
        (
            GainShare(
                gain=gains_world.licences,
                municipality=gains_world.havbygd,
                owner="Per",
                owner_user=elvdal_user,
            ),
            "owner_user",
        ),
        (
            GainShare(gain=gains_world.time_saved, municipality=gains_world.fjordvik, owner="K"),
            "expected_hours",
        ),
        (
            GainShare(
                gain=gains_world.licences,
                municipality=gains_world.havbygd,
                owner="Per",
                expected_amount=M("-1"),
            ),
            "expected_amount",
        ),
        (
            GainShare(gain=gains_world.licences, municipality=gains_world.fjordvik, owner="K"),
            NON_FIELD_ERRORS,  # one share of a gain per municipality
        ),
    ]
    for share, name in cases:
        refused(lambda share=share: services.save_share(share=share), GainShare, name)


def test_a_share_of_time_saved_is_hours_times_the_rate_and_quality_has_no_amount(
    gains_world: GainsWorld,
):
    time = services.save_share(
        share=GainShare(
            gain=gains_world.time_saved,
            municipality=gains_world.elvdal,
            owner="Ola",
            expected_hours=M("12.5"),
            expected_amount=M("1"),
        )
    )
    assert time.expected_amount == M("8125.00")  # 12.5 h × 650
    quality = services.save_share(
        share=GainShare(
            gain=gains_world.quality,
            municipality=gains_world.elvdal,
            owner="Ola",
            expected_hours=M("3"),
            expected_amount=M("500"),
        )
    )
    assert (quality.expected_hours, quality.expected_amount) == (None, M("0"))


def test_measurement_rules(gains_world: GainsWorld):
    def measurement(**fields):
        values = {
            "gain": gains_world.licences,
            "municipality": gains_world.fjordvik,
            "measured_on": D(2025, 3, 1),
            "source": "Ledger",
        }
        return Measurement(**{**values, **fields})

    cases = [
        (measurement(measured_on=tomorrow()), "measured_on"),
        (measurement(gain=gains_world.time_saved), "hours"),
        (measurement(gain=gains_world.quality), "value"),
        (measurement(amount=M("-1")), "amount"),
        (measurement(source=""), "source"),
    ]
    for bad, name in cases:
        refused(lambda bad=bad: services.save_measurement(measurement=bad), Measurement, name)


def test_a_measurement_of_time_saved_is_hours_times_the_rate(gains_world: GainsWorld):
    measured = services.save_measurement(
        measurement=Measurement(
            gain=gains_world.time_saved,
            municipality=gains_world.fjordvik,
            measured_on=D(2025, 3, 1),
            hours=M("1.01"),
            amount=M("99999"),
            source="Timesheets",
        )
    )
    assert measured.amount == M("656.50")  # 1.01 h × 650
