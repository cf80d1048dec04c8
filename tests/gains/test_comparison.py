"""Common versus separate (gains/comparison.py) on a world billed by billing's own
services: the actual side is recomputed here from the issued invoices and their credit
notes by a plain loop, and the alone side by hand from the baseline, the index and the
months billed."""

import datetime
from decimal import Decimal

import pytest
from lxml import etree

from samdrift.billing.choices import InvoiceStatus
from samdrift.billing.models import CreditNote, Invoice
from samdrift.billing.services.credits import create_credit_note
from samdrift.billing.services.issuing import issue_period
from samdrift.billing.services.periods import close_period
from samdrift.billing.services.runs import bill_period
from samdrift.gains import charts
from samdrift.gains.choices import CostCategory
from samdrift.gains.comparison import FlagCode, IndexSource, compare
from samdrift.gains.models import BaselineCost, CollaborationCost, CostIndex
from samdrift.organisations.models import Municipality
from samdrift.planning.plan import PlanBucket, ReplacementPlan
from tests import factories

D = datetime.date
AS_OF = D(2026, 6, 30)
SVG = "{http://www.w3.org/2000/svg}"
BILLED = [D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)]  # issued; April is left a draft


def full_clean_save(obj):
    obj.full_clean()
    obj.save()
    return obj


def baseline(municipality, category, amount=None, *, year=2025, **fields):
    return full_clean_save(
        BaselineCost(
            municipality=municipality,
            year=year,
            category=category,
            amount=Decimal(amount) if amount is not None else Decimal("0"),
            **fields,
        )
    )


def index(year, value):
    return full_clean_save(CostIndex(year=year, value=Decimal(value)))


