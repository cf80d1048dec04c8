"""Permission-matrix entries of the SLA report endpoints (see tests/core/matrix.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from samdrift.servicedesk.models import ServiceCredit, SlaReport
from tests.core.matrix import OPERATORS, Action, Resource
from tests.worlds import MatrixWorld

MAY = datetime.date(2026, 5, 1)


def extend_world(world: MatrixWorld) -> None:
    service = world.objects["service"]["shared"]
    for target, municipality in (("own", world.municipality_a), ("foreign", world.municipality_b)):
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


RESOURCES: dict[str, Resource] = {
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
