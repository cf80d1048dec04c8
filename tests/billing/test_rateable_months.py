"""The month to rate is chosen from the months that can be rated now (no free text with
a stale placeholder): before any billing the last twelve months and this one; then the
latest month while it is open, else the month after it."""

import datetime

import pytest
from django.urls import reverse

from samdrift.billing.choices import PeriodStatus
from samdrift.billing.models import BillingPeriod
from samdrift.billing.services.periods import rateable_months
from tests import factories

D = datetime.date
pytestmark = pytest.mark.django_db


def test_before_any_billing_this_month_and_the_twelve_before():
    months = rateable_months(today=D(2026, 12, 6))
    assert months[0] == D(2026, 12, 1)
    assert months[-1] == D(2025, 12, 1)
    assert len(months) == 13


def test_an_open_latest_month_is_the_only_choice_and_after_a_closed_one_the_next():
    BillingPeriod.objects.create(month=D(2026, 10, 1), status=PeriodStatus.CLOSED)
    latest = BillingPeriod.objects.create(month=D(2026, 11, 1), status=PeriodStatus.OPEN)
    assert rateable_months(today=D(2026, 12, 6)) == [D(2026, 11, 1)]
    latest.status = PeriodStatus.CLOSED
    latest.save()
    assert rateable_months(today=D(2026, 12, 6)) == [D(2026, 12, 1)]


def test_the_page_offers_the_months_by_name_in_bokmaal():
    BillingPeriod.objects.create(month=D(2026, 11, 1), status=PeriodStatus.CLOSED)
    client = factories.client_for(factories.make_user("operator"))
    client.cookies["django_language"] = "nb"
    html = client.get(reverse("billing:period_list")).content.decode()
    assert '<option value="2026-12">desember 2026</option>' in html
    assert 'placeholder="2026-11"' not in html
