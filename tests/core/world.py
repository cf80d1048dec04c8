"""A small two-municipality world for API tests: one object of every kind per tenant.

Every domain object is recorded under the basename of its API endpoint and a *target*
key that says whose it is:

- ``own``: municipality A, inside the service area of A's service-area manager;
- ``own_other_area``: municipality A, another service area (models that have one);
- ``foreign``: municipality B;
- ``stock``: an asset nobody holds (visible only to roles that see every municipality);
- ``shared…``: shared data (collaboration, catalogue), readable by every login.

Visibility expected of each login is spelled out here, independently of
``core.permissions.restrict``, so the tests check restrict rather than restate it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from samdrift.catalogue.choices import ServiceUnit
from samdrift.catalogue.services import publish_price
from samdrift.core.choices import Role
from samdrift.core.models import ObjectChange, User
from samdrift.inventory.services import assign_asset, record_usage, subscribe
from tests import factories
from tests.core.matrix import matrix_modules

D = datetime.date

# Logins of the matrix. "auditor" is read-only for every municipality; "auditor_a" is
# read-only for municipality A only.
ROLES = (
    "anonymous",
    "operator",
    "finance",
    "auditor",
    "auditor_a",
    "contact_a",
    "contact_b",
    "manager_a",
)
SEES_ALL = frozenset({"operator", "finance", "auditor"})
TENANT_TARGETS = ("own", "own_other_area", "foreign", "stock")


@dataclass
class World:
    users: dict[str, User]
    tokens: dict[str, str]
    objects: dict[str, dict[str, models.Model]] = field(default_factory=dict)
    extra: dict[str, models.Model] = field(default_factory=dict)
    clients: dict[str, APIClient] = field(default_factory=dict)
    municipality_a: models.Model | None = None
    municipality_b: models.Model | None = None

    def add(self, basename: str, target: str, obj: models.Model) -> None:
        self.objects.setdefault(basename, {})[target] = obj

    def client(self, role: str) -> APIClient:
        """An API client signed in with the role's token (token auth, as a script would).

        One per role, reused: a new client loads the middleware again, and WhiteNoise then
        scans every static file each time, which would dominate the matrix's run time.
        """
        if role not in self.clients:
            client = APIClient()
            if role != "anonymous":
                client.credentials(HTTP_AUTHORIZATION=f"Token {self.tokens[role]}")
            self.clients[role] = client
        return self.clients[role]

    def targets(self, basename: str) -> dict[str, models.Model]:
        return self.objects.get(basename, {})

    def objects_of_model(self, model: type[models.Model]) -> dict[str, models.Model]:
        for targets in self.objects.values():
            if targets and type(next(iter(targets.values()))) is model:
                return targets
        return {}


def may_see(role: str, target: str) -> bool:
    """Whether ``role`` may read an object of the given target kind."""
    if role == "anonymous":
        return False
    if target.startswith("shared") or role in SEES_ALL:
        return True
    if role in {"contact_a", "auditor_a"}:
        return target in {"own", "own_other_area"}
    if role == "contact_b":
        return target == "foreign"
    if role == "manager_a":
        return target == "own"
    raise AssertionError(f"unknown role {role}")


def build_world(*, extended: bool = False) -> World:
    """Create the world: both municipalities, the catalogue, a login and token per role;
    ``extended`` adds every app's objects (``extend_world`` of tests/<app>/api_matrix.py)."""
    a = factories.make_municipality(name="Fjordvik", number="4601", population=60000)
    b = factories.make_municipality(name="Elvdal", number="4602", population=1500)
    sa1 = factories.make_service_area(a, name="Oppvekst", cost_centre="2000")
    sa2 = factories.make_service_area(a, name="Helse", cost_centre="3000")
    sb = factories.make_service_area(b, name="Helse og omsorg", cost_centre="3000")
    users = {
        "operator": factories.make_user(Role.OPERATOR, username="operator"),
        "finance": factories.make_user(Role.FINANCE, username="finance"),
        "auditor": factories.make_user(Role.READ_ONLY, username="auditor"),
        "auditor_a": factories.make_user(Role.READ_ONLY, municipality=a, username="auditor-a"),
        "contact_a": factories.make_user(Role.MUNICIPALITY, municipality=a, username="contact-a"),
        "contact_b": factories.make_user(Role.MUNICIPALITY, municipality=b, username="contact-b"),
        "manager_a": factories.make_user(
            Role.SERVICE_AREA, municipality=a, service_area=sa1, username="manager-a"
        ),
    }
    tokens = {role: Token.objects.create(user=user).key for role, user in users.items()}
    world = World(users=users, tokens=tokens, municipality_a=a, municipality_b=b)

    world.add("collaboration", "shared", factories.make_collaboration())
    world.add("municipality", "own", a)
    world.add("municipality", "foreign", b)
    world.add("servicearea", "own", sa1)
    world.add("servicearea", "own_other_area", sa2)
    world.add("servicearea", "foreign", sb)
    loc_a = factories.make_location(a, name="Fjordvik skole")
    loc_b = factories.make_location(b, name="Elvdal sjukeheim", kind="nursing_home")
    world.add("location", "own", loc_a)
    world.add("location", "foreign", loc_b)
    pa1 = factories.make_person(a, sa1, username="kari", location=loc_a)
    pa2 = factories.make_person(a, sa2, username="ola")
    pb = factories.make_person(b, sb, username="per")
    world.add("person", "own", pa1)
    world.add("person", "own_other_area", pa2)
    world.add("person", "foreign", pb)

    lease = factories.make_lease_model(name="Laptop lease 36 months")
    category = factories.make_category(name="Laptop", code="laptop", lease_model=lease)
    product = factories.make_product(category, name="Standard laptop 14in")
    pages = factories.make_service(
        name="Printing per page", code="print-page", unit=ServiceUnit.PER_PAGE
    )
    workplace = factories.make_service(name="User workplace", code="workplace")
    world.add("leasemodel", "shared", lease)
    world.add("productcategory", "shared", category)
    world.add("product", "shared", product)
    world.add("service", "shared", workplace)
    world.add("service", "shared_pages", pages)
    world.extra["page_service"] = pages
    world.add(
        "priceversion",
        "shared",
        publish_price(amount=Decimal("450.00"), valid_from=D(2025, 1, 1), product=product),
    )
    publish_price(amount=Decimal("0.0850"), valid_from=D(2025, 1, 1), service=pages)
    world.add("priceversion", "shared_service", pages.price_versions.get())

    asset_a1 = factories.make_asset(product, asset_tag="A-0001")
    asset_a2 = factories.make_asset(product, asset_tag="A-0002")
    asset_b = factories.make_asset(product, asset_tag="B-0001")
    stock = factories.make_asset(product, asset_tag="S-0001")
    world.add("asset", "own", asset_a1)
    world.add("asset", "own_other_area", asset_a2)
    world.add("asset", "foreign", asset_b)
    world.add("asset", "stock", stock)
    start = D(2025, 1, 1)
    world.add(
        "assignment",
        "own",
        assign_asset(
            asset=asset_a1,
            municipality=a,
            service_area=sa1,
            person=pa1,
            location=loc_a,
            valid_from=start,
        ),
    )
    world.add(
        "assignment",
        "own_other_area",
        assign_asset(asset=asset_a2, municipality=a, service_area=sa2, valid_from=start),
    )
    world.add(
        "assignment",
        "foreign",
        assign_asset(asset=asset_b, municipality=b, service_area=sb, valid_from=start),
    )
    for target, (municipality, area) in {
        "own": (a, sa1),
        "own_other_area": (a, sa2),
        "foreign": (b, sb),
    }.items():
        world.add(
            "subscription",
            target,
            subscribe(
                service=workplace,
                municipality=municipality,
                service_area=area,
                quantity=Decimal("10"),
                valid_from=start,
            ),
        )
        world.add(
            "usagerecord",
            target,
            record_usage(
                service=pages,
                municipality=municipality,
                service_area=area,
                month=D(2026, 10, 1),
                quantity=Decimal("1200"),
            ),
        )
    # Change-log rows: the creation of each person carries its municipality and area.
    # (Taken before other apps extend the world, so their rows do not change these.)
    for target, person in {"own": pa1, "own_other_area": pa2, "foreign": pb}.items():
        world.add(
            "objectchange",
            target,
            ObjectChange.objects.get(
                content_type__model="person", object_id=person.pk, action="create"
            ),
        )
    for module in matrix_modules() if extended else []:
        extend = getattr(module, "extend_world", None)
        if extend is not None:
            extend(world)
    return world
