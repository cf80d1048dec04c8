"""A small demo, generated once per test module and rolled back after it."""

import datetime

import pytest
from django.db import transaction
from django.test import override_settings

from samdrift.demo.generator import generate

# A fixed "today", so the data (and these tests) do not move with the calendar.
TODAY = datetime.date(2026, 11, 27)
PASSWORD = "demo-test-password"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The small demo on the test database; tests using it need ``db``."""
    # Real PBKDF2 takes half a second per check; the tests sign in as every demo login.
    fast_hashing = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    )
    with fast_hashing, django_db_blocker.unblock(), transaction.atomic():
        ctx = generate(size="small", seed=11, today=TODAY, password=PASSWORD)
        yield ctx
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
