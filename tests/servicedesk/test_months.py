"""A month asked for by URL, query or API body: only a real yyyy-mm whose report stays
inside the supported calendar — a 404 or a 400 naming the field, never a server error."""

import datetime

import pytest

from samdrift.servicedesk import sla_months
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text", ["2026-13", "abc", "0001-01", "1900-06", "9999-12", "2999-12"])
def test_what_is_not_a_reportable_month_is_refused(text):
    with pytest.raises(ValueError):
        sla_months.month_of(text)


def test_the_edges_of_the_calendar_are_reportable():
    assert sla_months.month_of("1901-01") == datetime.date(1901, 1, 1)
    assert sla_months.month_of("2999-11") == datetime.date(2999, 11, 1)


@pytest.mark.parametrize("text", ["0001-01", "9999-12", "2026-13"])
def test_pages_and_api_answer_a_bad_month_clearly(operator, text):
    municipality = factories.make_municipality()
    client = factories.client_for(operator)
    assert client.get(f"/service/sla/{municipality.pk}/{text}/").status_code == 404
    assert client.get(f"/service/sla/?month={text}").status_code == 404
    answer = factories.api_as(operator).get(f"/api/sla-reports/live/?month={text}")
    assert answer.status_code == 400 and "month" in answer.json()
