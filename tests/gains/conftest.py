"""The gains world (tests/gains/world.py) as a fixture: Fjordvik and Elvdal of the shared
fixtures, and Havbygd."""

import pytest

from tests.gains.world import GainsWorld, build_gains_world


@pytest.fixture
def gains_world(municipality_a, municipality_b) -> GainsWorld:
    return build_gains_world(municipality_a, municipality_b)
