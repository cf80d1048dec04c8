"""The small fleet the planning pages and endpoints are tried on, dated from today (the
pages plan from today): two municipalities, laptops replaced after 48 months by the
2026 model (10,000 kr), phones whose product reaches its end of support; list prices
in force since 2020, and the devices held (assigned) since 1 January 2024.

Municipality A (Fjordvik), area A1 (Oppvekst): one laptop overdue (acquired 50 months
ago), one due in about five months (acquired 43 months ago), one phone overdue by its end
of support; area A2 (Helse): one laptop due in about five months. Municipality B
(Elvdal): one laptop overdue. A laptop in stock (nobody holds it) and a retired one are
never due.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from samdrift.core.choices import Role
from samdrift.finance.depreciation import add_months
from samdrift.inventory.choices import AssetStatus
from samdrift.inventory.services import assign_asset
from samdrift.planning.choices import RuleBasis
from samdrift.planning.models import ProductSupport, ReplacementRule
from tests import factories

D = datetime.date
HELD = D(2024, 1, 1)
LAPTOP_COST = Decimal("10000.00")
PHONE_COST = Decimal("4000.00")


@dataclass
class PlanningWorld:
    today: datetime.date
    a: object
    b: object
    a1: object
    a2: object
    b1: object
    laptops: object
    phones: object
    laptop_old: object
    laptop_new: object
    phone: object
    rule: object
    support: object
    assets: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)

    def client(self, role: str):
        return factories.client_for(self.users[role])

    def api(self, role: str):
        return factories.api_as(self.users[role])


def build_planning_world() -> PlanningWorld:
    today = timezone.localdate()
    factories.make_collaboration()
    a = factories.make_municipality(name="Fjordvik", number="4601", population=60000)
    b = factories.make_municipality(name="Elvdal", number="4602", population=1500)
    a1 = factories.make_service_area(a, name="Oppvekst", cost_centre="2000")
    a2 = factories.make_service_area(a, name="Helse", cost_centre="3000")
    b1 = factories.make_service_area(b, name="Elvdal helse", cost_centre="3000")
    laptops = factories.make_category(name="Laptops", code="laptop")
    phones = factories.make_category(name="Phones", code="phone")
    laptop_old = factories.make_product(laptops, name="Laptop 2021", standard_cost=LAPTOP_COST)
    laptop_new = factories.make_product(laptops, name="Laptop 2026", standard_cost=LAPTOP_COST)
    phone = factories.make_product(phones, name="Phone X", standard_cost=PHONE_COST)
    rule = ReplacementRule.objects.create(
        category=laptops,
        basis=RuleBasis.MAX_AGE,
        max_age_months=48,
        replacement_product=laptop_new,
    )
    support = ProductSupport.objects.create(
        product=phone, what="Phone OS 12", end_of_support=today - datetime.timedelta(days=10)
    )
    world = PlanningWorld(
        today, a, b, a1, a2, b1, laptops, phones, laptop_old, laptop_new, phone, rule, support
    )

    for product, amount in ((laptop_old, "300.00"), (laptop_new, "350.00"), (phone, "99.00")):
        factories.make_price(amount=amount, valid_from=D(2020, 1, 1), product=product)

    def asset(tag, product, municipality, area, months_old, status=AssetStatus.DEPLOYED):
        made = factories.make_asset(
            product,
            asset_tag=tag,
            acquisition_date=add_months(today, -months_old),
            status=AssetStatus.IN_STOCK if status == AssetStatus.DEPLOYED else status,
        )
        if status == AssetStatus.DEPLOYED:
            # Held as billing sees it: an assignment (the forecast charges it).
            assign_asset(asset=made, municipality=municipality, service_area=area, valid_from=HELD)
            made.refresh_from_db()
        world.assets[tag] = made

    asset("A1-OLD", laptop_old, a, a1, 50)
    asset("A1-SOON", laptop_old, a, a1, 43)
    asset("A1-PHONE", phone, a, a1, 6)
    asset("A2-SOON", laptop_old, a, a2, 43)
    asset("B1-OLD", laptop_old, b, b1, 50)
    asset("STOCK", laptop_old, None, None, 60, status=AssetStatus.IN_STOCK)
    asset("RETIRED", laptop_old, None, None, 60, status=AssetStatus.RETIRED)
    world.users = {
        "operator": factories.make_user(Role.OPERATOR),
        "finance": factories.make_user(Role.FINANCE),
        "auditor": factories.make_user(Role.READ_ONLY),
        "contact_a": factories.make_user(Role.MUNICIPALITY, municipality=a),
        "contact_b": factories.make_user(Role.MUNICIPALITY, municipality=b),
        "manager_a": factories.make_user(Role.SERVICE_AREA, municipality=a, service_area=a1),
    }
    return world


def due_in(world: PlanningWorld, months_old: int) -> datetime.date:
    """The due date of a laptop acquired ``months_old`` months ago (48 months of age)."""
    return add_months(add_months(world.today, -months_old), 48)
