"""In the billing tests ``world`` is the billing world of tests/worlds.py: two
municipalities, three persons with a laptop and a workplace subscription from 2026."""

import pytest

from tests.worlds import BillingWorld


@pytest.fixture
def world(billing_world) -> BillingWorld:
    return billing_world
