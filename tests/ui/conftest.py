"""Fixtures of the web UI tests: a small world of two municipalities with people, assets,
prices and subscriptions, and logged-in clients per role."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pytest
from django.test import Client

from samdrift.catalogue.choices import ServiceUnit
from samdrift.core.choices import Role
from samdrift.inventory.services import assign_asset, subscribe
from tests import factories
from tests.factories import client_for

D = datetime.date


@dataclass
class World:
    municipality_a: object
    municipality_b: object
    area_a: object
    area_a2: object
    area_b: object
    person_a: object
    person_b: object
    laptop: object
    service: object
    assets_a: list = field(default_factory=list)
    assets_b: list = field(default_factory=list)


def build_world(rows: int = 3) -> World:
    """``rows`` assets and persons per municipality; prices in force; one subscription."""
    factories.make_collaboration()
    a = factories.make_municipality(name="Fjordvik", number="4601", population=60000)
    b = factories.make_municipality(name="Elvdal", number="4602", population=1500)
    area_a = factories.make_service_area(a, name="Oppvekst", cost_centre="2000")
    area_a2 = factories.make_service_area(a, name="Helse og omsorg", cost_centre="3000")
    area_b = factories.make_service_area(b, name="Elvdal helse", cost_centre="3000")
    category = factories.make_category(name="Laptops", code="laptop")
    laptop = factories.make_product(category, name="Standard laptop 14in")
    factories.make_price(amount="1234.50", valid_from=D(2020, 1, 1), product=laptop)
    service = factories.make_service(
        name="User workplace", code="workplace", unit=ServiceUnit.PER_USER
    )
    factories.make_price(amount="250.00", valid_from=D(2020, 1, 1), service=service)
    world = World(a, b, area_a, area_a2, area_b, None, None, laptop, service)
    for municipality, area, assets in ((a, area_a, world.assets_a), (b, area_b, world.assets_b)):
        town_hall = factories.make_location(
            municipality, name=f"{municipality.name} rådhus", kind="town_hall"
        )
        for i in range(rows):
            person = factories.make_person(
                municipality, area, username=f"{municipality.number}-p{i}", first_name="Kari"
            )
            asset = factories.make_asset(laptop, asset_tag=f"T{municipality.number}-{i:03d}")
            assign_asset(
                asset=asset,
                municipality=municipality,
                service_area=area,
                person=person,
                location=town_hall,
                valid_from=D(2024, 6, 1),
            )
            assets.append(asset)
            if i == 0:
                subscribe(
                    service=service,
                    municipality=municipality,
                    service_area=area,
                    person=person,
                    valid_from=D(2024, 6, 1),
                )
                if municipality == a:
                    world.person_a = person
                else:
                    world.person_b = person
    return world


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Logins are made per test; the slow production hasher adds nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def contact_a_user(world):
    return factories.make_user(
        Role.MUNICIPALITY, municipality=world.municipality_a, username="contact-fjordvik"
    )


@pytest.fixture
def contact_a_client(contact_a_user) -> Client:
    return client_for(contact_a_user)
