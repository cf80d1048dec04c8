"""Two municipalities, A (Fjordvik) and B (Elvdal), an e-mail service, and an incident
and an outage of each; plus one outage of all municipalities."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest

from samdrift.servicedesk.services.incidents import create_incident
from samdrift.servicedesk.services.outages import create_outage
from tests import factories

UTC = datetime.UTC


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """An instant in March 2026, in UTC (Oslo is UTC+1 then)."""
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def email(db):
    return factories.make_service(name="E-mail", code="email")


@pytest.fixture
def desk(municipality_a, municipality_b, email):
    incident_a = create_incident(
        municipality=municipality_a,
        number="INC0001",
        priority=2,
        opened_at=at(2, 7, 15),
        resolved_at=at(2, 11),
        service=email,
        title="Fjordvik mail queue stuck",
        pauses=[["awaiting_user", at(2, 8).isoformat(), at(2, 9).isoformat()]],
    )
    incident_b = create_incident(
        municipality=municipality_b,
        number="INC0002",
        priority=1,
        opened_at=at(3, 9),
        service=email,
        title="Elvdal cannot log in",
    )
    outage_a = create_outage(
        service=email,
        started_at=at(4, 7),
        ended_at=at(4, 8),
        description="Fjordvik line cut",
        all_municipalities=False,
        municipalities=[municipality_a],
    )
    outage_b = create_outage(
        service=email,
        started_at=at(5, 7),
        ended_at=at(5, 8),
        description="Elvdal line cut",
        all_municipalities=False,
        municipalities=[municipality_b],
    )
    outage_all = create_outage(
        service=email,
        started_at=at(6, 20),
        ended_at=at(6, 22),
        description="Mail platform upgrade",
        planned=True,
        announced_at=at(1, 12),
    )
    return SimpleNamespace(
        incident_a=incident_a,
        incident_b=incident_b,
        outage_a=outage_a,
        outage_b=outage_b,
        outage_all=outage_all,
    )
