"""Permission-matrix entries of the service desk's endpoints: incidents, outages, SLA
reports and service credits (see tests/core/matrix.py).

Incidents are a municipality's (no service area: a service-area manager sees all of
its municipality's). Outages concern all municipalities (``shared``: every login sees
it) or the ones named: A's only (``own``), B's only (``foreign``).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from samdrift.servicedesk.models import ServiceCredit, SlaReport
from samdrift.servicedesk.services.incidents import create_incident
from samdrift.servicedesk.services.outages import create_outage
from tests.core.matrix import OPERATORS, Action, Resource, unique
from tests.worlds import MatrixWorld

UTC = datetime.UTC
MAY = datetime.date(2026, 5, 1)


def at(day: int, hour: int) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, hour, 0, tzinfo=UTC)


def extend_world(world: MatrixWorld) -> None:
    service = world.objects["service"]["shared"]
    for target, municipality in (("own", world.municipality_a), ("foreign", world.municipality_b)):
        incident = create_incident(
            municipality=municipality,
            number=f"INC-{municipality.number}",
            priority=2,
            opened_at=at(2, 8),
            resolved_at=at(2, 12),
            service=service,
            title="E-mail is slow",
        )
        world.add("incident", target, incident)
        outage = create_outage(
            service=service,
            started_at=at(3, 7),
            ended_at=at(3, 9),
            description=f"Network down at {municipality.name}",
            all_municipalities=False,
            municipalities=[municipality],
        )
        world.add("outage", target, outage)
        report = SlaReport.objects.create(
            municipality=municipality, month=MAY, figures={}, approved_at=timezone.now()
        )
        world.add("slareport", target, report)
        credit = ServiceCredit.objects.create(
            report=report,
            municipality=municipality,
            service=service,
            month=MAY,
            availability=Decimal("98.000"),
            target=Decimal("99.500"),
            percent=Decimal("10"),
        )
        world.add("servicecredit", target, credit)
    everyone = create_outage(
        service=service, started_at=at(4, 6), ended_at=at(4, 7), description="Platform upgrade"
    )
    world.add("outage", "shared", everyone)


RESOURCES: dict[str, Resource] = {
    "incident": Resource(
        create=lambda w: {
            "municipality": w.municipality_a.pk,
            "number": f"INC-NEW-{unique()}",
            "priority": 3,
            "state": "new",
            "opened_at": "2026-03-05T09:00:00+01:00",
        },
        patch=lambda w, o: {"title": f"Checked {unique()}"},
    ),
    "outage": Resource(
        create=lambda w: {
            "service": w.objects["service"]["shared"].pk,
            "started_at": "2026-03-06T10:00:00+01:00",
            "ended_at": "2026-03-06T11:00:00+01:00",
            "description": f"Outage {unique()}",
            "all_municipalities": False,
            "municipalities": [w.municipality_a.pk],
        },
        patch=lambda w, o: {"reference": f"CHG-{unique()}"},
        destroy=True,
    ),
    "slareport": Resource(
        writers=OPERATORS,
        actions={
            "live": Action("get", False, payload=lambda w, o: {"month": "2026-05"}),
            "approve": Action(
                "post",
                False,
                payload=lambda w, o: {"municipality": w.municipality_a.pk, "month": "2026-04"},
                allowed=OPERATORS,
            ),
        },
    ),
    "servicecredit": Resource(),
}
