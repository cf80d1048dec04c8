"""A municipality's users see their own portfolio only: every page, list, filter, export
and API endpoint (the API is walked by tests/core/test_api_matrix.py as every role).
A service-area manager's part of it: test_service_area_tenancy.py."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import api_as

LISTS = ["solutions:usage_list", "solutions:requirement_list"]


@pytest.mark.django_db
def test_another_municipalitys_pages_are_404(client, portfolio, contact_a, municipality_b):
    client.force_login(contact_a)
    for url in (
        reverse("solutions:portfolio", args=[municipality_b.pk]),
        reverse("solutions:requirement_edit", args=[portfolio["requirement_b"].pk]),
        reverse("solutions:gaps") + f"?municipality={municipality_b.pk}",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(
        reverse("solutions:requirement_edit", args=[portfolio["requirement_b"].pk]),
        {"availability_target": "99.9"},
    )
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", LISTS)
def test_lists_filters_and_exports_hold_only_own_rows(
    client, portfolio, contact_a, municipality_a, municipality_b, url_name
):
    client.force_login(contact_a)
    url = reverse(url_name)
    html = client.get(url).content.decode()
    # The solutions themselves are shared (the filter offers them all); the rows are not.
    rows = html.split('id="results"', 1)[1]
    assert "Saksflyt" not in rows and municipality_b.name not in html
    assert "Arkivo" in rows
    assert client.get(url, {"municipality": municipality_b.pk}).status_code == 404
    for fmt in ("csv", "xlsx"):
        response = client.get(url, {"export": fmt})
        assert response.status_code == 200
        body = b"".join(response.streaming_content)  # lists stream every format
        if fmt == "csv":
            text = body.decode()
        else:
            book = load_workbook(io.BytesIO(body))
            text = repr([list(r) for r in book.active.iter_rows(values_only=True)])
        assert municipality_b.name not in text and "Saksflyt" not in text
        assert municipality_a.name in text


@pytest.mark.django_db
def test_the_gap_view_and_report_hold_only_own_rows(client, portfolio, contact_a, municipality_b):
    client.force_login(contact_a)
    for name in ("solutions:gaps", "solutions:standardisation"):
        html = client.get(reverse(name)).content.decode()
        assert municipality_b.name not in html and "Saksflyt" not in html
    response = client.get(reverse("solutions:standardisation"), {"export": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    text = repr([[list(r) for r in sheet.iter_rows(values_only=True)] for sheet in book])
    assert municipality_b.name not in text and "Saksflyt" not in text


@pytest.mark.django_db
def test_the_solution_page_shows_only_own_use(client, portfolio, contact_b, municipality_a):
    client.force_login(contact_b)
    html = client.get(reverse("solutions:solution_detail", args=[portfolio["lonn"].pk])).content
    assert municipality_a.name.encode() not in html


@pytest.mark.django_db
def test_the_contact_edits_own_requirements_and_nothing_else(
    client, portfolio, contact_a, municipality_a
):
    client.force_login(contact_a)
    requirement = portfolio["requirement_a"]
    response = client.post(
        reverse("solutions:requirement_edit", args=[requirement.pk]),
        {
            "availability_target": "99.8",
            "service_hours": "always",
            "risk_assessed_on": "2026-05-01",
        },
    )
    assert response.status_code == 302
    requirement.refresh_from_db()
    assert str(requirement.availability_target) == "99.80"
    assert client.get(reverse("solutions:usage_create")).status_code == 403
    assert client.get(reverse("solutions:solution_create")).status_code == 403
    api = api_as(contact_a)
    assert (
        api.patch(f"/api/solution-usages/{portfolio['usage_a'].pk}/", {"users": 1}).status_code
        == 403
    )
    assert (
        api.patch(f"/api/solution-requirements/{requirement.pk}/", {"notes": "ok"}).status_code
        == 200
    )
    foreign = portfolio["requirement_b"].pk
    assert api.patch(f"/api/solution-requirements/{foreign}/", {"notes": "x"}).status_code == 404


@pytest.mark.django_db
def test_the_gap_api_shows_only_own_gaps(portfolio, contact_a, municipality_a, municipality_b):
    api = api_as(contact_a)
    rows = api.get("/api/solution-gaps/").json()["results"]
    assert rows and {r["municipality"] for r in rows} == {municipality_a.pk}
    assert api.get("/api/solution-gaps/", {"municipality": municipality_b.pk}).status_code == 404
