"""The planning pages: the replacement plan, the devices due, the rules and ends of
support, the investment need; as operator, as the municipality's contact and manager, and
as another municipality's contact (404). Figures worked out here from the fleet of
tests/planning/ui_world.py."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from samdrift.core.models import ObjectChange
from samdrift.planning.models import ProductSupport, ReplacementRule
from samdrift.planning.plan import quarter_start
from tests import factories
from tests.confirming import confirm
from tests.planning.ui_world import LAPTOP_COST, PHONE_COST, build_planning_world, due_in

pytestmark = pytest.mark.django_db

PLAN = reverse("planning:plan")
DEVICES = reverse("planning:due_devices")


@pytest.fixture
def world():
    return build_planning_world()


def plan_rows(html: str) -> str:
    return html.split('data-testid="plan"', 1)[1].split("</table>", 1)[0]


def test_the_plan_per_municipality_overdue_first(world):
    response = world.client("operator").get(PLAN)
    assert response.status_code == 200
    context = response.context
    table = context["table"]
    # Overdue: A's old laptop and its phone past its end of support; B's old laptop.
    assert table.plan.overdue_units == 3
    # Due within five years: A1's and A2's laptops in about five months; and every other
    # device in service falls due within five years too (laptops at 48 months).
    assert table.plan.total_units == 5
    by_label = {row.label: row for row in table.rows}
    assert list(by_label) == ["Fjordvik", "Elvdal"]  # by id: A was made first
    fjordvik = by_label["Fjordvik"]
    assert fjordvik.cells[0].units == 2
    assert fjordvik.cells[0].capital == LAPTOP_COST + PHONE_COST
    quarter = quarter_start(due_in(world, 43))
    index = table.plan.quarters.index(quarter) + 1
    assert fjordvik.cells[index].units == 2
    assert fjordvik.cells[index].capital == 2 * LAPTOP_COST
    assert fjordvik.total.units == 4
    assert table.totals.total.units == 5
    assert table.totals.total.capital == 4 * LAPTOP_COST + PHONE_COST
    assert table.heads[0] == "Overdue" and len(table.heads) == 21


def test_a_plan_cell_links_to_its_devices(world):
    client = world.client("operator")
    table = client.get(PLAN).context["table"]
    fjordvik = table.rows[0]
    overdue = client.get(fjordvik.cells[0].url)
    assert {a.asset_tag for a in overdue.context["rows"]} == {"A1-OLD", "A1-PHONE"}
    quarter = quarter_start(due_in(world, 43))
    cell = fjordvik.cells[table.plan.quarters.index(quarter) + 1]
    soon = client.get(cell.url)
    assert soon.status_code == 200
    assert {a.asset_tag for a in soon.context["rows"]} == {"A1-SOON", "A2-SOON"}


def test_the_plan_by_year_and_by_category(world):
    client = world.client("operator")
    table = client.get(PLAN, {"by": "category", "period": "year"}).context["table"]
    labels = {row.label: row for row in table.rows}
    assert set(labels) == {"Laptops", "Phones"}
    assert labels["Phones"].cells[0].units == 1
    assert labels["Laptops"].total.units == 4
    assert len(table.heads) == 1 + len({q.year for q in table.plan.quarters})
    areas = client.get(PLAN, {"by": "service_area"}).context["table"]
    assert [row.label for row in areas.rows] == [
        "Fjordvik – Oppvekst",
        "Fjordvik – Helse",
        "Elvdal – Elvdal helse",
    ]


def test_a_municipality_plans_its_own_devices(world):
    contact = world.client("contact_a")
    table = contact.get(PLAN).context["table"]
    assert [row.label for row in table.rows] == ["Fjordvik"]
    assert table.plan.total_units == 4
    assert contact.get(PLAN, {"municipality": world.b.pk}).status_code == 404
    assert contact.get(DEVICES, {"municipality": world.b.pk}).status_code == 404
    manager = world.client("manager_a").get(PLAN).context["table"]
    assert manager.plan.total_units == 3  # area A1: the old laptop, the phone, one soon


def test_the_plan_filtered_and_exported(world):
    client = world.client("operator")
    params = {"municipality": world.a.pk, "category": world.laptops.pk}
    table = client.get(PLAN, params).context["table"]
    assert table.plan.total_units == 3
    response = client.get(PLAN, {**params, "export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("row", "Overdue units", "Overdue capital")
    assert rows[1][:3] == ("Fjordvik", 1, LAPTOP_COST)
    assert rows[-1][0] == "Total" and rows[-1][-2:] == (3, 3 * LAPTOP_COST)


def test_the_devices_due_are_the_overdue_by_default(world):
    response = world.client("operator").get(DEVICES)
    assert response.status_code == 200
    tags = {a.asset_tag for a in response.context["rows"]}
    assert tags == {"A1-OLD", "A1-PHONE", "B1-OLD"}
    html = response.content.decode()
    assert "Laptop 2026" in html and "Maximum age reached" in html
    assert "End of support" in html


def test_the_devices_due_in_a_window_and_exported(world):
    client = world.client("contact_a")
    soon = due_in(world, 43)
    params = {"after": world.today.isoformat(), "before": (soon + datetime.timedelta(1))}
    response = client.get(DEVICES, params)
    assert {a.asset_tag for a in response.context["rows"]} == {"A1-SOON", "A2-SOON"}
    exported = client.get(DEVICES, {**params, "export": "csv"})
    text = b"".join(exported.streaming_content).decode("utf-8-sig")
    header, *lines = text.strip().splitlines()
    assert header.split(",")[-5:] == [
        "acquisition_date",
        "due_on",
        "due_reason",
        "replacement",
        "replacement_cost",
    ]
    assert sorted(line.split(",")[0] for line in lines) == ["A1-SOON", "A2-SOON"]
    assert lines[0].split(",")[-4:] == [soon.isoformat(), "max_age", "Laptop 2026", "10000.00"]


def test_a_manager_sees_the_devices_of_their_area(world):
    response = world.client("manager_a").get(DEVICES)
    assert {a.asset_tag for a in response.context["rows"]} == {"A1-OLD", "A1-PHONE"}


def test_a_bad_window_is_named(world):
    response = world.client("operator").get(DEVICES, {"before": "not-a-day"})
    assert response.status_code == 200
    assert response.context["filters_valid"] is False
    assert list(response.context["rows"]) == []


# --- rules and ends of support ----------------------------------------------------------


def test_every_login_reads_the_rules(world):
    for role in ("operator", "auditor", "contact_b", "manager_a"):
        response = world.client(role).get(reverse("planning:rules"))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Laptop 2026" in html and "Phone OS 12" in html
    assert (
        'data-testid="add-rule"'
        in world.client("finance").get(reverse("planning:rules")).content.decode()
    )
    assert (
        'data-testid="add-rule"'
        not in world.client("contact_a").get(reverse("planning:rules")).content.decode()
    )


def test_finance_adds_a_rule(world):
    response = world.client("finance").post(
        reverse("planning:rule_create"),
        {"category": world.phones.pk, "basis": "max_age", "max_age_months": "36"},
    )
    assert response.status_code == 302
    rule = ReplacementRule.objects.get(category=world.phones)
    assert rule.max_age_months == 36 and rule.replacement_product is None
    assert ObjectChange.objects.filter(content_type__model="replacementrule").exists()


@pytest.mark.parametrize("months", ["0", "-3"])
def test_a_maximum_age_of_zero_or_less_is_refused(world, months):
    changes = ObjectChange.objects.count()
    response = world.client("operator").post(
        reverse("planning:rule_create"),
        {"category": world.phones.pk, "basis": "max_age", "max_age_months": months},
    )
    assert response.status_code == 400
    assert "max_age_months" in response.context["form"].errors
    assert not ReplacementRule.objects.filter(category=world.phones).exists()
    assert ObjectChange.objects.count() == changes


def test_a_replacement_of_another_category_is_refused(world):
    response = world.client("operator").post(
        reverse("planning:rule_edit", args=[world.rule.pk]),
        {"basis": "max_age", "max_age_months": "48", "replacement_product": world.phone.pk},
    )
    assert response.status_code == 400
    assert "replacement_product" in response.context["form"].errors
    world.rule.refresh_from_db()
    assert world.rule.replacement_product == world.laptop_new


def test_a_rule_edited_and_deleted(world):
    client = world.client("operator")
    response = client.post(
        reverse("planning:rule_edit", args=[world.rule.pk]),
        {"basis": "lease_term", "max_age_months": "48"},
    )
    assert response.status_code == 302
    world.rule.refresh_from_db()
    # Replaced after the lease term: no maximum age kept.
    assert world.rule.basis == "lease_term" and world.rule.max_age_months is None
    assert world.rule.category == world.laptops  # the category is not changed
    delete = reverse("planning:rule_delete", args=[world.rule.pk])
    # Not confirmed: nothing deleted, the confirmation is shown instead.
    unconfirmed = client.post(delete)
    assert unconfirmed.status_code == 302 and unconfirmed.url == delete
    assert ReplacementRule.objects.filter(pk=world.rule.pk).exists()
    shown = client.get(delete).content.decode()
    assert f"Delete the replacement rule “{world.rule}”." in shown
    response = confirm(client, delete, follow=False)
    assert response.status_code == 302 and response.url == reverse("planning:rules")
    assert not ReplacementRule.objects.exists()


def test_an_end_of_support_before_the_release_is_refused(world):
    changes = ObjectChange.objects.count()
    response = world.client("finance").post(
        reverse("planning:support_create"),
        {
            "product": world.laptop_old.pk,
            "released_on": "2025-06-01",
            "end_of_support": "2025-05-31",
        },
    )
    assert response.status_code == 400
    assert "end_of_support" in response.context["form"].errors
    assert not ProductSupport.objects.filter(product=world.laptop_old).exists()
    assert ObjectChange.objects.count() == changes


def test_an_end_of_support_added_and_removed(world):
    client = world.client("finance")
    response = client.post(
        reverse("planning:support_create"),
        {"product": world.laptop_old.pk, "what": "BIOS 1.x", "end_of_support": "2027-01-31"},
    )
    assert response.status_code == 302
    support = ProductSupport.objects.get(product=world.laptop_old)
    assert support.end_of_support == datetime.date(2027, 1, 31)
    confirm(client, reverse("planning:support_delete", args=[support.pk]))
    assert not ProductSupport.objects.filter(pk=support.pk).exists()


@pytest.mark.parametrize("role", ["auditor", "contact_a", "manager_a"])
def test_only_operators_and_finance_change_rules(world, role):
    client = world.client(role)
    assert client.get(reverse("planning:rule_create")).status_code == 403
    assert client.post(reverse("planning:rule_delete", args=[world.rule.pk])).status_code == 403
    assert client.get(reverse("planning:rule_delete", args=[world.rule.pk])).status_code == 403
    assert client.get(reverse("planning:support_edit", args=[world.support.pk])).status_code == 403
    assert ReplacementRule.objects.filter(pk=world.rule.pk).exists()


# --- investment need --------------------------------------------------------------------


def test_the_investment_need_is_the_collaborations(world):
    response = world.client("finance").get(reverse("planning:investment"))
    assert response.status_code == 200
    assert 'data-testid="investment"' in response.content.decode()
    assert "<svg" in response.content.decode()
    for role in ("contact_a", "manager_a"):
        assert world.client(role).get(reverse("planning:investment")).status_code == 403


# --- the asset page and the municipality page -------------------------------------------


def test_the_asset_page_shows_its_replacement(world):
    asset = world.assets["A1-OLD"]
    html = (
        world.client("contact_a")
        .get(reverse("inventory:asset_detail", args=[asset.pk]))
        .content.decode()
    )
    panel = html.split('data-testid="replacement"', 1)[1]
    due = due_in(world, 50)
    assert due.isoformat() in panel and "overdue" in panel
    assert "Maximum age reached" in panel and "Laptop 2026" in panel
    stock = world.assets["STOCK"]
    html = (
        world.client("operator")
        .get(reverse("inventory:asset_detail", args=[stock.pk]))
        .content.decode()
    )
    assert "not in service" in html.split('data-testid="replacement"', 1)[1]


def test_the_municipality_page_links_to_its_forecast(world):
    html = (
        world.client("contact_a")
        .get(reverse("organisations:municipality_detail", args=[world.a.pk]))
        .content.decode()
    )
    assert reverse("planning:forecast_detail", args=[world.a.pk]) in html


def _planning_links(user) -> dict[str, str]:
    from django.test import RequestFactory

    from samdrift.ui.navigation import navigation_for

    request = RequestFactory().get("/")
    request.user = user
    section = next((s for s in navigation_for(request) if s["key"] == "planning"), None)
    return {str(item["label"]): item["url"] for item in section["items"]} if section else {}


def test_the_planning_navigation_per_role(world):
    assert _planning_links(world.users["contact_a"]) == {
        "Replacement plan": PLAN,
        "Campaigns": reverse("planning:campaign_list"),
        "My forecast": reverse("planning:forecast_detail", args=[world.a.pk]),
    }
    assert _planning_links(world.users["manager_a"])["My forecast"] == reverse(
        "planning:forecast_detail", args=[world.a.pk]
    )
    assert list(_planning_links(world.users["finance"])) == [
        "Replacement plan",
        "Campaigns",
        "Investment need",
        "Forecast",
        "Scenarios",
        "Rules",
    ]


def test_page_queries_do_not_grow_with_the_fleet(world, django_assert_max_num_queries):
    client = world.client("contact_a")
    urls = [PLAN, DEVICES, PLAN + "?export=xlsx", DEVICES + "?export=csv"]
    few = {}
    for url in urls:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
        few[url] = len(captured)
    for n in range(30):
        factories.make_asset(
            world.laptop_old,
            municipality=world.a,
            service_area=world.a1,
            status="deployed",
            acquisition_date=world.today.replace(day=1) - datetime.timedelta(days=40 * n + 1500),
        )
    for url in urls:
        with django_assert_max_num_queries(few[url]):
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)


def test_amounts_are_decimals(world):
    table = world.client("operator").get(PLAN).context["table"]
    assert all(isinstance(c.capital, Decimal) for row in table.rows for c in row.cells)
