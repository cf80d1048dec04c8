"""In the web UI tests ``world`` is the small world of tests/worlds.py (two
municipalities with people, assets, prices and subscriptions); and a signed-in contact
of its first municipality."""

from __future__ import annotations

import pytest
from django.test import Client

from samdrift.core.choices import Role
from tests import factories
from tests.factories import client_for
from tests.worlds import SmallWorld


@pytest.fixture
def world(small_world) -> SmallWorld:
    return small_world


@pytest.fixture
def contact_a_user(world):
    return factories.make_user(
        Role.MUNICIPALITY, municipality=world.municipality_a, username="contact-fjordvik"
    )


@pytest.fixture
def contact_a_client(contact_a_user) -> Client:
    return client_for(contact_a_user)
