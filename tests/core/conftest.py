"""Fixtures of the core tests: the two-municipality world of tests/core/world.py.

The world is built once per test module inside a transaction that is rolled back when
the module is done; each test runs in a savepoint inside it (like Django's
``setUpTestData``), so a test's writes never reach the next test. Tests must not change
the world's Python objects; reload from the database instead. Once a module has asked
for the world, its later tests see it too: keep world-free tests in other modules.
"""

import pytest
from django.db import transaction
from django.test import override_settings

from tests.core.world import World, build_world

# The world makes a login per role; real PBKDF2 would take most of the time.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def fast_password_hashing(settings):
    """Opt in (``pytest.mark.usefixtures``) where a test makes logins of its own."""
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(scope="module")
def _module_world(request, django_db_setup, django_db_blocker):
    # A module sets EXTENDED_WORLD = True for every app's objects (the permission matrix).
    extended = getattr(request.module, "EXTENDED_WORLD", False)
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS), django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world(extended=extended)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def world(_module_world, db) -> World:
    return _module_world
