"""Permission-matrix entries of the price-list endpoints (see tests/core/matrix.py).

The world gets one earlier publication. Calculating is a read for every login (the effect
per municipality is restricted); publishing and indexing are for finance and operators.
"""

from __future__ import annotations

import datetime

from samdrift.leasing.choices import PublicationKind
from samdrift.leasing.models import PriceListPublication
from tests.core.matrix import FINANCE, Action, Resource
from tests.worlds import MatrixWorld


def extend_world(world: MatrixWorld) -> None:
    world.add(
        "price-list",
        "shared",
        PriceListPublication.objects.create(
            kind=PublicationKind.LEASE_PRICES,
            year=2025,
            valid_from=datetime.date(2025, 1, 1),
            versions_created=1,
        ),
    )


INDEXES = {"year": 2027, "old_index": "100", "new_index": "104.3"}

RESOURCES: dict[str, Resource] = {
    "price-list": Resource(
        writers=FINANCE,
        actions={
            "calculation": Action("get", False, lambda w, o: {"year": 2027}),
            "indexation": Action("get", False, lambda w, o: dict(INDEXES)),
            "publish": Action("post", False, lambda w, o: {"year": 2027}, 201),
            "index": Action("post", False, lambda w, o: {**INDEXES, "index_name": "KPI"}, 201),
        },
    ),
}
