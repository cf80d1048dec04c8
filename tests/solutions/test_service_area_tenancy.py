"""A service-area manager sees their own part of the municipality's portfolio: the usage
rows tagged with their service area, and those tagged with none (used by the whole
municipality); the requirements of those. Never a row tagged only with another area —
not in a list, an export, a page, the API, the gap view or the standardisation report.

The portfolio of conftest, plus in municipality A:

- Arkivo (case handling), tagged Oppvekst (the manager's area), 40 users, 80 000 kr;
- Lønnsmester (payroll), no service area: the whole municipality, 5 users, 5 000 kr;
- Kontorpakke (office), tagged Oppvekst *and* Helse og omsorg, 100 users, 20 000 kr;
- Journalia (case handling), tagged Helse og omsorg only, 7 users, 14 000 kr — never the
  manager's.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from samdrift.core.choices import Role
from samdrift.core.permissions import restrict
from samdrift.solutions.choices import DeliveryForm
from samdrift.solutions.models import Requirement, SolutionUsage
from samdrift.solutions.report import standardisation_report
from samdrift.solutions.selectors import gap_count, gap_report
from samdrift.solutions.services import create_function, create_solution, record_usage
from tests import factories
from tests.factories import api_as, client_for
from tests.solutions.conftest import START

MINE = {"Arkivo", "Lønnsmester", "Kontorpakke"}  # the manager's rows in A
OTHER_AREA = "Journalia"


@pytest.fixture
def areas(portfolio, municipality_a, service_area_a):
    health = factories.make_service_area(municipality_a, name="Helse og omsorg", cost_centre="3000")
    office_function = create_function(name="Office", code="office")
    office = create_solution(
        name="Kontorpakke",
        vendor="Kontor AS",
        function=office_function,
        delivery_form=DeliveryForm.SAAS,
    )
    journalia = create_solution(
        name="Journalia",
        vendor="Helsedata AS",
        function=portfolio["case"],
        delivery_form=DeliveryForm.SAAS,
    )
    shared = record_usage(
        municipality=municipality_a,
        solution=office,
        valid_from=START,
        users=100,
        licence_cost=Decimal("20000.00"),
        service_areas=[service_area_a, health],
    )
    other = record_usage(
        municipality=municipality_a,
        solution=journalia,
        valid_from=START,
        users=7,
        licence_cost=Decimal("14000.00"),
        service_areas=[health],
    )
    return {
        **portfolio,
        "health": health,
        "journalia": journalia,
        "office_usage": shared,
        "other_usage": other,
        "other_requirement": Requirement.objects.get(
            municipality=municipality_a, solution=journalia
        ),
    }


@pytest.fixture
def manager_health(municipality_a, areas):
    return factories.make_user(
        Role.SERVICE_AREA,
        municipality=municipality_a,
        service_area=areas["health"],
        username="manager-health",
    )


def _names(rows) -> list[str]:
    return sorted(row.solution.name for row in rows)


@pytest.mark.django_db
def test_restrict_keeps_the_managers_area_and_the_untagged_rows_once(
    areas, manager_a, manager_health, contact_a, operator
):
    usages = SolutionUsage.objects.select_related("solution")
    requirements = Requirement.objects.select_related("solution")
    assert _names(restrict(usages, manager_a)) == sorted(MINE)
    assert _names(restrict(requirements, manager_a)) == sorted(MINE)
    # The other area's manager: Journalia, the untagged and the shared row; not Arkivo.
    theirs = sorted({"Journalia", "Lønnsmester", "Kontorpakke"})
    assert _names(restrict(usages, manager_health)) == theirs
    assert _names(restrict(requirements, manager_health)) == theirs
    # Everyone else is as before: the contact sees all of A's four, the operator all six.
    assert _names(restrict(usages, contact_a)) == sorted(MINE | {OTHER_AREA})
    assert restrict(usages, operator).count() == 6
    assert restrict(requirements, operator).count() == 6


@pytest.mark.django_db
def test_a_requirement_follows_any_visible_row_of_its_solution(areas, manager_a, municipality_a):
    """Journalia used earlier by the whole municipality: the requirement of the pair is the
    manager's too (the usage list shows them that earlier row)."""
    earlier = record_usage(
        municipality=municipality_a,
        solution=areas["journalia"],
        valid_from=START.replace(year=2024),
        valid_to=START,
        users=3,
    )
    visible = restrict(SolutionUsage.objects.all(), manager_a)
    assert earlier in visible and areas["other_usage"] not in visible
    assert areas["other_requirement"] in restrict(Requirement.objects.all(), manager_a)


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["solutions:usage_list", "solutions:requirement_list"])
def test_the_managers_lists_and_exports(client, areas, manager_a, url_name):
    client.force_login(manager_a)
    url = reverse(url_name)
    html = client.get(url).content.decode()
    rows = html.split('id="results"', 1)[1]
    for name in MINE:
        assert name in rows
    assert OTHER_AREA not in rows and "Saksflyt" not in rows
    text = b"".join(client.get(url, {"export": "csv"}).streaming_content).decode()
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert len(lines) == 1 + len(MINE)  # the header and one line each, the shared one once
    assert OTHER_AREA not in text
    book = load_workbook(
        io.BytesIO(b"".join(client.get(url, {"export": "xlsx"}).streaming_content))
    )
    cells = [list(r) for r in book.active.iter_rows(values_only=True)]
    assert len(cells) == 1 + len(MINE)
    assert OTHER_AREA not in repr(cells)
    for name in MINE:
        assert name in repr(cells)


