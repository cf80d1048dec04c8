"""Bad input, everywhere it can come in: each a clear error naming the field, and
nothing saved (the service, the API and the pages; the importer has its own tests)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from samdrift.core.models import ObjectChange
from samdrift.solutions.models import Requirement, SolutionUsage
from samdrift.solutions.services import record_usage, set_requirement
from tests.factories import api_as

D = datetime.date

BAD_REQUIREMENTS = [
    ({"availability_target": "100.01"}, "availability_target"),
    ({"availability_target": "-0.5"}, "availability_target"),
    ({"rpo_hours": "-1"}, "rpo_hours"),
    ({"rto_hours": "-4"}, "rto_hours"),
    ({"special_categories": True, "personal_data": False}, "special_categories"),
]
BAD_USAGES = [
    ({"users": -3}, "users"),
    ({"licence_cost": "-100.00"}, "licence_cost"),
    ({"contract_start": "2026-05-01", "contract_end": "2026-01-01"}, "contract_end"),
    ({"valid_from": "2026-05-01", "valid_to": "2026-01-01"}, "valid_to"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("values", "field"), BAD_REQUIREMENTS)
def test_the_service_refuses_a_bad_requirement_naming_the_field(portfolio, values, field):
    before = Requirement.objects.get(pk=portfolio["requirement_a"].pk).changelog_data()
    typed = {k: Decimal(v) if isinstance(v, str) else v for k, v in values.items()}
    with pytest.raises(ValidationError) as raised:
        set_requirement(
            municipality=portfolio["usage_a"].municipality,
            solution=portfolio["arkivo"],
            **typed,
        )
    assert field in raised.value.message_dict
    assert Requirement.objects.get(pk=portfolio["requirement_a"].pk).changelog_data() == before


@pytest.mark.django_db
def test_a_requirement_for_a_solution_not_in_use_is_refused(portfolio, municipality_a):
    count = Requirement.objects.count()
    with pytest.raises(ValidationError) as raised:
        set_requirement(municipality=municipality_a, solution=portfolio["saksflyt"])
    assert "solution" in raised.value.message_dict
    assert "does not use" in raised.value.message_dict["solution"][0]
    assert Requirement.objects.count() == count


@pytest.mark.django_db
def test_a_second_use_of_the_same_solution_at_the_same_time_is_refused(portfolio):
    with pytest.raises(ValidationError) as raised:
        record_usage(
            municipality=portfolio["usage_a"].municipality,
            solution=portfolio["arkivo"],
            valid_from=D(2026, 1, 1),
        )
    assert "valid_from" in raised.value.message_dict


@pytest.mark.django_db
def test_a_service_area_of_another_municipality_is_refused(
    portfolio, municipality_a, service_area_b
):
    with pytest.raises(ValidationError) as raised:
        record_usage(
            municipality=municipality_a,
            solution=portfolio["saksflyt"],
            valid_from=D(2026, 1, 1),
            service_areas=[service_area_b],
        )
    assert "service_areas" in raised.value.message_dict
    assert not SolutionUsage.objects.filter(
        municipality=municipality_a, solution=portfolio["saksflyt"]
    ).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("values", "field"), BAD_REQUIREMENTS)
def test_the_api_answers_400_naming_the_field(portfolio, operator, values, field):
    requirement = portfolio["requirement_a"]
    changes = ObjectChange.objects.count()
    response = api_as(operator).patch(
        f"/api/solution-requirements/{requirement.pk}/", values, format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert ObjectChange.objects.count() == changes


@pytest.mark.django_db
@pytest.mark.parametrize(("values", "field"), BAD_USAGES)
def test_the_api_refuses_a_bad_usage_naming_the_field(
    portfolio, operator, municipality_a, values, field
):
    body = {
        "municipality": municipality_a.pk,
        "solution": portfolio["saksflyt"].pk,
        "valid_from": "2026-01-01",
        **values,
    }
    count = SolutionUsage.objects.count()
    response = api_as(operator).post("/api/solution-usages/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert SolutionUsage.objects.count() == count


@pytest.mark.django_db
def test_the_api_refuses_a_requirement_for_a_solution_not_in_use(
    portfolio, operator, municipality_a
):
    body = {"municipality": municipality_a.pk, "solution": portfolio["saksflyt"].pk}
    response = api_as(operator).post("/api/solution-requirements/", body, format="json")
    assert response.status_code == 400
    assert "solution" in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize(("values", "field"), BAD_REQUIREMENTS)
def test_the_page_shows_the_error_next_to_the_field(client, portfolio, contact_a, values, field):
    requirement = portfolio["requirement_a"]
    client.force_login(contact_a)
    url = reverse("solutions:requirement_edit", args=[requirement.pk])
    data = {"availability_target": "99.5", "personal_data": "on", **values}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    response = client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    marker = f'data-field="{field}"'
    assert marker in html
    field_html = html.split(marker, 1)[1].split('<div class="field', 1)[0]
    assert "field-errors" in field_html
    requirement.refresh_from_db()
    assert requirement.availability_target is None  # nothing saved


@pytest.mark.django_db
@pytest.mark.parametrize(("values", "field"), BAD_USAGES)
def test_the_usage_page_shows_the_error_next_to_the_field(
    client, portfolio, operator, municipality_a, values, field
):
    client.force_login(operator)
    data = {
        "municipality": municipality_a.pk,
        "solution": portfolio["saksflyt"].pk,
        "valid_from": "2026-01-01",
        **values,
    }
    count = SolutionUsage.objects.count()
    response = client.post(reverse("solutions:usage_create"), data)
    assert response.status_code == 400
    html = response.content.decode()
    field_html = html.split(f'data-field="{field}"', 1)[1].split('<div class="field', 1)[0]
    assert "field-errors" in field_html
    assert SolutionUsage.objects.count() == count
