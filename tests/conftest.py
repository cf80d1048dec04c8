"""Fixtures every test module may use: two municipalities, a login per role, and the
shared worlds of tests/worlds.py.

Builders live in tests/factories.py and tests/worlds.py; a package's conftest only says
which world its tests call ``world``; module-specific fixtures stay next to their tests.
"""

import os

import pytest
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient

from samdrift.core.choices import Role
from tests import factories, worlds

settings.register_profile(
    "samdrift", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=200
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "samdrift"))


@pytest.fixture(autouse=True)
def _language_of_the_settings():
    """Every test starts and ends in the default language: a request made in bokmål
    leaves its language active in the worker (LocaleMiddleware activates it and nothing
    turns it back), which would change the messages later tests compare."""
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True, scope="session")
def _no_lazy_holder_refresh():
    """No daily holder refresh on a test's first request: test data is made per test
    (some with a holder but no assignment); tests/inventory/test_holders.py tries it."""
    from django.conf import settings as django_settings

    django_settings.SAMDRIFT_REFRESH_HOLDERS_LAZILY = False


@pytest.fixture(autouse=True)
def _api_limits_apart(settings):
    """Each test starts with no API rate counts, and with rates no ordinary test reaches
    (the fuzzing makes thousands of requests a minute): tests/core/test_brute_force.py sets
    its own. The counts live in a cache, which no test transaction rolls back."""
    from django.core.cache import caches

    settings.SAMDRIFT_API_RATE_PER_TOKEN = "1000000/minute"
    settings.SAMDRIFT_API_RATE_PER_ADDRESS = "1000000/minute"
    caches["throttle"].clear()
    yield
    caches["throttle"].clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Logins are made per test; the slow production hasher adds nothing to any test."""
    settings.PASSWORD_HASHERS = worlds.FAST_HASHERS


@pytest.fixture
def collaboration(db):
    return factories.make_collaboration()


@pytest.fixture
def municipality_a(db):
    return factories.make_municipality(name="Fjordvik", number="4601", population=60000)


@pytest.fixture
def municipality_b(db):
    return factories.make_municipality(name="Elvdal", number="4602", population=1500)


@pytest.fixture
def service_area_a(municipality_a):
    return factories.make_service_area(municipality_a, name="Oppvekst", cost_centre="2000")


@pytest.fixture
def service_area_b(municipality_b):
    return factories.make_service_area(municipality_b, name="Helse", cost_centre="3000")


@pytest.fixture
def operator(db):
    return factories.make_user(Role.OPERATOR, username="operator")


@pytest.fixture
def finance_user(db):
    return factories.make_user(Role.FINANCE, username="finance")


@pytest.fixture
def read_only_user(db):
    return factories.make_user(Role.READ_ONLY, username="auditor")


@pytest.fixture
def contact_a(municipality_a):
    return factories.make_user(Role.MUNICIPALITY, municipality=municipality_a, username="contact-a")


@pytest.fixture
def contact_b(municipality_b):
    return factories.make_user(Role.MUNICIPALITY, municipality=municipality_b, username="contact-b")


@pytest.fixture
def manager_a(municipality_a, service_area_a):
    return factories.make_user(
        Role.SERVICE_AREA,
        municipality=municipality_a,
        service_area=service_area_a,
        username="manager-a",
    )


@pytest.fixture
def operator_client(operator):
    return factories.client_for(operator)


@pytest.fixture
def api():
    """An API client; ``api.force_authenticate(user)`` to act as someone."""
    return APIClient()


@pytest.fixture
def small_world(db) -> worlds.SmallWorld:
    return worlds.build_small_world()


@pytest.fixture
def billing_world(
    collaboration, municipality_a, municipality_b, service_area_a, service_area_b
) -> worlds.BillingWorld:
    return worlds.build_billing_world(
        collaboration, municipality_a, municipality_b, service_area_a, service_area_b
    )


@pytest.fixture(scope="module")
def _module_matrix_world(request, django_db_setup, django_db_blocker):
    """The matrix world, built once per test module and rolled back after it (see
    ``worlds.rolled_back``). Tests must not change the world's Python objects; reload
    from the database instead. Once a module has asked for the world, its later tests
    see it too: keep world-free tests in other modules. A module sets
    ``EXTENDED_WORLD = True`` for every app's objects (the permission matrices)."""
    from tests.core.matrix import world_extensions

    extended = getattr(request.module, "EXTENDED_WORLD", False)
    with worlds.rolled_back(django_db_blocker):
        yield worlds.build_matrix_world(world_extensions() if extended else ())


@pytest.fixture
def matrix_world(_module_matrix_world, db) -> worlds.MatrixWorld:
    return _module_matrix_world
