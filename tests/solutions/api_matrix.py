"""Permission-matrix entries of the solutions endpoints (see tests/core/matrix.py).

A municipality's contact may change its own requirements (writers include both
contacts: each gets 404 for the other's), but not create one: a requirement row is made
with the municipality's use of a solution, so creating one is the operator's.

A service-area manager sees the usage rows of their area and those of no area (the whole
municipality): A's ``own`` row has no service area, its ``own_other_area`` row (of a
third solution) is tagged with the other area only, and so is hidden from A's manager,
with its requirement.
"""

from __future__ import annotations

import datetime

from samdrift.solutions.choices import DeliveryForm
from samdrift.solutions.models import Requirement
from samdrift.solutions.services import create_function, create_solution, record_usage
from tests.core.matrix import OPERATORS, Action, Resource, unique
from tests.worlds import MatrixWorld

D = datetime.date


def extend_world(world: MatrixWorld) -> None:
    function = create_function(name="Case handling and archive", code="case-archive")
    used = create_solution(
        name="Arkivo", vendor="Nordarkiv AS", function=function, delivery_form=DeliveryForm.SAAS
    )
    spare = create_solution(
        name="Saksflyt", vendor="Fjellsoft AS", function=function, delivery_form=DeliveryForm.LOCAL
    )
    world.add("solutionfunction", "shared", function)
    world.add("solution", "shared", used)
    world.add("solution", "shared_spare", spare)
    health_only = create_solution(
        name="Journalia", vendor="Helsedata AS", function=function, delivery_form=DeliveryForm.SAAS
    )
    world.add("solution", "shared_other_area", health_only)
    for target, municipality in (("own", world.municipality_a), ("foreign", world.municipality_b)):
        usage = record_usage(
            municipality=municipality, solution=used, valid_from=D(2025, 1, 1), users=10
        )
        world.add("solutionusage", target, usage)
        world.add(
            "requirement",
            target,
            Requirement.objects.get(municipality=municipality, solution=used),
        )
    other_area = record_usage(
        municipality=world.municipality_a,
        solution=health_only,
        valid_from=D(2025, 1, 1),
        users=4,
        service_areas=[world.objects["servicearea"]["own_other_area"]],
    )
    world.add("solutionusage", "own_other_area", other_area)
    world.add(
        "requirement",
        "own_other_area",
        Requirement.objects.get(municipality=world.municipality_a, solution=health_only),
    )


def _requirement_to_create(world: MatrixWorld) -> dict:
    """A's requirement of the solution it uses, removed first so that it can be made."""
    Requirement.objects.filter(municipality=world.municipality_a).delete()
    return {
        "municipality": world.municipality_a.pk,
        "solution": world.objects["solution"]["shared"].pk,
        "availability_target": "99.50",
    }


RESOURCES: dict[str, Resource] = {
    "solutionfunction": Resource(
        create=lambda w: {"name": f"Function {unique()}", "code": f"function-{unique()}"},
        patch=lambda w, o: {"description": "What the members use for it."},
    ),
    "solution": Resource(
        create=lambda w: {
            "name": f"Solution {unique()}",
            "vendor": "Vendor AS",
            "function": w.objects["solutionfunction"]["shared"].pk,
            "delivery_form": "saas",
        },
        patch=lambda w, o: {"version": "2.1"},
    ),
    "solutionusage": Resource(
        create=lambda w: {
            "municipality": w.municipality_a.pk,
            "solution": w.objects["solution"]["shared_spare"].pk,
            "valid_from": "2026-01-01",
            "users": 5,
        },
        patch=lambda w, o: {"users": 12},
    ),
    "requirement": Resource(
        writers=frozenset({"operator", "contact_a", "contact_b"}),
        create=_requirement_to_create,
        patch=lambda w, o: {"availability_target": "99.70", "notes": "Checked."},
        actions={"create": Action("post", False, status=201, allowed=OPERATORS)},
    ),
    "solutiongap": Resource(changes=False, retrieve=False, list_rows=False),
}
