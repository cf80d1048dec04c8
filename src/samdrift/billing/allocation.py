"""Allocation keys and cost pools: splitting a pool to the øre by a key's measured weights.

Reads only. A key's weights are measured and stored once, by the services
(``billing.services.pools.measure_key``, when a pool is entered and before a run rates), so
a past month is split the same way whenever it is re-rated. Splitting is
``finance.allocation``: ``blend_weights`` combines the parts ("1/3 equal + 2/3
population"), ``allocate`` splits by largest remainder with ties broken by municipality
number, so the shares add up to the pool exactly. Fixed percentages that sum to less than
100 leave the rest unallocated, and that is shown, not hidden.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from samdrift.billing.choices import AllocationBasis
from samdrift.billing.models import AllocationKey, AllocationWeight, CostPool
from samdrift.finance.allocation import allocate, blend_weights
from samdrift.organisations.models import Municipality

UNALLOCATED = "~unallocated"  # sorts after every municipality number: never wins a tie
HUNDRED = Decimal("100")


def municipality_shares(
    *, key: AllocationKey, amount: Decimal
) -> tuple[dict[int, Decimal], Decimal]:
    """Split ``amount`` over municipalities by ``key``: (share per municipality id,
    unallocated). The shares plus the unallocated part equal ``amount`` exactly."""
    parts = list(key.parts.all())
    if not parts:
        raise ValidationError(
            {"key": _("The allocation key “%(key)s” has no parts.") % {"key": key.name}}
        )
    numbers = dict(Municipality.objects.values_list("pk", "number"))
    ids_by_number = {number: pk for pk, number in numbers.items()}
    weights: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for part_id, municipality_id, weight in AllocationWeight.objects.filter(
        key=key, part__isnull=False
    ).values_list("part_id", "municipality_id", "weight"):
        weights[part_id][numbers[municipality_id]] = weight
    share_total = sum((part.share for part in parts), Decimal(0))
    blend = []
    for part in parts:
        part_weights = dict(weights.get(part.pk, {}))
        if part.basis == AllocationBasis.FIXED:
            given = sum(part_weights.values(), Decimal(0))
            if given > HUNDRED:
                raise ValidationError(
                    {
                        "key": _(
                            "The fixed percentages of “%(key)s” add up to %(sum)s %%, more "
                            "than 100 %%."
                        )
                        % {"key": key.name, "sum": given}
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
                    % {"basis": part.get_basis_display(), "key": key.name}
                }
            )
        blend.append((part.share / share_total, part_weights))
    shares = allocate(amount=amount, weights=blend_weights(blend))
    unallocated = shares.pop(UNALLOCATED, Decimal("0.00"))
    return {ids_by_number[number]: share for number, share in shares.items()}, unallocated


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
    areas: dict[int, dict[tuple[str, int], Decimal]] = defaultdict(dict)
    if pool.split_to_service_areas:
        for municipality_id, area_id, cost_centre, weight in AllocationWeight.objects.filter(
            key=key, part__isnull=True
        ).values_list("municipality_id", "service_area_id", "service_area__cost_centre", "weight"):
            # Sort key: cost centre, so ties go the same way every month.
            areas[municipality_id][(cost_centre or "", area_id or 0)] = weight
    result = []
    for municipality_id in sorted(by_municipality):
        share = by_municipality[municipality_id]
        if share == 0:
            continue
        area_weights = areas.get(municipality_id)
        if not area_weights or not any(area_weights.values()):
            result.append((municipality_id, None, share))
            continue
        for (_centre, area_id), area_share in sorted(
            allocate(amount=share, weights=area_weights).items()
        ):
            if area_share != 0:
                result.append((municipality_id, area_id or None, area_share))
    return result
