"""Small builders for test data: each makes one valid object, overridable by keyword;
signed-in clients for a user (``client_for`` for pages, ``api_as`` for the API); and
import files built from rows (``csv_bytes``, ``xlsx_bytes``, a Snipe-IT export's rows)
and an import of them (``import_rows``).

Shapes of several objects that many tests share are in tests/worlds.py."""

from __future__ import annotations

import csv
import datetime
import io
import itertools
from collections.abc import Sequence
from decimal import Decimal

from django.test import Client
from openpyxl import Workbook
from rest_framework.test import APIClient

from samdrift.catalogue.choices import ServiceUnit
from samdrift.catalogue.models import PriceVersion, Product, ProductCategory, Service
from samdrift.core.choices import Role
from samdrift.core.models import User
from samdrift.core.validators import organisation_number_with_check_digit
from samdrift.inventory.models import Asset
from samdrift.leasing.buyouts.drafting import create_buyout, register_equipment
from samdrift.leasing.models import Buyout, LeaseModel
from samdrift.organisations.models import Collaboration, Location, Municipality, Person, ServiceArea

_counter = itertools.count(1)


def next_number() -> int:
    return next(_counter)


# Municipality numbers get their own counter, in 5000-9999: tests that name a
# municipality give it 46xx or 47xx, and the shared counter passes any fixed
# number sooner or later (a default "4602" once met Elvdal's on PostgreSQL).
_municipality_numbers = itertools.count(0)


def next_municipality_number() -> str:
    return f"{5000 + next(_municipality_numbers) % 5000:04d}"


def valid_organisation_number(seed: int) -> str:
    """A mod-11-valid organisation number derived from ``seed``."""
    base = 90_000_000 + seed * 7
    while (number := organisation_number_with_check_digit(str(base))) is None:
        base += 1
    return number


def make_collaboration(**fields) -> Collaboration:
    values = {
        "name": "Fjordregionen IKT",
        "organisation_number": valid_organisation_number(1),
        "bank_account": "86011117947",
        "invoice_series": "SD",
    }
    values.update(fields)
    return Collaboration.objects.create(**values)


def make_municipality(**fields) -> Municipality:
    n = next_number()
    values = {
        "name": f"Kommune {n}",
        "number": next_municipality_number(),
        "organisation_number": valid_organisation_number(100 + n),
        "population": 5000 + n,
        "joined_on": datetime.date(2024, 1, 1),
        "invoice_reference": f"REF{n}",
    }
    values.update(fields)
    return Municipality.objects.create(**values)


def make_service_area(municipality: Municipality, **fields) -> ServiceArea:
    n = next_number()
    values = {"name": f"Service area {n}", "cost_centre": f"CC{n}", "kind": "education"}
    values.update(fields)
    return ServiceArea.objects.create(municipality=municipality, **values)


def make_location(municipality: Municipality, **fields) -> Location:
    n = next_number()
    values = {"name": f"Site {n}", "kind": "school"}
    values.update(fields)
    return Location.objects.create(municipality=municipality, **values)


def make_person(
    municipality: Municipality, service_area: ServiceArea | None = None, **fields
) -> Person:
    n = next_number()
    values = {
        "username": f"user{n}",
        "first_name": "Kari",
        "last_name": f"Nordmann{n}",
        "active_from": datetime.date(2023, 1, 1),
    }
    values.update(fields)
    return Person.objects.create(municipality=municipality, service_area=service_area, **values)


def make_lease_model(**fields) -> LeaseModel:
    n = next_number()
    values = {
        "name": f"Lease {n}",
        "term_months": 36,
        "annual_rate": Decimal("0.05"),
        "residual_percent": Decimal("10"),
        "monthly_service_fee": Decimal("50"),
    }
    values.update(fields)
    return LeaseModel.objects.create(**values)


def make_category(**fields) -> ProductCategory:
    n = next_number()
    values = {"name": f"Category {n}", "code": f"cat-{n}", "useful_life_months": 48}
    values.update(fields)
    return ProductCategory.objects.create(**values)


def make_product(category: ProductCategory | None = None, **fields) -> Product:
    n = next_number()
    values = {"name": f"Product {n}", "standard_cost": Decimal("12000.00")}
    values.update(fields)
    return Product.objects.create(category=category or make_category(), **values)


def make_service(**fields) -> Service:
    n = next_number()
    values = {"name": f"Service {n}", "code": f"svc-{n}", "unit": ServiceUnit.PER_USER}
    values.update(fields)
    return Service.objects.create(**values)


def make_price(*, amount: str | Decimal, valid_from: datetime.date, **item) -> PriceVersion:
    return PriceVersion.objects.create(amount=Decimal(amount), valid_from=valid_from, **item)


def make_asset(product: Product | None = None, **fields) -> Asset:
    n = next_number()
    values = {
        "asset_tag": f"TAG{n:06d}",
        "serial_number": f"SN{n:08d}",
        "acquisition_date": datetime.date(2024, 3, 1),
        "acquisition_cost": Decimal("10000.00"),
    }
    values.update(fields)
    return Asset.objects.create(product=product or make_product(), **values)


