"""The board report (gains/board_report.py, views_report.py): every figure recomputed here
by hand from the rows the test makes; the page's queries pinned for 2 and 4 members; who
may see it; the PDF; Norwegian; bad query parameters."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from samdrift.billing.choices import InvoiceStatus, PeriodStatus
from samdrift.billing.models import BillingPeriod, CreditNote, Invoice
from samdrift.core.choices import Role
from samdrift.gains.board_report import PeriodError, ReportPeriod, board_report, report_period
from samdrift.gains.choices import ActionStatus, GainType
from samdrift.gains.models import Action, Gain, GainShare, Measurement
from samdrift.inventory.choices import AssetStatus
from samdrift.servicedesk.models import SlaReport
from samdrift.solutions.choices import DeliveryForm
from samdrift.solutions.models import Solution, SolutionFunction, SolutionUsage
from tests import factories
from tests.gains.world import GainsWorld

D = datetime.date
M = Decimal
TODAY = D(2026, 12, 6)
URL = reverse("gains:board_report")
PDF_URL = reverse("gains:board_report_pdf")


# Building blocks -------------------------------------------------------------------------

_sequence = iter(range(1, 100_000))


def period(month: datetime.date) -> BillingPeriod:
    found, _ = BillingPeriod.objects.get_or_create(
        month=month, defaults={"status": PeriodStatus.CLOSED}
    )
    return found


def invoice(municipality, month, net, *, issued=True) -> Invoice:
    n = next(_sequence)
    return Invoice.objects.create(
        period=period(month),
        municipality=municipality,
        status=InvoiceStatus.ISSUED if issued else InvoiceStatus.DRAFT,
        series="SD" if issued else "",
        fiscal_year=month.year if issued else None,
        sequence=n if issued else None,
        number=f"SD-{n}" if issued else None,
        issue_date=month if issued else None,
        net_total=M(net),
        vat_total=M(net) / 4,
        gross_total=M(net) * 5 / 4,
    )


def credit_note(of: Invoice, net, issued: datetime.date) -> CreditNote:
    n = next(_sequence)
    return CreditNote.objects.create(
        invoice=of,
        series="KN",
        fiscal_year=issued.year,
        sequence=n,
        number=f"KN-{n}",
        issue_date=issued,
        reason="Returned",
        net_total=M(net),
        vat_total=M(net) / 4,
        gross_total=M(net) * 5 / 4,
    )


def sla_month(municipality, month, *, services, priorities) -> SlaReport:
    """An approved report whose frozen figures hold ``services`` as (service seconds,
    downtime seconds, target, availability) and ``priorities`` as (incidents, response
    met, breached, resolution met, breached)."""
    figures = {
        "municipality": municipality.pk,
        "month": month.isoformat(),
        "services": [
            {
                "service": n,
                "name": f"Service {n}",
                "target": target,
                "service_seconds": seconds,
                "downtime_seconds": down,
                "availability": availability,
            }
            for n, (seconds, down, target, availability) in enumerate(services)
        ],
        "priorities": [
            {
                "priority": n + 1,
                "incidents": incidents,
                "response": {"met": r_met, "breached": r_breached, "open": 0},
                "resolution": {"met": s_met, "breached": s_breached, "open": 1},
            }
            for n, (incidents, r_met, r_breached, s_met, s_breached) in enumerate(priorities)
        ],
    }
    return SlaReport.objects.create(
        municipality=municipality,
        month=month,
        figures=figures,
        approved_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC),
    )


def device(municipality, product, *, status=AssetStatus.DEPLOYED, replace_on=None):
    return factories.make_asset(
        product, municipality=municipality, status=status, planned_replacement=replace_on
    )


def row_of(report, municipality):
    return next(m for m in report.members if m.municipality.pk == municipality.pk)


# The report's content --------------------------------------------------------------------


@pytest.fixture
def board(gains_world: GainsWorld, collaboration):
    """The gains world (three members joined 1 January 2024) with a year of 2025:

    - Fjordvik: invoices January–December 2025 of 10,000 + month each (12 × 10,000 +
      78 = 120,078), the March one credited 250 in January 2026; December 2024 issued
      (other year); two approved SLA months; three devices in service (one overdue since
      1 June 2025, one due 1 June 2026, one without due date) and one retired, overdue;
    - Elvdal: invoices January–June 2025 of 20,000 (120,000) and a draft for July; one
      device in service with no due date; a solution in use without any requirement (a
      gap: never risk-assessed) and past its end of support (a second gap);
    - Havbygd: nothing billed, no reports, no devices.
    """
    world = gains_world
    fjordvik, elvdal = world.fjordvik, world.elvdal
    for month in range(1, 13):
        made = invoice(fjordvik, D(2025, month, 1), 10_000 + month)
        if month == 3:
            credit_note(made, "250.00", D(2026, 1, 10))
    invoice(fjordvik, D(2024, 12, 1), "99999")
    for month in range(1, 7):
        invoice(elvdal, D(2025, month, 1), "20000")
    invoice(elvdal, D(2025, 7, 1), "20000", issued=False)

    for month in (D(2025, 1, 1), D(2025, 2, 1)):
        sla_month(
            fjordvik,
            month,
            services=[(1000, 10, "99.500", "99.000"), (3000, 0, "99.500", "100.000")],
            priorities=[(4, 3, 1, 2, 1)],
        )
    sla_month(fjordvik, D(2024, 12, 1), services=[(1000, 1000, "99.5", "0")], priorities=[])

    product = factories.make_product(standard_cost=M("10000.00"))
    device(fjordvik, product, replace_on=D(2025, 6, 1))
    device(fjordvik, product, replace_on=D(2026, 6, 1))
    device(fjordvik, product)
    device(fjordvik, product, status=AssetStatus.RETIRED, replace_on=D(2025, 1, 1))
    device(elvdal, product)

    function = SolutionFunction.objects.create(name="Case handling", code="case")
    solution = Solution.objects.create(
        name="Sak 1",
        vendor="Vendor",
        function=function,
        delivery_form=DeliveryForm.SAAS,
        end_of_support=D(2025, 3, 1),
    )
    SolutionUsage.objects.create(municipality=elvdal, solution=solution, valid_from=D(2024, 1, 1))
    return world


def test_the_year_report_shows_each_part_as_computed_by_hand(board, operator):
    world = board
    report = board_report(user=operator, period=ReportPeriod(2025), today=TODAY)

    assert report.as_of == D(2025, 12, 31)
    assert [m.municipality.name for m in report.members] == ["Elvdal", "Fjordvik", "Havbygd"]
    fjordvik = row_of(report, world.fjordvik)
    elvdal = row_of(report, world.elvdal)
    havbygd = row_of(report, world.havbygd)

    # Fleet: in service only; overdue = due before 31 Dec 2025 (the retired one not counted).
    assert (fjordvik.devices, fjordvik.overdue) == (3, 1)
    assert (elvdal.devices, elvdal.overdue) == (1, 0)
    assert (havbygd.devices, havbygd.overdue) == (0, 0)
    assert (report.devices, report.overdue) == (4, 1)

    # Invoices of 2025, issued only, credit notes with the invoice they correct.
    assert fjordvik.invoiced.invoices == 12
    assert fjordvik.invoiced.net == M("120078")
    assert (fjordvik.invoiced.credit_notes, fjordvik.invoiced.credited) == (1, M("250"))
    assert fjordvik.invoiced.after_credits == M("119828")
    assert (elvdal.invoiced.invoices, elvdal.invoiced.net) == (6, M("120000"))
    assert havbygd.invoiced.invoices == 0
    assert report.invoiced.after_credits == M("239828")

    # Service: 2 months; 100 × (8000 − 20) / 8000 = 99.750; one service below its target
    # each month; (3 + 2) met of (3 + 2) + (1 + 1) per month → 10 / 14 = 71.4 %.
    service = fjordvik.service
    assert service.months == 2
    assert service.availability == M("99.750")
    assert service.targets_missed == 2
    assert service.within_target_percent == M("71.4")
    assert service.incidents == 8
    assert elvdal.service.months == 0 and elvdal.service.availability is None

    # Common versus separate, 2025. Fjordvik: (1,500,000 + 400,000) × 108/100 × 12/12
    # = 2,052,000 running, + the one device due within the plan's five years: 10,000 / 5
    # = 2,000 a year; actual 120,078 − 250.
    assert fjordvik.baseline_year == 2023
    assert fjordvik.comparison.alone == M("2054000.00")
    assert fjordvik.comparison.actual == M("119828")
    assert fjordvik.comparison.saving == M("2054000.00") - M("119828")
    # Elvdal: 120,000 × 1.08 × 6/12 = 64,800 alone (no device due), paid 120,000.
    assert elvdal.comparison.alone == M("64800.00")
    assert elvdal.comparison.saving == M("-55200.00")
    assert "Elvdal paid" in elvdal.pays_more_statement
    assert "more in 2025" in elvdal.pays_more_statement
    assert [m.municipality.name for m in report.members_paying_more] == ["Elvdal"]
    # The collaboration: Σ alone − Σ actual − the board's 250,000 unbilled.
    total = report.year_total
    assert total.saving == M("2054000.00") + M("64800.00") - M("239828") - M("250000")

    # Gains of 2025 (the world's figures, worked out by hand there).
    assert report.realisation.total.planned == M("280000")
    assert report.realisation.total.realised == M("192000")
    assert (fjordvik.gains.planned, fjordvik.gains.realised) == (M("120000"), M("110000"))
    assert (havbygd.gains.planned, havbygd.gains.realised) == (M("130000"), M("52000"))
    titles = {row.action.title: row for row in report.actions}
    assert set(titles) == {"Shared service desk", "Elvdal migration"}
    # The service desk was due 30 June 2025 and is still in progress: late.
    assert titles["Shared service desk"].late
    assert titles["Shared service desk"].totals.planned == M("280000")
    assert not titles["Elvdal migration"].late

    # Risks.
    assert [m.municipality.name for m in report.overdue_members] == ["Fjordvik"]
    assert (elvdal.gaps, fjordvik.gaps) == (2, 0)
    assert len(report.gap_kinds) == 2
    assert [row.action.title for row in report.late_actions] == ["Shared service desk"]


def test_a_quarter_prorates_the_gains_and_counts_its_months_only(board, operator):
    world = board
    report = board_report(user=operator, period=ReportPeriod(2025, 1), today=TODAY)
    fjordvik = row_of(report, world.fjordvik)
    assert (report.period.start, report.period.end) == (D(2025, 1, 1), D(2025, 4, 1))
    assert fjordvik.invoiced.net == M("30006")  # 10,001 + 10,002 + 10,003
    assert fjordvik.invoiced.credited == M("250")
    assert fjordvik.service.months == 2
    # 280,000 × 3/12 per share: 30,000 + 7,500 + 32,500; nothing measured in Q1 2025.
    assert report.realisation.total.planned == M("70000")
    assert report.realisation.total.realised == M("0")

    q1_2026 = board_report(user=operator, period=ReportPeriod(2026, 1), today=TODAY)
    assert q1_2026.realisation.total.planned == M("80000")
    assert q1_2026.realisation.total.realised == M("25000")


def test_the_running_year_is_reported_up_to_today(board, operator):
    report = board_report(user=operator, period=ReportPeriod(2026), today=TODAY)
    assert report.as_of == TODAY
    # The device due 1 June 2026 is overdue by today too.
    assert row_of(report, board.fjordvik).overdue == 2


def test_a_period_not_started_or_a_fifth_quarter_is_refused_naming_the_field():
    with pytest.raises(PeriodError) as error:
        report_period(year=2026, quarter=5, today=TODAY)
    assert error.value.field == "quarter"
    with pytest.raises(PeriodError) as error:
        report_period(year=2027, quarter=None, today=TODAY)
    assert error.value.field == "year"
    assert report_period(year=2026, quarter=4, today=TODAY) == ReportPeriod(2026, 4)


# The page --------------------------------------------------------------------------------


def test_the_page_shows_the_figures_and_links_the_pdf(board, operator_client):
    response = operator_client.get(URL, {"year": "2025"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Board report 2025" in html
    for testid in ("board-members", "board-invoices", "board-service", "board-comparison"):
        assert f'data-testid="{testid}"' in html
    assert "Elvdal paid" in html
    assert "no approved reports" in html
    assert "Shared service desk" in html
    assert f"{PDF_URL}?year=2025" in html
    assert "<script" not in html
    assert "http://" not in html and "https://" not in html


def test_without_a_year_the_page_shows_this_year(gains_world, operator_client):
    response = operator_client.get(URL)
    assert response.status_code == 200
    assert f"Board report {datetime.date.today().year}" in response.content.decode()


def test_the_pdf_is_made_from_the_same_page(board, operator_client):
    response = operator_client.get(PDF_URL, {"year": "2025", "quarter": "1"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="board-report-2025-q1.pdf"' in response["Content-Disposition"]


def test_the_pdf_gets_the_page_stylesheet_and_its_running_title(
    board, operator_client, monkeypatch
):
    """The style is a static file (the Content-Security-Policy allows no inline <style>):
    the PDF renderer fetches it through ui.pdf's fetcher, and the page footer's title is
    the body's data-running-title."""
    from django.contrib.staticfiles import finders

    from samdrift.ui import pdf

    asked = {}
    real = pdf.static_file_for

    def recording(url):
        asked[url] = real(url)
        return asked[url]

    monkeypatch.setattr(pdf, "static_file_for", recording)
    page = operator_client.get(URL, {"year": "2025", "quarter": "1"}).content.decode()
    assert '<link rel="stylesheet" href="/static/gains/board_report.css">' in page
    assert 'data-running-title="Board report Q1 2025"' in page
    response = operator_client.get(PDF_URL, {"year": "2025", "quarter": "1"})
    assert response.content.startswith(b"%PDF")
    stylesheet = "https://samdrift.invalid/static/gains/board_report.css"
    assert str(asked[stylesheet]) == finders.find("gains/board_report.css")


