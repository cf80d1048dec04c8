"""The gains demo step: baselines for every member, an action plan of at least 15 actions
in every status, gains of every type with shares and measurements, and a comparison in
which one member pays more together than it would alone and the others less."""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest

from samdrift.billing.models import CreditNote, Invoice
from samdrift.gains.choices import ActionStatus, CostCategory, GainType
from samdrift.gains.comparison import FlagCode, compare
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
from samdrift.inventory.models import Asset
from samdrift.organisations.models import Municipality
from samdrift.planning.plan import replacement_plan
from tests.demo.conftest import TODAY

pytestmark = pytest.mark.django_db


def test_every_member_has_a_baseline_before_joining_in_every_category(demo):
    members = list(Municipality.objects.all())
    rows = defaultdict(set)
    for cost in BaselineCost.objects.select_related("municipality"):
        cost.full_clean()
        assert cost.year < cost.municipality.joined_on.year
        assert cost.amount > 0
        rows[(cost.municipality_id, cost.year)].add(cost.category)
        if cost.category == CostCategory.STAFF:
            assert cost.amount == (cost.fte * cost.cost_per_fte).quantize(Decimal("0.01"))
    for member in members:
        years = sorted(year for municipality_id, year in rows if municipality_id == member.pk)
        assert years == [member.joined_on.year - 2, member.joined_on.year - 1], member
        for year in years:
            assert rows[(member.pk, year)] == set(CostCategory.values)
    # The cost index reaches from every baseline year to today.
    index_years = set(CostIndex.objects.values_list("year", flat=True))
    assert {year for _m, year in rows} | {TODAY.year} <= index_years
    # And every member has a value before joining for every indicator.
    indicators = Indicator.objects.count()
    assert indicators >= 4
    assert IndicatorBaseline.objects.count() == indicators * len(members)


def test_the_plan_has_at_least_15_actions_in_every_status_with_links(demo):
    actions = list(Action.objects.prefetch_related("municipalities", "prerequisites"))
    assert len(actions) >= 15
    assert {a.status for a in actions} == set(ActionStatus.values)
    for action in actions:
        action.full_clean()
    some = [a for a in actions if not a.all_municipalities]
    assert some and all(a.municipalities.all() for a in some)
    assert any(a.all_municipalities for a in actions)
    assert sum(1 for a in actions if a.prerequisites.all()) >= 5
    assert Action.solutions.through.objects.exists()
    assert Action.services.through.objects.exists()
    assert Milestone.objects.filter(done_on__isnull=False).exists()
    assert Milestone.objects.filter(done_on__isnull=True).exists()
    # Done actions' milestones are all done; planned actions' none.
    assert not Milestone.objects.filter(action__status=ActionStatus.DONE, done_on=None).exists()
    assert not Milestone.objects.filter(
        action__status=ActionStatus.PLANNED, done_on__isnull=False
    ).exists()
    assert CollaborationCost.objects.filter(year=TODAY.year).count() >= 3


def test_gains_of_every_type_have_shares_owners_and_measurements(demo):
    assert set(Gain.objects.values_list("type", flat=True)) == set(GainType.values)
    for gain in Gain.objects.select_related("action", "indicator"):
        gain.full_clean()
        assert gain.shares.exists(), gain
    for gain_type in GainType.values:
        assert Measurement.objects.filter(gain__type=gain_type).exists(), gain_type
    for share in GainShare.objects.select_related("gain__action", "municipality", "owner_user"):
        share.full_clean()
        assert share.owner
        if share.owner_user is not None:
            assert share.owner_user.municipality_id == share.municipality_id
            assert share.owner_user.username.startswith("contact-")
    assert GainShare.objects.filter(owner_user__isnull=False).exists()
    assert GainShare.objects.filter(taken_out_of_budget=True).exclude(budget_note="").exists()
    # Measurements are valid as the model sees them, measured up to today, after the
    # member joined, with a source — and only for actions under way or done.
    for measurement in Measurement.objects.select_related("gain__action", "municipality"):
        measurement.full_clean()
        assert measurement.measured_on <= TODAY
        assert measurement.measured_on >= measurement.municipality.joined_on
        assert measurement.source
        assert measurement.gain.action.status in (ActionStatus.DONE, ActionStatus.IN_PROGRESS)
    hours = Measurement.objects.filter(gain__type=GainType.TIME_SAVED).first()
    assert hours.amount == hours.hours * hours.gain.hourly_rate
    # Partly realised: a share of a done action measured, another not yet.
    measured = set(Measurement.objects.values_list("gain_id", "municipality_id"))
    shares = set(
        GainShare.objects.filter(gain__action__status=ActionStatus.DONE).values_list(
            "gain_id", "municipality_id"
        )
    )
    assert shares & measured and shares - measured


