"""Issue #17 (daily-lifecycle): the asset list's bulk actions on its filtered selection —
a lifecycle step, another service area, the planned replacement — confirmed with the
count, written set-based and change-logged, in a constant number of queries."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from samdrift.core.models import ObjectChange
from samdrift.inventory.choices import AssetEventKind, AssetStatus
from samdrift.inventory.models import Asset, AssetEvent, Assignment
from samdrift.inventory.services import (
    assign_asset,
    reassign_service_area,
    record_events_in_bulk,
    set_planned_replacement,
)
from samdrift.planning import holdings
from samdrift.planning.figures import rebuild
from tests import factories

D = datetime.date


@pytest.fixture
def fleet(db, municipality_a, municipality_b, service_area_a, service_area_b):
    """Three laptops of A's service area, one of B, one in stock (no holder)."""
    laptop = factories.make_product(name="Laptop")
    a = [factories.make_asset(laptop) for _ in range(3)]
    for asset in a:
        assign_asset(
            asset=asset,
            municipality=municipality_a,
            service_area=service_area_a,
            valid_from=D(2026, 1, 1),
        )
    b = factories.make_asset(laptop)
    assign_asset(
        asset=b, municipality=municipality_b, service_area=service_area_b, valid_from=D(2026, 1, 1)
    )
    stock = factories.make_asset(laptop)
    return {"a": a, "b": b, "stock": stock, "laptop": laptop}


def _of_a(municipality_a):
    return Asset.objects.filter(municipality=municipality_a)


def test_planned_replacement_for_the_selection(fleet, municipality_a):
    changes = ObjectChange.objects.count()
    assert set_planned_replacement(assets=_of_a(municipality_a), on=D(2027, 6, 1)) == 3
    assert set(
        Asset.objects.filter(planned_replacement=D(2027, 6, 1)).values_list("pk", flat=True)
    ) == {asset.pk for asset in fleet["a"]}
    assert Asset.objects.get(pk=fleet["b"].pk).planned_replacement is None
    assert ObjectChange.objects.count() == changes + 3
    row = ObjectChange.objects.order_by("-pk").first()
    assert row.postchange_data["planned_replacement"] == "2027-06-01"
    assert row.prechange_data["planned_replacement"] is None
    assert row.municipality_id == municipality_a.pk
    # Again: nothing changes, nothing is logged.
    assert set_planned_replacement(assets=_of_a(municipality_a), on=D(2027, 6, 1)) == 0
    assert ObjectChange.objects.count() == changes + 3


def test_a_lifecycle_step_for_the_selection(fleet, municipality_a):
    moved = record_events_in_bulk(
        assets=_of_a(municipality_a),
        kind=AssetEventKind.RETIRED,
        on=D(2026, 6, 1),
        reason="Fleet renewal 2026",
    )
    assert moved == 3
    for asset in fleet["a"]:
        asset.refresh_from_db()
        assert asset.status == AssetStatus.RETIRED
        assert asset.municipality_id is None and asset.service_area_id is None
        assert Assignment.objects.get(asset=asset).valid_to == D(2026, 6, 1)
        event = AssetEvent.objects.get(asset=asset)
        assert (event.kind, event.on, event.reason) == (
            "retired",
            D(2026, 6, 1),
            "Fleet renewal 2026",
        )
    assert Asset.objects.get(pk=fleet["b"].pk).status == AssetStatus.DEPLOYED
    logged = ObjectChange.objects.filter(
        content_type__model__in=["asset", "assignment", "assetevent"]
    )
    assert logged.filter(content_type__model="assetevent", action="create").count() == 3
    assert logged.filter(content_type__model="assignment", action="update").count() == 3


@pytest.mark.parametrize(
    ("kind", "on", "certificate", "field"),
    [
        # The in-stock device is not in repair; nor may it be disposed before retiring.
        (AssetEventKind.BACK_FROM_REPAIR, D(2026, 3, 1), "", "kind"),
        (AssetEventKind.DISPOSED, D(2026, 3, 1), "WIPE-9", "kind"),
        # The holding of A's devices began on 1 January.
        (AssetEventKind.RETIRED, D(2026, 1, 1), "", "on"),
        (AssetEventKind.RETIRED, D(2024, 1, 1), "", "on"),  # before acquisition
        (AssetEventKind.RETIRED, None, "", "on"),
    ],
)
def test_a_step_refused_for_any_asset_is_refused_for_all(
    fleet, municipality_a, kind, on, certificate, field
):
    selection = Asset.objects.filter(pk__in=[*(a.pk for a in fleet["a"]), fleet["stock"].pk])
    changes = ObjectChange.objects.count()
    with pytest.raises(ValidationError) as raised:
        record_events_in_bulk(
            assets=selection, kind=kind, on=on, reason="x", certificate_reference=certificate
        )
    assert field in raised.value.message_dict
    assert not AssetEvent.objects.exists()
    assert ObjectChange.objects.count() == changes
    assert set(selection.values_list("status", flat=True)) == {
        AssetStatus.DEPLOYED,
        AssetStatus.IN_STOCK,
    }


