"""Allocation keys and cost pools: entering them, and measuring a key's weights (the
only write splitting a pool needs; ``billing.allocation`` reads what is measured)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.billing.choices import (
    AllocationBasis,
)
from samdrift.billing.models import (
    AllocationKey,
    AllocationKeyPart,
    AllocationWeight,
    Charge,
    CostPool,
)
from samdrift.core.changelog import record_bulk_changes
from samdrift.core.choices import ChangeAction
from samdrift.core.dating import active_on
from samdrift.core.services import save_object
from samdrift.finance.money import ZERO
from samdrift.inventory.models import Assignment
from samdrift.organisations.models import Municipality, Person


def measure_key(*, key: AllocationKey) -> AllocationKey:
    """Store the measured weights of ``key`` on its date (once; later calls do nothing).

    Equal shares count the municipalities that had joined by then; population is each
    municipality's Statistics Norway figure; persons and devices are counted as active on
    the date. Persons per service area are stored too, for pools split on to service areas.
    """
    if key.measured_at is not None:
        return key
    day = key.measured_on
    member_ids, measured = _measure_bases(day)
    rows = _part_weights(key, measured)
    rows += _service_area_weights(key, day, member_ids)
    created = AllocationWeight.objects.bulk_create(rows, batch_size=2000)
    record_bulk_changes(created, action=ChangeAction.CREATE)
    key.measured_at = timezone.now()
    key.save(update_fields=["measured_at", "last_updated"])
    return key


def _active_persons(day: datetime.date, member_ids: set[int]):
    return Person.objects.filter(active_from__lte=day, municipality_id__in=member_ids).exclude(
        active_to__lte=day
    )


def _measure_bases(day: datetime.date) -> tuple[set[int], dict[str, dict[int, Decimal]]]:
    """The member municipalities on ``day``, and each basis's weight per member."""
    members = list(Municipality.objects.filter(joined_on__lte=day).values_list("pk", "population"))
    member_ids = {pk for pk, _population in members}
    persons = dict(
        _active_persons(day, member_ids)
        .values_list("municipality_id")
        .annotate(n=Count("pk"))
        .values_list("municipality_id", "n")
    )
    devices = dict(
        Assignment.objects.filter(active_on(day), municipality_id__in=member_ids)
        .values_list("municipality_id")
        .annotate(n=Count("pk"))
        .values_list("municipality_id", "n")
    )
    measured = {
        AllocationBasis.EQUAL: {pk: Decimal(1) for pk, _population in members},
        AllocationBasis.POPULATION: {pk: Decimal(population) for pk, population in members},
        AllocationBasis.PERSONS: {pk: Decimal(persons.get(pk, 0)) for pk in member_ids},
        AllocationBasis.DEVICES: {pk: Decimal(devices.get(pk, 0)) for pk in member_ids},
    }
    return member_ids, measured


def _part_weights(key: AllocationKey, measured: dict) -> list[AllocationWeight]:
    """New weights of each measurable part, replacing any it had."""
    rows = []
    for part in key.parts.all():
        if part.basis not in measured:
            continue
        if part.weights.exists():
            part.weights.all().delete()
        for municipality_id, weight in sorted(measured[part.basis].items()):
            rows.append(
                AllocationWeight(key=key, part=part, municipality_id=municipality_id, weight=weight)
            )
    return rows


def _service_area_weights(
    key: AllocationKey, day: datetime.date, member_ids: set[int]
) -> list[AllocationWeight]:
    """Persons per service area (no part), replacing any stored: a pool split on to
    service areas divides a municipality's share by these."""
    per_area = (
        _active_persons(day, member_ids)
        .values_list("municipality_id", "service_area_id")
        .annotate(n=Count("pk"))
        .order_by("municipality_id", "service_area_id")
    )
    key.weights.filter(part__isnull=True).delete()
    return [
        AllocationWeight(
            key=key,
            part=None,
            municipality_id=municipality_id,
            service_area_id=area_id,
            weight=Decimal(count),
        )
        for municipality_id, area_id, count in per_area
    ]


def measure_pool_keys(*, until: datetime.date) -> None:
    """Measure the keys of the cost pools that start before ``until`` and have not been
    measured yet, so that rating (which only reads) finds their weights. A run calls this
    before it rates, also for the closed months its adjustment check re-rates."""
    keys = AllocationKey.objects.filter(
        measured_at__isnull=True, pools__valid_from__lt=until
    ).distinct()
    for key in keys.order_by("pk"):
        measure_key(key=key)


def allocation_key_errors(
    parts: Mapping[str, Decimal], weights: Mapping[str, Mapping[Municipality, Decimal]]
) -> dict[str, str]:
    """What is wrong with a key's parts and entered weights, by basis ("parts" when no
    basis is given at all); empty when they make a key."""
    errors = {}
    if not parts:
        errors["parts"] = _("Give at least one basis, e.g. equal shares.")
    for basis, share in parts.items():
        if basis not in AllocationBasis.values:
            errors["parts"] = _("“%(basis)s” is not a basis; use one of %(bases)s.") % {
                "basis": basis,
                "bases": ", ".join(AllocationBasis.values),
            }
            continue
        label = AllocationBasis(basis).label
        if Decimal(share) <= 0:
            errors[basis] = _("The share of %(basis)s must be more than 0.") % {"basis": label}
        elif basis in (AllocationBasis.FIXED, AllocationBasis.CUSTOM) and not weights.get(basis):
            errors[basis] = _("Give the weight of each municipality for %(basis)s.") % {
                "basis": label
            }
    fixed = weights.get(AllocationBasis.FIXED, {})
    if sum((Decimal(w) for w in fixed.values()), ZERO) > 100:
        errors[AllocationBasis.FIXED] = _("Fixed percentages add up to more than 100 %.")
    return errors


