"""List endpoints cost a fixed number of queries: the same for 3 rows as for 30.

One builder per foundation list endpoint makes more rows visible to both the operator and
municipality A's contact; a query per row would show up as a difference.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from samdrift.catalogue.services import publish_price
from samdrift.core.choices import Role
from samdrift.core.tokens import issue
from samdrift.inventory.services import assign_asset, record_usage, subscribe
from samdrift.organisations.models import MunicipalityContact
from samdrift.urls import router
from tests import factories
from tests.core import api_matrix

D = datetime.date


class Rows:
    """Adds rows of one kind to municipality A, sharing the referenced objects."""

    def __init__(self, municipality):
        self.a = municipality
        self.area = factories.make_service_area(municipality)
        self.location = factories.make_location(municipality)
        self.product = factories.make_product()
        self.service = factories.make_service()

    def asset(self):
        asset = factories.make_asset(self.product)
        assign_asset(
            asset=asset,
            municipality=self.a,
            service_area=self.area,
            person=factories.make_person(self.a, self.area),
            location=self.location,
            valid_from=D(2026, 1, 1),
        )
        return asset


BUILDERS: dict[str, Callable[[Rows], object]] = {
    "collaboration": lambda r: factories.make_collaboration(),
    "municipality": lambda r: factories.make_municipality(),
    "municipalitycontact": lambda r: MunicipalityContact.objects.create(
        municipality=r.a, name=f"Kontakt {factories.next_number()}", email="k@a.no"
    ),
    "servicearea": lambda r: factories.make_service_area(r.a),
    "location": lambda r: factories.make_location(r.a),
    "person": lambda r: factories.make_person(r.a, r.area, location=r.location),
    "leasemodel": lambda r: factories.make_lease_model(),
    "productcategory": lambda r: factories.make_category(lease_model=factories.make_lease_model()),
    "product": lambda r: factories.make_product(),
    "service": lambda r: factories.make_service(),
    "priceversion": lambda r: publish_price(
        amount=Decimal("99.50"), valid_from=D(2026, 1, 1), product=factories.make_product()
    ),
    "asset": lambda r: r.asset(),
    "assignment": lambda r: r.asset(),
    "subscription": lambda r: subscribe(
        service=r.service,
        municipality=r.a,
        service_area=r.area,
        person=factories.make_person(r.a, r.area),
        valid_from=D(2026, 1, 1),
    ),
    "usagerecord": lambda r: record_usage(
        service=r.service,
        municipality=r.a,
        service_area=r.area,
        asset=r.asset(),
        month=D(2026, 10, 1),
        quantity=Decimal("12"),
    ),
    # Every row above is logged; the change log grows with them.
    "objectchange": lambda r: factories.make_person(r.a, r.area),
}
# Lists whose new rows a contact of municipality A does not see (other municipalities) or
# sees always (the collaboration is shared; catalogue rows are shared and do grow).
SHARED_OR_OWN = {"municipality"}
# Not a list of rows: who you are.
NOT_LISTS = {"me"}


def test_every_foundation_list_endpoint_has_a_builder():
    assert set(BUILDERS) | NOT_LISTS == set(api_matrix.RESOURCES)


def _count(client: APIClient, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": 1000})
    assert response.status_code == 200, response.content
    return len(queries), response.json()["count"]


@pytest.mark.parametrize("basename", sorted(BUILDERS))
def test_list_query_count_does_not_grow_with_rows(db, basename, municipality_a):
    rows = Rows(municipality_a)
    clients = {}
    for role, fields in {
        "operator": {},
        "contact": {"municipality": municipality_a},
        "manager": {"municipality": municipality_a, "service_area": rows.area},
    }.items():
        user = factories.make_user(
            {"operator": Role.OPERATOR, "contact": Role.MUNICIPALITY}.get(role, Role.SERVICE_AREA),
            **fields,
        )
        clients[role] = APIClient()
        clients[role].credentials(HTTP_AUTHORIZATION=f"Token {issue(user, 'queries')[1]}")
    url = reverse(f"{basename}-list")
    for client in clients.values():
        client.get(url)  # a token's first use records it (last_used); not counted below
    build = BUILDERS[basename]
    for _ in range(3):
        build(rows)
    few = {role: _count(client, url) for role, client in clients.items()}
    for _ in range(27):
        build(rows)
    many = {role: _count(client, url) for role, client in clients.items()}
    for role in clients:
        (queries_few, _), (queries_many, _) = few[role], many[role]
        assert queries_many == queries_few, (role, queries_few, queries_many)
        # The token, the count, the page; the change log adds one: which of the objects
        # its rows refer to the login may see (core.redaction.redact_for), one UNION.
        assert queries_many <= (4 if basename == "objectchange" else 3), role
    assert many["operator"][1] >= few["operator"][1] + 27
    assert many["contact"][1] > few["contact"][1] or basename in SHARED_OR_OWN


def test_the_builders_are_routed():
    routed = {basename for _p, _v, basename in router.registry}
    assert set(BUILDERS) <= routed