def test_in_norwegian_the_headings_are_norwegian(board, operator_client):
    operator_client.cookies["django_language"] = "nb"
    response = operator_client.get(URL, {"year": "2025"}, HTTP_ACCEPT_LANGUAGE="nb")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="nb">' in html
    for heading in ("Medlemmer", "Fakturaer", "Tjenestenivåer", "Kommune", "Kreditnotaer"):
        assert heading in html
    assert "kr" in html


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"year": "abc"}, "year", "abc"),
        ({"year": "1999"}, "year", "1999"),
        ({"year": "2025", "quarter": "5"}, "quarter", "5"),
        ({"year": "2025", "quarter": "x"}, "quarter", "x"),
        ({"year": str(datetime.date.today().year), "quarter": "4"}, None, None),
    ],
)
def test_bad_query_parameters_give_a_message_naming_the_field(
    gains_world, operator_client, params, field, words
):
    for url in (URL, PDF_URL):
        response = operator_client.get(url, params)
        if field is None:  # this year's fourth quarter has started or is refused plainly
            assert response.status_code in (200, 400)
            continue
        assert response.status_code == 400
        html = response.content.decode()
        assert f'data-testid="error-{field}"' in html
        assert words in html


def test_a_quarter_not_started_yet_is_a_message(gains_world, operator_client, monkeypatch):
    from samdrift.gains import views_report

    monkeypatch.setattr(views_report.timezone, "localdate", lambda: D(2026, 2, 10))
    response = operator_client.get(URL, {"year": "2026", "quarter": "3"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-quarter"' in html
    assert "has not started yet" in html


# Who may see it --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "bound", "status"),
    [
        (Role.OPERATOR, False, 200),
        (Role.FINANCE, False, 200),
        (Role.READ_ONLY, False, 200),  # the auditor
        (Role.READ_ONLY, True, 403),
        (Role.MUNICIPALITY, True, 403),
        (Role.SERVICE_AREA, True, 403),
    ],
)
def test_only_those_who_see_every_municipality_get_the_report(
    gains_world, service_area_a, role, bound, status
):
    municipality = gains_world.fjordvik if bound else None
    area = service_area_a if role == Role.SERVICE_AREA else None
    user = factories.make_user(role, municipality=municipality, service_area=area)
    client = factories.client_for(user)
    assert client.get(URL, {"year": "2025"}).status_code == status
    pdf = client.get(PDF_URL, {"year": "2025"})
    assert pdf.status_code == status
    if status == 403:
        assert not pdf.content.startswith(b"%PDF")


def test_anonymous_is_sent_to_log_in(client):
    for url in (URL, PDF_URL):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]


