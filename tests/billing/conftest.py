"""A small billing world: two municipalities with service areas, persons, laptops on
lease prices, a per-user service, and helpers to run months."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from samdrift.catalogue.choices import ServiceUnit
from samdrift.inventory.services import assign_asset, subscribe
from tests import factories

D = datetime.date


@dataclass
class World:
    collaboration: object
    fjordvik: object
    elvdal: object
    school: object
    health: object
    elvdal_care: object
    laptop: object
    workplace: object
    persons: list
    assets: list


@pytest.fixture
def world(db, collaboration, municipality_a, municipality_b, service_area_a, service_area_b):
    laptop = factories.make_product(name="Standard laptop 14in")
    factories.make_price(amount="328.6900", valid_from=D(2025, 1, 1), product=laptop)
    workplace = factories.make_service(name="User workplace", unit=ServiceUnit.PER_USER)
    factories.make_price(amount="150.0000", valid_from=D(2025, 1, 1), service=workplace)
    health = factories.make_service_area(municipality_a, name="Helse", cost_centre="3100")
    persons = [
        factories.make_person(municipality_a, service_area_a),
        factories.make_person(municipality_a, health),
        factories.make_person(municipality_b, service_area_b),
    ]
    assets = []
    for person in persons:
        asset = factories.make_asset(laptop)
        assign_asset(
            asset=asset,
            municipality=person.municipality,
            service_area=person.service_area,
            person=person,
            valid_from=D(2026, 1, 1),
        )
        subscribe(
            service=workplace,
            municipality=person.municipality,
            service_area=person.service_area,
            person=person,
            valid_from=D(2026, 1, 1),
        )
        assets.append(asset)
    return World(
        collaboration=collaboration,
        fjordvik=municipality_a,
        elvdal=municipality_b,
        school=service_area_a,
        health=health,
        elvdal_care=service_area_b,
        laptop=laptop,
        workplace=workplace,
        persons=persons,
        assets=assets,
    )


def money(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))