def make_leased_laptop(
    *, residual_percent: str = "0", useful_life_months: int = 60, **fields
) -> Product:
    """A laptop in a category leased on ``make_lease_model``'s terms (5 % a year over 36
    months, a fee of 50 a month), with ``residual_percent`` of the cost left at the end."""
    lease = make_lease_model(residual_percent=Decimal(residual_percent))
    category = make_category(
        name="Laptops", lease_model=lease, useful_life_months=useful_life_months
    )
    values = {"name": "Laptop"}
    values.update(fields)
    return make_product(category, **values)


def make_buyout_draft(
    municipality: Municipality,
    product: Product,
    tags: Sequence[str],
    *,
    name: str = "Takeover",
    valuation_date: datetime.date = datetime.date(2026, 1, 1),
    acquired: datetime.date = datetime.date(2024, 3, 1),
    cost: Decimal = Decimal("10000.00"),
) -> Buyout:
    """A draft buyout of ``municipality`` with one registered device of ``product`` per
    asset tag, all acquired on ``acquired`` for ``cost``."""
    buyout = create_buyout(municipality=municipality, name=name, valuation_date=valuation_date)
    rows = [
        {
            "product": product,
            "asset_tag": tag,
            "acquisition_date": acquired,
            "acquisition_cost": cost,
        }
        for tag in tags
    ]
    register_equipment(buyout=buyout, rows=rows)
    return buyout


def make_user(
    role: str = Role.OPERATOR,
    *,
    municipality: Municipality | None = None,
    service_area: ServiceArea | None = None,
    **fields,
) -> User:
    n = next_number()
    values = {
        "username": f"login{n}",
        "role": role,
        "municipality": municipality,
        "service_area": service_area,
    }
    values.update(fields)
    user = User(**values)
    user.set_password("correct horse battery staple")
    user.save()
    return user


def client_for(user) -> Client:
    """A browser client signed in as ``user`` (no password round trip)."""
    client = Client()
    client.force_login(user)
    return client


def api_as(user) -> APIClient:
    """An API client authenticated as ``user``."""
    client = APIClient()
    client.force_authenticate(user)
    return client


def csv_bytes(
    rows: Sequence[Sequence[object]], *, delimiter: str = ";", encoding: str = "utf-8"
) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


# The columns of the import files the kept-figures tests write (persons, assets).
PERSON_COLUMNS = ["Username", "First name", "Last name", "Active from", "Active to"]
ASSET_COLUMNS = ["Asset tag", "Serial number", "Product", "Category", "Status"]


def import_rows(kind: str, rows: Sequence[Sequence[object]], *, municipality, **options):
    """Import ``rows`` (the header first) as a CSV file with the ``kind`` importer for
    ``municipality``, as the import page does; the import's result."""
    from samdrift.core.importing import run_import
    from samdrift.imports.registry import importer_class

    return run_import(
        importer=importer_class(kind),
        data=csv_bytes(rows),
        filename=f"{kind}.csv",
        municipality=municipality,
        **options,
    )


def xlsx_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Snipe-IT's asset export columns, as a municipality leaving Snipe-IT brings them.
SNIPE_IT_HEADER = [
    "Company",
    "Name",
    "Asset Tag",
    "Category",
    "Manufacturer",
    "Model",
    "Model Number",
    "Location",
    "Purchase Date",
    "Purchase Cost",
    "Checked Out To: Username",
    "Serial",
    "Status",
    "Notes",
    "Warranty",
]


def snipe_it_row(n: int, **overrides: object) -> list[object]:
    values = {
        "Company": "Fjordvik",
        "Name": f"PC-{n:05d}",
        "Asset Tag": f"FV{n:06d}",
        "Category": "Laptop",
        "Manufacturer": "Lenovo",
        "Model": "ThinkPad T14",
        "Model Number": "21HD",
        "Location": "Rådhuset",
        "Purchase Date": "2024-03-01",
        "Purchase Cost": "12345.50",
        "Checked Out To: Username": f"user{n % 7}",
        "Serial": f"SN{n:08d}",
        "Status": "Deployed",
        "Notes": "",
        "Warranty": "36",
    }
    values.update(overrides)
    return [values[h] for h in SNIPE_IT_HEADER]


def steady_query_state() -> None:
    """What a query-count test of a writer starts from, whatever ran before it on the
    worker: the content types cached (``warm_content_types``) and the kept overview
    figures in a fresh install's state, never counted. A test that commits (a live server,
    ``transaction=True``, a session-wide world) can leave a counted stamp behind, and then
    every writer's refresh of its municipality's figures (a constant few queries, pinned
    in tests/planning) counted against the next test on the worker."""
    from samdrift.planning.models import FleetFigureStamp, HoldingFigureStamp

    warm_content_types()
    for stamp in (FleetFigureStamp, HoldingFigureStamp):
        # A flush (``transaction=True``) removes the stamp the migration made; the first
        # writer would make it again, counting one query more than the next.
        if not stamp.objects.exists():
            stamp.objects.create()
        stamp.objects.update(as_of=None)


def warm_content_types() -> None:
    """Load every model's content type into Django's per-process cache, as a running
    server has it after its first requests. A query-count test calls it first: a test
    that flushes the database (``transaction=True``, live servers) clears the cache, and
    the change log's first look-ups after it would count against whatever test the
    worker runs next."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_models(*apps.get_models())
