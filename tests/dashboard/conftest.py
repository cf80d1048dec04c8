"""In the dashboard tests ``world`` is the small world of tests/worlds.py (two
municipalities, their people and devices), as in the UI tests: the overview and the
municipality page count the same rows."""

import pytest

from tests.worlds import SmallWorld


@pytest.fixture
def world(small_world) -> SmallWorld:
    return small_world
