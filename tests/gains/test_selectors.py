"""The gains selectors (gains/selectors.py): what each role sees, and lists that answer in
a fixed number of queries whatever the number of actions."""

from __future__ import annotations

import pytest

from samdrift.core.choices import Role
from samdrift.gains import selectors
from tests import factories
from tests.gains.test_realisation import add_actions
from tests.gains.world import GainsWorld

pytestmark = pytest.mark.django_db


def test_what_a_municipality_sees(gains_world: GainsWorld):
    w = gains_world
    havbygd = factories.make_user(Role.MUNICIPALITY, municipality=w.havbygd)
    elvdal = factories.make_user(Role.MUNICIPALITY, municipality=w.elvdal)
    titles = set(selectors.visible_actions(havbygd).values_list("title", flat=True))
    assert titles == {"Shared service desk", "Abandoned pilot"}  # not Elvdal's migration
    assert set(selectors.visible_gains(havbygd).values_list("action__title", flat=True)) == titles
    assert {s.municipality_id for s in selectors.visible_shares(havbygd)} == {w.havbygd.pk}
    assert {m.municipality_id for m in selectors.visible_measurements(elvdal)} == {w.elvdal.pk}
    assert [m.title for m in selectors.visible_milestones(havbygd)] == ["Desk opens"]
    assert {c.municipality_id for c in selectors.visible_baseline_costs(elvdal)} == {w.elvdal.pk}
    assert not selectors.visible_baseline_costs(havbygd).exists()
    assert not selectors.visible_indicator_baselines(elvdal).exists()  # Fjordvik's only
    assert not selectors.visible_collaboration_costs(elvdal).exists()
    assert selectors.visible_indicators(elvdal).count() == 2
    assert selectors.visible_cost_index(elvdal).count() == 3
    # A gain's shares are those the user may see.
    desk_gain = selectors.visible_gains(elvdal).get(pk=w.licences.pk)
    assert [s.municipality_id for s in desk_gain.shares.all()] == [w.elvdal.pk]


def test_a_service_area_manager_sees_no_baseline(gains_world: GainsWorld):
    area = factories.make_service_area(gains_world.elvdal)
    manager = factories.make_user(
        Role.SERVICE_AREA, municipality=gains_world.elvdal, service_area=area
    )
    assert not selectors.visible_baseline_costs(manager).exists()
    assert not selectors.visible_indicator_baselines(manager).exists()


def test_the_whole_collaboration_sees_everything(gains_world: GainsWorld):
    finance = factories.make_user(Role.FINANCE)
    assert selectors.visible_actions(finance).count() == 3
    assert selectors.visible_collaboration_costs(finance).count() == 1
    assert selectors.visible_baseline_costs(finance).count() == 3


def walk_plan(actions) -> int:
    """Touch what the plan's pages show of each action; returns a count to use it."""
    seen = 0
    for action in actions:
        seen += len(action.municipalities.all()) + len(action.solutions.all())
        seen += len(action.services.all()) + len(action.prerequisites.all())
        for gain in action.gains.all():
            seen += len(gain.shares.all()) + len(str(gain.indicator or ""))
        seen += len(action.milestones.all())
    return seen


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.MUNICIPALITY])
def test_lists_answer_in_a_fixed_number_of_queries(
    gains_world: GainsWorld, django_assert_num_queries, role
):
    user = factories.make_user(
        role, municipality=gains_world.elvdal if role == Role.MUNICIPALITY else None
    )

    def count_all():
        with django_assert_num_queries(8):  # actions + 4 relations + milestones, gains, shares
            walk_plan(selectors.action_with_details(user))
        with django_assert_num_queries(5):
            list(selectors.visible_actions(user))
        with django_assert_num_queries(2):
            for gain in selectors.visible_gains(user):
                str(gain.action), str(gain.indicator), list(gain.shares.all())
        with django_assert_num_queries(1):
            for share in selectors.visible_shares(user):
                str(share), str(share.owner_user)
        with django_assert_num_queries(1):
            for measurement in selectors.visible_measurements(user):
                str(measurement), str(measurement.gain.indicator)
        with django_assert_num_queries(1):
            [str(b) for b in selectors.visible_indicator_baselines(user)]
        with django_assert_num_queries(1):
            [str(b) for b in selectors.visible_baseline_costs(user)]

    count_all()
    add_actions(gains_world, 6)
    count_all()
