"""The SLA report API: live figures per municipality (tenancy), approving, credits."""

from __future__ import annotations

import pytest

from samdrift.core.choices import Role
from samdrift.servicedesk.models import ServiceCredit, SlaReport
from tests.factories import api_as, make_user
from tests.servicedesk.sla_world import build_june

pytestmark = pytest.mark.django_db


@pytest.fixture
def june():
    return build_june()


def test_live_report_per_municipality(june):
    m = june["municipality"]
    body = (
        api_as(make_user(Role.OPERATOR))
        .get("/api/sla-reports/live/", {"month": "2026-06", "municipality": m.pk})
        .json()
    )
    (report,) = body["results"]
    assert report["services"][0]["availability"] == "97.674"
    assert [b["number"] for b in report["breaches"]] == ["I2", "I2", "I5", "I7"]


def test_live_report_tenancy(june):
    other = api_as(make_user(Role.MUNICIPALITY, municipality=june["other"]))
    hidden = other.get(
        "/api/sla-reports/live/", {"month": "2026-06", "municipality": june["municipality"].pk}
    )
    assert hidden.status_code == 404
    body = other.get("/api/sla-reports/live/", {"month": "2026-06"}).json()
    assert [r["municipality"] for r in body["results"]] == [june["other"].pk]


def test_approve_and_read_back(june):
    operator = api_as(make_user(Role.OPERATOR))
    m = june["municipality"]
    response = operator.post(
        "/api/sla-reports/approve/", {"municipality": m.pk, "month": "2026-06"}, format="json"
    )
    assert response.status_code == 200, response.content
    report = SlaReport.objects.get(municipality=m)
    detail = operator.get(f"/api/sla-reports/{report.pk}/").json()
    assert detail["figures"]["services"][0]["credit_percent"] == "10.00"
    assert detail["differences"] == []
    credits = operator.get("/api/service-credits/").json()["results"]
    assert [(c["municipality"], c["percent"]) for c in credits] == [(m.pk, "10.00")]
    assert ServiceCredit.objects.count() == 1


def test_approve_refuses_bad_month_and_non_operators(june):
    m = june["municipality"]
    operator = api_as(make_user(Role.OPERATOR))
    bad = operator.post(
        "/api/sla-reports/approve/", {"municipality": m.pk, "month": "juni"}, format="json"
    )
    assert bad.status_code == 400 and "month" in bad.json()
    future = operator.post(
        "/api/sla-reports/approve/", {"municipality": m.pk, "month": "2999-01"}, format="json"
    )
    assert future.status_code == 400 and "month" in future.json()
    finance = api_as(make_user(Role.FINANCE))
    assert (
        finance.post(
            "/api/sla-reports/approve/", {"municipality": m.pk, "month": "2026-06"}, format="json"
        ).status_code
        == 403
    )
    assert not SlaReport.objects.exists()
