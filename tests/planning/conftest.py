"""The forecast's hand-built fleet (tests/planning/forecast_world.py) as a fixture."""

import pytest

from tests.planning.forecast_world import ForecastWorld, build_forecast_world


@pytest.fixture
def fleet(municipality_a, municipality_b, service_area_a, service_area_b) -> ForecastWorld:
    return build_forecast_world(municipality_a, municipality_b, service_area_a, service_area_b)
