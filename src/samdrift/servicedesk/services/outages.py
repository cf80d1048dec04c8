"""Writes of outages: a service down for all municipalities or the ones named, planned
maintenance or not. Operators record them; the SLA report reads them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from samdrift.catalogue.models import Service
from samdrift.core.services import save_object
from samdrift.organisations.models import Municipality
from samdrift.servicedesk.models import Outage
from samdrift.servicedesk.services.incidents import kept_on_error

OUTAGE_FIELDS = (
    "service",
    "description",
    "started_at",
    "ended_at",
    "planned",
    "announced_at",
    "all_municipalities",
    "municipalities",
    "reference",
)


def _ids(municipalities: Iterable[Municipality]) -> list[int]:
    return sorted(m.pk for m in municipalities)


def _check(outage: Outage, municipalities: Sequence[Municipality | int]) -> None:
    """Every rule at once, each naming its field: the model's fields and ``clean`` (an
    end before the start, an announcement of unplanned work), and who is affected."""
    errors: dict[str, list[str]] = {}
    try:
        outage.full_clean(validate_constraints=False)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    scope = _scope_error(outage.all_municipalities, municipalities)
    if scope:
        errors["municipalities"] = [scope]
    if errors:
        raise ValidationError(errors)


def _scope_error(
    all_municipalities: bool, municipalities: Sequence[Municipality | int]
) -> str | None:
    if all_municipalities and municipalities:
        return _(
            "The outage concerns all municipalities; name none, or untick “all municipalities”."
        )
    if not all_municipalities and not municipalities:
        return _("Name the municipalities affected, or tick “all municipalities”.")
    return None


def create_outage(
    *,
    service: Service,
    started_at: datetime.datetime,
    description: str,
    ended_at: datetime.datetime | None = None,
    planned: bool = False,
    announced_at: datetime.datetime | None = None,
    all_municipalities: bool = True,
    municipalities: Iterable[Municipality] = (),
    reference: str = "",
) -> Outage:
    """Record an outage of ``service`` from ``started_at`` (to ``ended_at``; None: ongoing)."""
    municipalities = list(municipalities)
    outage = Outage(
        service=service,
        started_at=started_at,
        ended_at=ended_at,
        description=description,
        planned=planned,
        announced_at=announced_at,
        all_municipalities=all_municipalities,
        reference=reference,
    )
    _check(outage, municipalities)
    before, after = outage.stored_relation_ids(), {"municipalities": _ids(municipalities)}
    with transaction.atomic(), outage.logging_relations(before=before, after=after):
        save_object(instance=outage)
        outage.municipalities.set(municipalities)
    return outage


def update_outage(
    *,
    outage: Outage,
    changes: dict[str, Any],
    municipalities: Iterable[Municipality] | None = None,
) -> Outage:
    """Change an outage; ``municipalities`` (None: unchanged) replaces those affected.
    ``changes`` may hold ``municipalities`` too."""
    changes = dict(changes)
    if "municipalities" in changes:
        municipalities = changes.pop("municipalities")
    before = outage.stored_relation_ids()
    chosen = list(municipalities) if municipalities is not None else None
    with kept_on_error(outage, changes):
        _check(outage, chosen if chosen is not None else before["municipalities"])
    after = {"municipalities": _ids(chosen)} if chosen is not None else before
    with transaction.atomic(), outage.logging_relations(before=before, after=after):
        save_object(instance=outage)
        if chosen is not None:
            outage.municipalities.set(chosen)
    return outage


def delete_outage(*, outage: Outage) -> None:
    """Remove an outage recorded by mistake (the change log keeps what it was)."""
    before = outage.stored_relation_ids()
    with transaction.atomic(), outage.logging_relations(before=before, after=before):
        outage.municipalities.clear()
        outage.delete()