def _alone_and_actual() -> dict[str, tuple[Decimal, Decimal]]:
    """Common versus separate for the latest issued month, worked out from the rows
    (the rule of docs/gains.md, independently of samdrift.gains.comparison)."""
    index = dict(CostIndex.objects.values_list("year", "value"))
    plan = replacement_plan(assets=Asset.objects.all(), as_of=TODAY)
    renewal = defaultdict(Decimal)
    for bucket in plan.buckets:
        if bucket.period is not None:  # overdue devices do not count
            renewal[bucket.municipality_id] += bucket.capital / plan.years
    result = {}
    for member in Municipality.objects.all():
        invoices = Invoice.objects.filter(municipality=member, status="issued")
        months = {
            invoice.period.month for invoice in invoices if invoice.period.month.year == TODAY.year
        }
        actual = sum(i.net_total for i in invoices if i.period.month.year == TODAY.year) - sum(
            c.net_total
            for c in CreditNote.objects.filter(invoice__in=invoices)
            if c.invoice.period.month.year == TODAY.year
        )
        year = max(BaselineCost.objects.filter(municipality=member).values_list("year", flat=True))
        baseline = sum(
            BaselineCost.objects.filter(municipality=member, year=year).values_list(
                "amount", flat=True
            )
        )
        share_of_year = Decimal(len(months)) / 12
        alone = (baseline * index[TODAY.year] / index[year] + renewal[member.pk]) * share_of_year
        result[member.name] = (alone, actual)
    return result


def test_one_member_pays_more_together_and_the_others_less(demo):
    figures = _alone_and_actual()
    assert all(actual > 0 for _alone, actual in figures.values())
    pays_more = [name for name, (alone, actual) in figures.items() if alone < actual]
    # The smallest member: its baseline is modest against what it is invoiced.
    assert pays_more == [Municipality.objects.order_by("population").first().name]
    alone, actual = figures[pays_more[0]]
    assert actual - alone > actual / 50  # not a rounding matter: a few per cent at least
    for name, (alone, actual) in figures.items():
        if name not in pays_more:
            assert alone > actual * Decimal("1.05"), name


def test_the_comparison_agrees_one_member_pays_more_and_has_no_flags(demo):
    comparison = compare(municipalities=Municipality.objects.all(), as_of=TODAY)
    smallest = Municipality.objects.order_by("population").first()
    assert [m.municipality for m in comparison.members if m.pays_more] == [smallest]
    figures = _alone_and_actual()
    for member in comparison.members:
        # Every index year, every fleet; only the years before Samdrift billed them.
        codes = {flag.code for flag in member.flags}
        assert codes <= {FlagCode.BILLED_LATER}, member.municipality
        year = member.years[-1]
        assert year.year == TODAY.year and year.months == 1
        alone, actual = figures[member.municipality.name]
        assert year.actual == actual
        assert abs(year.alone - alone) <= Decimal("0.02")
        assert (member.cumulative_saving < 0) == (member.municipality == smallest)
    statements = next(m for m in comparison.members if m.pays_more).plain_statements()
    assert len(statements) == 1 and smallest.name in statements[0]
    # Together the collaboration is cheaper, its unbilled costs included.
    assert comparison.totals[-1].unbilled > 0
    assert comparison.cumulative_saving > 0


def test_the_measurements_follow_the_plan_dates(demo):
    for action in Action.objects.filter(status=ActionStatus.PLANNED):
        assert action.start > TODAY
    for action in Action.objects.filter(status=ActionStatus.DONE):
        assert action.deadline < TODAY
    first = Measurement.objects.order_by("measured_on").first()
    assert first.measured_on.year >= TODAY.year - 4
    assert first.measured_on.month in (3, 6, 9, 12)
    assert (first.measured_on + datetime.timedelta(days=1)).day == 1  # a quarter's last day
