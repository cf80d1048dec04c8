"""The standardisation report and the gap view, against hand calculations."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from samdrift.solutions import selectors
from samdrift.solutions.choices import GapKind, ServiceHours
from samdrift.solutions.report import standardisation_report
from samdrift.solutions.selectors import DeliveredLevel, gap_report
from samdrift.solutions.services import (
    choose_candidate,
    create_solution,
    end_usage,
    record_usage,
    set_requirement,
)
from tests import factories

D = datetime.date
ON = D(2026, 6, 15)


@pytest.mark.django_db
def test_the_saving_of_a_function_is_the_hand_calculation(portfolio, operator):
    report = standardisation_report(user=operator, on=ON)
    case = next(f for f in report.functions if f.name == "Case handling and archive")
    # Arkivo: 40 users, 80 000 kr; Saksflyt: 10 users, 30 000 kr. Both have one member:
    # the tie goes to more users, so Arkivo (2 000 kr per user) is the candidate.
    assert case.candidate.name == "Arkivo"
    assert case.users == 50 and case.cost == Decimal("110000.00")
    # 110 000 − 50 × 2 000 = 10 000
    assert case.saving == Decimal("10000.00")
    assert "110,000.00 kr today − 50 users × 2,000.00 kr per user on Arkivo" in case.formula
    with translation.override("nb"):  # grouped by a (narrow, no-break) space
        formula = re.sub(r"\s", " ", case.formula)
    assert "110 000,00 kr i dag − 50 brukere × 2 000,00 kr per bruker på Arkivo" in formula
    payroll = next(f for f in report.functions if f.name == "Payroll and HR")
    assert payroll.distinct == 1 and payroll.saving == Decimal("8300.00") - 8 * (
        Decimal("8300.00") / 8
    )
    assert report.saving == Decimal("10000.00")


@pytest.mark.django_db
def test_the_operator_may_pick_another_candidate(portfolio, operator):
    choose_candidate(function=portfolio["case"], solution=portfolio["saksflyt"])
    report = standardisation_report(user=operator, on=ON)
    case = next(f for f in report.functions if f.name == "Case handling and archive")
    assert case.chosen and case.candidate.name == "Saksflyt"
    # 110 000 − 50 × 3 000 = −40 000: moving to the dearer one costs more.
    assert case.saving == Decimal("-40000.00")


@pytest.mark.django_db
def test_contract_windows_and_progress_by_quarter(portfolio, operator, municipality_b):
    report = standardisation_report(user=operator, on=ON)
    case = next(f for f in report.functions if f.name == "Case handling and archive")
    # B's Saksflyt contract ends 2027-03-01 with 3 months notice: within 24 months.
    [window] = case.windows
    assert window.municipality == municipality_b.name
    assert window.free_from == D(2027, 3, 1) and window.notice_by == D(2026, 12, 1)
    # B moves to Arkivo on 2026-04-01: from the quarter starting then, 2 of 2 members.
    end_usage(usage=portfolio["usage_b"], on=D(2026, 4, 1))
    record_usage(
        municipality=municipality_b, solution=portfolio["arkivo"], valid_from=D(2026, 4, 1)
    )
    report = standardisation_report(user=operator, on=ON)
    case = next(f for f in report.functions if f.name == "Case handling and archive")
    assert dict(zip(report.quarters, case.shares, strict=True))[D(2026, 1, 1)] == Decimal("0.5")
    assert case.shares[-1] == Decimal(1)
    assert report.matrix[(case.function_id, municipality_b.pk)] == [("Arkivo", True)]


@pytest.mark.django_db
def test_a_municipality_user_gets_a_report_of_their_own_rows_only(portfolio, contact_a):
    report = standardisation_report(user=contact_a, on=ON)
    case = next(f for f in report.functions if f.name == "Case handling and archive")
    assert [s.name for s in case.solutions] == ["Arkivo"]
    assert [name for _id, name in report.municipalities] == ["Fjordvik"]


@pytest.mark.django_db
def test_the_xlsx_export_holds_the_figures(client, portfolio, operator):
    client.force_login(operator)
    response = client.get("/solutions/standardisation/", {"export": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["Functions"].iter_rows(values_only=True))
    case = next(r for r in rows if r[0] == "Case handling and archive")
    assert case[1:5] == (2, 2, 50, 110000)
    assert case[8] == 10000
    assert "Matrix" in book.sheetnames and "Contract windows" in book.sheetnames


@pytest.mark.django_db
def test_the_gaps_of_each_kind(portfolio, operator, monkeypatch, municipality_a):
    set_requirement(
        municipality=municipality_a,
        solution=portfolio["arkivo"],
        availability_target=Decimal("99.9"),
        service_hours=ServiceHours.ALWAYS,
        personal_data=True,
        risk_assessed_on=D(2025, 3, 1),  # older than 12 months on ON
    )
    arkivo = portfolio["arkivo"]
    arkivo.end_of_support = D(2026, 1, 1)
    arkivo.save()
    report = gap_report(user=operator, on=ON, municipality_id=municipality_a.pk)
    kinds = {kind for _line, kind, _detail in report.gap_lines()}
    # Nothing agreed yet: no availability or service-hour gap can be counted.
    assert kinds == {GapKind.END_OF_SUPPORT, GapKind.PROCESSING_AGREEMENT, GapKind.RISK_ASSESSMENT}
    assert all(line.delivered_text == "not agreed" for line in report.lines)

    # When service levels exist (issue #13), the same requirement is compared with them.
    def delivered(*, pairs, on):
        return {pair: DeliveredLevel(Decimal("99.5"), ServiceHours.BUSINESS) for pair in pairs}

    monkeypatch.setattr(selectors, "delivered_levels", delivered)
    report = gap_report(user=operator, on=ON, municipality_id=municipality_a.pk)
    kinds = [kind for line, kind, _d in report.gap_lines() if line.solution == "Arkivo"]
    assert GapKind.AVAILABILITY in kinds and GapKind.SERVICE_HOURS in kinds


@pytest.mark.django_db
def test_gaps_are_counted_per_municipality_and_in_total(
    portfolio, operator, municipality_a, municipality_b
):
    report = gap_report(user=operator, on=ON)
    # Four uses, none risk-assessed: four risk-assessment gaps, two per municipality.
    assert report.totals == {GapKind.RISK_ASSESSMENT: 4}
    assert report.by_municipality[municipality_a.pk][GapKind.RISK_ASSESSMENT] == 2
    assert report.by_municipality[municipality_b.pk][GapKind.RISK_ASSESSMENT] == 2


@pytest.mark.django_db
def test_the_report_and_gap_view_take_the_same_queries_however_big(
    portfolio, operator, municipality_a, django_assert_max_num_queries
):
    def measure():
        with CaptureQueriesContext(connection) as captured:
            standardisation_report(user=operator, on=ON)
            gap_report(user=operator, on=ON)
        return len(captured)

    small = measure()
    for n in range(12):
        other = factories.make_municipality(name=f"Kommune X{n}", number=f"47{n:02d}")
        solution = create_solution(
            name=f"System {n}", vendor="V", function=portfolio["case"], delivery_form="saas"
        )
        record_usage(municipality=other, solution=solution, valid_from=D(2025, 1, 1), users=n + 1)
        record_usage(municipality=other, solution=portfolio["lonn"], valid_from=D(2025, 1, 1))
    assert measure() == small
    with django_assert_max_num_queries(6):
        standardisation_report(user=operator, on=ON)
        gap_report(user=operator, on=ON)
