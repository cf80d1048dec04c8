"""Write operations on the solutions portfolio, one transaction each.

Validation comes first and raises ValidationError naming the field; the change-log rows
are written in the same transaction (by the model signals, for the actor of the request,
the command or the import: ``core.actor``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from samdrift.core.services import save_object
from samdrift.organisations.models import Municipality, ServiceArea
from samdrift.solutions.models import Requirement, Solution, SolutionFunction, SolutionUsage


def create_function(*, name: str, code: str, description: str = "") -> SolutionFunction:
    """Add a function to the controlled list (operators extend it as they need)."""
    return save_object(instance=SolutionFunction(name=name, code=code, description=description))


def choose_candidate(*, function: SolutionFunction, solution: Solution | None) -> SolutionFunction:
    """The operator's harmonisation candidate for ``function``; None: the most used."""
    return save_object(instance=function, changes={"preferred_solution": solution})


def save_function(
    *, function: SolutionFunction, changes: dict[str, Any] | None = None
) -> SolutionFunction:
    """Create or edit a function of the controlled list (``changes`` applied first)."""
    return save_object(instance=function, changes=changes)


def save_solution(*, solution: Solution, changes: dict[str, Any] | None = None) -> Solution:
    """Create or edit a solution (``changes`` applied to ``solution`` first)."""
    return save_object(instance=solution, changes=changes)


def update_requirement(*, requirement: Requirement, changes: dict[str, Any]) -> Requirement:
    """Change what a municipality requires of a solution. The row belongs to the pair: it
    is made with the use and never moved to another municipality or solution."""
    for name in ("municipality", "solution"):
        value = changes.get(name)
        if value is not None and value.pk != getattr(requirement, f"{name}_id"):
            raise ValidationError(
                {name: _("A requirement stays with its municipality and solution.")}
            )
    changes = {k: v for k, v in changes.items() if k not in ("municipality", "solution")}
    return save_object(instance=requirement, changes=changes)


def create_solution(
    *, name: str, vendor: str, function: SolutionFunction, delivery_form: str, **fields: Any
) -> Solution:
    solution = Solution(name=name, vendor=vendor, function=function, delivery_form=delivery_form)
    return save_object(instance=solution, changes=fields)


def _relation_errors(
    *,
    municipality: Municipality,
    solution: Solution,
    service_areas: Iterable[ServiceArea],
    integrations: Iterable[Solution],
) -> dict[str, str]:
    errors = {}
    foreign = [a for a in service_areas if a.municipality_id != municipality.pk]
    if foreign:
        errors["service_areas"] = _("%(area)s is not a service area of %(municipality)s.") % {
            "area": foreign[0],
            "municipality": municipality,
        }
    if any(other.pk == solution.pk for other in integrations):
        errors["integrations"] = _("A solution does not integrate with itself.")
    return errors


def _save_usage(
    usage: SolutionUsage,
    changes: dict[str, Any],
    service_areas: list[ServiceArea] | None,
    integrations: list[Solution] | None,
) -> SolutionUsage:
    """Validate and save ``usage`` with its relations, logged as one change."""
    for name, value in changes.items():
        setattr(usage, name, value)
    stored = usage.stored_relation_ids()
    areas = list(service_areas) if service_areas is not None else None
    others = list(integrations) if integrations is not None else None
    errors = {}
    if usage.municipality_id and usage.solution_id:
        errors = _relation_errors(
            municipality=usage.municipality,
            solution=usage.solution,
            service_areas=areas or [],
            integrations=others or [],
        )
    try:
        usage.full_clean()
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    wanted = {
        "service_areas": sorted(a.pk for a in areas) if areas is not None else None,
        "integrations": sorted(s.pk for s in others) if others is not None else None,
    }
    usage._loaded_relation_ids = stored
    usage._relation_ids = {k: v if v is not None else stored[k] for k, v in wanted.items()}
    with transaction.atomic():
        usage.save()
        if areas is not None:
            usage.service_areas.set(areas)
        if others is not None:
            usage.integrations.set(others)
        Requirement.objects.get_or_create(
            municipality_id=usage.municipality_id, solution_id=usage.solution_id
        )
    return usage


