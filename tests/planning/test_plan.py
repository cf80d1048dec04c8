"""The replacement plan (planning.plan): a hand-built fleet, its devices due per quarter
and year, overdue first, with the replacement product's cost and list price — every figure
worked out here — and a query count that does not grow with the fleet."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from samdrift.core.permissions import restrict
from samdrift.inventory.choices import AssetStatus
from samdrift.inventory.models import Asset
from samdrift.planning.choices import RuleBasis
from samdrift.planning.models import ProductSupport, ReplacementRule
from samdrift.planning.plan import (
    annotate_due,
    due_assets,
    due_counts,
    due_per_month,
    quarter_start,
    replacement_plan,
)
from samdrift.planning.rules import Due, RuleBook
from tests import factories

D = datetime.date
AS_OF = D(2026, 5, 20)
DEPLOYED = AssetStatus.DEPLOYED


class PlanFleet:
    """Laptops (lease term 36 months; the G1 reaches its end of support on 14 October
    2025; the G2, 12,000 kr and 350 kr a month, replaces both), phones (24 months, 4,000
    kr, replaced by their own product, no list price), printers without a rule."""

    def __init__(self, a, b, area_a1, area_a2, area_b):
        lease = factories.make_lease_model(term_months=36)
        laptops = factories.make_category(name="Laptops", lease_model=lease)
        phones = factories.make_category(name="Phones")
        printers = factories.make_category(name="Printers")
        self.laptops, self.phones = laptops, phones
        self.g1 = factories.make_product(laptops, name="G1", standard_cost=Decimal("9000.00"))
        self.g2 = factories.make_product(laptops, name="G2", standard_cost=Decimal("12000.00"))
        self.phone = factories.make_product(phones, name="Phone", standard_cost=Decimal("4000"))
        self.printer = factories.make_product(printers, name="Printer")
        factories.make_price(
            amount="300.00", valid_from=D(2025, 1, 1), valid_to=D(2026, 1, 1), product=self.g2
        )
        factories.make_price(amount="350.00", valid_from=D(2026, 1, 1), product=self.g2)
        ReplacementRule.objects.create(
            category=laptops, basis=RuleBasis.LEASE_TERM, replacement_product=self.g2
        )
        ReplacementRule.objects.create(category=phones, basis=RuleBasis.MAX_AGE, max_age_months=24)
        ProductSupport.objects.create(product=self.g1, end_of_support=D(2025, 10, 14))

        def make(product, municipality, area=None, status=DEPLOYED, **dates):
            return factories.make_asset(
                product, municipality=municipality, service_area=area, status=status, **dates
            )

        # Overdue: support ended 14 October 2025.
        self.a_g1 = make(self.g1, a, area_a1, acquisition_date=D(2023, 1, 10))
        # 15 June 2026 → Q2 2026.
        self.a_g2 = make(self.g2, a, area_a1, acquisition_date=D(2023, 6, 15))
        # 1 August 2026 → Q3 2026.
        self.a_g2b = make(self.g2, a, area_a2, acquisition_date=D(2023, 8, 1))
        # 31 December 2026 → Q4 2026, no service area.
        self.a_phone = make(self.phone, a, acquisition_date=D(2024, 12, 31))
        # 1 February 2027 → Q1 2027.
        self.b_phone = make(self.phone, b, area_b, acquisition_date=D(2025, 2, 1))
        # 20 May 2027: after a one-year plan.
        self.b_phone_late = make(self.phone, b, area_b, acquisition_date=D(2025, 5, 20))
        # Planned the day before as_of: overdue; on as_of: due this quarter.
        self.b_overdue = make(self.g2, b, area_b, planned_replacement=D(2026, 5, 19))
        self.b_today = make(self.g2, b, area_b, planned_replacement=D(2026, 5, 20))
        # Not counted: in stock, held by nobody, retired, and a printer never due.
        make(self.g1, None, status=AssetStatus.IN_STOCK, acquisition_date=D(2022, 1, 1))
        make(self.g1, None, acquisition_date=D(2022, 1, 1))
        make(self.phone, b, area_b, status=AssetStatus.RETIRED, acquisition_date=D(2020, 1, 1))
        make(self.printer, a, area_a1, acquisition_date=D(2010, 1, 1))


@pytest.fixture
def fleet(municipality_a, municipality_b, service_area_a, service_area_b):
    area_a2 = factories.make_service_area(municipality_a, name="Helse")
    fleet = PlanFleet(municipality_a, municipality_b, service_area_a, area_a2, service_area_b)
    fleet.a, fleet.b = municipality_a, municipality_b
    fleet.area_a1, fleet.area_a2, fleet.area_b = service_area_a, area_a2, service_area_b
    return fleet


def test_quarter_start():
    assert quarter_start(D(2026, 5, 20)) == D(2026, 4, 1)
    assert quarter_start(D(2026, 12, 31)) == D(2026, 10, 1)
    assert quarter_start(D(2026, 1, 1)) == D(2026, 1, 1)


def test_due_counts(fleet):
    f = fleet
    counts = due_counts(
        assets=Asset.objects.all(), rules=RuleBook(), as_of=AS_OF, until=D(2027, 4, 1)
    )
    assert counts == {
        (f.a.pk, f.area_a1.pk, f.g1.pk, None): 1,
        (f.a.pk, f.area_a1.pk, f.g2.pk, D(2026, 6, 1)): 1,
        (f.a.pk, f.area_a2.pk, f.g2.pk, D(2026, 8, 1)): 1,
        (f.a.pk, None, f.phone.pk, D(2026, 12, 1)): 1,
        (f.b.pk, f.area_b.pk, f.phone.pk, D(2027, 2, 1)): 1,
        (f.b.pk, f.area_b.pk, f.g2.pk, None): 1,
        (f.b.pk, f.area_b.pk, f.g2.pk, D(2026, 5, 1)): 1,
    }
    # A longer horizon takes in the late phone.
    later = due_counts(
        assets=Asset.objects.all(), rules=RuleBook(), as_of=AS_OF, until=D(2027, 6, 1)
    )
    assert later[(f.b.pk, f.area_b.pk, f.phone.pk, D(2027, 5, 1))] == 1


def test_due_per_month(fleet, django_assert_num_queries):
    rules = RuleBook()
    with django_assert_num_queries(1):
        months = due_per_month(
            assets=Asset.objects.all(), day=AS_OF, until=D(2027, 5, 20), rules=rules
        )
    # From 20 May 2026 (the overdue G1s and the G2 planned for 19 May are before it) to 20
    # May 2027 (the late phone, due that day, is after it): 13 months, by hand.
    expected = {D(2026, 5 + k, 1) if k < 8 else D(2027, k - 7, 1): 0 for k in range(13)}
    expected |= {
        D(2026, 5, 1): 1,  # the G2 planned on 20 May
        D(2026, 6, 1): 1,  # lease end 15 June
        D(2026, 8, 1): 1,  # lease end 1 August
        D(2026, 12, 1): 1,  # the phone's 24 months end 31 December
        D(2027, 2, 1): 1,  # the other phone's, 1 February
    }
    assert months == expected


def test_identical_devices_count_together(fleet):
    for _ in range(3):
        factories.make_asset(
            fleet.phone,
            municipality=fleet.b,
            service_area=fleet.area_b,
            status=DEPLOYED,
            acquisition_date=D(2025, 2, 1),
        )
    counts = due_counts(
        assets=Asset.objects.all(), rules=RuleBook(), as_of=AS_OF, until=D(2027, 4, 1)
    )
    assert counts[(fleet.b.pk, fleet.area_b.pk, fleet.phone.pk, D(2027, 2, 1))] == 4


def test_buckets(fleet):
    f = fleet
    plan = replacement_plan(assets=Asset.objects.all(), as_of=AS_OF, years=1)
    assert plan.quarters == [D(2026, 4, 1), D(2026, 7, 1), D(2026, 10, 1), D(2027, 1, 1)]
    assert plan.until == D(2027, 4, 1)
    got = {
        (b.municipality_id, b.service_area_id, b.product_id, b.period): (
            b.category_id,
            b.replacement_id,
            b.units,
            b.unit_cost,
            b.capital,
            b.monthly_price,
        )
        for b in plan.buckets
    }
    laptops, phones, g2, phone = f.laptops.pk, f.phones.pk, f.g2.pk, f.phone.pk
    twelve, four, price = Decimal("12000.00"), Decimal("4000.00"), Decimal("350.00")
    assert got == {
        # The G1 is replaced by a G2: the G2's cost and price, not the G1's.
        (f.a.pk, f.area_a1.pk, f.g1.pk, None): (laptops, g2, 1, twelve, twelve, price),
        (f.a.pk, f.area_a1.pk, g2, D(2026, 4, 1)): (laptops, g2, 1, twelve, twelve, price),
        (f.a.pk, f.area_a2.pk, g2, D(2026, 7, 1)): (laptops, g2, 1, twelve, twelve, price),
        (f.a.pk, None, phone, D(2026, 10, 1)): (phones, phone, 1, four, four, None),
        (f.b.pk, f.area_b.pk, phone, D(2027, 1, 1)): (phones, phone, 1, four, four, None),
        (f.b.pk, f.area_b.pk, g2, None): (laptops, g2, 1, twelve, twelve, price),
        (f.b.pk, f.area_b.pk, g2, D(2026, 4, 1)): (laptops, g2, 1, twelve, twelve, price),
    }
    # Overdue buckets first.
    assert [b.period for b in plan.buckets[:2]] == [None, None]
    assert plan.overdue_units == 2
    assert plan.total_units == 7
    # 5 G2 × 12,000 + 2 phones × 4,000.
    assert plan.total_capital == Decimal("68000.00")


def cells(row):
    return [(cell.units, cell.capital) for cell in row.cells]


def test_rows_per_quarter_and_year(fleet):
    f = fleet
    plan = replacement_plan(assets=Asset.objects.all(), as_of=AS_OF, years=1)
    zero, twelve, four = (0, Decimal("0")), (1, Decimal("12000")), (1, Decimal("4000"))
    a, b = plan.rows("municipality")
    assert (a.key, b.key) == (f.a.pk, f.b.pk)
    # Overdue, then Q2, Q3, Q4 2026 and Q1 2027.
    assert cells(a) == [twelve, twelve, twelve, four, zero]
    assert cells(b) == [twelve, twelve, zero, zero, four]
    assert (a.total.units, a.total.capital) == (4, Decimal("40000"))
    assert (b.total.units, b.total.capital) == (3, Decimal("28000"))

    assert plan.periods("year") == [2026, 2027]
    a, b = plan.rows("municipality", period="year")
    assert cells(a) == [twelve, (3, Decimal("28000")), zero]
    assert cells(b) == [twelve, twelve, four]

    laptops, phones = plan.rows("category")
    assert laptops.key == f.laptops.pk
    assert cells(laptops) == [
        (2, Decimal("24000")),
        (2, Decimal("24000")),
        twelve,
        zero,
        zero,
    ]
    assert cells(phones) == [zero, zero, zero, four, four]

    areas = plan.rows("service_area")
    assert [row.key for row in areas] == [
        (f.a.pk, f.area_a1.pk),
        (f.a.pk, f.area_a2.pk),
        (f.a.pk, None),
        (f.b.pk, f.area_b.pk),
    ]
    assert cells(areas[3]) == [twelve, twelve, zero, zero, four]

    total = plan.totals("year")
    assert cells(total) == [(2, Decimal("24000")), (4, Decimal("40000")), four]
    assert (total.total.units, total.total.capital) == (7, Decimal("68000"))


def test_five_years_take_every_device_due_in_them(fleet):
    plan = replacement_plan(assets=Asset.objects.all(), as_of=AS_OF)
    assert len(plan.quarters) == 20 and plan.quarters[-1] == D(2031, 1, 1)
    assert plan.periods("year") == [2026, 2027, 2028, 2029, 2030, 2031]
    assert plan.total_units == 8  # the late phone too
    with pytest.raises(ValueError, match="by must be"):
        plan.rows("person")


def test_restricted_to_what_the_user_sees(fleet, contact_b):
    plan = replacement_plan(assets=restrict(Asset.objects.all(), contact_b), as_of=AS_OF, years=1)
    assert {b.municipality_id for b in plan.buckets} == {fleet.b.pk}
    assert plan.total_units == 3


def test_due_assets_and_annotate_due(fleet):
    rules = RuleBook()
    due = due_assets(assets=Asset.objects.all(), day=AS_OF, rules=rules)
    # In service and due before the day (a device held by nobody is in the list too).
    assert set(due.values_list("asset_tag", flat=True)) == {
        fleet.a_g1.asset_tag,
        fleet.b_overdue.asset_tag,
    } | set(
        Asset.objects.filter(municipality=None, status=DEPLOYED).values_list("asset_tag", flat=True)
    )
    rows = annotate_due(Asset.objects.filter(pk__in=[fleet.a_g1.pk, fleet.a_phone.pk]), rules)
    assert [(asset.pk, found) for asset, found in rows] == [
        (fleet.a_g1.pk, Due(D(2025, 10, 14), "end_of_support")),
        (fleet.a_phone.pk, Due(D(2026, 12, 31), "max_age")),
    ]


def grow(fleet, n):
    for i in range(n):
        factories.make_asset(
            fleet.g2 if i % 2 else fleet.phone,
            municipality=fleet.a if i % 3 else fleet.b,
            service_area=fleet.area_a1 if i % 3 else fleet.area_b,
            status=DEPLOYED,
            acquisition_date=D(2024, 1 + i % 12, 1 + i % 28),
        )


def test_query_count_is_the_same_for_3_and_30_devices(
    municipality_a, municipality_b, service_area_a, service_area_b, django_assert_num_queries
):
    fleet = PlanFleet.__new__(PlanFleet)
    fleet.a, fleet.b, fleet.area_a1, fleet.area_b = (
        municipality_a,
        municipality_b,
        service_area_a,
        service_area_b,
    )
    category = factories.make_category(name="Laptops")
    ReplacementRule.objects.create(category=category, basis=RuleBasis.MAX_AGE, max_age_months=24)
    fleet.g2 = factories.make_product(category, name="G2")
    fleet.phone = factories.make_product(category, name="Phone")
    factories.make_price(amount="350.00", valid_from=D(2026, 1, 1), product=fleet.g2)
    grow(fleet, 3)
    # The rule book (1), the fleet (1), products (1), list prices (1).
    with django_assert_num_queries(4):
        small = replacement_plan(assets=Asset.objects.all(), as_of=AS_OF)
    grow(fleet, 27)
    with django_assert_num_queries(4):
        large = replacement_plan(assets=Asset.objects.all(), as_of=AS_OF)
    assert (small.total_units, large.total_units) == (3, 30)
    rules = RuleBook()
    with django_assert_num_queries(3):
        replacement_plan(assets=Asset.objects.all(), as_of=AS_OF, rules=rules)