def hand_plan(world) -> ReplacementPlan:
    """A plan made by hand: Fjordvik has 60 000 kr due within five years and 10 000 kr
    overdue (not counted); Elvdal has nothing in it."""

    def bucket(period, capital):
        return PlanBucket(
            municipality_id=world.fjordvik.pk,
            service_area_id=None,
            category_id=world.laptop.category_id,
            product_id=world.laptop.pk,
            replacement_id=world.laptop.pk,
            period=period,
            units=1,
            unit_cost=Decimal(capital),
            capital=Decimal(capital),
            monthly_price=None,
        )

    quarters = [D(2026 + n // 4, 3 * (n % 4) + 1, 1) for n in range(2, 22)]
    return ReplacementPlan(
        as_of=AS_OF,
        years=5,
        quarters=quarters,
        buckets=[bucket(None, "10000"), bucket(D(2027, 4, 1), "60000")],
    )


@pytest.fixture
def billed(billing_world):
    """Fjordvik joined 1 November 2025, Elvdal 1 January 2026; January–March 2026 billed
    and issued, April billed but left a draft; part of one Fjordvik invoice credited."""
    world = billing_world
    Municipality.objects.filter(pk=world.fjordvik.pk).update(joined_on=D(2025, 11, 1))
    Municipality.objects.filter(pk=world.elvdal.pk).update(joined_on=D(2026, 1, 1))
    world.fjordvik.refresh_from_db()
    world.elvdal.refresh_from_db()
    for month in BILLED:
        bill_period(month=month)
        issue_period(month=month, issue_date=month)
        close_period(month=month)
    bill_period(month=D(2026, 4, 1))
    february = Invoice.objects.get(municipality=world.fjordvik, period__month=D(2026, 2, 1))
    line = february.lines.order_by("line_number").first()
    create_credit_note(
        invoice=february,
        reason="Laptop returned early",
        amounts={line.pk: Decimal("100.00")},
        issue_date=D(2026, 7, 3),  # made later: still counts in the invoice's year
    )
    return world


def actual_by_loop(municipality, year) -> tuple[Decimal, Decimal]:
    """Σ issued invoices' net with period in ``year``, Σ their credit notes' net."""
    invoiced = credited = Decimal("0")
    for invoice in Invoice.objects.filter(municipality=municipality):
        if invoice.status != InvoiceStatus.ISSUED or invoice.period.month.year != year:
            continue
        invoiced += invoice.net_total
        for note in CreditNote.objects.filter(invoice=invoice):
            credited += note.net_total
    return invoiced, credited


def member(comparison, municipality):
    return next(m for m in comparison.members if m.municipality.pk == municipality.pk)


def test_actual_is_issued_invoices_less_credit_notes_and_alone_is_by_hand(billed):
    world = billed
    index(2025, "100.0000")
    index(2026, "103.5000")
    baseline(world.fjordvik, CostCategory.LICENCES, "600000.00")
    baseline(world.fjordvik, CostCategory.STAFF, fte=Decimal("2"), cost_per_fte=Decimal("750000"))
    baseline(world.fjordvik, CostCategory.OTHER, "99999.00", year=2024)  # older: not used
    baseline(world.elvdal, CostCategory.OTHER, "1000.00")

    comparison = compare(
        municipalities=Municipality.objects.all(), as_of=AS_OF, plan=hand_plan(world)
    )

    fjordvik = member(comparison, world.fjordvik)
    assert fjordvik.baseline_year == 2025
    # Joined in 2025, first invoiced in 2026: 2025 is said once, not shown as zeros.
    assert [y.year for y in fjordvik.years] == [2026]
    (y2026,) = fjordvik.years
    assert [f.code for f in fjordvik.flags] == [FlagCode.BILLED_LATER]

    invoiced, credited = actual_by_loop(world.fjordvik, 2026)
    assert credited == Decimal("100.00")
    assert y2026.months == 3
    assert (y2026.invoiced, y2026.credited) == (invoiced, credited)
    assert y2026.actual == invoiced - credited
    # 2 100 000 × 103.5 / 100 × 3/12 = 543 375; renewal 60 000 / 5 years × 3/12 = 3 000.
    assert y2026.index_factor == Decimal("1.0350")
    assert y2026.running == Decimal("543375.00")
    assert y2026.renewal == Decimal("3000.00")
    assert y2026.alone == Decimal("546375.00")
    assert y2026.saving == Decimal("546375.00") - (invoiced - credited)
    assert not y2026.pays_more
    assert fjordvik.cumulative_saving == y2026.cumulative_saving == y2026.saving

    elvdal = member(comparison, world.elvdal)
    (e2026,) = elvdal.years
    e_invoiced, e_credited = actual_by_loop(world.elvdal, 2026)
    assert e2026.actual == e_invoiced - e_credited > 0
    # 1 000 × 1.035 × 3/12 = 258.75, no devices in the plan.
    assert (e2026.running, e2026.renewal, e2026.alone) == (
        Decimal("258.75"),
        Decimal("0.00"),
        Decimal("258.75"),
    )
    assert e2026.pays_more and elvdal.pays_more
    assert FlagCode.NO_DEVICES in {flag.code for flag in elvdal.flags}
    (sentence,) = elvdal.plain_statements()
    assert "Elvdal paid" in sentence and "more in 2026 than it would have alone" in sentence


def test_a_missing_index_year_is_carried_forward_and_flagged(billed):
    world = billed
    index(2024, "90.0000")
    index(2025, "100.0000")  # 2026 missing: 2025's value carried forward
    baseline(world.fjordvik, CostCategory.LICENCES, "120000.00")

    comparison = compare(
        municipalities=Municipality.objects.filter(pk=world.fjordvik.pk),
        as_of=AS_OF,
        plan=hand_plan(world),
    )

    (fjordvik,) = comparison.members
    y2026 = fjordvik.years[-1]
    assert y2026.index_source == IndexSource.CARRIED_FORWARD
    assert y2026.index_factor == Decimal("1.0000")
    assert y2026.running == Decimal("30000.00")  # 120 000 × 1 × 3/12
    flags = {(flag.code, flag.year) for flag in fjordvik.flags}
    assert (FlagCode.INDEX_CARRIED_FORWARD, 2026) in flags
    assert not any(year == 2025 for _code, year in flags)  # the baseline's year is exact


def test_no_index_at_all_is_factor_one_and_flagged_and_no_baseline_is_flagged(billed):
    world = billed
    baseline(world.fjordvik, CostCategory.LICENCES, "120000.00")

    comparison = compare(
        municipalities=Municipality.objects.all(), as_of=AS_OF, plan=hand_plan(world)
    )

    fjordvik = member(comparison, world.fjordvik)
    assert fjordvik.years[-1].running == Decimal("30000.00")
    assert fjordvik.years[-1].index_source == IndexSource.MISSING
    assert FlagCode.NO_INDEX in {flag.code for flag in fjordvik.flags}
    elvdal = member(comparison, world.elvdal)
    assert elvdal.baseline_year is None
    assert FlagCode.NO_BASELINE in {flag.code for flag in elvdal.flags}


def test_collaboration_totals_add_the_members_and_the_unbilled_costs(billed):
    world = billed
    index(2025, "100")
    index(2026, "102")
    baseline(world.fjordvik, CostCategory.CONTRACTS, "480000.00")
    baseline(world.elvdal, CostCategory.CONTRACTS, "240000.00")
    full_clean_save(CollaborationCost(year=2026, amount=Decimal("5000.00"), description="Board"))
    full_clean_save(CollaborationCost(year=2026, amount=Decimal("250.50"), description="Audit"))

    comparison = compare(
        municipalities=Municipality.objects.all(), as_of=AS_OF, plan=hand_plan(world)
    )

    fjordvik, elvdal = member(comparison, world.fjordvik), member(comparison, world.elvdal)
    assert [t.year for t in comparison.totals] == [2026]
    total = comparison.totals[-1]
    alone = fjordvik.years[-1].alone + elvdal.years[-1].alone
    invoiced = sum(actual_by_loop(m, 2026)[0] for m in (world.fjordvik, world.elvdal))
    credited = sum(actual_by_loop(m, 2026)[1] for m in (world.fjordvik, world.elvdal))
    assert total.alone == alone
    assert total.actual == invoiced - credited
    assert total.unbilled == Decimal("5250.50")
    assert total.cost == invoiced - credited + Decimal("5250.50")
    assert total.saving == alone - (invoiced - credited) - Decimal("5250.50")
    assert comparison.cumulative_saving == total.cumulative == total.saving  # 2025 is 0


def test_the_plan_is_computed_once_for_all_members_in_a_constant_number_of_queries(
    billed, django_assert_num_queries
):
    world = billed
    index(2025, "100")
    third = factories.make_municipality(name="Havbu", joined_on=D(2026, 1, 1))
    for municipality in (world.fjordvik, world.elvdal, third):
        baseline(municipality, CostCategory.LICENCES, "1000.00")

    one = Municipality.objects.filter(pk=world.fjordvik.pk)
    with django_assert_num_queries(8) as one_member:
        compare(municipalities=one, as_of=AS_OF)
    with django_assert_num_queries(8):
        comparison = compare(municipalities=Municipality.objects.all(), as_of=AS_OF)
    assert len(comparison.members) == 3
    assert len(one_member.captured_queries) == 8
    # A plan passed in is not recomputed: six queries.
    with django_assert_num_queries(6):
        compare(municipalities=Municipality.objects.all(), as_of=AS_OF, plan=comparison.plan)


def test_the_charts_label_every_bar_and_escape_the_name(billed):
    world = billed
    Municipality.objects.filter(pk=world.elvdal.pk).update(name="Elv<dal> & co")
    index(2025, "100")
    baseline(world.fjordvik, CostCategory.LICENCES, "120000.00")
    baseline(world.elvdal, CostCategory.OTHER, "1000.00")
    comparison = compare(
        municipalities=Municipality.objects.all(), as_of=AS_OF, plan=hand_plan(world)
    )
    elvdal = member(comparison, world.elvdal)

    html = str(charts.member_chart(elvdal, chart_id="m1"))
    assert "<dal>" not in html and "Elv&lt;dal&gt; &amp; co" in html
    svg = etree.fromstring(html[: html.index("</svg>") + len("</svg>")].encode())
    texts = [" ".join("".join(t.itertext()).split()) for t in svg.iter(f"{SVG}text")]
    assert {"2026 alone", "2026 common"} <= set(texts)
    patterns = {
        r.get("fill") for r in svg.iter(f"{SVG}rect") if r.get("fill", "").startswith("url")
    }
    assert len(patterns) >= 2  # alone and common told apart by pattern, not colour only
    assert "Investments needed alone (replacement plan)" in html  # the legend in words

    cumulative = str(charts.member_cumulative_chart(elvdal, chart_id="m2"))
    assert "(paid more)" in cumulative  # Elvdal pays more: written out, no bar
    totals = str(charts.collaboration_chart(comparison.totals, chart_id="t1"))
    assert "The collaboration&#x27;s unbilled costs" in totals
    etree.fromstring(
        str(charts.collaboration_cumulative_chart(comparison.totals, chart_id="t2")).encode()
    )
