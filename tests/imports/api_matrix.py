"""Permission-matrix entry of the import endpoint (see tests/core/matrix.py).

``GET /api/imports/`` (the kinds and their columns) is for every login; ``POST`` checks a
file — here a dry run, which writes and logs nothing — and only a role that may write the
kind's objects may call it (service areas: operators).
"""

from __future__ import annotations

from tests.core.matrix import OPERATORS, Action, Resource, unique


def _dry_run(world, obj=None) -> dict:
    return {
        "kind": "service-areas",
        "municipality": world.municipality_a.pk,
        "filename": "service-areas.csv",
        "content": f"Name;Cost centre\nMatrix {unique()};9{unique():03d}\n",
        "dry_run": True,
    }


RESOURCES: dict[str, Resource] = {
    "import": Resource(
        writers=OPERATORS,
        create=_dry_run,
        retrieve=False,
        changes=False,
        list_rows=False,
        # A dry run answers 200 and logs nothing (the matrix must not expect a change).
        actions={
            "create": Action(method="post", detail=False, payload=_dry_run, logs=False),
        },
    ),
}
