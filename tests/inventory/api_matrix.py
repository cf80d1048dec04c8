"""Permission-matrix entries of the buyout endpoints (see tests/core/matrix.py).

The world gets a draft buyout per municipality, each holding the municipality's world
asset, a per-asset price for the own, other-area and foreign assets, and an amount owed
to each municipality. Rows are made directly, one per target, because the matrix compares
lists with exactly the rows each login may see.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from samdrift.leasing.models import AmountOwed, AssetPrice, Buyout, BuyoutItem
from tests.core.matrix import FINANCE, Action, Resource, unique
from tests.worlds import MatrixWorld

D = datetime.date


def extend_world(world: MatrixWorld) -> None:
    assets = world.objects["asset"]
    for target, municipality in (("own", world.municipality_a), ("foreign", world.municipality_b)):
        buyout = Buyout.objects.create(
            municipality=municipality,
            name=f"Takeover {municipality.name}",
            valuation_date=D(2026, 1, 1),
        )
        asset = assets[target]
        item = BuyoutItem.objects.create(
            buyout=buyout,
            asset=asset,
            acquisition_date=asset.acquisition_date,
            acquisition_cost=asset.acquisition_cost,
        )
        world.add("buyout", target, buyout)
        world.add("buyoutitem", target, item)
        world.add(
            "amountowed",
            target,
            AmountOwed.objects.create(
                municipality=municipality,
                amount=Decimal("1000.00"),
                due_month=D(2026, 2, 1),
                description="Buyout of equipment",
            ),
        )
    for target in ("own", "own_other_area", "foreign"):
        world.add(
            "assetprice",
            target,
            AssetPrice.objects.create(
                asset=assets[target],
                valid_from=D(2027, 6, 1),
                amount=Decimal("260.00"),
                capital_part=Decimal("210.00"),
                service_fee=Decimal("50.00"),
                financed_value=Decimal("5000.00"),
                term_months=24,
                annual_rate=Decimal("0.05"),
            ),
        )


def _register(world: MatrixWorld, buyout) -> dict:
    return {
        "rows": [
            {
                "product": world.objects["product"]["shared"].pk,
                "asset_tag": f"R-{unique():05d}",
                "acquisition_date": "2024-01-15",
                "acquisition_cost": "8000.00",
            }
        ]
    }


RESOURCES: dict[str, Resource] = {
    "buyout": Resource(
        writers=FINANCE,
        create=lambda w: {
            "municipality": w.municipality_a.pk,
            "name": f"Buyout {unique()}",
            "valuation_date": "2026-01-01",
        },
        patch=lambda w, o: {"note": f"Checked {unique()}"},
        destroy=True,
        actions={
            "valuation": Action("get", True),
            "valuation_xlsx": Action("get", True),
            "register_equipment": Action("post", True, _register, 201),
            # A purchased asset is not the municipality's to sell: refused, nothing changes.
            "add_assets": Action(
                "post",
                True,
                lambda w, o: {"assets": [w.objects["asset"]["own_other_area"].pk]},
                400,
            ),
            "agree": Action("post", True, lambda w, o: {"agreed_on": "2026-01-10"}),
            # The world's buyouts are drafts: completing one before agreeing is refused.
            "complete": Action("post", True, lambda w, o: {"completed_on": "2026-02-01"}, 400),
        },
    ),
    "buyoutitem": Resource(
        writers=FINANCE,
        patch=lambda w, o: {"residual_value": f"{unique() % 90 + 10}.00"},
        destroy=True,
    ),
    "assetprice": Resource(writers=FINANCE),
    "amountowed": Resource(writers=FINANCE),
    "financing": Resource(list_rows=False, retrieve=False, changes=False),
}
