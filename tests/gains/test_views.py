"""The gains pages: the action plan, an action's page, the forms (the issue's bad inputs
give field errors and save nothing), baselines, planned vs realised, common versus
separate, the benefit map and the XLSX; as operator, as a municipality's contact and
manager, and as another municipality's contact (404). Figures worked out by hand from
tests/gains/world.py."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from samdrift.billing.services.issuing import issue_period
from samdrift.billing.services.periods import close_period
from samdrift.billing.services.runs import bill_period
from samdrift.gains import services
from samdrift.gains.models import (
    Action,
    BaselineCost,
    Gain,
    IndicatorBaseline,
    Measurement,
)
from samdrift.organisations.models import Municipality
from tests import factories
from tests.confirming import confirm

pytestmark = pytest.mark.django_db

D = datetime.date
M = Decimal
ACTIONS = reverse("gains:action_list")


@pytest.fixture
def world(gains_world):
    return gains_world


def titles(response) -> set[str]:
    return {a.title for a in response.context["rows"]}


# The plan ---------------------------------------------------------------------------------


def test_the_plan_shows_each_login_the_actions_concerning_it(
    world, operator, contact_a, contact_b, manager_a
):
    everything = {"Shared service desk", "Elvdal migration", "Abandoned pilot"}
    assert titles(factories.client_for(operator).get(ACTIONS)) == everything
    # contact_a is Fjordvik's: the Elvdal-only migration is not theirs.
    assert titles(factories.client_for(contact_a).get(ACTIONS)) == everything - {"Elvdal migration"}
    assert titles(factories.client_for(manager_a).get(ACTIONS)) == everything - {"Elvdal migration"}
    assert titles(factories.client_for(contact_b).get(ACTIONS)) == everything


def test_the_plan_filters_by_status_municipality_and_overdue(world, operator):
    client = factories.client_for(operator)
    assert titles(client.get(ACTIONS, {"status": "planned"})) == {"Elvdal migration"}
    assert titles(client.get(ACTIONS, {"municipality": world.fjordvik.pk})) == {
        "Shared service desk",
        "Abandoned pilot",
    }
    # Open (planned or in progress) and past the deadline: overdue, and said so.
    today = datetime.date.today()
    late = {
        a.title
        for a in Action.objects.all()
        if a.status in ("planned", "in_progress") and a.deadline < today
    }
    assert "Shared service desk" in late  # in progress, deadline mid 2025
    overdue = client.get(ACTIONS, {"overdue": "true"})
    assert titles(overdue) == late
    assert 'data-testid="overdue"' in overdue.content.decode()


def test_naming_another_municipality_in_the_plan_filter_is_404(world, contact_a):
    response = factories.client_for(contact_a).get(ACTIONS, {"municipality": world.elvdal.pk})
    assert response.status_code == 404


def test_the_plan_costs_the_same_queries_whatever_the_number_of_actions(
    world, operator, django_assert_num_queries
):
    client = factories.client_for(operator)
    client.get(ACTIONS)  # the session and the navigation warmed up
    # Six, and the user's own settings of the list (saved filters, columns: ui.listsettings).
    with django_assert_num_queries(7):
        client.get(ACTIONS)
    for n in range(5):
        action = services.save_action(
            action=Action(
                title=f"More {n}",
                owner="Lead",
                start=D(2026, 1, 1),
                deadline=D(2026, 12, 31),
                all_municipalities=False,
            ),
            municipalities=[world.fjordvik, world.elvdal],
        )
        assert action.pk
    with django_assert_num_queries(7):
        response = client.get(ACTIONS)
    assert len(response.context["rows"]) == 8


# An action's page -----------------------------------------------------------------------------


def test_an_actions_page_shows_its_gains_and_planned_vs_realised(world, operator):
    response = factories.client_for(operator).get(
        reverse("gains:action_detail", args=[world.desk.pk])
    )
    assert response.status_code == 200
    years = dict(response.context["years"])
    # 2025: 120,000 + 30,000 + 130,000 (200 h × 650) planned; 110,000 + 30,000 + 52,000.
    assert years[2025].planned == M("280000.00")
    assert years[2025].realised == M("192000.00")
    # 2026: the licences (150,000) and time saved (130,000); realised 25,000.
    assert years[2026].planned == M("280000.00")
    assert years[2026].realised == M("25000.00")
    html = response.content.decode()
    assert "Kari" in html and "Ola" in html and "Per" in html
    assert 'data-testid="prerequisites"' in html


def test_a_municipality_sees_only_its_own_shares_and_measurements(world, contact_a):
    response = factories.client_for(contact_a).get(
        reverse("gains:action_detail", args=[world.desk.pk])
    )
    gains = {g.pk: g for g in response.context["gains"]}
    licences = gains[world.licences.pk]
    assert {s.municipality_id for s in licences.visible_shares} == {world.fjordvik.pk}
    assert {m.municipality_id for m in licences.visible_measurements} == {world.fjordvik.pk}
    years = dict(response.context["years"])
    assert years[2025].planned == M("120000.00")
    assert years[2025].realised == M("110000.00")
    assert response.context["can_measure"] is True
    assert response.context["can_edit"] is False


def test_another_municipalitys_action_is_404(world, contact_a):
    client = factories.client_for(contact_a)
    assert client.get(reverse("gains:action_detail", args=[world.migration.pk])).status_code == 404
    assert (
        client.get(reverse("gains:measurement_create", args=[world.avoided.pk])).status_code == 404
    )


# Measurements by the municipality's gains owner -------------------------------------------------


def test_a_contact_records_their_own_municipalitys_measurement(world, contact_a):
    client = factories.client_for(contact_a)
    url = reverse("gains:measurement_create", args=[world.licences.pk])
    form = client.get(url).context["form"]
    assert list(form.fields["municipality"].queryset) == [world.fjordvik]
    response = client.post(
        url,
        {
            "municipality": world.fjordvik.pk,
            "measured_on": "2026-06-30",
            "amount": "12 500,50",
            "source": "Licence invoice",
        },
    )
    assert response.status_code == 302
    saved = Measurement.objects.get(source="Licence invoice", measured_on=D(2026, 6, 30))
    assert saved.amount == M("12500.50") and saved.municipality == world.fjordvik


def test_a_measurement_is_deleted_after_its_confirmation(world, contact_a, contact_b):
    measurement = Measurement.objects.filter(municipality=world.fjordvik).first()
    url = reverse("gains:measurement_delete", args=[measurement.pk])
    # Another municipality's contact may not even see what would go.
    assert factories.client_for(contact_b).get(url).status_code == 404
    client = factories.client_for(contact_a)
    # Not confirmed (the old one-click form): nothing deleted, the confirmation instead.
    assert client.post(url).url == url
    assert Measurement.objects.filter(pk=measurement.pk).exists()
    shown = client.get(url).content.decode()
    assert f"Delete the measurement “{measurement}”." in shown
    response = confirm(client, url, follow=False)
    assert response.url == reverse("gains:action_detail", args=[measurement.gain.action_id])
    assert not Measurement.objects.filter(pk=measurement.pk).exists()


def test_a_contact_cannot_record_another_municipalitys_measurement(world, contact_b):
    client = factories.client_for(contact_b)  # Elvdal's
    before = Measurement.objects.count()
    response = client.post(
        reverse("gains:measurement_create", args=[world.licences.pk]),
        {
            "municipality": world.fjordvik.pk,
            "measured_on": "2026-06-30",
            "amount": "1000",
            "source": "Crafted",
        },
    )
    assert response.status_code == 400
    assert "municipality" in response.context["form"].errors
    assert Measurement.objects.count() == before
    fjordvik_own = Measurement.objects.filter(municipality=world.fjordvik).first()
    edit = reverse("gains:measurement_edit", args=[fjordvik_own.pk])
    assert client.get(edit).status_code == 404


def test_a_manager_reads_but_does_not_record(world, manager_a):
    client = factories.client_for(manager_a)
    assert client.get(reverse("gains:action_detail", args=[world.desk.pk])).status_code == 200
    url = reverse("gains:measurement_create", args=[world.licences.pk])
    assert client.get(url).status_code == 403


# The issue's bad inputs: field errors, nothing saved --------------------------------------------


def _post_refused(client, url, data, field, model):
    before = model.objects.count()
    response = client.post(url, data)
    assert response.status_code == 400, response.content[:500]
    errors = response.context["form"].errors
    assert field in errors, errors
    assert model.objects.count() == before
    return errors[field]


GAIN = {
    "effect": "Faster onboarding",
    "type": "budget_saving",
    "first_year": 2026,
    "last_year": 2027,
}


def test_a_target_date_before_the_baseline_date_is_refused(world, operator):
    _post_refused(
        factories.client_for(operator),
        reverse("gains:gain_create", args=[world.desk.pk]),
        {**GAIN, "baseline_date": "2026-01-01", "target_date": "2025-01-01"},
        "target_date",
        Gain,
    )


def test_a_negative_hourly_rate_is_refused(world, operator):
    _post_refused(
        factories.client_for(operator),
        reverse("gains:gain_create", args=[world.desk.pk]),
        {**GAIN, "type": "time_saved", "hourly_rate": "-650"},
        "hourly_rate",
        Gain,
    )


def test_a_measurement_for_a_municipality_the_action_does_not_concern_is_refused(world, operator):
    # The migration concerns Elvdal only.
    messages = _post_refused(
        factories.client_for(operator),
        reverse("gains:measurement_create", args=[world.avoided.pk]),
        {
            "municipality": world.havbygd.pk,
            "measured_on": "2026-06-30",
            "amount": "1000",
            "source": "Ledger",
        },
        "municipality",
        Measurement,
    )
    assert "does not concern" in " ".join(messages)


def test_a_baseline_year_in_the_future_is_refused(world, operator):
    next_year = datetime.date.today().year + 1
    _post_refused(
        factories.client_for(operator),
        reverse("gains:baseline_cost_create", args=[world.fjordvik.pk]),
        {"year": next_year, "category": "licences", "amount": "1000"},
        "year",
        BaselineCost,
    )


def test_a_percentage_outside_0_to_100_is_refused(world, operator):
    client = factories.client_for(operator)
    _post_refused(
        client,
        reverse("gains:measurement_create", args=[world.quality.pk]),
        {
            "municipality": world.fjordvik.pk,
            "measured_on": "2026-06-30",
            "value": "120",
            "source": "Survey",
        },
        "value",
        Measurement,
    )
    _post_refused(
        client,
        reverse("gains:indicator_baseline_create", args=[world.fjordvik.pk]),
        {"indicator": world.satisfaction.pk, "value": "-5", "measured_on": "2023-06-30"},
        "value",
        IndicatorBaseline,
    )


def test_an_action_is_created_and_changed_with_its_relations(world, operator):
    client = factories.client_for(operator)
    response = client.post(
        reverse("gains:action_create"),
        {
            "title": "Common identity",
            "owner": "ICT lead",
            "status": "planned",
            "start": "2026-01-01",
            "deadline": "2026-12-31",
            "budget": "100 000",
            "cost_to_date": "0",
            "municipalities": [world.fjordvik.pk, world.havbygd.pk],
            "prerequisites": [world.desk.pk],
        },
    )
    assert response.status_code == 302
    action = Action.objects.get(title="Common identity")
    assert not action.all_municipalities
    assert set(action.municipalities.all()) == {world.fjordvik, world.havbygd}
    assert list(action.prerequisites.all()) == [world.desk]
    assert action.budget == M("100000.00")


# Baselines --------------------------------------------------------------------------------------


def test_a_baseline_shows_staff_as_ftes_times_cost(world, contact_a):
    response = factories.client_for(contact_a).get(
        reverse("gains:baseline_detail", args=[world.fjordvik.pk])
    )
    assert response.status_code == 200
    assert response.context["years"] == [2023]
    # 2 FTE × 750,000 + licences 400,000.
    assert response.context["year_totals"] == [M("1900000.00")]
    assert len(response.context["indicator_baselines"]) == 1


def test_baselines_are_the_whole_municipalitys(world, contact_a, contact_b, manager_a):
    url = reverse("gains:baseline_detail", args=[world.fjordvik.pk])
    assert factories.client_for(contact_b).get(url).status_code == 404
    assert factories.client_for(manager_a).get(url).status_code == 403
    own = factories.client_for(contact_a).get(reverse("gains:baseline_list"))
    assert own.status_code == 302 and own["Location"] == url


# Planned vs realised ----------------------------------------------------------------------------


def test_planned_vs_realised_reconciles(world, operator, contact_b):
    response = factories.client_for(operator).get(reverse("gains:realisation"), {"year": 2025})
    total = response.context["total"]
    assert (total.planned, total.realised) == (M("280000.00"), M("192000.00"))
    by_municipality = dict(response.context["by_municipality"])
    assert sum(t.planned for t in by_municipality.values()) == total.planned
    assert by_municipality["Havbygd"].realised == M("52000.00")
    assert sum(row["totals"].realised for row in response.context["rows"]) == total.realised
    # Elvdal's contact: Elvdal's share of the licences only (30,000 planned, 30,000 realised).
    own = factories.client_for(contact_b).get(reverse("gains:realisation"), {"year": 2025})
    assert (own.context["total"].planned, own.context["total"].realised) == (
        M("30000.00"),
        M("30000.00"),
    )


# Common versus separate -------------------------------------------------------------------------


def test_common_versus_separate_by_role(world, operator, contact_a, manager_a):
    assert factories.client_for(operator).get(reverse("gains:comparison")).status_code == 200
    mine = factories.client_for(contact_a).get(reverse("gains:comparison"))
    assert mine.status_code == 302
    assert mine["Location"] == reverse("gains:comparison_detail", args=[world.fjordvik.pk])
    assert factories.client_for(manager_a).get(reverse("gains:comparison")).status_code == 403
    detail = reverse("gains:comparison_detail", args=[world.fjordvik.pk])
    assert factories.client_for(manager_a).get(detail).status_code == 403
    assert factories.client_for(contact_a).get(detail).status_code == 200


def test_the_page_says_plainly_when_a_member_paid_more_than_alone(billing_world, operator):
    """Elvdal has no baseline: whatever it was invoiced in 2026 is more than alone."""
    elvdal = billing_world.elvdal
    Municipality.objects.filter(pk=elvdal.pk).update(joined_on=D(2026, 1, 1))
    for month in (D(2026, 1, 1), D(2026, 2, 1)):
        bill_period(month=month)
        issue_period(month=month, issue_date=month)
        close_period(month=month)
    response = factories.client_for(operator).get(
        reverse("gains:comparison_detail", args=[elvdal.pk])
    )
    member = response.context["member"]
    year = next(y for y in member.years if y.year == 2026)
    assert year.actual > year.alone
    html = response.content.decode()
    assert "Elvdal paid" in html and "more in 2026 than it would have alone" in html
    assert 'data-testid="chart"' in html and 'data-testid="cumulative-chart"' in html
    everyone = factories.client_for(operator).get(reverse("gains:comparison")).content.decode()
    assert "Elvdal paid" in everyone and 'data-testid="cumulative-chart"' in everyone


# Benefit map and XLSX ---------------------------------------------------------------------------


def test_the_benefit_map_is_drawn_from_the_users_actions(world, contact_a):
    response = factories.client_for(contact_a).get(reverse("gains:benefit_map"))
    svg = str(response.context["svg"])
    assert svg.startswith("<svg") and "Shared service desk" in svg
    assert "Elvdal migration" not in svg
    assert "Abandoned pilot" not in svg  # cancelled: not by default


def _sheets(response) -> dict[str, list[tuple]]:
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook}


def test_the_xlsx_holds_the_plan_and_gains_as_the_page_shows_them(world, operator, contact_a):
    response = factories.client_for(operator).get(reverse("gains:plan_xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheets = _sheets(response)
    assert {row[1] for row in sheets["Actions"][1:]} == {
        "Shared service desk",
        "Abandoned pilot",
        "Elvdal migration",
    }
    shares = sheets["Gains per municipality"]
    assert {row[2] for row in shares[1:]} == {"Fjordvik", "Elvdal", "Havbygd"}
    assert len(shares) == 1 + 6
    assert len(sheets["Measurements"]) == 1 + 7
    planned = sheets["Planned vs realised"]
    total = planned[-1]
    assert total[0] == "Total"
    # Every gain year 2025–2027: planned 2025 280,000 + 2026 320,000 (incl. the migration)
    # + 2027 150,000 (the licences); realised 192,000 + 35,000.
    assert total[4] == 750000 and total[5] == 227000
    mine = _sheets(factories.client_for(contact_a).get(reverse("gains:plan_xlsx")))
    assert {row[1] for row in mine["Actions"][1:]} == {"Shared service desk", "Abandoned pilot"}
    assert {row[2] for row in mine["Gains per municipality"][1:]} == {"Fjordvik"}
    assert {row[2] for row in mine["Measurements"][1:]} == {"Fjordvik"}


def test_the_navigation_shows_a_municipality_its_own_figures(world, contact_a, manager_a):
    html = factories.client_for(contact_a).get(ACTIONS).content.decode()
    assert reverse("gains:comparison_detail", args=[world.fjordvik.pk]) in html
    assert reverse("gains:baseline_detail", args=[world.fjordvik.pk]) in html
    manager = factories.client_for(manager_a).get(ACTIONS).content.decode()
    assert reverse("gains:comparison_detail", args=[world.fjordvik.pk]) not in manager
