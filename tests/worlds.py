"""The few shapes of test data that many tests share, each made by one builder.

- ``build_small_world``: two municipalities with people, laptops on a list price, a
  subscription each (the UI and dashboard tests); ``scope_users`` adds a login per scope;
- ``build_billing_world``: two municipalities, three persons each with a laptop and a
  workplace subscription from 1 January 2026 (the billing tests);
- ``build_importing_world``: what a municipality has before it imports its assets;
- ``build_matrix_world``: one object of every kind per tenant and a login per role (the
  permission matrices of the API and the UI).

Single objects come from tests/factories.py; the fixtures that hand these worlds to tests
are in tests/conftest.py.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models, transaction
from django.test import override_settings
from rest_framework.test import APIClient

from samdrift.catalogue.choices import ServiceUnit
from samdrift.catalogue.models import ProductCategory
from samdrift.catalogue.services import publish_price
from samdrift.core.choices import Role
from samdrift.core.models import ObjectChange, User
from samdrift.core.tokens import issue
from samdrift.inventory.services import assign_asset, record_usage, subscribe
from samdrift.organisations.models import Location, Municipality, MunicipalityContact, ServiceArea
from tests import factories

D = datetime.date

# Real PBKDF2 takes most of a login's making and checking; tests need no real hashing.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@contextmanager
def rolled_back(django_db_blocker) -> Iterator[None]:
    """For data built once per test module: built inside a transaction that is rolled
    back when the module is done, each test running in a savepoint inside it (like
    Django's ``setUpTestData``), so a test's writes never reach the next test."""
    fast_hashing = override_settings(PASSWORD_HASHERS=FAST_HASHERS)
    with fast_hashing, django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


# The small world ------------------------------------------------------------------------


@dataclass
class SmallWorld:
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


def build_small_world(rows: int = 3) -> SmallWorld:
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
    world = SmallWorld(a, b, area_a, area_a2, area_b, None, None, laptop, service)
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


def scope_users(world: SmallWorld, *, second_municipality: bool = True) -> list[User]:
    """The users whose scopes the kept overview figures are checked for in a small world
    (tests/planning/test_figures.py, tests/dashboard/test_*_figures.py): an operator, the
    first municipality's contact, the manager of its first service area and — unless
    ``second_municipality`` is False — the second municipality's contact."""
    users = [
        factories.make_user(Role.OPERATOR),
        factories.make_user(Role.MUNICIPALITY, municipality=world.municipality_a),
        factories.make_user(
            Role.SERVICE_AREA, municipality=world.municipality_a, service_area=world.area_a
        ),
    ]
    if second_municipality:
        users.append(factories.make_user(Role.MUNICIPALITY, municipality=world.municipality_b))
    return users


def grow_small_world(world: SmallWorld, extra: int) -> None:
    """Add ``extra`` persons, assets (assigned, with a move) and subscriptions to A."""
    for i in range(extra):
        person = factories.make_person(world.municipality_a, world.area_a, username=f"g{i}")
        asset = factories.make_asset(world.laptop, asset_tag=f"G{i:04d}")
        assign_asset(
            asset=asset,
            municipality=world.municipality_a,
            service_area=world.area_a,
            person=person,
            valid_from=D(2024, 1, 1),
        )
        assign_asset(
            asset=asset,
            municipality=world.municipality_a,
            service_area=world.area_a2,
            person=world.person_a,
            valid_from=D(2025, 1, 1),
        )
        subscribe(
            service=world.service,
            municipality=world.municipality_a,
            person=world.person_a,
            valid_from=D(2024, 1, 1),
        )
        factories.make_location(world.municipality_a, name=f"Site G{i}")
        factories.make_service_area(world.municipality_a, name=f"Area G{i}", cost_centre=f"G{i}")


# The billing world ----------------------------------------------------------------------


@dataclass
class BillingWorld:
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


def build_billing_world(
    collaboration, municipality_a, municipality_b, service_area_a, service_area_b
) -> BillingWorld:
    """A laptop at 328.69 and a workplace at 150.00 from 2025; three persons (two in
    Fjordvik, in two areas; one in Elvdal) each holding a laptop and subscribed to a
    workplace from 1 January 2026."""
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
    return BillingWorld(
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


# The importing world --------------------------------------------------------------------


@dataclass
class ImportingWorld:
    municipality: Municipality
    oppvekst: ServiceArea
    helse: ServiceArea
    laptop: ProductCategory
    phone: ProductCategory
    town_hall: Location


def build_importing_world(municipality: Municipality) -> ImportingWorld:
    """Service areas, categories and a location, as a municipality has before importing;
    and the two products the asset files name, priced (an import refuses held assets of
    a product without a price: they would stop the next billing run)."""
    world = ImportingWorld(
        municipality=municipality,
        oppvekst=factories.make_service_area(
            municipality, name="Oppvekst", cost_centre="2000", kind="education"
        ),
        helse=factories.make_service_area(
            municipality, name="Helse og omsorg", cost_centre="3000", kind="health_care"
        ),
        laptop=factories.make_category(name="Laptop", code="laptop"),
        phone=factories.make_category(name="Mobiltelefon", code="phone"),
        town_hall=factories.make_location(municipality, name="Rådhuset", kind="town_hall"),
    )
    for name in ("X", "ThinkPad T14"):
        product = factories.make_product(world.laptop, name=name)
        factories.make_price(product=product, amount="300.00", valid_from=D(2000, 1, 1))
    return world


# The matrix world -----------------------------------------------------------------------

# A small two-municipality world for API tests: one object of every kind per tenant.
#
# Every domain object is recorded under the basename of its API endpoint and a *target*
# key that says whose it is:
#
# - ``own``: municipality A, inside the service area of A's service-area manager;
# - ``own_other_area``: municipality A, another service area (models that have one);
# - ``foreign``: municipality B;
# - ``stock``: an asset nobody holds (visible only to roles that see every municipality);
# - ``shared…``: shared data (collaboration, catalogue), readable by every login.
#
# Visibility expected of each login is spelled out here, independently of
# ``core.permissions.restrict``, so the tests check restrict rather than restate it.

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
class MatrixWorld:
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


def build_matrix_world(
    extensions: Iterable[Callable[[MatrixWorld], None]] = (),
) -> MatrixWorld:
    """Create the world: both municipalities, the catalogue, a login and token per role;
    then each of ``extensions`` adds its app's objects (the ``extend_world`` of
    tests/<app>/api_matrix.py, for the permission matrices)."""
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
    tokens = {role: issue(user, "matrix")[1] for role, user in users.items()}
    world = MatrixWorld(users=users, tokens=tokens, municipality_a=a, municipality_b=b)

    world.add("collaboration", "shared", factories.make_collaboration())
    world.add("municipality", "own", a)
    world.add("municipality", "foreign", b)
    world.add(
        "municipalitycontact",
        "own",
        MunicipalityContact.objects.create(
            municipality=a, name="Ina Faktura", function="invoice_recipient", email="f@a.no"
        ),
    )
    world.add(
        "municipalitycontact",
        "foreign",
        MunicipalityContact.objects.create(
            municipality=b, name="Eli IKT", function="ict_contact", phone="+47 900 00 000"
        ),
    )
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
    for extend in extensions:
        extend(world)
    return world