@pytest.mark.django_db
def test_the_managers_api(areas, manager_a):
    api = api_as(manager_a)
    want_usages = {areas["usage_a"].pk, areas["payroll_a"].pk, areas["office_usage"].pk}
    body = api.get("/api/solution-usages/").json()
    assert body["count"] == 3 and {row["id"] for row in body["results"]} == want_usages
    assert api.get(f"/api/solution-usages/{areas['other_usage'].pk}/").status_code == 404
    assert api.get(f"/api/solution-usages/{areas['usage_a'].pk}/").status_code == 200
    assert api.get(f"/api/solution-usages/{areas['payroll_a'].pk}/").status_code == 200
    want_requirements = {
        r.pk
        for r in Requirement.objects.filter(solution__name__in=MINE, municipality__number="4601")
    }
    body = api.get("/api/solution-requirements/").json()
    assert body["count"] == 3 and {row["id"] for row in body["results"]} == want_requirements
    other = areas["other_requirement"].pk
    assert api.get(f"/api/solution-requirements/{other}/").status_code == 404
    # The solution itself is the shared catalogue's.
    assert api.get(f"/api/solutions/{areas['journalia'].pk}/").status_code == 200
    gaps = api.get("/api/solution-gaps/").json()["results"]
    assert {row["solution_name"] for row in gaps} == MINE


@pytest.mark.django_db
def test_the_managers_pages(areas, manager_a, municipality_a):
    client = client_for(manager_a)
    journalia = client.get(reverse("solutions:solution_detail", args=[areas["journalia"].pk]))
    assert journalia.status_code == 200  # the catalogue entry, without A's use of it
    assert journalia.context["usages"] == [] and journalia.context["requirements"] == []
    assert "Nobody you may see uses it." in journalia.content.decode()
    office = client.get(
        reverse("solutions:solution_detail", args=[areas["office_usage"].solution_id])
    )
    assert office.context["usages"] == [areas["office_usage"]]  # once, with two areas
    assert [r.municipality_id for r in office.context["requirements"]] == [municipality_a.pk]
    html = client.get(reverse("solutions:portfolio", args=[municipality_a.pk])).content.decode()
    assert OTHER_AREA not in html
    for name in MINE:
        assert name in html
    portfolio = client.get(reverse("solutions:portfolio", args=[municipality_a.pk]))
    assert {line.solution for line, _usage in portfolio.context["lines"]} == MINE
    gaps = client.get(reverse("solutions:gaps")).content.decode()
    assert OTHER_AREA not in gaps and "Arkivo" in gaps


@pytest.mark.django_db
def test_the_managers_gaps_count_their_rows(areas, manager_a, contact_a):
    today = timezone.localdate()
    # No requirement has been filled in: each line's one gap is "never assessed".
    mine = gap_report(user=manager_a, on=today)
    assert {line.solution for line in mine.lines} == MINE
    assert gap_count(user=manager_a, on=today) == len(MINE)
    assert gap_count(user=contact_a, on=today) == len(MINE) + 1


@pytest.mark.django_db
def test_the_managers_standardisation_report(areas, manager_a, contact_a):
    today = timezone.localdate()
    case = {f.name: f for f in standardisation_report(user=manager_a, on=today).functions}[
        "Case handling and archive"
    ]
    # Arkivo only: 40 users, 80 000 kr; Journalia (7 users, 14 000 kr) is not theirs.
    assert [s.name for s in case.solutions] == ["Arkivo"]
    assert (case.users, case.cost, case.members) == (40, Decimal("80000.00"), 1)
    whole = {f.name: f for f in standardisation_report(user=contact_a, on=today).functions}[
        "Case handling and archive"
    ]
    assert (whole.users, whole.cost) == (40 + 7, Decimal("80000.00") + Decimal("14000.00"))

    client = client_for(manager_a)
    html = client.get(reverse("solutions:standardisation")).content.decode()
    assert OTHER_AREA not in html
    response = client.get(reverse("solutions:standardisation"), {"export": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    assert OTHER_AREA not in repr(
        [[list(r) for r in sheet.iter_rows(values_only=True)] for sheet in book]
    )
    functions = {row[0]: row for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
    # Function, distinct solutions, members, users, licence cost.
    assert functions["Case handling and archive"][1:5] == (1, 1, 40, 80000)
