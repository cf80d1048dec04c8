"""Demo data for leasing and buyouts (a step of ``samdrift.demo.generator``).

- Every product category gets a lease model (the catalogue step already gives them one;
  a category without is given "Standard, 36 måneder").
- The most recent member's takeover, as it happened: a **completed** buyout, valued,
  agreed and completed on the day it joined, of the equipment the inventory step recorded
  as bought out from it. Its assets get their own prices from then on; the buyout sum was
  settled at the takeover (it is not credited again on this month's invoices).
- The largest member's school devices, still its own: a **draft** buyout being prepared
  for the first of next month (2,000 devices in the medium and large demos), to value,
  agree and complete in the demo.

Everything goes through ``leasing.buyouts``; the registered devices of the draft are
logged as one summary row on the buyout (the inventory step logs one Asset row per
municipality for generated data).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from samdrift.catalogue.models import ProductCategory
from samdrift.core.changelog import record_bulk_changes
from samdrift.core.choices import ChangeAction
from samdrift.demo.bulk import reset_sequences
from samdrift.demo.context import DEMO_MARKER, DemoContext
from samdrift.finance.depreciation import add_months
from samdrift.inventory.choices import AssetOrigin
from samdrift.inventory.models import Asset, Assignment
from samdrift.leasing.buyouts.agreeing import agree_buyout
from samdrift.leasing.buyouts.completion import complete_buyout, settle_amount_owed
from samdrift.leasing.buyouts.drafting import create_buyout, register_equipment
from samdrift.leasing.models import AmountOwed, BuyoutItem, LeaseModel

DRAFT_DEVICES = {"small": 60, "medium": 2_000, "large": 2_000}
# Old municipal devices: mostly school PCs and tablets, some printers.
DRAFT_PRODUCTS = (
    ("pupil-laptop", 40),
    ("pupil-tablet", 25),
    ("laptop", 15),
    ("desktop", 10),
    ("printer-a4", 6),
    ("phone", 4),
)


def generate(ctx: DemoContext) -> None:
    ensure_lease_models(ctx)
    completed_buyout(ctx)
    draft_buyout(ctx)


def ensure_lease_models(ctx: DemoContext) -> None:
    missing = list(ProductCategory.objects.filter(lease_model__isnull=True))
    if not missing:
        return
    standard, _created = LeaseModel.objects.get_or_create(
        name="Standard, 36 måneder",
        defaults={
            "term_months": 36,
            "annual_rate": Decimal("0.045"),
            "residual_percent": Decimal("10"),
            "monthly_service_fee": Decimal("49.00"),
        },
    )
    for category in missing:
        category.lease_model = standard
        category.save()


def completed_buyout(ctx: DemoContext) -> None:
    """The latest member's equipment, taken over on the day it joined."""
    candidates = sorted(ctx.municipalities, key=lambda m: (m.joined_on, m.number), reverse=True)
    for municipality in candidates:
        assets = list(
            Asset.objects.filter(
                origin=AssetOrigin.BOUGHT_OUT,
                assignments__municipality=municipality,
                acquisition_date__lte=municipality.joined_on,
                acquisition_cost__isnull=False,
            )
            .distinct()
            .order_by("pk")
        )
        if assets:
            break
    else:
        return
    takeover = municipality.joined_on
    buyout = create_buyout(
        municipality=municipality,
        name=f"Innløsning av utstyret til {municipality.name}",
        valuation_date=takeover,
        note="Overtatt da kommunen gikk inn i samarbeidet.",
    )
    # The devices were bought out historically, so their origin already says so; the
    # buyout records how they were valued (add_assets only takes municipality-owned ones).
    items = BuyoutItem.objects.bulk_create(
        [
            BuyoutItem(
                buyout=buyout,
                asset=asset,
                acquisition_date=asset.acquisition_date,
                acquisition_cost=asset.acquisition_cost,
            )
            for asset in assets
        ]
    )
    record_bulk_changes(items, action=ChangeAction.CREATE)
    ctx.counts[BuyoutItem._meta.label] += len(items)
    agree_buyout(buyout=buyout, agreed_on=takeover)
    complete_buyout(buyout=buyout, completed_on=takeover)
    owed = AmountOwed.objects.filter(buyout=buyout).first()
    if owed is not None:
        settle_amount_owed(
            amount_owed=owed, reference="Betalt ved overtakelsen", settled_on=takeover
        )


def draft_buyout(ctx: DemoContext) -> None:
    """The largest member's own school devices, to be bought out next month."""
    municipality = max(ctx.municipalities, key=lambda m: (m.population, m.number))
    rng = ctx.rng("buyouts", municipality.number)
    valuation_date = add_months(ctx.today.replace(day=1), 1)
    products = [
        (ctx.products[key], weight) for key, weight in DRAFT_PRODUCTS if key in ctx.products
    ]
    if not products:
        return
    school = ctx.service_areas.get(municipality.pk, {}).get("education")
    count = DRAFT_DEVICES.get(ctx.size.name, 60)
    rows = []
    for n in range(count):
        product = rng.choices([p for p, _ in products], weights=[w for _, w in products])[0]
        acquired = ctx.today - datetime.timedelta(days=rng.randint(60, 7 * 365))
        cost = (product.standard_cost * Decimal(rng.randint(70, 120)) / 100).quantize(Decimal("1"))
        row = {
            "product": product,
            "asset_tag": f"K{municipality.number}-{n + 1:05d}",
            "serial_number": f"KE{municipality.number}{n + 1:06d}",
            "model_name": product.model_number,
            "service_area": school,
            "acquisition_date": acquired,
            "acquisition_cost": cost,
        }
        if product.category.code == "pupil-device" and rng.random() < 0.1:
            row["useful_life_months"] = 24
            row["life_override_reason"] = "Pupils' devices wear out faster"
        rows.append(row)
    buyout = create_buyout(
        municipality=municipality,
        name=f"Innløsning av skoleenhetene til {municipality.name}",
        valuation_date=valuation_date,
        note="Enheter skolene kjøpte selv; overtas neste måned.",
    )
    # The services let the database number the new rows: move PostgreSQL's sequences past
    # the ids the earlier steps inserted explicitly, and keep the allocator past ours.
    reset_sequences([Asset, Assignment])
    register_equipment(
        buyout=buyout,
        rows=rows,
        summary=f"{DEMO_MARKER} (seed {ctx.seed}): {count:,} existing devices of "
        f"{municipality.name} registered for the draft buyout",
    )
    ctx.ids.take(Asset, count)
    ctx.ids.take(Assignment, count)
    ctx.counts[Asset._meta.label] += count
    ctx.counts[Assignment._meta.label] += count
    ctx.counts[BuyoutItem._meta.label] += count
