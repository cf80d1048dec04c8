"""Issue #9 item 11: an assignment entered wrongly can be corrected (voided, or its dates
changed) with a reason kept in the change log; operators only, in the UI and the API."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse

from samdrift.core.actor import acting_as
from samdrift.core.choices import ChangeAction
from samdrift.core.models import ObjectChange
from samdrift.inventory.choices import AssetStatus
from samdrift.inventory.models import Assignment
from samdrift.inventory.services import (
    assign_asset,
    change_asset_status,
    correct_assignment,
    plan_correction,
)
from tests import factories
from tests.factories import api_as

D = datetime.date


@pytest.fixture
def moved(db, municipality_a, municipality_b, service_area_a, service_area_b):
    """Held by Fjordvik from January 2026, moved (wrongly dated) to Elvdal on 1 March."""
    asset = factories.make_asset()
    first = assign_asset(
        asset=asset,
        municipality=municipality_a,
        service_area=service_area_a,
        valid_from=D(2026, 1, 1),
    )
    second = assign_asset(
        asset=asset,
        municipality=municipality_b,
        service_area=service_area_b,
        valid_from=D(2026, 3, 1),
    )
    return asset, first, second


def periods(asset):
    return [
        (a.municipality_id, a.valid_from, a.valid_to)
        for a in Assignment.objects.filter(asset=asset).order_by("valid_from")
    ]


def test_correcting_a_move_date_moves_the_end_of_the_assignment_before(
    moved, municipality_a, municipality_b, operator
):
    asset, first, second = moved
    with acting_as(operator, label="web"):
        correct_assignment(
            assignment=second, valid_from=D(2026, 3, 20), reason="Delivered 20 March"
        )
    assert periods(asset) == [
        (municipality_a.pk, D(2026, 1, 1), D(2026, 3, 20)),
        (municipality_b.pk, D(2026, 3, 20), None),
    ]
    # The change log keeps both rows' before and after, with the reason and who did it.
    log = ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(Assignment),
        action=ChangeAction.UPDATE,
        message="Delivered 20 March",
    )
    assert {(c.object_id, c.actor) for c in log} == {
        (first.pk, "operator"),
        (second.pk, "operator"),
    }
    second_log = log.get(object_id=second.pk)
    assert second_log.changed_fields() == {"valid_from": ("2026-03-01", "2026-03-20")}


def test_voiding_a_wrong_move_lets_the_assignment_before_run_on(
    moved, municipality_a, service_area_a
):
    asset, _first, second = moved
    correct_assignment(assignment=second, void=True, reason="Never delivered to Elvdal")
    assert periods(asset) == [(municipality_a.pk, D(2026, 1, 1), None)]
    asset.refresh_from_db()
    assert (asset.municipality, asset.service_area) == (municipality_a, service_area_a)
    deleted = ObjectChange.objects.get(
        content_type=ContentType.objects.get_for_model(Assignment),
        action=ChangeAction.DELETE,
        object_id=second.pk,
    )
    assert deleted.message == "Never delivered to Elvdal"
    assert deleted.prechange_data["valid_from"] == "2026-03-01"


def test_changing_the_end_moves_the_start_of_the_assignment_after(moved, municipality_a):
    asset, first, _second = moved
    correct_assignment(
        assignment=first, valid_from=D(2026, 1, 1), valid_to=D(2026, 2, 15), reason="Moved earlier"
    )
    assert [p[1:] for p in periods(asset)] == [
        (D(2026, 1, 1), D(2026, 2, 15)),
        (D(2026, 2, 15), None),
    ]


def test_a_correction_that_would_swallow_a_neighbour_or_overlap_is_refused(moved, municipality_a):
    asset, _first, second = moved
    third = assign_asset(asset=asset, municipality=municipality_a, valid_from=D(2026, 6, 1))
    with pytest.raises(ValidationError) as error:
        correct_assignment(assignment=second, valid_from=D(2025, 12, 1), reason="x")
    assert "void that one first" in error.value.message_dict["valid_from"][0]
    with pytest.raises(ValidationError) as error:
        correct_assignment(assignment=second, valid_from=D(2026, 3, 1), valid_to=None, reason="x")
    assert "void that one first" in error.value.message_dict["valid_to"][0]
    assert third.valid_from == D(2026, 6, 1)


def test_a_correction_across_a_gap_into_another_assignment_names_it(db, municipality_a):
    asset = factories.make_asset()
    first = assign_asset(
        asset=asset, municipality=municipality_a, valid_from=D(2026, 1, 1), valid_to=D(2026, 2, 1)
    )
    assign_asset(asset=asset, municipality=municipality_a, valid_from=D(2026, 3, 1))
    with pytest.raises(ValidationError) as error:
        correct_assignment(assignment=first, valid_to=D(2026, 3, 15), reason="x")
    assert error.value.message_dict["valid_to"] == ["Overlaps the assignment from 2026-03-01 to …."]
    assert periods(asset)[0][1:] == (D(2026, 1, 1), D(2026, 2, 1))  # nothing written
    # Into the gap is fine: nobody else held it then.
    correct_assignment(assignment=first, valid_to=D(2026, 2, 20), reason="returned later")
    assert periods(asset)[0][1:] == (D(2026, 1, 1), D(2026, 2, 20))


def test_a_correction_needs_a_reason_and_other_dates(moved):
    _asset, _first, second = moved
    with pytest.raises(ValidationError) as error:
        plan_correction(assignment=second, valid_from=D(2026, 3, 1), reason="  ")
    assert set(error.value.message_dict) == {"reason", "valid_from"}
    with pytest.raises(ValidationError) as error:
        plan_correction(
            assignment=second, valid_from=D(2026, 4, 1), valid_to=D(2026, 4, 1), reason="r"
        )
    assert "must end after it starts" in error.value.message_dict["valid_to"][0]


def test_a_disposed_assets_assignment_cannot_be_reopened(moved):
    asset, _first, second = moved
    change_asset_status(asset=asset, status=AssetStatus.RETIRED, on=D(2026, 5, 1))
    second.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        correct_assignment(assignment=second, valid_to=None, reason="r")
    assert "must end" in error.value.message_dict["valid_to"][0]


def test_correcting_a_future_move_into_the_past_moves_the_holder_now(
    db, municipality_a, municipality_b
):
    from django.utils import timezone

    today = timezone.localdate()
    asset = factories.make_asset()
    assign_asset(
        asset=asset, municipality=municipality_a, valid_from=today - datetime.timedelta(days=90)
    )
    planned = assign_asset(
        asset=asset, municipality=municipality_b, valid_from=today + datetime.timedelta(days=30)
    )
    asset.refresh_from_db()
    assert asset.municipality == municipality_a
    correct_assignment(
        assignment=planned, valid_from=today - datetime.timedelta(days=5), reason="r"
    )
    asset.refresh_from_db()
    assert asset.municipality == municipality_b


# --- API -----------------------------------------------------------------------------------


def test_the_api_corrects_for_operators_only(moved, operator, contact_a, municipality_a):
    asset, first, second = moved
    url = f"/api/assignments/{second.pk}/correct/"
    body = {"valid_from": "2026-03-20", "reason": "Delivered 20 March"}
    assert api_as(contact_a).post(url, body, format="json").status_code in (403, 404)
    response = api_as(operator).post(url, body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["changes"] == [
        {
            "assignment": first.pk,
            "before_valid_from": "2026-01-01",
            "before_valid_to": "2026-03-01",
            "voided": False,
            "after_valid_from": "2026-01-01",
            "after_valid_to": "2026-03-20",
        },
        {
            "assignment": second.pk,
            "before_valid_from": "2026-03-01",
            "before_valid_to": None,
            "voided": False,
            "after_valid_from": "2026-03-20",
            "after_valid_to": None,
        },
    ]
    voided = api_as(operator).post(url, {"void": True, "reason": "never"}, format="json")
    assert voided.status_code == 200
    assert voided.json()["changes"][-1]["assignment"] == second.pk
    assert voided.json()["changes"][-1]["voided"] is True
    assert periods(asset) == [(municipality_a.pk, D(2026, 1, 1), None)]


def test_the_api_names_the_field_of_a_bad_correction(moved, operator):
    _asset, _first, second = moved
    url = f"/api/assignments/{second.pk}/correct/"
    response = api_as(operator).post(url, {"valid_from": "2025-06-01"}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    response = api_as(operator).post(
        url, {"valid_from": "2025-06-01", "reason": "typo"}, format="json"
    )
    assert response.status_code == 400
    assert "valid_from" in response.json()


# --- pages ---------------------------------------------------------------------------------


def test_the_asset_page_offers_corrections_to_operators_only(client, moved, operator, contact_b):
    asset, _first, second = moved
    url = reverse("inventory:asset_detail", args=[asset.pk])
    client.force_login(operator)
    assert f'data-testid="correct-{second.pk}"' in client.get(url).content.decode()
    client.force_login(contact_b)
    page = client.get(url).content.decode()
    assert "correct-" not in page
    correct_url = reverse("inventory:assignment_correct", args=[asset.pk, second.pk])
    assert client.post(correct_url, {"void": "on", "reason": "x"}).status_code == 403


def test_a_correction_is_shown_then_written_when_confirmed(client, moved, operator, municipality_a):
    asset, _first, second = moved
    client.force_login(operator)
    url = reverse("inventory:assignment_correct", args=[asset.pk, second.pk])
    preview = client.post(url, {"void": "on", "reason": "Registered on the wrong asset"})
    assert preview.status_code == 200
    page = preview.content.decode()
    assert 'data-testid="correction-plan"' in page and "voided" in page
    assert len(periods(asset)) == 2  # nothing written yet
    done = client.post(
        url, {"void": "on", "reason": "Registered on the wrong asset", "confirm": "True"}
    )
    assert done.status_code == 302
    assert periods(asset) == [(municipality_a.pk, D(2026, 1, 1), None)]
    detail = client.get(reverse("inventory:asset_detail", args=[asset.pk])).content.decode()
    assert "Registered on the wrong asset" in detail  # the reason, in the asset's change log


def test_a_bad_correction_is_explained_on_the_form(client, moved, operator):
    asset, _first, second = moved
    client.force_login(operator)
    url = reverse("inventory:assignment_correct", args=[asset.pk, second.pk])
    response = client.post(url, {"valid_from": "2025-01-01", "reason": "typo"})
    assert response.status_code == 400
    assert "void that one first" in response.content.decode()
    response = client.post(url, {"valid_from": "", "reason": ""})
    assert response.status_code == 400


def test_correcting_an_assignment_voided_meanwhile_says_so(moved):
    _asset, _first, second = moved
    stale_copy = Assignment.objects.get(pk=second.pk)
    correct_assignment(assignment=second, void=True, reason="wrong")
    with pytest.raises(ValidationError) as error:
        correct_assignment(assignment=stale_copy, void=True, reason="wrong again")
    assert error.value.message_dict == {"assignment": ["This assignment no longer exists."]}
