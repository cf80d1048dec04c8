"""Permission-matrix entries of the gains endpoints (see tests/core/matrix.py).

The world gets an indicator and a cost index value (shared: every login reads them;
operators and finance write), an unbilled collaboration cost (``stock``: the
collaboration's, seen only by those who see every municipality); three actions — of all
members (``shared``), of A only (``own``), of B only (``foreign``) — the milestones of
each, a gain of A's and of B's action with its share and a measurement in that
municipality; and a baseline cost and an indicator baseline per municipality, A's as
``own_other_area`` (a baseline is whole-municipality money: manager A does not see it).

A municipality's contact records measurements of their own municipality (creating one
for A is the operator's, finance's and contact A's: 403 for contact B whatever the
id). Common versus separate is not for a service-area manager (403).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from samdrift.gains.choices import ActionStatus, CostCategory, GainType, IndicatorUnit
from samdrift.gains.models import (
    Action,
    BaselineCost,
    CollaborationCost,
    CostIndex,
    Gain,
    GainShare,
    Indicator,
    IndicatorBaseline,
    Measurement,
    Milestone,
)
from tests.core.matrix import FINANCE, Resource, unique
from tests.core.matrix import Action as Call
from tests.worlds import MatrixWorld

D = datetime.date
MEASURERS = FINANCE | {"contact_a", "contact_b"}
EVERYONE_BUT_MANAGER = frozenset(
    {"operator", "finance", "auditor", "auditor_a", "contact_a", "contact_b"}
)


def extend_world(world: MatrixWorld) -> None:
    a, b = world.municipality_a, world.municipality_b
    indicator = Indicator.objects.create(name="Incidents per 100 users", unit=IndicatorUnit.COUNT)
    world.add("indicators", "shared", indicator)
    world.add("cost-index", "shared", CostIndex.objects.create(year=2023, value=Decimal("100")))
    world.add(
        "collaboration-costs",
        "stock",
        CollaborationCost.objects.create(
            year=2025, amount=Decimal("250000.00"), description="Board"
        ),
    )
    common = {"owner": "ICT lead", "start": D(2025, 1, 1), "deadline": D(2026, 6, 30)}
    everyone = Action.objects.create(title="Shared service desk", **common)
    world.add("gain-actions", "shared", everyone)
    world.add(
        "gain-milestones",
        "shared",
        Milestone.objects.create(action=everyone, title="Desk open", due=D(2025, 6, 1)),
    )
    for target, municipality in (("own", a), ("foreign", b)):
        action = Action.objects.create(
            title=f"Migration {municipality.name}",
            all_municipalities=False,
            status=ActionStatus.IN_PROGRESS,
            **common,
        )
        action.municipalities.set([municipality])
        world.add("gain-actions", target, action)
        world.add(
            "gain-milestones",
            target,
            Milestone.objects.create(action=action, title="Migrated", due=D(2025, 9, 1)),
        )
        gain = Gain.objects.create(
            action=action,
            effect="Fewer licences",
            type=GainType.BUDGET_SAVING,
            first_year=2025,
            last_year=2027,
        )
        world.add("gains", target, gain)
        world.add(
            "gain-shares",
            target,
            GainShare.objects.create(
                gain=gain,
                municipality=municipality,
                owner="Head of finance",
                expected_amount=Decimal("100000.00"),
            ),
        )
        world.add(
            "gain-measurements",
            target,
            Measurement.objects.create(
                gain=gain,
                municipality=municipality,
                measured_on=D(2025, 12, 31),
                amount=Decimal("40000.00"),
                source="Licence invoice",
            ),
        )
    for target, municipality in (("own_other_area", a), ("foreign", b)):
        world.add(
            "baseline-costs",
            target,
            BaselineCost.objects.create(
                municipality=municipality,
                year=2020,
                category=CostCategory.LICENCES,
                amount=Decimal("400000.00"),
            ),
        )
        world.add(
            "indicator-baselines",
            target,
            IndicatorBaseline.objects.create(
                municipality=municipality,
                indicator=indicator,
                value=Decimal("12.5"),
                measured_on=D(2020, 6, 30),
            ),
        )


def _new_action(world) -> dict:
    return {
        "title": f"Action {unique()}",
        "owner": "ICT lead",
        "start": "2026-01-01",
        "deadline": "2026-12-31",
        "all_municipalities": False,
        "municipalities": [world.municipality_a.pk],
        "budget": "50000.00",
    }


def _new_gain(world) -> dict:
    return {
        "action": world.objects["gain-actions"]["own"].pk,
        "effect": f"Effect {unique()}",
        "type": "avoided_cost",
        "first_year": 2026,
        "last_year": 2027,
    }


def _new_share(world) -> dict:
    gain = Gain.objects.create(
        action=world.objects["gain-actions"]["shared"],
        effect=f"Shared effect {unique()}",
        type=GainType.BUDGET_SAVING,
        first_year=2026,
        last_year=2026,
    )
    return {
        "gain": gain.pk,
        "municipality": world.municipality_a.pk,
        "owner": "Rådmann",
        "expected_amount": "25000.00",
    }


def _new_measurement(world) -> dict:
    return {
        "gain": world.objects["gains"]["own"].pk,
        "municipality": world.municipality_a.pk,
        "measured_on": "2026-03-31",
        "amount": "12000.00",
        "source": f"Ledger {unique()}",
    }


def _new_baseline_cost(world) -> dict:
    return {
        "municipality": world.municipality_a.pk,
        "year": 2000 + unique() % 20,
        "category": "other",
        "amount": "1000.00",
        "description": f"Other {unique()}",
    }


COMPUTED = {"changes": False, "retrieve": False, "list_rows": False}

RESOURCES: dict[str, Resource] = {
    "gain-actions": Resource(
        writers=FINANCE,
        create=_new_action,
        patch=lambda w, o: {"cost_to_date": f"{1000 + unique()}.00"},
        destroy=True,
    ),
    "gain-milestones": Resource(
        writers=FINANCE,
        create=lambda w: {
            "action": w.objects["gain-actions"]["own"].pk,
            "title": f"Step {unique()}",
            "due": "2026-03-01",
        },
        patch=lambda w, o: {"done_on": "2025-12-01"},
        destroy=True,
    ),
    "gains": Resource(
        writers=FINANCE,
        create=_new_gain,
        patch=lambda w, o: {"description": f"Checked {unique()}"},
        destroy=True,
    ),
    "gain-shares": Resource(
        writers=FINANCE,
        create=_new_share,
        patch=lambda w, o: {"budget_note": f"Budget 2027, ch. {unique()}"},
        destroy=True,
    ),
    "gain-measurements": Resource(
        writers=MEASURERS,
        create=_new_measurement,
        patch=lambda w, o: {"note": f"Checked {unique()}"},
        destroy=True,
        # For municipality A: contact B may not record A's (403, whatever the id).
        actions={
            "create": Call("post", False, status=201, allowed=FINANCE | {"contact_a"}),
        },
    ),
    "baseline-costs": Resource(
        writers=FINANCE,
        create=_new_baseline_cost,
        patch=lambda w, o: {"source": f"Accounts {unique()}"},
        destroy=True,
    ),
    "indicator-baselines": Resource(
        writers=FINANCE,
        create=lambda w: {
            "municipality": w.municipality_a.pk,
            "indicator": w.objects["indicators"]["shared"].pk,
            "value": "9.5",
            "measured_on": f"2021-0{1 + unique() % 9}-15",
        },
        patch=lambda w, o: {"source": f"Survey {unique()}"},
        destroy=True,
    ),
    "indicators": Resource(
        writers=FINANCE,
        create=lambda w: {"name": f"Availability {unique()}", "unit": "percent"},
        patch=lambda w, o: {"description": f"Checked {unique()}"},
    ),
    "cost-index": Resource(
        writers=FINANCE,
        create=lambda w: {"year": 2030 + unique() % 60, "value": "112.5"},
        patch=lambda w, o: {"source": f"SSB {unique()}"},
        destroy=True,
    ),
    "collaboration-costs": Resource(
        writers=FINANCE,
        create=lambda w: {"year": 2026, "amount": "1000.00", "description": f"Board {unique()}"},
        patch=lambda w, o: {"description": f"Board meeting {unique()}"},
        destroy=True,
    ),
    "gains-realisation": Resource(**COMPUTED),
    "gains-comparison": Resource(readers=EVERYONE_BUT_MANAGER, **COMPUTED),
}
