"""The SLA report pages: content, tenancy, XLSX, approval through the confirmation."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from samdrift.core.choices import Role
from samdrift.servicedesk.models import ServiceCredit, SlaReport
from tests.factories import client_for, make_user
from tests.servicedesk.sla_world import build_june

pytestmark = pytest.mark.django_db
URL = "/service/sla/{pk}/2026-06/"


@pytest.fixture
def june():
    return build_june()


def test_report_page_shows_the_figures(june):
    client = client_for(make_user(Role.OPERATOR))
    response = client.get(URL.format(pk=june["municipality"].pk))
    assert response.status_code == 200
    text = response.content.decode()
    assert "97.674 %" in text  # availability
    assert "I7" in text and "I2" in text  # breaches
    assert 'data-testid="approve"' in text
    assert "<svg" in text


def test_municipality_sees_its_own_only(june):
    own = client_for(make_user(Role.MUNICIPALITY, municipality=june["municipality"]))
    other = client_for(make_user(Role.MUNICIPALITY, municipality=june["other"]))
    url = URL.format(pk=june["municipality"].pk)
    assert own.get(url).status_code == 200
    assert 'data-testid="approve"' not in own.get(url).content.decode()
    assert other.get(url).status_code == 404
    assert other.get(url + "?export=xlsx").status_code == 404
    overview = other.get("/service/sla/?month=2026-06").content.decode()
    assert "Bakkeby" in overview and "Fjordvik" not in overview


def test_xlsx_has_the_sheets(june):
    client = client_for(make_user(Role.OPERATOR))
    response = client.get(URL.format(pk=june["municipality"].pk) + "?export=xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Summary", "Incidents per priority", "Breaches", "Trend"]
    summary = list(workbook["Summary"].iter_rows(values_only=True))
    assert summary[1][2] == "E-post" and float(summary[1][6]) == pytest.approx(97.674)
    assert len(list(workbook["Breaches"].iter_rows())) == 1 + 4


def test_approve_through_the_confirmation(june):
    operator = make_user(Role.OPERATOR)
    client = client_for(operator)
    pk = june["municipality"].pk
    page = client.get(f"/service/sla/{pk}/2026-06/approve/confirm/")
    assert page.status_code == 200
    token = page.context["token"]
    response = client.post(f"/service/sla/{pk}/2026-06/approve/", {"confirmation": token})
    assert response.status_code == 302
    assert SlaReport.objects.filter(municipality_id=pk).count() == 1
    assert ServiceCredit.objects.filter(municipality_id=pk).count() == 1
    # the same confirmation again: done once
    client.post(f"/service/sla/{pk}/2026-06/approve/", {"confirmation": token})
    assert ServiceCredit.objects.filter(municipality_id=pk).count() == 1
    assert "Approved" in client.get(URL.format(pk=pk)).content.decode()


def test_finance_may_not_approve(june):
    client = client_for(make_user(Role.FINANCE))
    pk = june["municipality"].pk
    assert client.get(f"/service/sla/{pk}/2026-06/approve/confirm/").status_code == 403
    assert client.post(f"/service/sla/{pk}/2026-06/approve/", {}).status_code == 403
    assert not SlaReport.objects.exists()


def test_credit_list_is_restricted(june):
    from samdrift.core.actor import acting_as
    from samdrift.servicedesk.services.reports import approve_month
    from tests.servicedesk.sla_world import JUNE, at

    operator = make_user(Role.OPERATOR)
    with acting_as(operator, label="web"):
        approve_month(municipality=june["municipality"], month=JUNE, now=at(6, 12, month=8))
    own = client_for(make_user(Role.MUNICIPALITY, municipality=june["municipality"]))
    other = client_for(make_user(Role.MUNICIPALITY, municipality=june["other"]))
    assert "E-post" in own.get("/service/sla/credits/").content.decode()
    assert "E-post" not in other.get("/service/sla/credits/").content.decode()
    assert other.get(f"/service/sla/{june['municipality'].pk}/").status_code == 404


def test_municipality_page_links_its_reports(june):
    own = client_for(make_user(Role.MUNICIPALITY, municipality=june["municipality"]))
    page = own.get(reverse("organisations:municipality_detail", args=[june["municipality"].pk]))
    assert 'data-testid="sla-reports"' in page.content.decode()
    other = client_for(make_user(Role.MUNICIPALITY, municipality=june["other"]))
    assert other.get(f"/service/sla/{june['municipality'].pk}/").status_code == 404