def record_usage(
    *,
    municipality: Municipality,
    solution: Solution,
    valid_from: datetime.date,
    service_areas: Iterable[ServiceArea] = (),
    integrations: Iterable[Solution] = (),
    **fields: Any,
) -> SolutionUsage:
    """``municipality`` uses ``solution`` from ``valid_from``. Its requirement row is made
    with it (empty), for the municipality's contact to fill in."""
    usage = SolutionUsage(municipality=municipality, solution=solution, valid_from=valid_from)
    return _save_usage(usage, fields, list(service_areas), list(integrations))


def update_usage(
    *,
    usage: SolutionUsage,
    changes: dict[str, Any],
    service_areas: Iterable[ServiceArea] | None = None,
    integrations: Iterable[Solution] | None = None,
) -> SolutionUsage:
    """Correct a usage row (a typo, a missing contract date). A real change over time —
    more users, a new contract — is ``change_usage``, so the history stays."""
    return _save_usage(
        usage,
        changes,
        list(service_areas) if service_areas is not None else None,
        list(integrations) if integrations is not None else None,
    )


def end_usage(*, usage: SolutionUsage, on: datetime.date) -> SolutionUsage:
    """The municipality stops using the solution: ``on`` is the first day without it."""
    if on <= usage.valid_from:
        raise ValidationError(
            {"valid_to": _("Must be after the start (%(date)s).") % {"date": usage.valid_from}}
        )
    return save_object(instance=usage, changes={"valid_to": on})


def change_usage(
    *, usage: SolutionUsage, on: datetime.date, changes: dict[str, Any]
) -> SolutionUsage:
    """From ``on``, the use goes on with ``changes``: the current row ends the day before
    and a new one starts, carrying its service areas and integrations along."""
    with transaction.atomic():
        carried = {
            name: getattr(usage, name)
            for name in (
                "users",
                "licence_cost",
                "contract_reference",
                "contract_start",
                "contract_end",
                "notice_months",
                "system_owner",
            )
        }
        areas = list(usage.service_areas.all())
        others = list(usage.integrations.all())
        valid_to = usage.valid_to
        end_usage(usage=usage, on=on)
        return record_usage(
            municipality=usage.municipality,
            solution=usage.solution,
            valid_from=on,
            service_areas=areas,
            integrations=others,
            **{**carried, "valid_to": valid_to, **changes},
        )


# The fields a person sets on a use and on a requirement (forms and API share them).
USAGE_FIELDS = (
    "municipality",
    "solution",
    "service_areas",
    "users",
    "licence_cost",
    "contract_reference",
    "contract_start",
    "contract_end",
    "notice_months",
    "system_owner",
    "integrations",
    "valid_from",
    "valid_to",
)
REQUIREMENT_FIELDS = (
    "availability_target",
    "service_hours",
    "rpo_hours",
    "rto_hours",
    "criticality",
    "confidentiality",
    "integrity",
    "availability_class",
    "personal_data",
    "special_categories",
    "processing_agreement_on",
    "risk_assessed_on",
    "notes",
)


def set_requirement(
    *, municipality: Municipality, solution: Solution, **values: Any
) -> Requirement:
    """Set what ``municipality`` requires of ``solution`` (which it must use)."""
    unknown = set(values) - set(REQUIREMENT_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Not a requirement field.")})
    with transaction.atomic():
        requirement = (
            Requirement.objects.select_for_update()
            .filter(municipality=municipality, solution=solution)
            .first()
        )
        if requirement is None:
            requirement = Requirement(municipality=municipality, solution=solution)
        return save_object(instance=requirement, changes=values)
