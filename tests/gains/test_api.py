"""The gains endpoints: the issue's bad inputs answer 400 naming the field and save
nothing; a municipality's contact records their own measurements only; the computed
endpoints (planned vs realised, common versus separate) by hand from
tests/gains/world.py. Every endpoint as every login: tests/gains/api_matrix.py."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from samdrift.gains.models import Action, BaselineCost, Gain, IndicatorBaseline, Measurement
from tests import factories

pytestmark = pytest.mark.django_db

M = Decimal


@pytest.fixture
def world(gains_world):
    return gains_world


def _refused(client, url, body, field, model):
    before = model.objects.count()
    response = client.post(url, body, format="json")
    assert response.status_code == 400, response.content[:500]
    assert field in response.json(), response.json()
    assert model.objects.count() == before


GAIN = {
    "effect": "Faster onboarding",
    "type": "budget_saving",
    "first_year": 2026,
    "last_year": 2027,
}


def test_the_issues_bad_inputs_are_400_naming_the_field(world, operator):
    api = factories.api_as(operator)
    gains = reverse("gains-list")
    _refused(
        api,
        gains,
        {
            **GAIN,
            "action": world.desk.pk,
            "baseline_date": "2026-01-01",
            "target_date": "2025-01-01",
        },
        "target_date",
        Gain,
    )
    _refused(
        api,
        gains,
        {**GAIN, "action": world.desk.pk, "type": "time_saved", "hourly_rate": "-650.00"},
        "hourly_rate",
        Gain,
    )
    _refused(
        api,
        reverse("gain-measurements-list"),
        {
            "gain": world.avoided.pk,  # the Elvdal migration's
            "municipality": world.havbygd.pk,
            "measured_on": "2026-06-30",
            "amount": "1000.00",
            "source": "Ledger",
        },
        "municipality",
        Measurement,
    )
    _refused(
        api,
        reverse("baseline-costs-list"),
        {
            "municipality": world.fjordvik.pk,
            "year": datetime.date.today().year + 1,
            "category": "licences",
            "amount": "1000.00",
        },
        "year",
        BaselineCost,
    )
    _refused(
        api,
        reverse("gain-measurements-list"),
        {
            "gain": world.quality.pk,
            "municipality": world.fjordvik.pk,
            "measured_on": "2026-06-30",
            "value": "120",
            "source": "Survey",
        },
        "value",
        Measurement,
    )
    _refused(
        api,
        reverse("indicator-baselines-list"),
        {
            "municipality": world.fjordvik.pk,
            "indicator": world.satisfaction.pk,
            "value": "101",
            "measured_on": "2023-06-30",
        },
        "value",
        IndicatorBaseline,
    )


def test_an_action_of_all_members_names_no_municipalities(world, operator):
    _refused(
        factories.api_as(operator),
        reverse("gain-actions-list"),
        {
            "title": "Everyone",
            "owner": "Lead",
            "start": "2026-01-01",
            "deadline": "2026-12-31",
            "all_municipalities": True,
            "municipalities": [world.fjordvik.pk],
        },
        "municipalities",
        Action,
    )


def test_an_action_requiring_one_that_requires_it_is_refused(world, operator):
    response = factories.api_as(operator).patch(
        reverse("gain-actions-detail", args=[world.desk.pk]),
        {"prerequisites": [world.migration.pk]},
        format="json",
    )
    assert response.status_code == 400
    assert "prerequisites" in response.json()
    assert not world.desk.prerequisites.exists()


def test_a_contact_records_their_own_measurement_only(world, contact_a):
    api = factories.api_as(contact_a)
    url = reverse("gain-measurements-list")
    body = {
        "gain": world.licences.pk,
        "municipality": world.fjordvik.pk,
        "measured_on": "2026-06-30",
        "amount": "5000.00",
        "source": "Ledger",
    }
    assert api.post(url, body, format="json").status_code == 201
    before = Measurement.objects.count()
    other = api.post(url, {**body, "municipality": world.elvdal.pk}, format="json")
    assert other.status_code == 403
    assert Measurement.objects.count() == before
    elvdal = Measurement.objects.filter(municipality=world.elvdal).first()
    assert api.get(reverse("gain-measurements-detail", args=[elvdal.pk])).status_code == 404


def test_time_saved_is_valued_at_the_hourly_rate(world, operator):
    response = factories.api_as(operator).post(
        reverse("gain-measurements-list"),
        {
            "gain": world.time_saved.pk,
            "municipality": world.havbygd.pk,
            "measured_on": "2026-03-31",
            "hours": "10",
            "source": "Timesheets",
        },
        format="json",
    )
    assert response.status_code == 201
    assert M(response.json()["amount"]) == M("6500.00")  # 10 h × 650 kr


def test_planned_vs_realised_endpoint(world, operator, contact_b):
    url = reverse("gains-realisation-list")
    body = factories.api_as(operator).get(url, {"year": 2025}).json()
    assert M(body["total"]["planned"]) == M("280000.00")
    assert M(body["total"]["realised"]) == M("192000.00")
    assert sum(M(row["planned"]) for row in body["by_municipality"]) == M("280000.00")
    assert sum(M(cell["realised"]) for cell in body["cells"]) == M("192000.00")
    quarter = factories.api_as(operator).get(url, {"start": "2026-01-01", "end": "2026-04-01"})
    assert M(quarter.json()["total"]["planned"]) == M("80000.00")
    assert M(quarter.json()["total"]["realised"]) == M("25000.00")
    own = factories.api_as(contact_b).get(url, {"year": 2025}).json()
    assert M(own["total"]["planned"]) == M("30000.00")
    bad = factories.api_as(operator).get(url, {"year": "1066"})
    assert bad.status_code == 400 and "year" in bad.json()
    backwards = factories.api_as(operator).get(url, {"start": "2026-04-01", "end": "2026-01-01"})
    assert backwards.status_code == 400 and "end" in backwards.json()


def test_common_versus_separate_endpoint(world, operator, contact_a, contact_b, manager_a):
    url = reverse("gains-comparison-list")
    everyone = factories.api_as(operator).get(url).json()
    assert {m["name"] for m in everyone["members"]} >= {"Fjordvik", "Elvdal", "Havbygd"}
    assert everyone["totals"]
    mine = factories.api_as(contact_a).get(url).json()
    assert [m["name"] for m in mine["members"]] == ["Fjordvik"]
    assert mine["totals"] == []
    assert (
        factories.api_as(contact_b).get(url, {"municipality": world.fjordvik.pk}).status_code == 404
    )
    assert factories.api_as(manager_a).get(url).status_code == 403
