"""The planning demo step: rules for every category, ends of support, warranty ends and
planned replacements on the devices — so the plan shows overdue devices —, the Windows 10
campaign in progress, and two computed scenarios."""

import datetime
from collections import Counter

import pytest
from django.db.models import F

from samdrift.catalogue.models import ProductCategory
from samdrift.finance.depreciation import add_months
from samdrift.inventory.choices import IN_SERVICE, AssetStatus
from samdrift.inventory.models import Asset, Assignment
from samdrift.ordering.choices import OrderState
from samdrift.organisations.models import Municipality
from samdrift.planning.choices import DeviceProgress, DueReason, MemberChange
from samdrift.planning.models import (
    Campaign,
    CampaignDevice,
    ProductSupport,
    ReplacementRule,
    Scenario,
    ScenarioResult,
)
from samdrift.planning.plan import due_assets, replacement_plan
from samdrift.planning.rules import RuleBook
from tests.demo.conftest import TODAY

pytestmark = pytest.mark.django_db


def test_every_category_has_a_rule_and_ends_of_support_are_set(demo):
    categories = set(ProductCategory.objects.values_list("pk", flat=True))
    rules = ReplacementRule.objects.select_related("replacement_product")
    assert {rule.category_id for rule in rules} == categories
    for rule in rules:
        rule.full_clean()
        if rule.replacement_product is not None:
            assert rule.replacement_product.category_id == rule.category_id
    laptops = rules.get(category__code="laptop")
    assert (laptops.basis, laptops.max_age_months) == ("max_age", 48)
    assert laptops.replacement_product.name == "Standard bærbar PC 14 tommer"
    windows = ProductSupport.objects.get(what="Windows 10")
    assert windows.end_of_support == datetime.date(2025, 10, 14)
    assert windows.product.name == "Standard bærbar PC 14 tommer, Windows 10"
    assert ProductSupport.objects.filter(
        product__category__code="switch", end_of_support__year=2027
    ).exists()


def test_devices_carry_warranty_ends_and_some_planned_replacements(demo):
    in_service = Asset.objects.filter(status__in=IN_SERVICE)
    total = in_service.count()
    with_warranty = in_service.filter(warranty_end__isnull=False).count()
    assert with_warranty > total * 0.8
    # Three years for most: a laptop bought before Windows 11 has 36 months.
    old = (
        in_service.filter(product__name="Standard bærbar PC 14 tommer, Windows 10")
        .exclude(notes="Windows 10-utskifting")
        .first()
    )
    assert old.acquisition_date < datetime.date(2024, 7, 1)
    assert old.warranty_end == add_months(old.acquisition_date, 36)
    # A planned replacement on some devices only (the rules give the rest).
    planned = in_service.filter(planned_replacement__isnull=False).count()
    assert 0 < planned < total * 0.2


def test_the_plan_shows_overdue_devices_with_their_reasons(demo):
    rules = RuleBook()
    plan = replacement_plan(assets=Asset.objects.all(), as_of=TODAY, years=5, rules=rules)
    assert plan.overdue_units > 0
    assert plan.total_units > plan.overdue_units
    overdue = list(due_assets(assets=Asset.objects.all(), day=TODAY, rules=rules))
    held = [asset for asset in overdue if asset.municipality_id is not None]
    assert len(held) == plan.overdue_units
    reasons = Counter(rules.due_of(asset).reason for asset in overdue)
    assert reasons[DueReason.END_OF_SUPPORT] > 0  # the Windows 10 laptops not yet replaced
    assert len(reasons) >= 3
    # Every member has devices in the plan.
    members = {row.key for row in plan.rows("municipality")}
    assert members == set(Municipality.objects.values_list("pk", flat=True))


def test_the_windows_10_campaign_is_in_progress(demo):
    campaign = Campaign.objects.get(name="Windows 10")
    assert campaign.starts_on == TODAY.replace(day=1)
    assert campaign.progress_checked_at is not None
    devices = CampaignDevice.objects.filter(campaign=campaign)
    counts = Counter(devices.values_list("progress", flat=True))
    assert counts[DeviceProgress.REPLACED] > 0
    assert counts[DeviceProgress.PENDING] > 0
    assert counts[DeviceProgress.ORDERED] > 0
    assert counts[DeviceProgress.PENDING] > counts[DeviceProgress.REPLACED] * 0.5
    assert not devices.exclude(
        asset__product__name="Standard bærbar PC 14 tommer, Windows 10"
    ).exists()
    for device in devices.filter(progress=DeviceProgress.REPLACED).select_related(
        "asset", "replaced_by"
    ):
        new = device.replaced_by
        # A laptop of any kind (the ordering step's deliveries count too), since the start.
        assert new.product.category.code == "laptop"
        assert campaign.starts_on <= device.replaced_on <= TODAY
        # The new laptop went to the same person, from the day it replaced the old one.
        held = Assignment.objects.get(asset=new, valid_from=device.replaced_on)
        assert held.person_id == device.person_id
    replaced_here = devices.filter(
        progress=DeviceProgress.REPLACED, replaced_by__notes="Windows 10-utskifting"
    )
    assert replaced_here.exists()
    for device in replaced_here.select_related("asset", "replaced_by__product"):
        assert device.replaced_by.product.name == "Standard bærbar PC 14 tommer"
        assert device.asset.status == AssetStatus.RETIRED
        closed = Assignment.objects.get(asset=device.asset, valid_to=device.replaced_on)
        assert closed.person_id == device.person_id
    for device in devices.filter(progress=DeviceProgress.ORDERED).select_related(
        "order_line__order"
    ):
        assert device.order_line.order.state in (OrderState.ACCEPTED, OrderState.APPROVED)
        assert device.order_line.person_id == device.person_id


def test_two_computed_scenarios_with_results_for_every_member(demo):
    base = Scenario.objects.get(is_baseline=True)
    scenarios = list(Scenario.objects.filter(is_baseline=False).order_by("name"))
    assert [s.name for s in scenarios] == [
        "Leieperiode 48 måneder",
        f"Nyby kommune blir med {TODAY.year + 1}",
    ]
    term, joins = scenarios
    assert term.lease_term_months == 48 and term.pool_changes.count() == 1
    member = joins.members.get()
    assert (member.change, member.name, member.on) == (
        MemberChange.JOINS,
        "Nyby",
        datetime.date(TODAY.year + 1, 1, 1),
    )
    first = add_months(TODAY.replace(day=1), 1)
    members = set(Municipality.objects.values_list("pk", flat=True))
    for scenario in scenarios:
        assert scenario.computed_at is not None and scenario.computed_from == first
        assert scenario.years == base.years
        results = ScenarioResult.objects.filter(scenario=scenario)
        per_member = Counter(results.values_list("municipality_id", flat=True))
        assert set(per_member) - {None} == members
        assert all(n == 12 * scenario.years for n in per_member.values())
        assert results.filter(amount__gt=0).exists()
        assert results.exclude(amount=F("baseline")).exists()
    joined = ScenarioResult.objects.filter(scenario=joins, municipality__isnull=True)
    assert set(joined.values_list("name", flat=True)) == {"Nyby"}
    assert not joined.filter(month__lt=datetime.date(TODAY.year + 1, 1, 1), amount__gt=0).exists()
    assert joined.filter(month=datetime.date(TODAY.year + 1, 1, 1), amount__gt=0).exists()
