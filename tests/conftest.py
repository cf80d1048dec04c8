"""Fixtures every test module may use: two municipalities and a login per role.

Builders live in tests/factories.py; module-specific fixtures stay next to their tests.
"""

import os

import pytest
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient

from samdrift.core.choices import Role
from tests import factories

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
