"""Issue #17 (daily-lifecycle): an asset's lifecycle steps with date and reason
(``AssetEvent``), their history on the asset page, and the lease and replacement
indicators on the asset list and page."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from samdrift.core.models import ObjectChange
from samdrift.core.permissions import restrict
from samdrift.inventory.choices import AssetEventKind, AssetStatus, events_allowed
from samdrift.inventory.models import Asset, AssetEvent, Assignment
from samdrift.inventory.services import assign_asset, record_asset_event
from tests import factories

D = datetime.date


@pytest.fixture
def held(db, municipality_a, service_area_a):
    asset = factories.make_asset(acquisition_date=D(2025, 12, 1))
    assign_asset(
        asset=asset,
        municipality=municipality_a,
        service_area=service_area_a,
        valid_from=D(2026, 1, 1),
    )
    asset.refresh_from_db()
    assert asset.status == AssetStatus.DEPLOYED
    return asset


def test_the_steps_open_from_each_status_follow_the_transitions():
    # Written out by hand from the lifecycle: ordered → in stock → deployed ⇄ in repair
    # → retired → disposed; back from repair only from repair.
    assert events_allowed(AssetStatus.DEPLOYED) == [
        AssetEventKind.RETURNED_TO_STOCK,
        AssetEventKind.SENT_TO_REPAIR,
        AssetEventKind.RETIRED,
    ]
    assert events_allowed(AssetStatus.IN_REPAIR) == [
        AssetEventKind.RETURNED_TO_STOCK,
        AssetEventKind.BACK_FROM_REPAIR,
        AssetEventKind.RETIRED,
    ]
    assert events_allowed(AssetStatus.RETIRED) == [
        AssetEventKind.RETURNED_TO_STOCK,
        AssetEventKind.DISPOSED,
    ]
    assert events_allowed(AssetStatus.DISPOSED) == []
    assert events_allowed(AssetStatus.ORDERED) == [AssetEventKind.RETURNED_TO_STOCK]


def test_a_device_through_repair_retirement_and_disposal(held, operator):
    steps = [
        (AssetEventKind.SENT_TO_REPAIR, D(2026, 3, 2), AssetStatus.IN_REPAIR),
        (AssetEventKind.BACK_FROM_REPAIR, D(2026, 3, 20), AssetStatus.DEPLOYED),
        (AssetEventKind.RETIRED, D(2026, 6, 1), AssetStatus.RETIRED),
        (AssetEventKind.DISPOSED, D(2026, 7, 1), AssetStatus.DISPOSED),
    ]
    for kind, on, status in steps:
        record_asset_event(
            asset=held,
            kind=kind,
            on=on,
            reason=f"reason {kind}",
            certificate_reference="WIPE-2026-117" if kind == AssetEventKind.DISPOSED else "",
        )
        held.refresh_from_db()
        assert held.status == status
    events = list(AssetEvent.objects.filter(asset=held).order_by("on"))
    assert [(e.kind, e.on) for e in events] == [(k, on) for k, on, _ in steps]
    assert events[-1].certificate_reference == "WIPE-2026-117"
    # Retiring ended the holding on its day; the asset is held by no one.
    assert list(Assignment.objects.filter(asset=held).values_list("valid_to", flat=True)) == [
        D(2026, 6, 1)
    ]
    assert held.municipality_id is None
    # Each event is in the change log.
    assert ObjectChange.objects.filter(content_type__model="assetevent").count() == 4


@pytest.mark.parametrize(
    ("kind", "on", "reason", "certificate", "field"),
    [
        ("future", None, "broken screen", "", "on"),
        (AssetEventKind.SENT_TO_REPAIR, D(2025, 11, 30), "broken screen", "", "on"),
        (AssetEventKind.SENT_TO_REPAIR, None, "broken screen", "", "on"),
        (AssetEventKind.SENT_TO_REPAIR, D(2026, 3, 1), "  ", "", "reason"),
        (AssetEventKind.BACK_FROM_REPAIR, D(2026, 3, 1), "fixed", "", "kind"),
        (AssetEventKind.DISPOSED, D(2026, 3, 1), "scrapped", "WIPE-1", "kind"),
        # A step on the day the holding began cannot end it.
        (AssetEventKind.RETIRED, D(2026, 1, 1), "old", "", "on"),
        ("exploded", D(2026, 3, 1), "old", "", "kind"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(held, kind, on, reason, certificate, field):
    if kind == "future":
        kind, on = AssetEventKind.SENT_TO_REPAIR, timezone.localdate() + datetime.timedelta(days=1)
    changes = ObjectChange.objects.count()
    with pytest.raises(ValidationError) as raised:
        record_asset_event(
            asset=held, kind=kind, on=on, reason=reason, certificate_reference=certificate
        )
    assert field in raised.value.message_dict
    held.refresh_from_db()
    assert held.status == AssetStatus.DEPLOYED
    assert not AssetEvent.objects.exists()
    assert Assignment.objects.get(asset=held).valid_to is None
    assert ObjectChange.objects.count() == changes


def test_disposal_needs_the_data_wipe_certificate(held):
    record_asset_event(asset=held, kind=AssetEventKind.RETIRED, on=D(2026, 6, 1), reason="old")
    with pytest.raises(ValidationError) as raised:
        record_asset_event(asset=held, kind=AssetEventKind.DISPOSED, on=D(2026, 7, 1), reason="x")
    assert "certificate_reference" in raised.value.message_dict
    held.refresh_from_db()
    assert held.status == AssetStatus.RETIRED
    assert AssetEvent.objects.count() == 1


def test_the_page_offers_only_the_open_steps_and_shows_the_history(client, operator, held):
    client.force_login(operator)
    detail = reverse("inventory:asset_detail", args=[held.pk])
    page = client.get(detail).content.decode()
    for kind in ("returned_to_stock", "sent_to_repair", "retired"):
        assert f'data-testid="step-{kind}"' in page
    for kind in ("back_from_repair", "disposed"):
        assert f'data-testid="step-{kind}"' not in page
    assert "No lifecycle steps recorded." in page

    url = reverse("inventory:asset_event", args=[held.pk])
    form = client.get(url + "?kind=sent_to_repair").content.decode()
    assert 'name="certificate_reference"' not in form  # not disposable from deployed
    response = client.post(
        url, {"kind": "sent_to_repair", "on": "2026-03-02", "reason": "Cracked hinge"}
    )
    assert response.status_code == 302
    page = client.get(detail).content.decode()
    assert "Cracked hinge" in page and "Sent to repair" in page
    assert 'data-testid="step-back_from_repair"' in page


def test_the_form_answers_bad_input_with_field_errors(client, operator, held):
    client.force_login(operator)
    url = reverse("inventory:asset_event", args=[held.pk])
    # The reason is marked as needed before anything is posted.
    page = client.get(url).content.decode()
    reason = page[page.index('data-field="reason"') :]
    assert '<span class="req"' in reason[: reason.index("</label>")]
    response = client.post(url, {"kind": "disposed", "on": "2026-03-02", "reason": ""})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"kind", "reason", "certificate_reference"}
    response = client.post(url, {"kind": "retired", "on": "not a day", "reason": "old"})
    assert response.status_code == 400
    assert "on" in response.context["form"].errors
    assert not AssetEvent.objects.exists()


def test_a_disposed_asset_sends_back_with_the_reason(client, operator, held):
    Asset.objects.filter(pk=held.pk).update(status=AssetStatus.DISPOSED)
    client.force_login(operator)
    response = client.get(reverse("inventory:asset_event", args=[held.pk]), follow=True)
    assert "no further lifecycle step is possible" in response.content.decode()


def test_tenancy(client, held, contact_a, contact_b, manager_a, operator):
    record_asset_event(asset=held, kind=AssetEventKind.SENT_TO_REPAIR, on=D(2026, 3, 2), reason="x")
    assert restrict(AssetEvent.objects.all(), contact_a).count() == 1
    assert restrict(AssetEvent.objects.all(), manager_a).count() == 1
    assert restrict(AssetEvent.objects.all(), contact_b).count() == 0
    client.force_login(contact_a)
    page = client.get(reverse("inventory:asset_detail", args=[held.pk])).content.decode()
    assert 'data-testid="asset-events"' in page and "Sent to repair" in page
    assert 'data-testid="step-' not in page  # reading, not acting
    url = reverse("inventory:asset_event", args=[held.pk])
    assert (
        client.post(url, {"kind": "retired", "on": "2026-06-01", "reason": "x"}).status_code == 403
    )
    client.force_login(contact_b)
    assert client.get(reverse("inventory:asset_detail", args=[held.pk])).status_code == 404


def _markers(page: str, pk: int) -> str:
    start = page.index(f'data-testid="markers-{pk}"')
    return page[start : page.index("</td>", start)]


def test_lease_and_overdue_indicators_on_list_and_page(client, operator, municipality_a):
    today = timezone.localdate()
    ended = factories.make_asset(lease_start=D(2023, 1, 1), lease_end=today)
    ending = factories.make_asset(
        lease_start=D(2023, 1, 1), lease_end=today + datetime.timedelta(days=90)
    )
    later = factories.make_asset(
        lease_start=D(2023, 1, 1), lease_end=today + datetime.timedelta(days=91)
    )
    overdue = factories.make_asset(planned_replacement=today - datetime.timedelta(days=1))
    for asset in (ended, ending, later, overdue):
        assign_asset(asset=asset, municipality=municipality_a, valid_from=D(2026, 1, 1))
    client.force_login(operator)
    page = client.get(reverse("inventory:asset_list")).content.decode()
    assert 'data-marker="lease-ended"' in _markers(page, ended.pk)
    assert 'data-marker="lease-ending"' in _markers(page, ending.pk)
    assert "data-marker" not in _markers(page, later.pk)
    assert 'data-marker="replacement-overdue"' in _markers(page, overdue.pk)
    assert "data-marker" not in _markers(page, ended.pk).replace('data-marker="lease-ended"', "")

    detail = client.get(reverse("inventory:asset_detail", args=[overdue.pk])).content.decode()
    assert 'data-marker="replacement-overdue"' in detail
    detail = client.get(reverse("inventory:asset_detail", args=[ending.pk])).content.decode()
    assert 'data-marker="lease-ending"' in detail

    # Out of service: no longer overdue for replacement, nor its lease a concern.
    Asset.objects.filter(pk__in=[ended.pk, overdue.pk]).update(status=AssetStatus.RETIRED)
    page = client.get(reverse("inventory:asset_list")).content.decode()
    assert "data-marker" not in _markers(page, ended.pk)
    assert "data-marker" not in _markers(page, overdue.pk)


def test_the_indicators_cost_the_same_for_a_longer_page(
    client, operator, municipality_a, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    today = timezone.localdate()
    client.force_login(operator)
    url = reverse("inventory:asset_list")

    def add(n):
        for _ in range(n):
            asset = factories.make_asset(
                lease_start=D(2023, 1, 1),
                lease_end=today,
                planned_replacement=today - datetime.timedelta(days=3),
            )
            assign_asset(asset=asset, municipality=municipality_a, valid_from=D(2026, 1, 1))

    add(2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add(8)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert page.count('data-marker="replacement-overdue"') == 10
    assert len(many) == len(few)
