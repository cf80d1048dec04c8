"""Publishing a price list or an indexation is set-based: the same number of queries for
3 items as for 30, with a change-log row per closed and per new version."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samdrift.catalogue.models import PriceVersion, Product, Service
from samdrift.core.choices import ChangeAction
from samdrift.core.models import ObjectChange
from samdrift.leasing.models import PriceListPublication
from samdrift.leasing.pricing.indexation import calculate_indexation, publish_indexation
from samdrift.leasing.pricing.price_list import calculate_price_list, publish_price_list
from tests import factories

LAST_YEAR = datetime.date(2026, 1, 1)
# Reads, the publication, one write per table and its change log, and the savepoints of
# the publication's validation: a fixed number.
MAX_QUERIES = 22


@pytest.fixture
def lease(db):
    ContentType.objects.get_for_models(PriceVersion, PriceListPublication)
    return factories.make_lease_model(
        name="Standard 36",
        term_months=36,
        annual_rate=Decimal("0.05"),
        residual_percent=Decimal("10"),
        monthly_service_fee=Decimal("50.00"),
    )


def make_products(lease, n, prefix):
    category = factories.make_category(name=f"{prefix} devices", code=prefix, lease_model=lease)
    products = []
    for i in range(n):
        product = factories.make_product(
            category, name=f"{prefix} {i}", standard_cost=Decimal(8000 + 100 * i)
        )
        factories.make_price(amount=Decimal("300.00") + i, valid_from=LAST_YEAR, product=product)
        products.append(product)
    return products


def make_services(n, prefix):
    services = []
    for i in range(n):
        service = factories.make_service(name=f"{prefix} {i}", code=f"{prefix}{i}")
        factories.make_price(amount=Decimal("450.00") + i, valid_from=LAST_YEAR, service=service)
        services.append(service)
    return services


def counted(function, **kwargs):
    with CaptureQueriesContext(connection) as context:
        result = function(**kwargs)
    return len(context.captured_queries), result


def logged(model, action, ids):
    return ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        action=action,
        object_id__in=list(ids),
    )


def check_published(items, field_name, publication, new_amounts):
    """Every item: its old version closed the day the new one starts (logged as an
    update) and a new open version with the calculated amount (logged as a create)."""
    valid_from = publication.valid_from
    versions = PriceVersion.objects.filter(**{f"{field_name}__in": items})
    old = versions.filter(valid_from=LAST_YEAR)
    new = versions.filter(valid_from=valid_from)
    assert {v.valid_to for v in old} == {valid_from}
    assert {getattr(v, f"{field_name}_id"): v.amount for v in new} == new_amounts
    assert all(v.valid_to is None and str(publication.pk) in v.note for v in new)
    closed = logged(PriceVersion, ChangeAction.UPDATE, [v.pk for v in old])
    assert closed.count() == len(items)
    for change in closed:
        assert change.prechange_data["valid_to"] is None
        assert change.postchange_data["valid_to"] == valid_from.isoformat()
    created = logged(PriceVersion, ChangeAction.CREATE, [v.pk for v in new])
    assert created.count() == len(items)
    # The change log names each version by its item, as PriceVersion.__str__ does.
    names = {item.pk: item.name for item in items}
    for change in created:
        item_id = change.postchange_data[f"{field_name}_id"]
        assert change.object_repr.startswith(f"{names[item_id]}: ")


def test_price_list_publish_costs_the_same_for_3_and_30_products(lease):
    # Two price years, so the 30 products are published apart from the 3.
    small = make_products(lease, 3, "S")
    counts = []
    count, publication = counted(publish_price_list, year=2027)
    counts.append(count)
    large = make_products(lease, 30, "L")
    expected = {
        row.product_id: row.new_amount
        for row in calculate_price_list(year=2028).rows
        if row.product_id in {p.pk for p in large}
    }
    count, publication = counted(publish_price_list, year=2028)
    counts.append(count)
    assert counts[0] == counts[1] <= MAX_QUERIES
    assert publication.versions_created == 33 - 3  # the 3 published for 2027 are unchanged
    check_published(large, "product", publication, expected)
    assert Product.objects.filter(pk__in=[p.pk for p in small]).count() == 3


def test_indexation_costs_the_same_for_3_and_30_services(lease):
    small = make_services(3, "s")
    large = make_services(30, "l")
    counts = []
    for services, year in ((small, 2027), (large, 2027)):
        queryset = Service.objects.filter(pk__in=[s.pk for s in services])
        expected = {
            row.service_id: row.new_amount
            for row in calculate_indexation(
                year=year, old_index=Decimal("100"), new_index=Decimal("103.7"), services=queryset
            ).rows
        }
        count, publication = counted(
            publish_indexation,
            year=year,
            old_index=Decimal("100"),
            new_index=Decimal("103.7"),
            services=queryset,
            index_name="Deflator",
        )
        counts.append(count)
        assert publication.versions_created == len(services)
        check_published(services, "service", publication, expected)
    assert counts[0] == counts[1] <= MAX_QUERIES
