"""Buyout writes are set-based: the same number of queries for 3 devices as for 30.

Each operation is run on two buyouts that differ only in size (and, for the larger one,
in the number of products and service areas, so a query per product or per area would
show too). The counts must be equal and stay under a small bound; the larger run's rows
and change-log rows are checked as well, so a fast path cannot skip work.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samdrift.catalogue.models import Product
from samdrift.core.actor import acting_as
from samdrift.core.choices import ChangeAction
from samdrift.core.models import ObjectChange
from samdrift.inventory.choices import AssetOrigin
from samdrift.inventory.models import Asset, Assignment
from samdrift.leasing.buyouts.agreeing import agree_buyout
from samdrift.leasing.buyouts.completion import complete_buyout
from samdrift.leasing.buyouts.drafting import (
    add_assets,
    create_buyout,
    delete_buyout,
    register_equipment,
)
from samdrift.leasing.choices import BuyoutStatus
from samdrift.leasing.models import AmountOwed, AssetPrice, Buyout, BuyoutItem, SignedValuation
from tests import factories
from tests.factories import steady_query_state

VALUATION_DATE = datetime.date(2026, 1, 1)
# A bound on every operation's count: a handful of reads, one write per table (and on SQLite
# two reads to take its ids), one change-log write per table, and savepoints.
MAX_QUERIES = 24


@pytest.fixture
def products(db):
    lease = factories.make_lease_model(
        name="Standard 36",
        term_months=36,
        annual_rate=Decimal("0.05"),
        residual_percent=Decimal("0"),
        monthly_service_fee=Decimal("50.00"),
    )
    made = []
    for n, life in enumerate([60, 48, 36, 60, 24]):
        category = factories.make_category(
            name=f"Category {n}", code=f"cat{n}", lease_model=lease, useful_life_months=life
        )
        made.append(factories.make_product(category, name=f"Product {n}"))
    # Content types are cached per process: look them up before counting.
    ContentType.objects.get_for_models(
        Asset, Assignment, Buyout, BuyoutItem, AssetPrice, AmountOwed, SignedValuation
    )
    return made


def rows_for(municipality, products, n, prefix, areas=()):
    # Products as a caller would pass them: read afresh, their categories not loaded.
    products = list(Product.objects.filter(pk__in=[p.pk for p in products]).order_by("pk"))
    rows = []
    for i in range(n):
        row = {
            "product": products[i % len(products)],
            "asset_tag": f"{prefix}{i:04d}",
            "serial_number": f"SN{prefix}{i:04d}",
            "acquisition_date": datetime.date(2020 + i % 6, 1 + i % 12, 1 + i % 28),
            "acquisition_cost": Decimal(4000 + 37 * i) + Decimal("0.45"),
        }
        if areas:
            row["service_area"] = areas[i % len(areas)]
        if i % 7 == 3:
            row["useful_life_months"] = 30
            row["life_override_reason"] = "Heavy use"
            row["residual_value"] = Decimal("100.00")
        rows.append(row)
    return rows


CHANGE_LOG_INSERT = 'INSERT INTO "core_objectchange"'


def counted(function, **kwargs):
    """(number of queries, result). Every query counts, except that the change-log rows of
    one batch count once: ``record_bulk_changes`` writes them with ``bulk_create``, which
    on SQLite Django splits into statements of at most 999 parameters (about 70 change
    rows) — bulk writes in batches, but more statements for 90 rows than for 9. A query
    per row anywhere else, or a change-log row written on its own between other queries,
    still shows."""
    with CaptureQueriesContext(connection) as context:
        result = function(**kwargs)
    count = 0
    previous = ""
    for query in context.captured_queries:
        sql = query["sql"]
        if not (sql.startswith(CHANGE_LOG_INSERT) and previous.startswith(CHANGE_LOG_INSERT)):
            count += 1
        previous = sql
    return count, result


def make_buyout(municipality, name):
    return create_buyout(municipality=municipality, name=name, valuation_date=VALUATION_DATE)


@pytest.fixture
def two_sizes(products):
    """(small, large): a municipality and its draft buyout with 3 and 30 rows to register."""
    small_municipality = factories.make_municipality(name="Small")
    large_municipality = factories.make_municipality(name="Large")
    small_area = factories.make_service_area(small_municipality)
    areas = [factories.make_service_area(large_municipality) for _ in range(4)]
    small = (
        make_buyout(small_municipality, "Small"),
        rows_for(small_municipality, products[:1], 3, "S", [small_area]),
    )
    large = (
        make_buyout(large_municipality, "Large"),
        rows_for(large_municipality, products, 30, "L", areas),
    )
    return small, large


def registered(two_sizes):
    for buyout, rows in two_sizes:
        register_equipment(buyout=buyout, rows=rows)
    return [buyout for buyout, _rows in two_sizes]


def agreed(buyout_list, user):
    with acting_as(user, label="test"):
        return [agree_buyout(buyout=b, agreed_on=datetime.date(2026, 1, 5)) for b in buyout_list]


def logged(model, action, ids):
    content_type = ContentType.objects.get_for_model(model)
    return ObjectChange.objects.filter(
        content_type=content_type, action=action, object_id__in=list(ids)
    )


def test_register_costs_the_same_for_3_and_30_devices(two_sizes):
    (small, small_rows), (large, large_rows) = two_sizes
    steady_query_state()
    # One registration first, elsewhere: whatever a first write in the process makes once
    # (a stamp row, a cache) is then made, as in a running server.
    warm_up = make_buyout(small.municipality, "Warm-up")
    register_equipment(
        buyout=warm_up, rows=rows_for(small.municipality, [small_rows[0]["product"]], 1, "W")
    )
    small_count, _ = counted(register_equipment, buyout=small, rows=small_rows)
    large_count, items = counted(register_equipment, buyout=large, rows=large_rows)
    assert small_count == large_count <= MAX_QUERIES

    assert len(items) == 30 and all(item.pk for item in items)
    stored = BuyoutItem.objects.filter(buyout=large).select_related("asset")
    assert sorted(i.asset.asset_tag for i in stored) == [r["asset_tag"] for r in large_rows]
    by_tag = {r["asset_tag"]: r for r in large_rows}
    for item in stored:
        source = by_tag[item.asset.asset_tag]
        assert item.acquisition_cost == source["acquisition_cost"]
        assert item.asset.service_area_id == source["service_area"].pk
        assert item.asset.municipality_id == large.municipality_id
        assert item.useful_life_months == source.get("useful_life_months")
    assignments = Assignment.objects.filter(asset__buyout_item__buyout=large)
    assert assignments.count() == 30
    # Every new asset, assignment and item has its change-log row, with its state after.
    asset_ids = [i.asset_id for i in stored]
    assert logged(Asset, ChangeAction.CREATE, asset_ids).count() == 30
    assert logged(Assignment, ChangeAction.CREATE, [a.pk for a in assignments]).count() == 30
    item_changes = logged(BuyoutItem, ChangeAction.CREATE, [i.pk for i in stored])
    assert item_changes.count() == 30
    assert {c.municipality_id for c in item_changes} == {large.municipality_id}
    one = item_changes.get(object_id=stored[0].pk)
    assert one.postchange_data["acquisition_cost"] == str(stored[0].acquisition_cost)
    assert one.postchange_data["asset_id"] == stored[0].asset_id


def test_add_assets_costs_the_same_for_3_and_30_devices(products):
    counts = []
    for n, name in ((3, "Small"), (30, "Large")):
        municipality = factories.make_municipality(name=name)
        assets = [
            factories.make_asset(
                products[i % (1 if n == 3 else len(products))],
                municipality=municipality,
                origin=AssetOrigin.MUNICIPALITY_OWNED,
                acquisition_date=datetime.date(2023, 1, 1),
                acquisition_cost=Decimal("6000"),
            )
            for i in range(n)
        ]
        buyout = make_buyout(municipality, name)
        count, items = counted(add_assets, buyout=buyout, assets=assets)
        counts.append(count)
        assert len(items) == n
        assert logged(BuyoutItem, ChangeAction.CREATE, [i.pk for i in items]).count() == n
    assert counts[0] == counts[1] <= MAX_QUERIES


def by_hand(row) -> tuple[int, int, Decimal]:
    """(age, useful life, book value) of a registered row on VALUATION_DATE, worked out
    here rather than by the valuation: whole months since acquisition (the rows are
    acquired on days 1-28, the valuation is on the 1st, so a month is complete only
    when the day is the 1st), straight line from cost to residual, rounded to the øre."""
    acquired = row["acquisition_date"]
    age = (VALUATION_DATE.year - acquired.year) * 12 + VALUATION_DATE.month - acquired.month
    if acquired.day > VALUATION_DATE.day:
        age -= 1
    life = row.get("useful_life_months") or row["product"].category.useful_life_months
    cost, residual = row["acquisition_cost"], row.get("residual_value", Decimal("0"))
    value = cost - (cost - residual) * min(age, life) / life
    return age, life, value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_agree_costs_the_same_for_3_and_30_devices(two_sizes, finance_user):
    large_rows = two_sizes[1][1]
    small, large = registered(two_sizes)
    counts = []
    for buyout in (small, large):
        # As from a request: who agreed is stored (and its foreign key validated).
        with acting_as(finance_user, label="test"):
            count, _ = counted(agree_buyout, buyout=buyout, agreed_on=datetime.date(2026, 1, 5))
        counts.append(count)
    assert counts[0] == counts[1] <= MAX_QUERIES

    large.refresh_from_db()
    expected = {row["asset_tag"]: by_hand(row) for row in large_rows}
    assert large.status == BuyoutStatus.AGREED
    assert large.agreed_by == finance_user
    assert large.agreed_total == sum(value for _age, _life, value in expected.values())
    frozen = {i.pk: i for i in BuyoutItem.objects.filter(buyout=large).select_related("asset")}
    for item in frozen.values():
        # The life is frozen too, also where it is the category's default.
        frozen_values = (item.age_months, item.useful_life_months, item.book_value)
        assert frozen_values == expected[item.asset.asset_tag]
    changes = logged(BuyoutItem, ChangeAction.UPDATE, frozen)
    assert changes.count() == 30
    for change in changes:
        item = frozen[change.object_id]
        assert change.prechange_data["book_value"] is None
        assert change.postchange_data["book_value"] == str(item.book_value)
        assert change.postchange_data["useful_life_months"] == item.useful_life_months
    assert SignedValuation.objects.filter(buyout=large).exists()


def test_complete_costs_the_same_for_3_and_30_devices(two_sizes, finance_user):
    small, large = agreed(registered(two_sizes), finance_user)
    counts = []
    for buyout in (small, large):
        with acting_as(finance_user, label="test"):
            count, _ = counted(
                complete_buyout, buyout=buyout, completed_on=datetime.date(2026, 2, 1)
            )
        counts.append(count)
    assert counts[0] == counts[1] <= MAX_QUERIES

    assets = Asset.objects.filter(buyout_item__buyout=large)
    assert {a.origin for a in assets} == {AssetOrigin.BOUGHT_OUT}
    asset_changes = logged(Asset, ChangeAction.UPDATE, [a.pk for a in assets])
    assert asset_changes.count() == 30
    for change in asset_changes:
        assert change.prechange_data["origin"] == AssetOrigin.MUNICIPALITY_OWNED
        assert change.postchange_data["origin"] == AssetOrigin.BOUGHT_OUT
        assert change.municipality_id == large.municipality_id
    prices = AssetPrice.objects.filter(asset__in=assets)
    # Each asset: its fee-only row, and before it a capital row while life remains.
    assert {p.asset_id for p in prices.filter(valid_to__isnull=True)} == {a.pk for a in assets}
    price_changes = logged(AssetPrice, ChangeAction.CREATE, [p.pk for p in prices])
    assert price_changes.count() == prices.count()
    service_areas = {a.pk: a.service_area_id for a in assets}
    for change in price_changes:
        assert change.municipality_id == large.municipality_id
        assert change.service_area_id == service_areas[change.postchange_data["asset_id"]]
    owed = AmountOwed.objects.get(buyout=large)
    assert owed.amount == large.agreed_total


def test_delete_draft_costs_the_same_for_3_and_30_devices(two_sizes):
    small, large = registered(two_sizes)
    item_ids = list(BuyoutItem.objects.filter(buyout=large).values_list("pk", flat=True))
    counts = [counted(delete_buyout, buyout=b)[0] for b in (small, large)]
    assert counts[0] == counts[1] <= MAX_QUERIES
    assert not BuyoutItem.objects.filter(pk__in=item_ids).exists()
    deleted = logged(BuyoutItem, ChangeAction.DELETE, item_ids)
    assert deleted.count() == 30
    assert all(change.prechange_data["book_value"] is None for change in deleted)
    assert Asset.objects.filter(asset_tag__startswith="L").count() == 30  # assets stay


def test_writes_are_attributed_to_the_actor(two_sizes, finance_user):
    (buyout, rows), _large = two_sizes
    with acting_as(finance_user, label="test"):
        items = register_equipment(buyout=buyout, rows=rows)
    changes = logged(BuyoutItem, ChangeAction.CREATE, [i.pk for i in items])
    assert {c.user_id for c in changes} == {finance_user.pk}
