"""In the core tests ``world`` is the matrix world of tests/worlds.py: two
municipalities with one object of every kind each and a login per role, built once per
test module (tests/conftest.py says how)."""

import pytest

from tests.worlds import MatrixWorld


@pytest.fixture
def world(matrix_world) -> MatrixWorld:
    return matrix_world
