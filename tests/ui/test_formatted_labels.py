"""Dates and counts in labels and messages read as the rest of the page: ``31.12.2026``
and ``33 936`` in Bokmål, ``2026-12-31`` and ``33,936`` in English (ui.formatting) —
never an ISO date in a Norwegian sentence."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from samdrift.agreements.models import ServiceAgreement
from samdrift.agreements.service_levels import CalendarDay, ServiceCalendar
from samdrift.inventory import views_lifecycle
from samdrift.inventory.models import Assignment
from samdrift.inventory.services import record_asset_event

D = datetime.date
pytestmark = pytest.mark.django_db


def in_language(language, value) -> str:
    with translation.override(language):
        return str(value)


def test_an_assignment_is_labelled_with_its_dates(world):
    assignment = Assignment.objects.filter(asset=world.assets_a[0]).get()
    assert assignment.valid_from == D(2024, 6, 1)
    assert in_language("nb", assignment).endswith("(01.06.2024–…)")
    assert in_language("en", assignment).endswith("(2024-06-01–…)")


def test_an_asset_event_and_a_calendar_day(world):
    event = record_asset_event(
        asset=world.assets_a[0], kind="sent_to_repair", on=D(2026, 3, 9), reason="Screen"
    )
    assert in_language("nb", event).endswith(" 09.03.2026")
    calendar = ServiceCalendar.objects.create(name="Kontor")
    day = CalendarDay.objects.create(
        calendar=calendar,
        date=D(2026, 12, 24),
        opens=datetime.time(8),
        closes=datetime.time(12),
        note="Julaften",
    )
    assert in_language("nb", day) == "24.12.2026: 08:00–12:00"
    assert in_language("en", day) == "2026-12-24: 08:00–12:00"


def test_a_validation_message_names_the_date_as_the_language_writes_it(world):
    agreement = ServiceAgreement(
        municipality=world.municipality_a,
        name="Avtale",
        valid_from=D(2026, 3, 1),
        valid_to=D(2026, 2, 1),
    )
    with translation.override("nb"), pytest.raises(ValidationError) as raised:
        agreement.clean()
    message = raised.value.message_dict["valid_to"][0]
    assert "01.03.2026" in message and "2026-03-01" not in message


def test_a_count_in_a_message_is_grouped(world, operator_client, monkeypatch):
    # As many assets as a large municipality holds: only the count matters here.
    monkeypatch.setattr(views_lifecycle, "_apply", lambda action, assets, data: 33936)
    count = Assignment.objects.filter(municipality=world.municipality_a).count()
    response = operator_client.post(
        reverse("inventory:asset_bulk"),
        {
            "action": "lifecycle",
            "query": f"municipality={world.municipality_a.pk}",
            "all": "on",
            "confirm": "True",
            "count": str(count),
            "kind": "sent_to_repair",
            "on": "2026-05-04",
            "reason": "Recall",
        },
        HTTP_ACCEPT_LANGUAGE="nb",
    )
    assert response.status_code == 302
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "33 936" in message and "33936" not in message


def test_a_gains_measurement_is_labelled_with_its_day():
    from samdrift.gains.models import Action, Gain, Measurement
    from samdrift.organisations.models import Municipality

    gain = Gain(action=Action(title="Felles skrivere"), effect="Færre skrivere")
    measurement = Measurement(
        gain=gain, municipality=Municipality(name="Fjordvik"), measured_on=D(2026, 3, 31)
    )
    assert in_language("nb", measurement) == "Felles skrivere: Færre skrivere — Fjordvik 31.03.2026"
    assert in_language("en", measurement) == "Felles skrivere: Færre skrivere — Fjordvik 2026-03-31"
