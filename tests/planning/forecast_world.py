"""A small fleet built by hand for the forecast tests; every price below is used by the
tests' hand computations.

Three members (Fjordvik 60,000 inhabitants, Elvdal 1,500, Havbygd 10,000), from
November 2026 (the forecast's first month):

- Laptops "L1" list 328.69, replaced after 36 months by "G2" list 400.00 (category lease
  model: 36 months, 5 %, residual 10 %, fee 50; G2 costs 12,000.00).
- Fjordvik has an agreement: L1 at 300.00. Two L1 (acquired 10 January 2026) with two
  persons in its school area, and a bought-out L1 with its own price 210.00.
- Elvdal: one L1 acquired 10 February 2024 (due 10 February 2027), a person; usage of
  1,000 pages at 0.0850 recorded for November 2026.
- Havbygd: one L1 acquired 1 January 2022 (overdue).
- A workplace per user, list 150.00, for the three persons.
- A cost pool of 10,000.00 a month split by population (measured on 1 January 2026).
- Fjordvik is owed 1,000.00 in November 2026 and 500.00 in February 2027; it has a
  one-off charge of 500.00 on 15 November 2026.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from samdrift.agreements.services import create_agreement, set_agreed_price
from samdrift.billing.services.one_offs import add_one_off_charge
from samdrift.billing.services.pools import create_allocation_key, create_cost_pool
from samdrift.catalogue.choices import ServiceUnit
from samdrift.inventory.choices import AssetOrigin
from samdrift.inventory.models import UsageRecord
from samdrift.inventory.services import assign_asset, subscribe
from samdrift.leasing.models import AmountOwed, AssetPrice
from samdrift.planning.choices import RuleBasis
from samdrift.planning.models import ReplacementRule
from tests import factories

D = datetime.date
START = D(2026, 11, 1)


@dataclass
class ForecastWorld:
    fjordvik: object
    elvdal: object
    havbygd: object
    school: object
    care: object
    laptop: object
    g2: object
    workplace: object
    printing: object
    pool: object
    lease: object
    category: object


def build_forecast_world(fjordvik, elvdal, school, care) -> ForecastWorld:
    havbygd = factories.make_municipality(name="Havbygd", number="4603", population=10000)
    lease = factories.make_lease_model(
        term_months=36,
        annual_rate=Decimal("0.05"),
        residual_percent=Decimal("10"),
        monthly_service_fee=Decimal("50"),
    )
    laptops = factories.make_category(name="Laptops", lease_model=lease, useful_life_months=48)
    laptop = factories.make_product(laptops, name="L1", standard_cost=Decimal("9000.00"))
    g2 = factories.make_product(laptops, name="G2", standard_cost=Decimal("12000.00"))
    factories.make_price(amount="328.69", valid_from=D(2025, 1, 1), product=laptop)
    factories.make_price(amount="400.00", valid_from=D(2025, 1, 1), product=g2)
    ReplacementRule.objects.create(
        category=laptops, basis=RuleBasis.MAX_AGE, max_age_months=36, replacement_product=g2
    )
    workplace = factories.make_service(name="Workplace", unit=ServiceUnit.PER_USER)
    factories.make_price(amount="150.00", valid_from=D(2025, 1, 1), service=workplace)
    printing = factories.make_service(name="Printing", code="print", unit=ServiceUnit.PER_PAGE)
    factories.make_price(amount="0.0850", valid_from=D(2025, 1, 1), service=printing)
    agreement = create_agreement(municipality=fjordvik, name="Fjordvik", valid_from=D(2025, 1, 1))
    set_agreed_price(agreement=agreement, amount=Decimal("300.00"), product=laptop)

    def device(municipality, acquired, area=None, person=None, **fields):
        asset = factories.make_asset(laptop, acquisition_date=acquired, **fields)
        assign_asset(
            asset=asset,
            municipality=municipality,
            service_area=area,
            person=person,
            valid_from=max(acquired, D(2024, 1, 1)),
        )
        return asset

    for _ in range(2):
        person = factories.make_person(fjordvik, school)
        device(fjordvik, D(2026, 1, 10), school, person)
        subscribe(
            service=workplace,
            municipality=fjordvik,
            service_area=school,
            person=person,
            valid_from=D(2026, 1, 10),
        )
    bought_out = device(fjordvik, D(2025, 6, 1), school, origin=AssetOrigin.BOUGHT_OUT)
    AssetPrice.objects.create(
        asset=bought_out,
        valid_from=D(2026, 1, 1),
        amount=Decimal("210.00"),
        capital_part=Decimal("160.00"),
        service_fee=Decimal("50.00"),
    )
    nurse = factories.make_person(elvdal, care)
    device(elvdal, D(2024, 2, 10), care, nurse)
    subscribe(
        service=workplace,
        municipality=elvdal,
        service_area=care,
        person=nurse,
        valid_from=D(2024, 2, 10),
    )
    UsageRecord.objects.create(
        service=printing, municipality=elvdal, month=START, quantity=Decimal("1000")
    )
    device(havbygd, D(2022, 1, 1))
    key = create_allocation_key(
        name="Population", measured_on=D(2026, 1, 1), parts={"population": Decimal(1)}
    )
    pool = create_cost_pool(
        name="Data centre", monthly_amount=Decimal("10000.00"), key=key, valid_from=D(2026, 1, 1)
    )
    AmountOwed.objects.create(
        municipality=fjordvik, amount=Decimal("1000.00"), due_month=START, description="Buyout"
    )
    AmountOwed.objects.create(
        municipality=fjordvik,
        amount=Decimal("500.00"),
        due_month=D(2027, 2, 1),
        description="Buyout, second part",
    )
    add_one_off_charge(
        municipality=fjordvik,
        description="Installation",
        date=D(2026, 11, 15),
        unit_price=Decimal("500.00"),
    )
    return ForecastWorld(
        fjordvik=fjordvik,
        elvdal=elvdal,
        havbygd=havbygd,
        school=school,
        care=care,
        laptop=laptop,
        g2=g2,
        workplace=workplace,
        printing=printing,
        pool=pool,
        lease=lease,
        category=laptops,
    )
