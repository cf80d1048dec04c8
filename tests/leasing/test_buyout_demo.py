"""The demo's buyouts: one completed (priced, settled), one draft ready to value."""

import datetime

import pytest

from samdrift.catalogue.models import ProductCategory
from samdrift.demo.generator import generate
from samdrift.inventory.choices import AssetOrigin
from samdrift.inventory.models import Asset
from samdrift.leasing.buyouts.agreeing import verify_signed_valuation
from samdrift.leasing.buyouts.valuation import buyout_valuation
from samdrift.leasing.choices import BuyoutStatus
from samdrift.leasing.models import AmountOwed, AssetPrice, Buyout, SignedValuation
from tests.worlds import rolled_back

TODAY = datetime.date(2026, 11, 27)
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with rolled_back(django_db_blocker):
        yield generate(size="small", seed=5, today=TODAY, password="demo-pass")


def test_every_category_has_a_lease_model(demo):
    assert not ProductCategory.objects.filter(lease_model__isnull=True).exists()


def test_completed_buyout_of_the_latest_member(demo):
    done = Buyout.objects.get(status=BuyoutStatus.COMPLETED)
    assert done.municipality.name == "Elvdal"  # joined 1 January 2024, the latest
    assert done.valuation_date == done.agreed_on == done.completed_on == done.municipality.joined_on
    items = list(done.items.select_related("asset"))
    assert items and {i.asset.origin for i in items} == {AssetOrigin.BOUGHT_OUT}
    assert done.agreed_total == sum(i.book_value for i in items)
    assert AssetPrice.objects.filter(buyout_item__buyout=done).count() >= len(items)
    owed = AmountOwed.objects.get(buyout=done)
    assert owed.amount == done.agreed_total and owed.settled_reference
    assert verify_signed_valuation(buyout=done)


def test_draft_buyout_of_the_largest_member(demo):
    draft = Buyout.objects.get(status=BuyoutStatus.DRAFT)
    assert draft.municipality.name == "Fjordvik"
    valuation = buyout_valuation(buyout=draft)
    assert len(valuation.lines) == 60 and not valuation.problems
    assert valuation.total == sum(line.book_value for line in valuation.lines)
    overridden = [line for line in valuation.lines if line.life_overridden]
    assert all(line.life_override_reason for line in overridden)
    owned = Asset.objects.filter(buyout_item__buyout=draft)
    assert {a.origin for a in owned} == {AssetOrigin.MUNICIPALITY_OWNED}
    assert {a.municipality_id for a in owned} == {draft.municipality_id}
    assert not SignedValuation.objects.filter(buyout=draft).exists()
    assert demo.counts["inventory.Asset"] == Asset.objects.count()
