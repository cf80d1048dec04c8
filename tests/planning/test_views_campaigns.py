"""The campaign pages: the list with progress, a new campaign from a criterion, a
campaign's devices and progress per municipality, "Check progress" and "Close". A
municipality's users see the campaigns with devices of theirs, and only those devices."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from samdrift.core.actor import acting_as
from samdrift.core.models import ObjectChange
from samdrift.inventory.services.assets import change_asset_status
from samdrift.planning.campaigns import create_campaign
from samdrift.planning.choices import CampaignState, DeviceProgress
from samdrift.planning.models import Campaign, CampaignDevice
from tests.planning.ui_world import build_planning_world, due_in

pytestmark = pytest.mark.django_db

LIST = reverse("planning:campaign_list")


@pytest.fixture
def world():
    return build_planning_world()


@pytest.fixture
def overdue(world):
    """Every device overdue today: A's old laptop and phone, B's old laptop."""
    with acting_as(world.users["operator"]):
        return create_campaign(
            name="Overdue 2026",
            criterion="due_before",
            criterion_date=world.today,
            starts_on=world.today,
        )


@pytest.fixture
def b_only(world):
    """B's devices only: none of A's."""
    with acting_as(world.users["operator"]):
        return create_campaign(
            name="Elvdal laptops",
            criterion="products",
            products=[world.laptop_old],
            municipality=world.b,
            starts_on=world.today,
        )


def detail(campaign):
    return reverse("planning:campaign_detail", args=[campaign.pk])


def test_an_operator_creates_a_campaign_from_a_criterion(world):
    client = world.client("operator")
    assert client.get(reverse("planning:campaign_create")).status_code == 200
    soon = due_in(world, 43)
    response = client.post(
        reverse("planning:campaign_create"),
        {
            "name": "Laptops due within the year",
            "criterion": "due_before",
            "criterion_date": (soon + datetime.timedelta(days=1)).isoformat(),
            "municipality": world.a.pk,
            "starts_on": world.today.isoformat(),
        },
    )
    campaign = Campaign.objects.get(name="Laptops due within the year")
    assert response.status_code == 302 and response["Location"] == detail(campaign)
    tags = set(campaign.devices.values_list("asset__asset_tag", flat=True))
    assert tags == {"A1-OLD", "A1-PHONE", "A1-SOON", "A2-SOON"}


def test_a_campaign_needs_its_date_and_saves_nothing_without(world):
    changes = ObjectChange.objects.count()
    response = world.client("operator").post(
        reverse("planning:campaign_create"),
        {"name": "No date", "criterion": "end_of_support", "starts_on": world.today.isoformat()},
    )
    assert response.status_code == 400
    assert "criterion_date" in response.context["form"].errors
    assert not Campaign.objects.exists()
    assert ObjectChange.objects.count() == changes


def test_a_target_before_the_start_is_refused(world):
    response = world.client("operator").post(
        reverse("planning:campaign_create"),
        {
            "name": "Backwards",
            "criterion": "products",
            "products": [world.phone.pk],
            "starts_on": "2026-06-01",
            "target_date": "2026-05-01",
        },
    )
    assert response.status_code == 400
    assert "target_date" in response.context["form"].errors
    assert not Campaign.objects.exists()


@pytest.mark.parametrize("role", ["finance", "auditor", "contact_a", "manager_a"])
def test_only_operators_create_campaigns(world, role):
    assert world.client(role).get(reverse("planning:campaign_create")).status_code == 403


def test_the_list_shows_each_campaigns_progress(world, overdue, b_only):
    response = world.client("operator").get(LIST)
    assert response.status_code == 200
    rows = {c.name: c for c in response.context["rows"]}
    assert rows["Overdue 2026"].device_count == 3
    assert rows["Elvdal laptops"].device_count == 1
    assert rows["Overdue 2026"].done_percent == 0
    assert "<progress" in response.content.decode()


def test_a_contact_sees_the_campaigns_with_its_devices_only(world, overdue, b_only):
    response = world.client("contact_a").get(LIST)
    rows = {c.name: c for c in response.context["rows"]}
    assert set(rows) == {"Overdue 2026"}
    assert rows["Overdue 2026"].device_count == 2  # its own two, not B's
    assert world.client("contact_a").get(detail(b_only)).status_code == 404
    page = world.client("contact_a").get(detail(overdue))
    assert page.status_code == 200
    assert {d.asset.asset_tag for d in page.context["rows"]} == {"A1-OLD", "A1-PHONE"}
    progress = page.context["progress_rows"]
    assert [(row.name, row.total) for row, _counts in progress] == [("Fjordvik", 2)]
    assert "Elvdal" not in page.content.decode()
    assert 'data-testid="refresh"' not in page.content.decode()


def test_a_manager_sees_the_devices_of_their_area(world, overdue):
    other = world.users["manager_a"].__class__.objects.create(
        username="manager-a2", role="service_area", municipality=world.a, service_area=world.a2
    )
    from tests.factories import client_for

    assert client_for(other).get(detail(overdue)).status_code == 404
    page = world.client("manager_a").get(detail(overdue))
    assert {d.asset.asset_tag for d in page.context["rows"]} == {"A1-OLD", "A1-PHONE"}


def test_the_devices_filtered_by_progress_and_municipality(world, overdue):
    client = world.client("operator")
    page = client.get(detail(overdue), {"municipality": world.b.pk})
    assert {d.asset.asset_tag for d in page.context["rows"]} == {"B1-OLD"}
    page = client.get(detail(overdue), {"progress": DeviceProgress.REPLACED})
    assert list(page.context["rows"]) == []
    assert (
        world.client("contact_a").get(detail(overdue), {"municipality": world.b.pk}).status_code
        == 404
    )


def test_check_progress_and_close(world, overdue):
    client = world.client("operator")
    with acting_as(world.users["operator"]):
        change_asset_status(asset=world.assets["B1-OLD"], status="retired", on=world.today)
    assert client.get(reverse("planning:campaign_refresh", args=[overdue.pk])).status_code == 405
    response = client.post(reverse("planning:campaign_refresh", args=[overdue.pk]))
    assert response.status_code == 302
    device = CampaignDevice.objects.get(campaign=overdue, asset=world.assets["B1-OLD"])
    assert device.progress == DeviceProgress.RETIRED
    page = client.get(detail(overdue))
    total, counts = page.context["progress_total"]
    assert total.total == 3 and total.done == 1
    assert counts == [2, 0, 0, 1]  # pending, ordered, replaced, retired
    response = client.post(reverse("planning:campaign_close", args=[overdue.pk]))
    assert response.status_code == 302
    overdue.refresh_from_db()
    assert overdue.state == CampaignState.CLOSED
    page = client.get(detail(overdue))
    assert 'data-testid="refresh"' not in page.content.decode()


@pytest.mark.parametrize("role", ["finance", "contact_a", "manager_a"])
def test_only_operators_check_and_close(world, overdue, role):
    client = world.client(role)
    for name in ("campaign_refresh", "campaign_close"):
        assert client.post(reverse(f"planning:{name}", args=[overdue.pk])).status_code == 403
    overdue.refresh_from_db()
    assert overdue.state == CampaignState.OPEN and overdue.progress_checked_at is None


def test_the_devices_export(world, overdue):
    response = world.client("contact_a").get(detail(overdue), {"export": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, *lines = text.strip().splitlines()
    assert header.startswith("asset_tag,")
    assert sorted(line.split(",")[0] for line in lines) == ["A1-OLD", "A1-PHONE"]


def test_the_page_lists_by_due_date_in_a_fixed_number_of_queries(world, overdue, b_only):
    # The devices are read 50 at a time in due-date order through the (campaign, due_on)
    # index; the page's queries do not grow with the campaign's devices.
    client = world.client("operator")
    with CaptureQueriesContext(connection) as one:
        small = client.get(detail(b_only))
    with CaptureQueriesContext(connection) as three:
        page = client.get(detail(overdue))
    assert small.status_code == page.status_code == 200
    assert len(small.context["rows"]) == 1 and len(page.context["rows"]) == 3
    assert len(one.captured_queries) == len(three.captured_queries)
    expected = sorted(CampaignDevice.objects.filter(campaign=overdue).values_list("due_on", "pk"))
    assert [(d.due_on, d.pk) for d in page.context["rows"]] == expected
