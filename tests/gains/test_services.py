"""The gains services (gains/services.py): each write logged in the change log, an
action's relations (municipalities, solutions, services, prerequisites) logged with its
row, prerequisite cycles refused, the municipalities of an action kept consistent with
its gains, and a gain revalued when its hourly rate changes."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from samdrift.core.actor import acting_as
from samdrift.core.changelog import changes_for
from samdrift.core.choices import ChangeAction
from samdrift.core.models import ObjectChange
from samdrift.gains import services
from samdrift.gains.choices import ActionStatus, GainType, IndicatorUnit
from samdrift.gains.models import Action, Gain, GainShare, Indicator, Measurement, Milestone
from tests import factories
from tests.gains.world import GainsWorld

D = datetime.date
M = Decimal
pytestmark = pytest.mark.django_db


def new_action(**fields) -> Action:
    values = {"title": "New", "owner": "Lead", "start": D(2026, 1, 1), "deadline": D(2026, 12, 31)}
    return Action(**{**values, **fields})


def nothing_written(write, field: str) -> ValidationError:
    changes = ObjectChange.objects.count()
    links = [getattr(Action, name).through.objects.count() for name in services.ACTION_RELATIONS]
    with pytest.raises(ValidationError) as caught:
        write()
    assert field in caught.value.message_dict, caught.value.message_dict
    assert ObjectChange.objects.count() == changes
    after = [getattr(Action, name).through.objects.count() for name in services.ACTION_RELATIONS]
    assert after == links
    return caught.value


# The change log -----------------------------------------------------------------------------


def test_creating_an_action_logs_its_fields_and_relations_in_one_row(gains_world: GainsWorld):
    operator = factories.make_user(username="planner")
    solution_service = factories.make_service(name="Sak/arkiv")
    with acting_as(operator):
        action = services.save_action(
            action=new_action(all_municipalities=False),
            municipalities=[gains_world.havbygd, gains_world.elvdal],
            services=[solution_service],
            prerequisites=[gains_world.desk],
        )
    (change,) = changes_for(action)
    assert change.action == ChangeAction.CREATE
    assert change.user == operator
    assert change.prechange_data is None
    data = change.postchange_data
    assert data["title"] == "New"
    assert data["municipalities"] == sorted([gains_world.havbygd.pk, gains_world.elvdal.pk])
    assert data["services"] == [solution_service.pk]
    assert data["solutions"] == []
    assert data["prerequisites"] == [gains_world.desk.pk]
    assert set(action.municipalities.values_list("pk", flat=True)) == {
        gains_world.havbygd.pk,
        gains_world.elvdal.pk,
    }


def test_changing_only_the_relations_of_an_action_is_logged(gains_world: GainsWorld):
    migration = Action.objects.get(pk=gains_world.migration.pk)
    before = changes_for(migration).count()
    services.save_action(action=migration, municipalities=[gains_world.elvdal, gains_world.havbygd])
    latest = changes_for(migration).first()
    assert changes_for(migration).count() == before + 1
    assert latest.action == ChangeAction.UPDATE
    assert latest.changed_fields() == {
        "municipalities": (
            [gains_world.elvdal.pk],
            sorted([gains_world.elvdal.pk, gains_world.havbygd.pk]),
        )
    }


def test_fields_and_relations_changed_together_are_one_row(gains_world: GainsWorld):
    migration = Action.objects.get(pk=gains_world.migration.pk)
    before = changes_for(migration).count()
    services.save_action(
        action=migration, changes={"status": ActionStatus.IN_PROGRESS}, prerequisites=[]
    )
    assert changes_for(migration).count() == before + 1
    assert changes_for(migration).first().changed_fields() == {
        "status": (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS),
        "prerequisites": ([gains_world.desk.pk], []),
    }
    assert not migration.prerequisites.exists()


def test_saving_an_action_unchanged_logs_nothing(gains_world: GainsWorld):
    migration = Action.objects.get(pk=gains_world.migration.pk)
    changes = ObjectChange.objects.count()
    services.save_action(
        action=migration, municipalities=[gains_world.elvdal], prerequisites=[gains_world.desk]
    )
    services.save_action(action=migration)
    assert ObjectChange.objects.count() == changes


def test_the_instance_logs_as_any_other_after_the_write(gains_world: GainsWorld):
    """The relations are added to the logged data for the span of the service only."""
    migration = Action.objects.get(pk=gains_world.migration.pk)
    services.save_action(action=migration, municipalities=[gains_world.elvdal])
    assert "municipalities" not in migration.changelog_data()


def test_deleting_an_action_logs_it_with_its_relations_and_everything_under_it(
    gains_world: GainsWorld,
):
    migration = Action.objects.get(pk=gains_world.migration.pk)
    pk = migration.pk
    gain_pk = gains_world.avoided.pk
    services.delete_action(action=migration)
    deleted = ObjectChange.objects.filter(action=ChangeAction.DELETE)
    action_row = deleted.get(content_type__model="action", object_id=pk)
    assert action_row.prechange_data["municipalities"] == [gains_world.elvdal.pk]
    assert action_row.prechange_data["prerequisites"] == [gains_world.desk.pk]
    assert deleted.filter(content_type__model="gain", object_id=gain_pk).exists()
    assert deleted.filter(content_type__model="gainshare").count() == 1
    assert deleted.filter(content_type__model="measurement").count() == 1
    assert not Gain.objects.filter(pk=gain_pk).exists()


def test_each_write_of_the_other_models_is_logged(gains_world: GainsWorld):
    for obj, model in [
        (gains_world.licences, "gain"),
        (gains_world.fjordvik_licences, "gainshare"),
        (gains_world.satisfaction, "indicator"),
    ]:
        assert changes_for(obj).filter(action=ChangeAction.CREATE).count() == 1, model
    milestone = Milestone.objects.get(action=gains_world.desk)
    services.save_milestone(milestone=milestone, changes={"title": "Desk opened"})
    assert changes_for(milestone).first().changed_fields() == {
        "title": ("Desk opens", "Desk opened")
    }
    services.delete_milestone(milestone=milestone)
    assert ObjectChange.objects.filter(
        content_type__model="milestone", action=ChangeAction.DELETE
    ).exists()


# Prerequisites ----------------------------------------------------------------------------------


def test_an_action_cannot_require_itself(gains_world: GainsWorld):
    desk = Action.objects.get(pk=gains_world.desk.pk)
    error = nothing_written(
        lambda: services.save_action(action=desk, prerequisites=[desk]), "prerequisites"
    )
    assert "itself" in error.message_dict["prerequisites"][0]


def test_a_direct_cycle_is_refused(gains_world: GainsWorld):
    desk = Action.objects.get(pk=gains_world.desk.pk)  # the migration requires the desk
    error = nothing_written(
        lambda: services.save_action(action=desk, prerequisites=[gains_world.migration]),
        "prerequisites",
    )
    assert "Elvdal migration" in error.message_dict["prerequisites"][0]


def test_a_longer_cycle_is_refused_and_a_diamond_is_not_a_cycle(gains_world: GainsWorld):
    # rollout requires the migration, which requires the desk.
    rollout = services.save_action(
        action=new_action(title="Rollout"), prerequisites=[gains_world.migration]
    )
    desk = Action.objects.get(pk=gains_world.desk.pk)
    nothing_written(
        lambda: services.save_action(action=desk, prerequisites=[rollout]), "prerequisites"
    )
    # rollout requiring the desk directly too is a diamond, not a cycle.
    services.save_action(action=rollout, prerequisites=[gains_world.migration, desk])
    assert set(rollout.prerequisites.values_list("title", flat=True)) == {
        "Elvdal migration",
        "Shared service desk",
    }


# Municipalities ---------------------------------------------------------------------------------


def test_an_action_of_some_municipalities_names_them(gains_world: GainsWorld):
    nothing_written(
        lambda: services.save_action(action=new_action(all_municipalities=False)),
        "municipalities",
    )
    migration = Action.objects.get(pk=gains_world.migration.pk)
    nothing_written(
        lambda: services.save_action(action=migration, municipalities=[]), "municipalities"
    )


def test_an_action_of_all_municipalities_lists_none(gains_world: GainsWorld):
    nothing_written(
        lambda: services.save_action(action=new_action(), municipalities=[gains_world.elvdal]),
        "municipalities",
    )


def test_an_action_made_one_of_all_forgets_its_list(gains_world: GainsWorld):
    migration = Action.objects.get(pk=gains_world.migration.pk)
    services.save_action(action=migration, changes={"all_municipalities": True})
    assert not migration.municipalities.exists()
    assert changes_for(migration).first().changed_fields() == {
        "all_municipalities": (False, True),
        "municipalities": ([gains_world.elvdal.pk], []),
    }


def test_a_municipality_with_gains_recorded_cannot_be_dropped(gains_world: GainsWorld):
    migration = Action.objects.get(pk=gains_world.migration.pk)
    error = nothing_written(
        lambda: services.save_action(action=migration, municipalities=[gains_world.havbygd]),
        "municipalities",
    )
    assert "Elvdal" in error.message_dict["municipalities"][0]
    # Nor by turning an action of all into one of some.
    desk = Action.objects.get(pk=gains_world.desk.pk)
    error = nothing_written(
        lambda: services.save_action(
            action=desk,
            changes={"all_municipalities": False},
            municipalities=[gains_world.fjordvik],
        ),
        "municipalities",
    )
    message = error.message_dict["municipalities"][0]
    assert "Elvdal" in message and "Havbygd" in message and "Fjordvik" not in message
    assert Action.objects.get(pk=desk.pk).all_municipalities


def test_a_municipality_without_gains_can_be_dropped(gains_world: GainsWorld):
    migration = Action.objects.get(pk=gains_world.migration.pk)
    services.save_action(action=migration, municipalities=[gains_world.elvdal, gains_world.havbygd])
    services.save_action(action=migration, municipalities=[gains_world.elvdal])
    assert list(migration.municipalities.values_list("pk", flat=True)) == [gains_world.elvdal.pk]


# Gains ---------------------------------------------------------------------------------------


def test_a_new_hourly_rate_revalues_the_time_saved(gains_world: GainsWorld):
    gain = Gain.objects.get(pk=gains_world.time_saved.pk)
    services.save_gain(gain=gain, changes={"hourly_rate": M("700")})
    share = GainShare.objects.get(pk=gains_world.havbygd_time.pk)
    assert share.expected_amount == M("140000.00")  # 200 h × 700
    measurement = Measurement.objects.get(gain=gain)
    assert measurement.amount == M("56000.00")  # 80 h × 700
    assert changes_for(share).first().changed_fields() == {
        "expected_amount": ("130000.00", "140000.00")
    }


def test_a_gain_with_recordings_keeps_its_type_and_action(gains_world: GainsWorld):
    gain = Gain.objects.get(pk=gains_world.licences.pk)
    changes = ObjectChange.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.save_gain(gain=gain, changes={"type": GainType.AVOIDED_COST})
    assert "type" in caught.value.message_dict
    gain = Gain.objects.get(pk=gains_world.licences.pk)
    with pytest.raises(ValidationError) as caught:
        services.save_gain(gain=gain, changes={"action": gains_world.pilot})
    assert "action" in caught.value.message_dict
    assert ObjectChange.objects.count() == changes
    fresh = services.save_gain(
        gain=Gain(
            action=gains_world.desk,
            effect="Unrecorded",
            type=GainType.BUDGET_SAVING,
            first_year=2026,
            last_year=2026,
        )
    )
    services.save_gain(gain=fresh, changes={"type": GainType.AVOIDED_COST})


def test_an_indicator_in_use_is_kept_and_cannot_become_a_percentage_of_bad_values(
    gains_world: GainsWorld,
):
    incidents = Indicator.objects.get(pk=gains_world.incidents.pk)
    with pytest.raises(ValidationError) as caught:
        services.delete_indicator(indicator=incidents)
    assert "indicator" in caught.value.message_dict
    services.save_indicator_baseline(
        baseline=gains_world.incidents.baselines.get(),
        changes={"value": M("130")},
    )
    with pytest.raises(ValidationError) as caught:
        services.save_indicator(indicator=incidents, changes={"unit": IndicatorUnit.PERCENT})
    assert "unit" in caught.value.message_dict
    unused = services.save_indicator(indicator=Indicator(name="Unused", unit=IndicatorUnit.COUNT))
    services.save_indicator(indicator=unused, changes={"unit": IndicatorUnit.PERCENT})
    services.delete_indicator(indicator=unused)
    assert not Indicator.objects.filter(name="Unused").exists()
