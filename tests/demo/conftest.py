"""A small demo, generated once per test module and rolled back after it."""

import datetime

import pytest

from samdrift.demo.generator import generate
from tests.worlds import rolled_back

# A fixed "today", so the data (and these tests) do not move with the calendar.
TODAY = datetime.date(2026, 11, 27)
PASSWORD = "demo-test-password"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The small demo on the test database; tests using it need ``db``."""
    with rolled_back(django_db_blocker):
        yield generate(size="small", seed=11, today=TODAY, password=PASSWORD)