def test_bulk_disposal_needs_the_certificate(fleet, municipality_a):
    record_events_in_bulk(
        assets=_of_a(municipality_a), kind=AssetEventKind.RETIRED, on=D(2026, 6, 1), reason="x"
    )
    retired = Asset.objects.filter(status=AssetStatus.RETIRED)
    with pytest.raises(ValidationError) as raised:
        record_events_in_bulk(
            assets=retired, kind=AssetEventKind.DISPOSED, on=D(2026, 7, 1), reason="x"
        )
    assert set(raised.value.message_dict) == {"certificate_reference"}
    assert retired.count() == 3


def test_reassign_the_service_area(fleet, municipality_a, service_area_a):
    other = factories.make_service_area(municipality_a, name="Helse og omsorg")
    assert (
        reassign_service_area(assets=_of_a(municipality_a), service_area=other, on=D(2026, 9, 1))
        == 3
    )
    for asset in fleet["a"]:
        asset.refresh_from_db()
        assert asset.service_area_id == other.pk and asset.municipality_id == municipality_a.pk
        periods = list(
            Assignment.objects.filter(asset=asset)
            .order_by("valid_from")
            .values_list("service_area_id", "valid_from", "valid_to")
        )
        assert periods == [
            (service_area_a.pk, D(2026, 1, 1), D(2026, 9, 1)),
            (other.pk, D(2026, 9, 1), None),
        ]
    # Another municipality's device in the selection: refused, nothing written.
    with pytest.raises(ValidationError) as raised:
        reassign_service_area(
            assets=Asset.objects.filter(pk__in=[fleet["a"][0].pk, fleet["b"].pk]),
            service_area=service_area_a,
            on=D(2026, 10, 1),
        )
    assert "service_area" in raised.value.message_dict
    assert Assignment.objects.filter(asset=fleet["a"][0]).count() == 2


def _bulk_queries(django_assert_num_queries, count, municipality_a, expected):
    laptop = factories.make_product()
    for _ in range(count):
        asset = factories.make_asset(laptop)
        assign_asset(asset=asset, municipality=municipality_a, valid_from=D(2026, 1, 1))
    for model in (Asset, Assignment, AssetEvent):
        ContentType.objects.get_for_model(model)  # cached, as in a running server
    rebuild()  # the fleet figures and the holdings are counted, as in a running server
    holdings.rebuild()
    with django_assert_num_queries(expected):
        record_events_in_bulk(
            assets=_of_a(municipality_a), kind=AssetEventKind.RETIRED, on=D(2026, 6, 1), reason="x"
        )


@pytest.mark.parametrize("count", [2, 25])
def test_the_bulk_step_costs_the_same_queries_whatever_the_count(
    db, municipality_a, django_assert_num_queries, count
):
    # Savepoint; lock and read the assets, their open assignments; end those and log
    # them; insert the events (with the id allocation SQLite's writer makes) and log them
    # (their municipality and service area, one query each); update the assets and log
    # them; the fleet figures of the municipality counted again (planning.figures: the
    # stamp, the rules, delete, insert); release.
    _bulk_queries(django_assert_num_queries, count, municipality_a, expected=BULK_STEP_QUERIES)


@pytest.mark.parametrize("count", [2, 25])
def test_the_bulk_replacement_date_costs_the_same_queries(
    db, municipality_a, django_assert_num_queries, count
):
    laptop = factories.make_product()
    for _ in range(count):
        asset = factories.make_asset(laptop)
        assign_asset(asset=asset, municipality=municipality_a, valid_from=D(2026, 1, 1))
    ContentType.objects.get_for_model(Asset)
    rebuild()  # the fleet figures and the holdings are counted, as in a running server
    holdings.rebuild()
    with django_assert_num_queries(BULK_REPLACEMENT_QUERIES):
        set_planned_replacement(assets=_of_a(municipality_a), on=D(2027, 1, 1))


# The bulk writer allocates the events' ids: two queries on SQLite, one on PostgreSQL.
# Each also counts the municipality's fleet figures again (the stamp, the rules, a delete,
# an insert and the stamp's new version) and its holdings (the stamp, a delete, an insert
# of devices and one of subscriptions, the stamp's new version).
BULK_STEP_QUERIES = 24 if connection.vendor == "sqlite" else 23
BULK_REPLACEMENT_QUERIES = 15


# --- the pages -------------------------------------------------------------------------


def test_the_list_offers_the_bulk_form_to_operators_only(client, operator, contact_a, fleet):
    client.force_login(operator)
    page = client.get(reverse("inventory:asset_list")).content.decode()
    assert 'data-testid="bulk-form"' in page and 'name="pk"' in page
    client.force_login(contact_a)
    page = client.get(reverse("inventory:asset_list")).content.decode()
    assert 'data-testid="bulk-form"' not in page and 'name="pk"' not in page