# Queries ---------------------------------------------------------------------------------


def member_with_everything(product, action, gain, n: int):
    municipality = factories.make_municipality(name=f"Member {n:02d}")
    for month in (1, 2):
        made = invoice(municipality, D(2025, month, 1), "1000")
        credit_note(made, "10", D(2025, 3, 1))
    sla_month(
        municipality, D(2025, 1, 1), services=[(100, 1, "99", "99")], priorities=[(1, 1, 0, 1, 0)]
    )
    device(municipality, product, replace_on=D(2025, 6, 1))
    device(municipality, product)
    GainShare.objects.create(
        gain=gain, municipality=municipality, owner="Owner", expected_amount=M("1200")
    )
    Measurement.objects.create(
        gain=gain, municipality=municipality, measured_on=D(2025, 5, 1), amount=M("50"), source="x"
    )
    return municipality


def page_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"year": "2025"})
    assert response.status_code == 200
    return len(captured)


# The page's queries: the session and its user (2), the years offered (2), the rule book
# (3) and the replacement plan (3), the comparison (6: members, invoices, credit notes,
# baselines, index, unbilled costs), planned vs realised (2), devices in service,
# invoices, credit notes, SLA reports, the gap report (2: usages, requirements), the
# collaboration and the actions.
PAGE_QUERIES = 24


def test_the_page_needs_the_same_queries_for_two_and_four_members(
    collaboration, operator, django_assert_num_queries
):
    product = factories.make_product()
    action = Action.objects.create(
        title="Common licences",
        owner="ICT",
        start=D(2025, 1, 1),
        deadline=D(2025, 12, 31),
        status=ActionStatus.IN_PROGRESS,
    )
    gain = Gain.objects.create(
        action=action,
        effect="Cheaper",
        type=GainType.BUDGET_SAVING,
        first_year=2025,
        last_year=2026,
    )
    client = factories.client_for(operator)
    for n in range(2):
        member_with_everything(product, action, gain, n)
    client.get(URL, {"year": "2025"})  # the session's first use
    two = page_queries(client)
    for n in range(2, 4):
        member_with_everything(product, action, gain, n)
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(URL, {"year": "2025"})
    assert response.content.decode().count("Member 0") >= 4
    assert two == PAGE_QUERIES
