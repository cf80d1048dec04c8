"""Planning's endpoints beyond the permission matrix: bad input names the field and
saves nothing; the computed endpoints answer from the login's own devices (another
municipality's filter is a 404, a manager gets their area); figures worked out here."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from samdrift.core.actor import acting_as
from samdrift.core.models import ObjectChange
from samdrift.planning.api import figures as planning_api
from samdrift.planning.campaigns import create_campaign
from samdrift.planning.forecast import forecast
from samdrift.planning.models import (
    Campaign,
    ProductSupport,
    ReplacementRule,
    Scenario,
    ScenarioMember,
)
from samdrift.planning.plan import quarter_start
from samdrift.planning.scenarios import baseline, copy_baseline
from tests.planning.ui_world import LAPTOP_COST, PHONE_COST, build_planning_world, due_in

pytestmark = pytest.mark.django_db

API = "/api/"


@pytest.fixture
def world():
    return build_planning_world()


@pytest.fixture
def scenario(world):
    baseline()
    return copy_baseline(name="Kvam joins")


def nothing_saved(before: int) -> bool:
    return ObjectChange.objects.count() == before


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize("months", [0, -1])
def test_a_rule_with_a_maximum_age_of_zero_or_less(world, months):
    before = ObjectChange.objects.count()
    response = world.api("finance").post(
        f"{API}replacement-rules/",
        {"category": world.phones.pk, "basis": "max_age", "max_age_months": months},
        format="json",
    )
    assert response.status_code == 400
    assert "max_age_months" in response.json()
    assert not ReplacementRule.objects.filter(category=world.phones).exists()
    assert nothing_saved(before)


def test_a_rule_without_its_maximum_age(world):
    response = world.api("operator").patch(
        f"{API}replacement-rules/{world.rule.pk}/", {"max_age_months": None}, format="json"
    )
    assert response.status_code == 400 and "max_age_months" in response.json()
    world.rule.refresh_from_db()
    assert world.rule.max_age_months == 48


def test_an_end_of_support_before_the_release(world):
    before = ObjectChange.objects.count()
    response = world.api("finance").post(
        f"{API}product-support/",
        {
            "product": world.laptop_old.pk,
            "released_on": "2025-06-01",
            "end_of_support": "2025-06-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "end_of_support" in response.json()
    assert not ProductSupport.objects.filter(product=world.laptop_old).exists()
    assert nothing_saved(before)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("annual_rate_percent", "-100"),
        ("annual_rate_percent", "-250.5"),
        ("lease_term_months", 0),
        ("years", 6),
    ],
)
def test_a_scenario_with_bad_assumptions(world, scenario, field, value):
    client = world.api("finance")
    before = ObjectChange.objects.count()
    response = client.patch(f"{API}scenarios/{scenario.pk}/", {field: value}, format="json")
    assert response.status_code == 400 and field in response.json()
    response = client.post(f"{API}scenarios/", {"name": "Bad", field: value}, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not Scenario.objects.filter(name="Bad").exists()
    assert Scenario.objects.get(pk=scenario.pk).lease_term_months is None
    assert nothing_saved(before)


@pytest.mark.parametrize("field", ["persons", "devices"])
def test_a_join_with_a_negative_count(world, scenario, field):
    before = ObjectChange.objects.count()
    body = {
        "scenario": scenario.pk,
        "change": "joins",
        "on": "2027-01-01",
        "name": "Kvam",
        "persons": 100,
        "devices": 80,
        field: -1,
    }
    response = world.api("finance").post(f"{API}scenario-members/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ScenarioMember.objects.exists()
    assert nothing_saved(before)


def test_a_member_change_on_a_day_not_the_first(world, scenario):
    response = world.api("finance").post(
        f"{API}scenario-members/",
        {
            "scenario": scenario.pk,
            "change": "leaves",
            "on": "2027-01-15",
            "municipality": world.b.pk,
        },
        format="json",
    )
    assert response.status_code == 400 and "on" in response.json()


def test_a_campaign_without_its_date(world):
    before = ObjectChange.objects.count()
    response = world.api("operator").post(
        f"{API}campaigns/",
        {"name": "EOS", "criterion": "end_of_support", "starts_on": "2026-01-01"},
        format="json",
    )
    assert response.status_code == 400 and "criterion_date" in response.json()
    assert not Campaign.objects.exists()
    assert nothing_saved(before)


# --- scenarios --------------------------------------------------------------------------


def test_a_scenario_is_made_as_a_copy_with_its_changes(world):
    response = world.api("finance").post(
        f"{API}scenarios/",
        {"name": "Longer leases", "lease_term_months": 48, "annual_rate_percent": "-0.25"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["is_baseline"] is False and body["lease_term_months"] == 48
    assert body["annual_rate_percent"] == "-0.25"
    assert Scenario.objects.filter(is_baseline=True).count() == 1


def test_scenarios_are_not_the_municipalities(world, scenario):
    for role in ("contact_a", "manager_a"):
        client = world.api(role)
        assert client.get(f"{API}scenarios/").json()["count"] == 0
        assert client.get(f"{API}scenarios/{scenario.pk}/").status_code == 404
        assert client.get(f"{API}scenario-members/", {"scenario": scenario.pk}).status_code == 404


def test_computed_results(world, scenario):
    client = world.api("operator")
    response = client.post(f"{API}scenarios/{scenario.pk}/compute/")
    assert response.status_code == 200 and response.json()["computed_at"]
    results = client.get(f"{API}scenarios/{scenario.pk}/results/", {"page_size": 1000})
    assert results.status_code == 200
    body = results.json()
    stored = list(scenario.results.order_by("name", "month"))
    # Both municipalities, every month of the scenario's five years.
    assert body["count"] == len(stored) == 2 * 60
    first = body["results"][0]
    assert (first["name"], first["month"]) == (stored[0].name, stored[0].month.isoformat())
    assert Decimal(first["amount"]) == stored[0].amount
    assert Decimal(first["baseline"]) == stored[0].baseline


# --- campaigns --------------------------------------------------------------------------


@pytest.fixture
def overdue(world):
    with acting_as(world.users["operator"]):
        return create_campaign(
            name="Overdue",
            criterion="due_before",
            criterion_date=world.today,
            starts_on=world.today,
        )


def test_a_contact_reads_its_own_part_of_a_campaign(world, overdue):
    client = world.api("contact_a")
    listed = client.get(f"{API}campaigns/").json()["results"]
    assert [(c["name"], c["device_count"], c["done_count"]) for c in listed] == [("Overdue", 2, 0)]
    devices = client.get(f"{API}campaign-devices/", {"campaign": overdue.pk}).json()
    assert devices["count"] == 2
    assert {d["municipality"] for d in devices["results"]} == {world.a.pk}
    assert client.post(f"{API}campaigns/{overdue.pk}/refresh/").status_code == 403
    # B's contact sees B's device; with none, it would be a 404.
    assert world.api("contact_b").get(f"{API}campaigns/{overdue.pk}/").json()["device_count"] == 1


def test_a_campaign_without_a_municipalitys_devices_is_hidden_from_it(world):
    with acting_as(world.users["operator"]):
        campaign = create_campaign(
            name="Elvdal",
            criterion="products",
            products=[world.laptop_old],
            municipality=world.b,
            starts_on=world.today,
        )
    client = world.api("contact_a")
    assert client.get(f"{API}campaigns/{campaign.pk}/").status_code == 404
    assert client.get(f"{API}campaign-devices/", {"campaign": campaign.pk}).status_code == 404


def test_refresh_and_close(world, overdue):
    client = world.api("operator")
    response = client.post(f"{API}campaigns/{overdue.pk}/refresh/")
    assert response.status_code == 200
    assert response.json()["progress"] == {"pending": 3, "ordered": 0, "replaced": 0, "retired": 0}
    closed = client.post(f"{API}campaigns/{overdue.pk}/close/")
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    again = client.post(f"{API}campaigns/{overdue.pk}/close/")
    assert again.status_code == 400 and "state" in again.json()


# --- the computed endpoints -------------------------------------------------------------


def test_the_plan(world):
    body = world.api("operator").get(f"{API}planning/plan/").json()
    assert body["overdue_units"] == 3 and body["total_units"] == 5
    assert Decimal(body["total_capital"]) == 4 * LAPTOP_COST + PHONE_COST
    fjordvik = body["rows"][0]
    assert (fjordvik["municipality"], fjordvik["label"]) == (world.a.pk, "Fjordvik")
    assert fjordvik["overdue"] == {"units": 2, "capital": str(LAPTOP_COST + PHONE_COST)}
    quarter = quarter_start(due_in(world, 43)).isoformat()
    cell = next(p for p in fjordvik["periods"] if p["period"] == quarter)
    assert cell["units"] == 2 and Decimal(cell["capital"]) == 2 * LAPTOP_COST
    assert body["totals"]["label"] == "Total" and body["totals"]["total"]["units"] == 5


def test_the_plan_by_area_and_year_for_a_manager(world):
    body = (
        world.api("manager_a")
        .get(f"{API}planning/plan/", {"by": "service_area", "period": "year"})
        .json()
    )
    assert [(r["municipality"], r["service_area"]) for r in body["rows"]] == [
        (world.a.pk, world.a1.pk)
    ]
    assert body["total_units"] == 3
    assert all(len(p["period"]) == 4 for p in body["rows"][0]["periods"])


def test_the_plan_refuses_what_is_not_the_logins(world):
    client = world.api("contact_a")
    assert client.get(f"{API}planning/plan/", {"municipality": world.b.pk}).status_code == 404
    assert client.get(f"{API}planning/plan/", {"service_area": world.b1.pk}).status_code == 404
    bad = client.get(f"{API}planning/plan/", {"by": "person"})
    assert bad.status_code == 400 and "by" in bad.json()


def test_the_devices_due(world):
    client = world.api("contact_a")
    body = client.get(f"{API}planning/due-devices/").json()
    rows = {row["asset_tag"]: row for row in body["results"]}
    assert set(rows) == {"A1-OLD", "A1-PHONE"}
    assert rows["A1-OLD"]["due_on"] == due_in(world, 50).isoformat()
    assert rows["A1-OLD"]["due_reason"] == "max_age"
    assert rows["A1-OLD"]["replacement"] == world.laptop_new.pk
    assert rows["A1-OLD"]["replacement_cost"] == str(LAPTOP_COST)
    assert rows["A1-PHONE"]["due_reason"] == "end_of_support"
    assert rows["A1-PHONE"]["replacement"] == world.phone.pk  # no rule: its own product
    soon = due_in(world, 43)
    window = {"after": world.today.isoformat(), "before": (soon + datetime.timedelta(1))}
    later = client.get(f"{API}planning/due-devices/", window).json()
    assert {r["asset_tag"] for r in later["results"]} == {"A1-SOON", "A2-SOON"}
    assert (
        client.get(f"{API}planning/due-devices/", {"municipality": world.b.pk}).status_code == 404
    )
    bad = client.get(f"{API}planning/due-devices/", {"before": "31.12.2026"})
    assert bad.status_code == 400 and "before" in bad.json()


def test_the_investment_need_is_the_collaborations(world, scenario):
    client = world.api("finance")
    body = client.get(f"{API}planning/investment/").json()
    assert [row["year"] for row in body] == sorted(row["year"] for row in body)
    assert client.get(f"{API}planning/investment/", {"scenario": scenario.pk}).status_code == 200
    assert client.get(f"{API}planning/investment/", {"scenario": 999999}).status_code == 404
    assert world.api("contact_a").get(f"{API}planning/investment/").status_code == 403


@pytest.fixture
def calls(monkeypatch):
    made = []

    def spy(**kwargs):
        made.append(kwargs)
        return forecast(**kwargs)

    monkeypatch.setattr(planning_api, "forecast", spy)
    return made


def test_the_forecast_of_a_contact_is_its_own(world, calls):
    client = world.api("contact_a")
    body = client.get(f"{API}planning/forecast/", {"years": 1}).json()
    assert calls[-1] == {"municipality_ids": [world.a.pk], "service_area_id": None, "years": 1}
    expected = forecast(municipality_ids=[world.a.pk], years=1)
    assert [(f["municipality"], f["name"]) for f in body] == [(world.a.pk, "Fjordvik")]
    assert len(body[0]["months"]) == len(expected[0].months)
    assert Decimal(body[0]["months"][0]["total"]) == expected[0].first_month_total
    assert client.get(f"{API}planning/forecast/", {"municipality": world.b.pk}).status_code == 404
    bad = client.get(f"{API}planning/forecast/", {"years": 6})
    assert bad.status_code == 400 and "years" in bad.json()


def test_the_forecast_of_a_manager_is_their_areas(world, calls):
    client = world.api("manager_a")
    assert client.get(f"{API}planning/forecast/").status_code == 200
    assert calls[-1]["service_area_id"] == world.a1.pk
    assert client.get(f"{API}planning/forecast/", {"service_area": world.a2.pk}).status_code == 404


def test_the_forecast_of_all_for_the_operator(world, calls):
    client = world.api("operator")
    body = client.get(f"{API}planning/forecast/", {"years": 2}).json()
    assert calls[-1] == {"municipality_ids": None, "service_area_id": None, "years": 2}
    assert [f["name"] for f in body] == [f.name for f in forecast(years=2)]
    narrowed = client.get(f"{API}planning/forecast/", {"service_area": world.b1.pk})
    assert narrowed.status_code == 200
    assert calls[-1] == {
        "municipality_ids": [world.b.pk],
        "service_area_id": world.b1.pk,
        "years": 5,
    }
