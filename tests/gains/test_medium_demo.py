"""The issue's acceptance on the medium demo: the "actual" side of common versus separate
equals each member's issued invoices less its credit notes for the year, to the øre; and
planned and realised totals reconcile across action, municipality and year.

The expected figures are computed here from the rows, with plain loops over the invoices,
credit notes, gain shares and measurements — not with the code under test.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest

from samdrift.billing.choices import InvoiceStatus
from samdrift.billing.models import CreditNote, Invoice
from samdrift.demo.generator import generate
from samdrift.gains.choices import ActionStatus
from samdrift.gains.comparison import compare
from samdrift.gains.models import GainShare, Measurement
from samdrift.gains.realisation import realisation
from samdrift.organisations.models import Municipality
from tests.worlds import rolled_back

TODAY = datetime.date(2026, 11, 27)
ZERO = Decimal("0")

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def medium(django_db_setup, django_db_blocker):
    with rolled_back(django_db_blocker):
        yield generate(size="medium", seed=1, today=TODAY, password="medium-demo-password")


def test_actual_is_each_members_issued_invoices_less_credit_notes_to_the_ore(medium):
    expected: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for invoice in Invoice.objects.select_related("period"):
        if invoice.status == InvoiceStatus.ISSUED:
            expected[(invoice.municipality_id, invoice.period.month.year)] += invoice.net_total
    for note in CreditNote.objects.select_related("invoice__period"):
        key = (note.invoice.municipality_id, note.invoice.period.month.year)
        expected[key] -= note.net_total
    assert CreditNote.objects.exists()  # the demo credits one invoice: the rule is exercised

    comparison = compare(municipalities=Municipality.objects.all(), as_of=TODAY)
    assert len(comparison.members) == Municipality.objects.count() == 6
    compared = 0
    for member in comparison.members:
        for year in member.years:
            assert year.actual == expected[(member.municipality.pk, year.year)], (
                member.municipality,
                year.year,
            )
            compared += 1
    assert compared >= 6
    # And the collaboration's actual per year is the sum of the members'.
    for total in comparison.totals:
        members = sum(v for (_m, y), v in expected.items() if y == total.year)
        assert total.actual == members


def test_planned_and_realised_reconcile_across_action_municipality_and_year(medium):
    start, end = datetime.date(2023, 1, 1), datetime.date(2031, 1, 1)
    figures = realisation(
        shares=GainShare.objects.all(), measurements=Measurement.objects.all(), start=start, end=end
    )
    # Independently: whole years, so planned is the expected amount in each year expected.
    planned: dict[tuple[int, int, int], Decimal] = defaultdict(lambda: ZERO)
    for share in GainShare.objects.select_related("gain__action"):
        if share.gain.action.status == ActionStatus.CANCELLED:
            continue
        for year in range(max(share.gain.first_year, 2023), min(share.gain.last_year, 2030) + 1):
            planned[(share.gain.action_id, share.municipality_id, year)] += share.expected_amount
    realised: dict[tuple[int, int, int], Decimal] = defaultdict(lambda: ZERO)
    for measurement in Measurement.objects.select_related("gain"):
        if start <= measurement.measured_on < end:
            key = (measurement.gain.action_id, measurement.municipality_id)
            realised[(*key, measurement.measured_on.year)] += measurement.amount
    assert sum(realised.values()) > 0 and sum(planned.values()) > sum(realised.values())

    def by(index: int, values: dict) -> dict:
        out: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for key, value in values.items():
            out[key[index]] += value
        return {k: v for k, v in out.items() if v}

    for index, got in (
        (0, figures.by_action()),
        (1, figures.by_municipality()),
        (2, figures.by_year()),
    ):
        assert {k: t.planned for k, t in got.items() if t.planned} == by(index, planned)
        assert {k: t.realised for k, t in got.items() if t.realised} == by(index, realised)
        assert sum((t.planned for t in got.values()), ZERO) == figures.total.planned
        assert sum((t.realised for t in got.values()), ZERO) == figures.total.realised
    assert figures.total.planned == sum(planned.values())
    assert figures.total.realised == sum(realised.values())
