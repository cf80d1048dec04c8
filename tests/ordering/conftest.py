"""The ordering world: two municipalities with people and budget owners, a priced
catalogue with offers and a bundle, and devices in stock."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from samdrift.catalogue.choices import ServiceUnit
from samdrift.core.actor import acting_as
from samdrift.core.choices import Role
from samdrift.ordering.choices import LineKind
from samdrift.ordering.models import Bundle, BundlePart, CatalogueOffer
from samdrift.ordering.services import (
    accept_order,
    add_line,
    approve_order,
    create_order,
    submit_order,
)
from tests import factories

D = datetime.date


@dataclass
class OrderingWorld:
    fjordvik: object
    elvdal: object
    school: object
    health: object
    elvdal_care: object
    teacher: object  # a person in Fjordvik's school area
    nurse: object  # a person in Fjordvik's health area
    elvdal_person: object
    contact: object  # Fjordvik's municipality contact
    contact_2: object  # a second contact of Fjordvik
    school_manager: object
    health_manager: object
    elvdal_contact: object
    operator: object
    laptop: object
    monitor: object
    workplace: object
    bundle: object
    stock: list  # laptops in stock
    monitors: list  # monitors in stock

    def order(self, *, by=None, lines=None, service_area="school", **fields):
        """A draft order of Fjordvik by ``by`` (default: the school manager), charged to
        the school area, with ``lines`` (kwargs for ``add_line``; default one laptop for
        the teacher)."""
        by = by or self.school_manager
        area = {"school": self.school, "health": self.health, None: None}[service_area]
        with acting_as(by):
            order = create_order(municipality=self.fjordvik, service_area=area, **fields)
            for line in lines or [
                {"kind": LineKind.PRODUCT, "product": self.laptop, "person": self.teacher}
            ]:
                add_line(order=order, **line)
        return order

    def accepted(self, **kwargs):
        """An order submitted by the school manager, approved by the contact, accepted."""
        order = self.order(**kwargs)
        with acting_as(self.school_manager):
            submit_order(order=order)
        with acting_as(self.contact):
            approve_order(order=order)
        with acting_as(self.operator):
            accept_order(order=order)
        order.refresh_from_db()
        return order


@pytest.fixture
def world(collaboration, municipality_a, municipality_b, service_area_a, service_area_b):
    health = factories.make_service_area(municipality_a, name="Helse", cost_centre="3100")
    laptop = factories.make_product(name="Standard laptop 14in")
    factories.make_price(amount="300.0000", valid_from=D(2025, 1, 1), product=laptop)
    monitor = factories.make_product(name="Monitor 27in")
    factories.make_price(amount="45.5550", valid_from=D(2025, 1, 1), product=monitor)
    workplace = factories.make_service(name="User workplace", unit=ServiceUnit.PER_USER)
    factories.make_price(amount="150.0000", valid_from=D(2025, 1, 1), service=workplace)
    CatalogueOffer.objects.create(product=laptop, lead_time_days=10)
    CatalogueOffer.objects.create(product=monitor, lead_time_days=5)
    CatalogueOffer.objects.create(service=workplace, lead_time_days=2, one_off_fee=Decimal("500"))
    bundle = Bundle.objects.create(
        name="Teacher workstation", code="teacher", one_off_fee=Decimal("750.00")
    )
    BundlePart.objects.create(bundle=bundle, product=laptop, quantity=1)
    BundlePart.objects.create(bundle=bundle, product=monitor, quantity=2)
    BundlePart.objects.create(bundle=bundle, service=workplace, quantity=1)

    def user(role, municipality, area=None, name=""):
        return factories.make_user(
            role, municipality=municipality, service_area=area, username=name
        )

    return OrderingWorld(
        fjordvik=municipality_a,
        elvdal=municipality_b,
        school=service_area_a,
        health=health,
        elvdal_care=service_area_b,
        teacher=factories.make_person(municipality_a, service_area_a),
        nurse=factories.make_person(municipality_a, health),
        elvdal_person=factories.make_person(municipality_b, service_area_b),
        contact=user(Role.MUNICIPALITY, municipality_a, name="contact"),
        contact_2=user(Role.MUNICIPALITY, municipality_a, name="contact2"),
        school_manager=user(Role.SERVICE_AREA, municipality_a, service_area_a, "school-mgr"),
        health_manager=user(Role.SERVICE_AREA, municipality_a, health, "health-mgr"),
        elvdal_contact=user(Role.MUNICIPALITY, municipality_b, name="elvdal"),
        operator=factories.make_user(Role.OPERATOR, username="op"),
        laptop=laptop,
        monitor=monitor,
        workplace=workplace,
        bundle=bundle,
        stock=[factories.make_asset(laptop) for _ in range(3)],
        monitors=[factories.make_asset(monitor) for _ in range(2)],
    )