def test_all_matching_the_filter_confirmed_with_the_count(client, operator, fleet, municipality_a):
    client.force_login(operator)
    url = reverse("inventory:asset_bulk")
    query = f"municipality={municipality_a.pk}&page=2&sort=asset_tag"
    step = {"action": "planned_replacement", "query": query, "all": "on"}
    page = client.post(url, step)
    assert page.status_code == 200
    assert "This changes 3 assets." in page.content.decode()
    assert not Asset.objects.filter(planned_replacement__isnull=False).exists()
    response = client.post(
        url, {**step, "confirm": "True", "count": "3", "planned_replacement": "2027-06-01"}
    )
    assert response.status_code == 302
    assert response.url.endswith("?" + query)
    assert Asset.objects.filter(planned_replacement=D(2027, 6, 1)).count() == 3


def test_ticked_assets_stay_within_the_filter(client, operator, fleet, municipality_a):
    client.force_login(operator)
    ticked = [fleet["a"][0].pk, fleet["b"].pk]  # B's is not in the filtered list
    step = {
        "action": "planned_replacement",
        "query": f"municipality={municipality_a.pk}",
        "pk": ticked,
    }
    page = client.post(reverse("inventory:asset_bulk"), step).content.decode()
    assert "This changes 1 asset." in page
    client.post(
        reverse("inventory:asset_bulk"),
        {**step, "confirm": "True", "count": "1", "planned_replacement": "2027-06-01"},
    )
    assert list(
        Asset.objects.filter(planned_replacement__isnull=False).values_list("pk", flat=True)
    ) == [fleet["a"][0].pk]


def test_a_changed_selection_is_confirmed_again(client, operator, fleet, municipality_a):
    client.force_login(operator)
    step = {
        "action": "planned_replacement",
        "query": f"municipality={municipality_a.pk}",
        "all": "on",
    }
    response = client.post(
        reverse("inventory:asset_bulk"),
        {**step, "confirm": "True", "count": "2", "planned_replacement": "2027-06-01"},
    )
    assert response.status_code == 400
    assert "now holds 3 assets" in response.content.decode()
    assert not Asset.objects.filter(planned_replacement__isnull=False).exists()


def test_bad_input_on_the_bulk_page_names_the_field(client, operator, fleet, municipality_a):
    client.force_login(operator)
    step = {
        "action": "lifecycle",
        "query": f"municipality={municipality_a.pk}",
        "all": "on",
        "confirm": "True",
        "count": "3",
    }
    response = client.post(
        reverse("inventory:asset_bulk"),
        {**step, "kind": "back_from_repair", "on": "2026-06-01", "reason": ""},
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"kind", "reason"}
    response = client.post(
        reverse("inventory:asset_bulk"),
        {"action": "service_area", **{k: v for k, v in step.items() if k != "action"}},
    )
    assert response.status_code == 400
    assert "service_area" in response.context["form"].errors
    assert not AssetEvent.objects.exists()


def test_the_bulk_lifecycle_step_through_the_page(client, operator, fleet, municipality_a):
    client.force_login(operator)
    response = client.post(
        reverse("inventory:asset_bulk"),
        {
            "action": "lifecycle",
            "query": f"municipality={municipality_a.pk}",
            "all": "on",
            "confirm": "True",
            "count": "3",
            "kind": "sent_to_repair",
            "on": "2026-05-04",
            "reason": "Battery recall",
        },
    )
    assert response.status_code == 302
    assert AssetEvent.objects.filter(kind="sent_to_repair", reason="Battery recall").count() == 3
    assert _of_a(municipality_a).filter(status=AssetStatus.IN_REPAIR).count() == 3


def test_nothing_ticked_goes_back_to_the_list(client, operator, fleet):
    client.force_login(operator)
    response = client.post(
        reverse("inventory:asset_bulk"), {"action": "lifecycle", "query": "status=deployed"}
    )
    assert response.status_code == 302
    assert response.url.endswith("?status=deployed")


def test_only_operators_act_in_bulk(client, contact_a, manager_a, fleet):
    for user in (contact_a, manager_a):
        client.force_login(user)
        response = client.post(
            reverse("inventory:asset_bulk"),
            {"action": "planned_replacement", "query": "", "all": "on"},
        )
        assert response.status_code == 403


def test_a_filter_naming_another_municipality_selects_nothing_of_it(
    client, operator, fleet, municipality_b
):
    # The selection is the list's rows for this user, filters and all: an operator's
    # filter on B selects B's device only.
    client.force_login(operator)
    page = client.post(
        reverse("inventory:asset_bulk"),
        {
            "action": "planned_replacement",
            "query": f"municipality={municipality_b.pk}",
            "all": "on",
        },
    ).content.decode()
    assert "This changes 1 asset." in page
