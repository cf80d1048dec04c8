"""The forecast and scenario pages. The figures are ``planning.forecast``'s (tested in
tests/planning/test_forecast*.py); here: who sees which forecast (a contact its own, 404
for another's; a manager their area's), that the page shows what the forecast function
answers, and the scenario forms (bad input names the field, saves nothing)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from samdrift.billing.services.pools import create_allocation_key, create_cost_pool
from samdrift.core.models import ObjectChange
from samdrift.planning import views_forecast
from samdrift.planning.forecast import forecast
from samdrift.planning.models import Scenario, ScenarioMember, ScenarioPoolChange
from samdrift.planning.scenarios import baseline, copy_baseline
from samdrift.ui.formatting import format_money
from tests.planning.ui_world import build_planning_world

pytestmark = pytest.mark.django_db

FORECASTS = reverse("planning:forecast_list")
SCENARIOS = reverse("planning:scenario_list")


@pytest.fixture
def world():
    return build_planning_world()


@pytest.fixture
def calls(monkeypatch):
    """The arguments of every call of the forecast from the pages (the real function)."""
    made = []

    def spy(**kwargs):
        made.append(kwargs)
        return forecast(**kwargs)

    monkeypatch.setattr(views_forecast, "forecast", spy)
    return made


def own(world):
    return reverse("planning:forecast_detail", args=[world.a.pk])


def test_the_forecast_of_every_municipality(world, calls):
    response = world.client("finance").get(FORECASTS)
    assert response.status_code == 200
    expected = forecast(years=5)
    rows = response.context["rows"]
    assert [f.name for f, _years in rows] == [f.name for f in expected]
    html = response.content.decode()
    for f in expected:
        for year in f.years():
            assert format_money(year.monthly_average) in html
    assert calls == [{"years": 5}]
    assert world.client("finance").get(FORECASTS, {"years": "2"}).context["years"] == 2


@pytest.mark.parametrize("role", ["contact_a", "manager_a"])
def test_the_forecast_of_all_is_the_collaborations(world, role):
    assert world.client(role).get(FORECASTS).status_code == 403


def test_a_contact_sees_its_own_forecast(world, calls):
    response = world.client("contact_a").get(own(world))
    assert response.status_code == 200
    assert calls[-1] == {"municipality_ids": [world.a.pk], "service_area_id": None, "years": 5}
    expected = forecast(municipality_ids=[world.a.pk], years=5)[0]
    # Next month A is charged for what it holds: three laptops at 300.00 and a phone at
    # 99.00 a month (list prices); nothing else.
    assert expected.first_month_total == Decimal("999.00")
    assert response.context["forecast"].first_month_total == expected.first_month_total
    html = response.content.decode()
    assert format_money(expected.first_month_total) in html
    assert "<svg" in html and 'data-testid="forecast-months"' in html
    assert len(response.context["month_rows"]) == len(expected.months)


def test_another_municipalitys_forecast_is_hidden(world):
    other = reverse("planning:forecast_detail", args=[world.b.pk])
    assert world.client("contact_a").get(other).status_code == 404
    assert world.client("manager_a").get(other).status_code == 404
    missing = reverse("planning:forecast_detail", args=[world.b.pk + 100])
    assert world.client("operator").get(missing).status_code == 404


def test_a_manager_sees_the_forecast_of_their_area(world, calls):
    client = world.client("manager_a")
    # Another area is not theirs to see: 404, as in the API (one rule, planning.selectors).
    assert client.get(own(world), {"service_area": world.a2.pk}).status_code == 404
    response = client.get(own(world))
    assert response.status_code == 200
    assert calls[-1]["service_area_id"] == world.a1.pk  # their own without asking
    assert response.context["service_area"] == world.a1
    # Area A1 holds two laptops and the phone: 2 × 300.00 + 99.00.
    assert response.context["forecast"].first_month_total == Decimal("699.00")


def test_an_operator_narrows_to_a_service_area(world, calls):
    client = world.client("operator")
    assert client.get(own(world), {"service_area": world.a2.pk}).status_code == 200
    assert calls[-1]["service_area_id"] == world.a2.pk
    # An area of another municipality is not one of this forecast's.
    assert client.get(own(world), {"service_area": world.b1.pk}).status_code == 404
    assert world.client("contact_a").get(own(world), {"service_area": "x"}).status_code == 404


def test_the_forecast_exports_its_months(world):
    response = world.client("contact_a").get(own(world), {"years": "1", "export": "xlsx"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    expected = forecast(municipality_ids=[world.a.pk], years=1)[0]
    assert rows[0] == (
        "month",
        "devices",
        "subscriptions",
        "usage",
        "usage_estimate",
        "one_offs",
        "pools",
        "credits",
        "total",
    )
    assert len(rows) == 1 + len(expected.months)
    assert Decimal(str(rows[1][-1])) == expected.months[0].total


def test_the_agreement_document_shows_three_years(world):
    from samdrift.agreements.models import ServiceAgreement

    agreement = ServiceAgreement.objects.create(
        municipality=world.a, name="Driftsavtale", valid_from=datetime.date(2025, 1, 1)
    )
    response = world.client("contact_a").get(
        reverse("agreements:agreement_document", args=[agreement.pk])
    )
    assert response.status_code == 200
    years = response.context["forecast_years"]
    start = (world.today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    expected = forecast(start=start, municipality_ids=[world.a.pk], years=3)[0].years()
    assert [(y.year, y.monthly_average, y.total) for y in years] == [
        (y.year, y.monthly_average, y.total) for y in expected
    ]
    assert 'data-testid="document-forecast"' in response.content.decode()


# --- scenarios --------------------------------------------------------------------------


@pytest.fixture
def scenario(world):
    baseline()
    return copy_baseline(name="Longer leases")


def scenario_url(name, scenario):
    return reverse(f"planning:{name}", args=[scenario.pk])


@pytest.mark.parametrize("role", ["contact_a", "manager_a"])
def test_scenarios_are_the_collaborations(world, scenario, role):
    client = world.client(role)
    assert client.get(SCENARIOS).status_code == 403
    assert client.get(scenario_url("scenario_detail", scenario)).status_code == 403
    assert client.get(scenario_url("scenario_xlsx", scenario)).status_code == 403


def test_a_scenario_is_a_copy_of_the_baseline(world):
    client = world.client("finance")
    assert client.get(SCENARIOS).status_code == 200
    response = client.post(SCENARIOS, {"name": "Kvam joins"})
    made = Scenario.objects.get(name="Kvam joins")
    assert response.status_code == 302
    assert response["Location"] == scenario_url("scenario_detail", made)
    base = Scenario.objects.get(is_baseline=True)
    assert (made.index_percent, made.years) == (base.index_percent, base.years)
    # The name is taken now.
    again = client.post(SCENARIOS, {"name": "Kvam joins"})
    assert again.status_code == 400 and "name" in again.context["form"].errors
    assert Scenario.objects.filter(name="Kvam joins").count() == 1


def test_the_auditor_reads_but_does_not_write(world, scenario):
    client = world.client("auditor")
    assert client.get(scenario_url("scenario_detail", scenario)).status_code == 200
    assert client.post(SCENARIOS, {"name": "Nope"}).status_code == 403
    assert client.get(scenario_url("scenario_edit", scenario)).status_code == 403
    assert client.post(scenario_url("scenario_compute", scenario)).status_code == 403


@pytest.mark.parametrize(
    ("field", "value"),
    [("annual_rate_percent", "-100"), ("annual_rate_percent", "-150"), ("lease_term_months", "0")],
)
def test_bad_assumptions_are_named_and_nothing_is_saved(world, scenario, field, value):
    changes = ObjectChange.objects.count()
    body = {
        "name": scenario.name,
        "years": "5",
        "index_percent": "3.00",
        "growth_percent": "0",
        "pool_growth_percent": "0",
        field: value,
    }
    response = world.client("operator").post(scenario_url("scenario_edit", scenario), body)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    stored = Scenario.objects.get(pk=scenario.pk)
    assert getattr(stored, field) == getattr(scenario, field)
    assert ObjectChange.objects.count() == changes


def test_assumptions_changed(world, scenario):
    body = {
        "name": scenario.name,
        "years": "4",
        "index_percent": "2.50",
        "growth_percent": "1",
        "lease_term_months": "48",
        "annual_rate_percent": "-0.5",
        "pool_growth_percent": "0",
    }
    response = world.client("finance").post(scenario_url("scenario_edit", scenario), body)
    assert response.status_code == 302
    stored = Scenario.objects.get(pk=scenario.pk)
    assert stored.lease_term_months == 48 and stored.annual_rate_percent == Decimal("-0.50")
    assert stored.years == 4


def test_the_baseline_assumptions(world):
    client = world.client("operator")
    assert client.get(reverse("planning:baseline_edit")).status_code == 200
    assert not Scenario.objects.exists()  # showing the form makes nothing
    body = {
        "name": "Baseline",
        "years": "5",
        "index_percent": "2.80",
        "growth_percent": "0",
        "pool_growth_percent": "0",
    }
    response = client.post(reverse("planning:baseline_edit"), body)
    assert response.status_code == 302
    assert Scenario.objects.get(is_baseline=True).index_percent == Decimal("2.80")


def test_a_join_with_negative_persons_is_refused(world, scenario):
    changes = ObjectChange.objects.count()
    response = world.client("finance").post(
        scenario_url("member_add", scenario),
        {"change": "joins", "on": "2027-01-01", "name": "Kvam", "persons": "-5", "devices": "10"},
    )
    assert response.status_code == 400
    assert "persons" in response.context["member_form"].errors
    assert not ScenarioMember.objects.exists()
    assert ObjectChange.objects.count() == changes


def test_members_join_and_leave(world, scenario):
    client = world.client("finance")
    joins = client.post(
        scenario_url("member_add", scenario),
        {"change": "joins", "on": "2027-01-01", "name": "Kvam", "population": "8000"},
    )
    assert joins.status_code == 302
    leaves = client.post(
        scenario_url("member_add", scenario),
        {"change": "leaves", "on": "2027-07-01", "municipality": world.b.pk},
    )
    assert leaves.status_code == 302
    assert [(m.change, m.name, m.municipality_id) for m in scenario.members.all()] == [
        ("joins", "Kvam", None),
        ("leaves", "", world.b.pk),
    ]
    page = client.get(scenario_url("scenario_detail", scenario)).content.decode()
    assert "Kvam" in page and "Elvdal" in page
    member = scenario.members.get(name="Kvam")
    response = client.post(reverse("planning:member_remove", args=[member.pk]))
    assert response.status_code == 302
    assert not ScenarioMember.objects.filter(pk=member.pk).exists()


def test_a_pool_grows_in_a_scenario(world, scenario):
    key = create_allocation_key(
        name="Equal", measured_on=datetime.date(2026, 1, 1), parts={"equal": Decimal(1)}
    )
    pool = create_cost_pool(
        name="Data centre",
        monthly_amount=Decimal("1000.00"),
        key=key,
        valid_from=datetime.date(2026, 1, 1),
    )
    client = world.client("operator")
    response = client.post(
        scenario_url("pool_change_add", scenario), {"pool": pool.pk, "growth_percent": "10"}
    )
    assert response.status_code == 302
    change = ScenarioPoolChange.objects.get(scenario=scenario)
    assert change.growth_percent == Decimal("10.00")
    bad = client.post(
        scenario_url("pool_change_add", scenario), {"pool": pool.pk, "growth_percent": "-100"}
    )
    assert bad.status_code == 400 and "growth_percent" in bad.context["pool_form"].errors
    client.post(reverse("planning:pool_change_remove", args=[change.pk]))
    assert not ScenarioPoolChange.objects.exists()


def test_compute_and_export(world, scenario):
    client = world.client("operator")
    assert client.get(scenario_url("scenario_compute", scenario)).status_code == 405
    response = client.post(scenario_url("scenario_compute", scenario))
    assert response.status_code == 302
    assert Scenario.objects.get(pk=scenario.pk).computed_at is not None
    page = client.get(scenario_url("scenario_detail", scenario))
    assert page.status_code == 200
    rows = {row.name: row for row in page.context["comparison"]}
    assert set(rows) == {"Fjordvik", "Elvdal"}
    # The copy changes nothing yet: every municipality's scenario is its baseline.
    fjordvik = rows["Fjordvik"]
    assert fjordvik.scenario_total == fjordvik.baseline_total > 0
    assert len(fjordvik.years) == len(page.context["comparison_years"])
    total = page.context["comparison_total"]
    assert total.baseline_total == sum(row.baseline_total for row in rows.values())
    html = page.content.decode()
    assert format_money(fjordvik.baseline_total) in html
    assert format_money(total.scenario_total) in html
    download = client.get(scenario_url("scenario_xlsx", scenario))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="longer-leases-')
    load_workbook(io.BytesIO(download.content))
