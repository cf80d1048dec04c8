"""Authentication, pagination, filtering, ordering and the error format of the API."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from samdrift.core.models import ObjectChange, User

pytestmark = pytest.mark.django_db


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- Authentication ---------------------------------------------------------------------


def test_without_credentials_the_api_asks_for_a_token(world):
    response = APIClient().get("/api/assets/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_wrong_or_inactive_token_is_refused(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert client.get("/api/assets/").status_code == 401
    User.objects.filter(pk=world.users["contact_a"].pk).update(is_active=False)
    assert world.client("contact_a").get("/api/assets/").status_code == 401


def test_session_auth_reads_and_needs_csrf_to_write(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.users["operator"])
    assert client.get("/api/me/").json()["username"] == "operator"
    area = world.objects["servicearea"]["own"]
    refused = client.patch(f"/api/service-areas/{area.pk}/", {"active": False})
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    client.get("/login/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    allowed = client.patch(
        f"/api/service-areas/{area.pk}/", {"active": False}, HTTP_X_CSRFTOKEN=token
    )
    assert allowed.status_code == 200
    assert allowed.json()["active"] is False


def test_token_auth_needs_no_csrf(world):
    area = world.objects["servicearea"]["own"]
    client = world.client("operator")
    client.handler.enforce_csrf_checks = True
    try:
        response = client.patch(f"/api/service-areas/{area.pk}/", {"active": False})
    finally:
        client.handler.enforce_csrf_checks = False
    assert response.status_code == 200


def test_me_says_who_you_are(world):
    me = world.client("manager_a").get("/api/me/").json()
    assert me == {
        "username": "manager-a",
        "full_name": "",
        "role": "service_area",
        "is_operator": False,
        "municipality": world.municipality_a.pk,
        "service_area": world.objects["servicearea"]["own"].pk,
    }


# --- Pagination and ordering -------------------------------------------------------------


def test_lists_are_paginated(world):
    client = world.client("operator")
    first = client.get("/api/changes/", {"page_size": 5}).json()
    assert set(first) == {"count", "count_is_estimate", "next", "previous", "results"}
    assert len(first["results"]) == 5
    assert first["count"] == ObjectChange.objects.count()
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    assert {r["id"] for r in first["results"]}.isdisjoint({r["id"] for r in second["results"]})
    assert client.get("/api/changes/", {"page": 999}).status_code == 404


def test_pages_of_tied_rows_neither_repeat_nor_skip(world):
    """Ordering by status (many ties) still pages through every asset exactly once."""
    client = world.client("operator")
    seen = []
    url = "/api/assets/?ordering=status&page_size=1"
    while url:
        page = client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(obj.pk for obj in world.targets("asset").values())
    assert len(seen) == len(set(seen))


def test_ordering(world):
    client = world.client("operator")
    tags = [r["asset_tag"] for r in rows(client.get("/api/assets/", {"ordering": "-asset_tag"}))]
    assert tags == sorted(tags, reverse=True)


# --- Filtering ---------------------------------------------------------------------------


def test_filter_by_municipality_service_area_and_status(world):
    client = world.client("operator")
    a, b = world.municipality_a, world.municipality_b
    own_area = world.objects["servicearea"]["own"]
    by_municipality = rows(client.get("/api/assets/", {"municipality": b.pk}))
    assert [r["asset_tag"] for r in by_municipality] == ["B-0001"]
    by_area = rows(client.get("/api/assets/", {"service_area": own_area.pk}))
    assert [r["asset_tag"] for r in by_area] == ["A-0001"]
    in_stock = rows(client.get("/api/assets/", {"status": "in_stock"}))
    assert [r["asset_tag"] for r in in_stock] == ["S-0001"]
    both = rows(client.get("/api/assets/?status=in_stock&status=deployed"))
    assert len(both) == 4
    people = rows(client.get("/api/persons/", {"municipality": a.pk, "service_area": own_area.pk}))
    assert [p["username"] for p in people] == ["kari"]


def test_filter_by_dates(world):
    client = world.client("operator")
    asset = world.objects["asset"]["own"]
    client.post(
        f"/api/assets/{asset.pk}/assign/",
        {"municipality": world.municipality_a.pk, "valid_from": "2026-03-10"},
    )
    before_move = rows(
        client.get("/api/assignments/", {"asset": asset.pk, "active_on": "2026-03-09"})
    )
    after_move = rows(
        client.get("/api/assignments/", {"asset": asset.pk, "active_on": "2026-03-10"})
    )
    assert [r["valid_from"] for r in before_move] == ["2025-01-01"]
    assert [r["valid_from"] for r in after_move] == ["2026-03-10"]
    assert len(rows(client.get("/api/assignments/", {"is_open": "true"}))) == 3
    assert rows(client.get("/api/usage-records/", {"month_after": "2026-11-01"})) == []
    assert len(rows(client.get("/api/usage-records/", {"month": "2026-10-01"}))) == 3
    assert len(rows(client.get("/api/persons/", {"active_on": "2022-12-31"}))) == 0
    assert len(rows(client.get("/api/persons/", {"active_on": "2023-01-01"}))) == 3
    prices = rows(client.get("/api/price-versions/", {"in_force_on": "2024-12-31"}))
    assert prices == []
    recent = rows(client.get("/api/assets/", {"updated_after": "2000-01-01T00:00:00Z"}))
    assert len(recent) == 4
    assert rows(client.get("/api/assets/", {"updated_after": "2999-01-01T00:00:00Z"})) == []


def test_text_search(world):
    client = world.client("operator")
    assert [p["username"] for p in rows(client.get("/api/persons/", {"q": "OLA"}))] == ["ola"]
    assert [r["asset_tag"] for r in rows(client.get("/api/assets/", {"q": "b-00"}))] == ["B-0001"]
    # Every word must match somewhere.
    assert rows(client.get("/api/assets/", {"q": "B-0001 laptop"}))[0]["asset_tag"] == "B-0001"
    assert rows(client.get("/api/assets/", {"q": "B-0001 printer"})) == []
    areas = rows(client.get("/api/service-areas/", {"q": "helse"}))
    assert {a["name"] for a in areas} == {"Helse", "Helse og omsorg"}
    # Search never widens what a login may see.
    contact = rows(world.client("contact_a").get("/api/service-areas/", {"q": "helse"}))
    assert {a["name"] for a in contact} == {"Helse"}


def test_a_bad_filter_value_is_a_400_naming_the_filter(world):
    response = world.client("operator").get(
        "/api/assets/", {"status": "lost", "acquired_after": "soon"}
    )
    assert response.status_code == 400
    assert set(response.json()) == {"status", "acquired_after"}


# --- Errors ------------------------------------------------------------------------------


def test_a_missing_field_is_named(world):
    response = world.client("operator").post("/api/locations/", {"name": "Hallen"})
    assert response.status_code == 400
    assert response.json() == {"municipality": ["This field is required."]}


def test_a_write_by_a_read_only_role_is_403_with_a_reason(world):
    response = world.client("auditor").post("/api/locations/", {"name": "Hallen"})
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role may not change this."}


def test_nothing_is_deleted_through_the_api(world):
    asset = world.objects["asset"]["stock"]
    response = world.client("operator").delete(f"/api/assets/{asset.pk}/")
    assert response.status_code == 405


def test_errors_speak_the_users_language(world):
    client = world.client("auditor")
    response = client.post("/api/locations/", {"name": "Hallen"}, HTTP_ACCEPT_LANGUAGE="nb")
    assert response.status_code == 403
    assert response.json() == {"detail": "Rollen din kan ikke endre dette."}


def test_the_browsable_api_offers_a_contact_only_its_own_choices(world):
    """The HTML forms and filter choices are restricted too, not just the rows."""
    client = world.client("contact_a")
    asset = world.objects["asset"]["own"]
    for url in ("/api/assets/", f"/api/assets/{asset.pk}/", "/api/persons/", "/api/changes/"):
        page = client.get(url, HTTP_ACCEPT="text/html")
        assert page.status_code == 200, url
        html = page.content.decode()
        assert "Fjordvik" in html or "A-0001" in html, url
        for foreign in ("Elvdal", "B-0001", "Helse og omsorg", "sjukeheim"):
            assert foreign not in html, (url, foreign)
