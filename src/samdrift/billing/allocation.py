"""Allocation keys and cost pools: splitting a pool to the øre by a key's measured weights.

Reads only. A key's weights are measured and stored once, by the services
(``billing.services.pools.measure_key``, when a pool is entered and before a run rates), so
a past month is split the same way whenever it is re-rated. Splitting is
``finance.allocation``: ``blend_weights`` combines the parts ("1/3 equal + 2/3
population"), ``allocate`` splits by largest remainder with ties broken by municipality
number, so the shares add up to the pool exactly. Fixed percentages that sum to less than
100 leave the rest unallocated, and that is shown, not hidden.

Reading and splitting are apart: ``key_blends`` reads keys' parts and weights (two
queries for any number of keys), ``shares_from_blend`` splits an amount by a blend
without touching the database. A caller may change a blend before splitting (the
forecast's scenarios take a member out, or add one that joins) and still split by the
one rule billing uses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from samdrift.billing.choices import AllocationBasis
from samdrift.billing.models import AllocationKey, AllocationKeyPart, AllocationWeight, CostPool
from samdrift.finance.allocation import allocate, blend_weights

UNALLOCATED = "~unallocated"  # sorts after every municipality number: never wins a tie
HUNDRED = Decimal("100")

# A service area's sort key within its municipality: (cost centre, area id).
AreaKey = tuple[str, int]


@dataclass(frozen=True)
class BlendPart:
    """One part of a key: its basis, relative share and the weight of each participant
    (a municipality number, or any key that sorts with them)."""

    basis: str
    share: Decimal
    weights: Mapping[Hashable, Decimal]

    @property
    def basis_label(self) -> str:
        return str(AllocationBasis(self.basis).label)


@dataclass(frozen=True)
class KeyBlend:
    """A key's parts with their weights by municipality number, and the municipality ids
    of those numbers."""

    name: str
    parts: tuple[BlendPart, ...]
    ids_by_number: Mapping[str, int]


def key_blends(keys: Iterable[AllocationKey]) -> dict[int, KeyBlend]:
    """key id → its blend, for all ``keys`` in two queries (parts, weights)."""
    names = {key.pk: key.name for key in keys}
    parts: dict[int, list[AllocationKeyPart]] = defaultdict(list)
    for part in AllocationKeyPart.objects.filter(key_id__in=list(names)).order_by("key_id", "pk"):
        parts[part.key_id].append(part)
    weights: dict[int, dict[str, Decimal]] = defaultdict(dict)
    ids_by_number: dict[int, dict[str, int]] = defaultdict(dict)
    for key_id, part_id, municipality_id, number, weight in AllocationWeight.objects.filter(
        key_id__in=list(names), part__isnull=False
    ).values_list("key_id", "part_id", "municipality_id", "municipality__number", "weight"):
        weights[part_id][number] = weight
        ids_by_number[key_id][number] = municipality_id
    return {
        key_id: KeyBlend(
            name=name,
            parts=tuple(
                BlendPart(basis=part.basis, share=part.share, weights=weights.get(part.pk, {}))
                for part in parts.get(key_id, ())
            ),
            ids_by_number=ids_by_number.get(key_id, {}),
        )
        for key_id, name in names.items()
    }


def shares_from_blend(
    *, blend: KeyBlend, amount: Decimal
) -> tuple[dict[Hashable, Decimal], Decimal]:
    """Split ``amount`` by ``blend``: (share per participant, unallocated). The shares plus
    the unallocated part equal ``amount`` exactly. Pure: no database."""
    if not blend.parts:
        raise ValidationError(
            {"key": _("The allocation key “%(key)s” has no parts.") % {"key": blend.name}}
        )
    share_total = sum((part.share for part in blend.parts), Decimal(0))
    parts = []
    for part in blend.parts:
        part_weights = dict(part.weights)
        if part.basis == AllocationBasis.FIXED:
            given = sum(part_weights.values(), Decimal(0))
            if given > HUNDRED:
                raise ValidationError(
                    {
                        "key": _(
                            "The fixed percentages of “%(key)s” add up to %(sum)s %%, more "
                            "than 100 %%."
                        )
                        % {"key": blend.name, "sum": given}
                    }
                )
            if given < HUNDRED:
                part_weights[UNALLOCATED] = HUNDRED - given
        if not any(part_weights.values()):
            raise ValidationError(
                {
                    "key": _(
                        "The part “%(basis)s” of the allocation key “%(key)s” has no weights: "
                        "nothing to split by."
                    )
                    % {"basis": part.basis_label, "key": blend.name}
                }
            )
        parts.append((part.share / share_total, part_weights))
    shares = allocate(amount=amount, weights=blend_weights(parts))
    unallocated = shares.pop(UNALLOCATED, Decimal("0.00"))
    return shares, unallocated


def municipality_shares(
    *, key: AllocationKey, amount: Decimal
) -> tuple[dict[int, Decimal], Decimal]:
    """Split ``amount`` over municipalities by ``key``: (share per municipality id,
    unallocated). The shares plus the unallocated part equal ``amount`` exactly."""
    blend = key_blends([key])[key.pk]
    shares, unallocated = shares_from_blend(blend=blend, amount=amount)
    return {blend.ids_by_number[number]: share for number, share in shares.items()}, unallocated


def area_weights(keys: Iterable[AllocationKey]) -> dict[int, dict[int, dict[AreaKey, Decimal]]]:
    """key id → municipality id → {(cost centre, service area id or 0): persons}: the
    persons per service area measured on each key's date (one query)."""
    areas: dict[int, dict[int, dict[AreaKey, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    for key_id, municipality_id, area_id, cost_centre, weight in AllocationWeight.objects.filter(
        key_id__in=[key.pk for key in keys], part__isnull=True
    ).values_list(
        "key_id", "municipality_id", "service_area_id", "service_area__cost_centre", "weight"
    ):
        # Sort key: cost centre, so ties go the same way every month.
        areas[key_id][municipality_id][(cost_centre or "", area_id or 0)] = weight
    return areas


def split_to_service_areas(
    *, shares: Mapping[int, Decimal], areas: Mapping[int, Mapping[AreaKey, Decimal]]
) -> list[tuple[int, int | None, Decimal]]:
    """``(municipality id, service area id or None, share)`` in a fixed order, zero shares
    left out: each municipality's share split by its ``areas`` weights (none, or all zero:
    kept at the municipality level). Pure."""
    result = []
    for municipality_id in sorted(shares):
        share = shares[municipality_id]
        if share == 0:
            continue
        weights = areas.get(municipality_id)
        if not weights or not any(weights.values()):
            result.append((municipality_id, None, share))
            continue
        for (_centre, area_id), area_share in sorted(
            allocate(amount=share, weights=weights).items()
        ):
            if area_share != 0:
                result.append((municipality_id, area_id or None, area_share))
    return result


def pool_shares(*, pool: CostPool, amount: Decimal) -> list[tuple[int, int | None, Decimal]]:
    """``(municipality id, service area id or None, share)`` of a pool's month amount, in a
    fixed order, zero shares left out. With ``split_to_service_areas`` each municipality's
    share is split again by the persons per service area measured on the key's date;
    persons without a service area keep their part at the municipality level."""
    key = pool.key
    if key.measured_at is None:
        raise RuntimeError(
            f"The allocation key {key.name!r} of cost pool {pool.name!r} has not been measured; "
            "billing.services.pools.measure_pool_keys must run before rating."
        )
    if amount == 0:
        return []
    by_municipality, _unallocated = municipality_shares(key=key, amount=amount)
    areas = area_weights([key]).get(key.pk, {}) if pool.split_to_service_areas else {}
    return split_to_service_areas(shares=by_municipality, areas=areas)
