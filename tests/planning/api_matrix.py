"""Permission-matrix entries of planning's endpoints (see tests/core/matrix.py).

The world gets a replacement rule for the shared laptop category and an end of support
for the shared laptop (shared data: every login reads them; operators and finance write);
a campaign per tenant — A's with the device in manager A's area (``own``), A's with only
the device of A's other area (``own_other_area``: hidden from manager A), B's
(``foreign``) — each with its devices; and the baseline with one scenario, a member
change and a pool change (``stock`` targets: the collaboration's, seen only by those who
see every municipality; the others find none).

The computed endpoints (plan, devices due, forecast) answer every login from its own
devices; the investment need is for those who see every municipality (403 for others).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from samdrift.billing.services.pools import create_allocation_key, create_cost_pool
from samdrift.inventory.models import Asset
from samdrift.planning.choices import CampaignCriterion, RuleBasis
from samdrift.planning.models import (
    Campaign,
    CampaignDevice,
    ProductSupport,
    ReplacementRule,
    ScenarioMember,
    ScenarioPoolChange,
)
from samdrift.planning.scenarios import baseline, copy_baseline
from tests import factories
from tests.core.matrix import FINANCE, OPERATORS, Action, Resource, unique
from tests.worlds import MatrixWorld

D = datetime.date
SEES_ALL = frozenset({"operator", "finance", "auditor"})


def extend_world(world: MatrixWorld) -> None:
    laptops = world.objects["productcategory"]["shared"]
    laptop = world.objects["product"]["shared"]
    world.add(
        "replacementrule",
        "shared",
        ReplacementRule.objects.create(
            category=laptops, basis=RuleBasis.MAX_AGE, max_age_months=48
        ),
    )
    world.add(
        "productsupport",
        "shared",
        ProductSupport.objects.create(product=laptop, end_of_support=D(2027, 10, 14)),
    )
    for target, asset_target in (
        ("own", "own"),
        ("own_other_area", "own_other_area"),
        ("foreign", "foreign"),
    ):
        # The holder as stored (the world's object was made before it was assigned).
        asset = Asset.objects.get(pk=world.objects["asset"][asset_target].pk)
        campaign = Campaign.objects.create(
            name=f"Campaign {target}",
            criterion=CampaignCriterion.PRODUCTS,
            starts_on=D(2026, 1, 1),
        )
        campaign.products.set([laptop])
        device = CampaignDevice.objects.create(
            campaign=campaign,
            asset=asset,
            municipality_id=asset.municipality_id,
            service_area_id=asset.service_area_id,
            person_id=asset.person_id,
            due_on=D(2029, 1, 1),
            due_reason="max_age",
        )
        world.add("campaign", target, campaign)
        world.add("campaigndevice", target, device)
    base = baseline()
    scenario = copy_baseline(name="Matrix scenario")
    world.add("scenario", "stock", base)
    world.add("scenario", "stock_copy", scenario)
    world.add(
        "scenariomember",
        "stock",
        ScenarioMember.objects.create(
            scenario=scenario, change="leaves", on=D(2027, 1, 1), municipality=world.municipality_b
        ),
    )
    pool = world.objects["costpool"]["shared"]
    world.add(
        "scenariopoolchange",
        "stock",
        ScenarioPoolChange.objects.create(
            scenario=scenario, pool=pool, growth_percent=Decimal("5.00")
        ),
    )


def _new_category_rule(world) -> dict:
    category = factories.make_category(name=f"Tablets {unique()}", code=f"tablet-{unique()}")
    return {"category": category.pk, "basis": "max_age", "max_age_months": 36}


def _new_support(world) -> dict:
    product = factories.make_product(world.objects["productcategory"]["shared"])
    return {"product": product.pk, "what": "Firmware 3.x", "end_of_support": "2028-03-31"}


def _new_campaign(world) -> dict:
    return {
        "name": f"Laptops {unique()}",
        "criterion": "products",
        "products": [world.objects["product"]["shared"].pk],
        "starts_on": "2026-03-01",
    }


def _new_pool_change(world) -> dict:
    key = create_allocation_key(
        name=f"Key {unique()}", measured_on=D(2026, 1, 1), parts={"equal": Decimal(1)}
    )
    pool = create_cost_pool(
        name=f"Pool {unique()}", monthly_amount=Decimal("500.00"), key=key, valid_from=D(2026, 1, 1)
    )
    return {
        "scenario": world.objects["scenario"]["stock_copy"].pk,
        "pool": pool.pk,
        "growth_percent": "7.5",
    }


COMPUTED = {"changes": False, "retrieve": False, "list_rows": False}

RESOURCES: dict[str, Resource] = {
    "replacementrule": Resource(
        writers=FINANCE,
        create=_new_category_rule,
        patch=lambda w, o: {"note": f"Checked {unique()}"},
        destroy=True,
    ),
    "productsupport": Resource(
        writers=FINANCE,
        create=_new_support,
        patch=lambda w, o: {"what": f"Windows 10 ({unique()})"},
        destroy=True,
    ),
    "campaign": Resource(
        create=_new_campaign,
        actions={
            "refresh": Action("post", True, lambda w, o: {}, allowed=OPERATORS),
            "close": Action("post", True, lambda w, o: {}, allowed=OPERATORS),
        },
    ),
    "campaigndevice": Resource(),
    "scenario": Resource(
        writers=FINANCE,
        create=lambda w: {"name": f"Scenario {unique()}", "lease_term_months": 48},
        patch=lambda w, o: {"index_percent": f"{2 + unique() % 5}.50"},
        actions={
            "compute": Action("post", True, lambda w, o: {}, allowed=FINANCE),
            "results": Action("get", True),
        },
    ),
    "scenariomember": Resource(
        writers=FINANCE,
        create=lambda w: {
            "scenario": w.objects["scenario"]["stock_copy"].pk,
            "change": "joins",
            "on": "2027-01-01",
            "name": f"Kvam {unique()}",
            "population": 8000,
        },
        destroy=True,
    ),
    "scenariopoolchange": Resource(writers=FINANCE, create=_new_pool_change, destroy=True),
    "planningplan": Resource(**COMPUTED),
    "planningduedevice": Resource(**COMPUTED),
    "planninginvestment": Resource(readers=SEES_ALL, **COMPUTED),
    "planningforecast": Resource(**COMPUTED),
}
