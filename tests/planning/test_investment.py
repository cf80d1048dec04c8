"""The investment need (planning.investment) of a hand-built fleet: units, capital, lease
income, depreciation, interest and cash need per year, every figure worked out here —
the annuity by its textbook formula, book values as straight lines — for the baseline and
for a scenario with another growth, lease term and interest rate."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest

from samdrift.core.permissions import restrict
from samdrift.inventory.choices import AssetOrigin, AssetStatus
from samdrift.inventory.models import Asset
from samdrift.leasing.financing import Purchase, project_purchases
from samdrift.planning.choices import RuleBasis
from samdrift.planning.investment import investment_need
from samdrift.planning.models import ReplacementRule, Scenario
from tests import factories

D = datetime.date
AS_OF = D(2026, 3, 10)
ORE = Decimal("0.01")


def ore(value) -> Decimal:
    return Decimal(value).quantize(ORE, rounding=ROUND_HALF_UP)


def annuity(cost: Decimal, annual_rate: Decimal, months: int) -> Decimal:
    """The textbook arrears annuity, residual 0: PV·i / (1 − (1 + i)^−n), to the øre."""
    with localcontext() as ctx:
        ctx.prec = 40
        i = annual_rate / 12
        return ore(cost * i / (1 - (1 + i) ** -months))


def interest(cost: Decimal, life: int, ages: range, monthly_rate: Decimal) -> Decimal:
    """Interest on the book value at the start of each month of ``ages`` (straight line
    from ``cost`` to 0 over ``life`` months), unrounded."""
    return sum((cost * (1 - Decimal(min(k, life)) / life) * monthly_rate for k in ages), Decimal(0))


class Fleet:
    """Laptops on a 36-month lease at 6 % (fee 50, no residual), depreciated over 36
    months, replaced at the end of the lease by the G2 (12,000 kr; list price 400 a month);
    phones (4,000 kr, no lease model) replaced after 24 months.

    - a G1 held by Fjordvik, owned by it, acquired 15 January 2023: due 15 January 2026,
      overdue on 10 March 2026 → a G2 bought in March 2026;
    - a G2 the collaboration bought on 1 June 2024 for 12,000: due 1 June 2027 → a G2;
    - five phones owned by Fjordvik, acquired 20 January 2025: due January 2027 → five.
    """

    def __init__(self, municipality):
        lease = factories.make_lease_model(
            term_months=36,
            annual_rate=Decimal("0.06"),
            residual_percent=Decimal("0"),
            monthly_service_fee=Decimal("50"),
        )
        laptops = factories.make_category(name="Laptops", lease_model=lease, useful_life_months=36)
        phones = factories.make_category(name="Phones")
        self.g1 = factories.make_product(laptops, name="G1", standard_cost=Decimal("9000"))
        self.g2 = factories.make_product(laptops, name="G2", standard_cost=Decimal("12000"))
        self.phone = factories.make_product(phones, name="Phone", standard_cost=Decimal("4000"))
        factories.make_price(amount="400.00", valid_from=D(2024, 1, 1), product=self.g2)
        ReplacementRule.objects.create(
            category=laptops, basis=RuleBasis.LEASE_TERM, replacement_product=self.g2
        )
        ReplacementRule.objects.create(category=phones, max_age_months=24)

        def device(product, acquired, origin=AssetOrigin.MUNICIPALITY_OWNED, cost="9000"):
            return factories.make_asset(
                product,
                municipality=municipality,
                status=AssetStatus.DEPLOYED,
                origin=origin,
                acquisition_date=acquired,
                acquisition_cost=Decimal(cost),
            )

        device(self.g1, D(2023, 1, 15))
        device(self.g2, D(2024, 6, 1), origin=AssetOrigin.PURCHASED, cost="12000")
        for _ in range(5):
            device(self.phone, D(2025, 1, 20))
        # Not in service: neither replaced nor grown.
        factories.make_asset(self.g1, status=AssetStatus.RETIRED, acquisition_date=D(2020, 1, 1))


@pytest.fixture
def fleet(municipality_a):
    return Fleet(municipality_a)


def figures(years):
    return [
        (
            y.year,
            y.replacement_units,
            y.growth_units,
            y.capital,
            y.lease_income,
            y.depreciation,
            y.interest,
            y.cash_need,
            y.cumulative_need,
        )
        for y in years
    ]


def expected(rows):
    """Rows of (year, replacement, growth, capital, income, depreciation, interest) with
    the cash need and its running total added."""
    out, running = [], Decimal(0)
    for year, replaced, grown, capital, income, depreciation, interest_ in rows:
        need = capital - income
        running += need
        out.append((year, replaced, grown, capital, income, depreciation, interest_, need, running))
    return out


def test_baseline_with_growth(fleet):
    Scenario.objects.create(  # the baseline: used when no scenario is given
        name="Baseline", is_baseline=True, years=3, growth_percent=Decimal("10")
    )
    rate = Decimal("0.005")  # 6 % a year, a month
    p = annuity(Decimal("12000"), Decimal("0.06"), 36)
    assert p == Decimal("365.06")
    cost, life = Decimal("12000"), 36
    # Growth, 10 % of Fjordvik's fleet in service (the overdue G1, the G2, five phones)
    # each January after April 2026 (the month after as_of): January 2027, 7 × 0.1 = 0.7
    # → 1, spread by largest remainder (G1 0.1, G2 0.1, phones 0.5) to a phone; January
    # 2028, compounded, 8 × 0.1 = 0.8 → 1 (G1 0.1, G2 0.1, phones 0.6): a phone. Neither
    # falls due again before 2029 (24 months); phones have no lease model.
    # Today's G2 (June 2024, 350 a month of capital): 2026 ages 19–30, 2027 ages 31–36.
    today_2026 = (Decimal("4200"), Decimal("4000"), interest(cost, life, range(18, 30), rate))
    today_2027 = (Decimal("2100"), Decimal("2000"), interest(cost, life, range(30, 36), rate))
    # The G2 bought in March 2026: 2026 ages 1–9, 2027 10–21, 2028 22–33.
    march_2026 = [
        (9 * p, Decimal("3000"), interest(cost, life, range(0, 9), rate)),
        (12 * p, Decimal("4000"), interest(cost, life, range(9, 21), rate)),
        (12 * p, Decimal("4000"), interest(cost, life, range(21, 33), rate)),
    ]
    # The G2 bought in June 2027: 2027 ages 1–6, 2028 7–18.
    june_2027 = [
        (6 * p, Decimal("2000"), interest(cost, life, range(0, 6), rate)),
        (12 * p, Decimal("4000"), interest(cost, life, range(6, 18), rate)),
    ]
    assert [ore(x) for x in (today_2026[2], today_2027[2])] == [Decimal("250"), Decimal("35")]
    assert [ore(row[2]) for row in march_2026] == [Decimal("480"), Decimal("430"), Decimal("190")]
    assert [ore(row[2]) for row in june_2027] == [Decimal("335"), Decimal("490")]

    def total(*parts):
        return tuple(ore(sum(values, Decimal(0))) for values in zip(*parts, strict=True))

    y2026 = total(today_2026, march_2026[0])
    y2027 = total(today_2027, march_2026[1], june_2027[0])
    y2028 = total(march_2026[2], june_2027[1])
    assert figures(investment_need(as_of=AS_OF)) == expected(
        [
            # A G2 for the overdue G1 (12,000); no growth before January 2027.
            (2026, 1, 0, Decimal("12000"), *y2026),
            # Five phones in January, a G2 in June; a growth phone in January:
            # 5 × 4,000 + 12,000 + 4,000.
            (2027, 6, 1, Decimal("36000"), *y2027),
            # A growth phone in January.
            (2028, 0, 1, Decimal("4000"), *y2028),
        ]
    )
    assert y2026 == (Decimal("7485.54"), Decimal("7000.00"), Decimal("730.00"))


def test_growth_is_per_member_from_the_january_after_next_month(fleet, municipality_b):
    # Five phones in Havbygd too (acquired 20 January 2025, due January 2027). On 6
    # December 2026 the first forecast month is January 2027, so the first growth is 1
    # January 2028. Fjordvik: (1 G1 + 1 G2 + 5 phones) × 0.1 = 0.7 → 1, to a phone (0.5
    # against the laptops' 0.1); Havbygd: 5 × 0.1 = 0.5 → 1 phone. Two, where the
    # collaboration's ten phones would give 1.0 → 1 and its laptops 0.2 → 0.
    for _ in range(5):
        factories.make_asset(
            fleet.phone,
            municipality=municipality_b,
            status=AssetStatus.DEPLOYED,
            acquisition_date=D(2025, 1, 20),
        )
    scenario = Scenario(years=3, growth_percent=Decimal("10"))
    years = investment_need(as_of=D(2026, 12, 6), scenario=scenario)
    assert [y.growth_units for y in years] == [0, 0, 2]
    assert years[2].capital == 2 * Decimal("4000")  # no replacement falls due in 2028
    # A shrinking fleet buys nothing, and replaces as without growth.
    shrinking = Scenario(years=3, growth_percent=Decimal("-10"))
    flat = Scenario(years=3)
    assert figures(investment_need(as_of=D(2026, 12, 6), scenario=shrinking)) == figures(
        investment_need(as_of=D(2026, 12, 6), scenario=flat)
    )


def test_a_scenario_with_a_longer_lease_at_a_lower_rate(fleet):
    Scenario.objects.create(name="Baseline", is_baseline=True, years=3)
    scenario = Scenario.objects.create(
        name="48 months at 3 %",
        years=3,
        lease_term_months=48,
        annual_rate_percent=Decimal("3"),
    )
    # Purchases from now: 48 months at 3 %; today's G2 keeps its own terms (and due date).
    p = annuity(Decimal("12000"), Decimal("0.03"), 48)
    cost, life, rate, old_rate = Decimal("12000"), 36, Decimal("0.0025"), Decimal("0.005")
    y2026 = (
        ore(Decimal("4200") + 9 * p),
        Decimal("7000.00"),
        ore(
            interest(cost, life, range(18, 30), old_rate) + interest(cost, life, range(0, 9), rate)
        ),
    )
    y2027 = (
        ore(Decimal("2100") + 18 * p),
        Decimal("8000.00"),
        ore(
            interest(cost, life, range(30, 36), old_rate)
            + interest(cost, life, range(9, 21), rate)
            + interest(cost, life, range(0, 6), rate)
        ),
    )
    y2028 = (
        ore(24 * p),
        Decimal("8000.00"),
        ore(interest(cost, life, range(21, 33), rate) + interest(cost, life, range(6, 18), rate)),
    )
    assert figures(investment_need(as_of=AS_OF, scenario=scenario)) == expected(
        [
            (2026, 1, 0, Decimal("12000"), *y2026),
            (2027, 6, 0, Decimal("32000"), *y2027),
            (2028, 0, 0, Decimal("0"), *y2028),
        ]
    )


def test_a_longer_lease_term_moves_the_next_replacement_of_what_is_bought(fleet):
    # Five years. Phones: five in January 2027, again in January 2029 (24 months). The G2
    # bought in March 2026 falls due again in March 2029 on 36 months, in March 2030 on
    # 48; the one of June 2027 in June 2030 on 36 months, in June 2031 (too late) on 48.
    # Today's devices keep their dates either way.
    baseline = investment_need(as_of=AS_OF, scenario=Scenario(years=5))
    longer = investment_need(as_of=AS_OF, scenario=Scenario(years=5, lease_term_months=48))
    assert [y.replacement_units for y in baseline] == [1, 6, 0, 6, 1]
    assert [y.replacement_units for y in longer] == [1, 6, 0, 5, 1]
    assert [y.capital for y in longer][3:] == [Decimal("20000"), Decimal("12000")]


def test_without_any_scenario_the_defaults(fleet):
    years = investment_need(as_of=AS_OF)
    assert [y.year for y in years] == [2026, 2027, 2028, 2029, 2030]
    assert [y.growth_units for y in years] == [0] * 5


def test_restricted_to_what_the_user_sees(fleet, contact_b):
    years = investment_need(as_of=AS_OF, assets=restrict(Asset.objects.all(), contact_b))
    assert all(y.units == 0 and y.capital == 0 and y.lease_income == 0 for y in years)


def test_project_purchases_skips_products_without_a_lease_model(fleet):
    years, without = project_purchases(
        purchases=[
            Purchase(fleet.phone.pk, D(2026, 3, 1), 2),
            Purchase(fleet.g2.pk, D(2026, 3, 1), 1),
        ],
        first_year=2026,
        years=1,
    )
    assert without == 2
    assert years[0].depreciation == Decimal("3000.00")


def test_query_count_does_not_grow_with_the_fleet(fleet, municipality_a, django_assert_num_queries):
    scenario = Scenario.objects.create(name="S", years=2, growth_percent=Decimal("10"))
    # Rules (3), the fleet (1), costs (1), today's financing (5), purchases' products (1).
    with django_assert_num_queries(9):
        investment_need(as_of=AS_OF, scenario=scenario)
    for n in range(30):
        factories.make_asset(
            fleet.phone if n % 2 else fleet.g2,
            municipality=municipality_a,
            status=AssetStatus.DEPLOYED,
            origin=AssetOrigin.PURCHASED,
            acquisition_date=D(2024, 1 + n % 12, 1 + n),
        )
    with django_assert_num_queries(9):
        investment_need(as_of=AS_OF, scenario=scenario)