def _write_parts(
    key: AllocationKey,
    parts: Mapping[str, Decimal],
    weights: Mapping[str, Mapping[Municipality, Decimal]],
) -> None:
    for basis, share in parts.items():
        part = save_object(instance=AllocationKeyPart(key=key, basis=basis, share=Decimal(share)))
        for municipality, weight in weights.get(basis, {}).items():
            save_object(
                instance=AllocationWeight(
                    key=key, part=part, municipality=municipality, weight=Decimal(weight)
                )
            )


def create_allocation_key(
    *,
    name: str,
    measured_on: datetime.date,
    parts: Mapping[str, Decimal],
    weights: Mapping[str, Mapping[Municipality, Decimal]] | None = None,
    description: str = "",
) -> AllocationKey:
    """Make an allocation key from parts (basis → relative share, e.g. {"equal": 1,
    "population": 2} for 1/3 equal + 2/3 population) and, for fixed percentages and custom
    weights, the entered weight of each municipality."""
    weights = weights or {}
    errors = allocation_key_errors(parts, weights)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        key = save_object(
            instance=AllocationKey(name=name, measured_on=measured_on, description=description)
        )
        _write_parts(key, parts, weights)
    return key


# What may change on a key: its name and description; its date, parts and entered
# weights only until its weights are measured (the first pool that uses it measures
# them, and every month billed from then on splits by what was measured).
KEY_FIELDS_ALWAYS = ("name", "description")


def update_allocation_key(
    *,
    key: AllocationKey,
    changes: Mapping[str, Any],
    parts: Mapping[str, Decimal] | None = None,
    weights: Mapping[str, Mapping[Municipality, Decimal]] | None = None,
) -> AllocationKey:
    """Rename or describe a key; before it is measured, also move its date or replace its
    parts and entered weights (``parts`` given: they replace all the key's parts). Once
    measured, "make a new key" (a pool measured by it keeps its split). Change-logged."""
    errors: dict[str, str] = {}
    measured = key.measured_at is not None
    frozen = _("The weights were measured (a cost pool uses the key): make a new key instead.")
    for name in changes:
        if name == "measured_on" and measured:
            errors[name] = frozen
        elif name not in (*KEY_FIELDS_ALWAYS, "measured_on"):
            errors[name] = _("This field cannot be changed here.")
    if parts is not None:
        if measured:
            errors["parts"] = frozen
        else:
            errors.update(allocation_key_errors(parts, weights or {}))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        key = save_object(instance=key, changes=dict(changes))
        if parts is not None:
            for part in key.parts.all():
                part.delete()  # its weights go with it, each change-logged
            _write_parts(key, parts, weights or {})
    return key


def create_cost_pool(
    *,
    name: str,
    monthly_amount: Decimal,
    key: AllocationKey,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    split_to_service_areas: bool = False,
    vat_rate: Decimal = Decimal("25.00"),
    vat_exemption_reason: str = "",
    description: str = "",
) -> CostPool:
    """Start a shared cost, split monthly by ``key``. Its weights are measured now, on the
    key's date, so every month it covers splits the same way."""
    with transaction.atomic():
        pool = save_object(
            instance=CostPool(
                name=name,
                monthly_amount=monthly_amount,
                key=key,
                valid_from=valid_from,
                valid_to=valid_to,
                split_to_service_areas=split_to_service_areas,
                vat_rate=vat_rate,
                vat_exemption_reason=vat_exemption_reason,
                description=description,
            )
        )
        measure_key(key=key)
    return pool


# What may change on a pool: its name, description and end. The amount, key, VAT and
# start shape every month billed, so they change only while nothing is billed from it.
POOL_FIELDS_ALWAYS = ("name", "description", "valid_to")
POOL_FIELDS_UNBILLED = (
    "monthly_amount",
    "key",
    "valid_from",
    "split_to_service_areas",
    "vat_rate",
    "vat_exemption_reason",
)


def update_cost_pool(*, pool: CostPool, changes: Mapping[str, Any]) -> CostPool:
    """Rename, describe or end a cost pool; before it is billed, also correct its amount,
    key, VAT and start. Once billed, "end the pool and start a new one" (the months
    billed keep their split). Change-logged; a new key is measured as on creation."""
    errors = {}
    billed = None
    for name in changes:
        if name in POOL_FIELDS_ALWAYS:
            continue
        if name not in POOL_FIELDS_UNBILLED:
            errors[name] = _("This field cannot be changed here.")
            continue
        if billed is None:
            billed = Charge.objects.filter(cost_pool=pool.pk).exists()
        if billed:
            errors[name] = _("The pool has been billed: end it and start a new one to change this.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        pool = save_object(instance=pool, changes=dict(changes))
        if "key" in changes:
            measure_key(key=pool.key)
    return pool
