"""VAT of an invoice's lines (EN 16931): per VAT category and rate the tax is the rounded
product of the category's taxable amount and the rate (BR-CO-17), shared out over the
lines so that lines, categories and totals agree to the øre."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from samdrift.finance.money import ORE, ZERO, round_to_ore


def distribute_vat(*, nets: Sequence[Decimal], rate: Decimal) -> tuple[Decimal, list[Decimal]]:
    """(VAT of the category, each line's share) for the net amounts ``nets`` of the lines
    of one category at ``rate`` per cent. The category VAT is rounded once from the
    category's taxable amount (BR-CO-17); each line gets its own rounded VAT, and the few
    øre of difference go one each to the largest lines (by absolute amount, the first of
    equal ones), so the shares add up to the category VAT exactly."""
    total = round_to_ore(sum(nets, ZERO) * rate / 100)
    shares = [round_to_ore(net * rate / 100) for net in nets]
    difference = int((total - sum(shares, ZERO)) / ORE)
    step = ORE if difference > 0 else -ORE
    order = sorted(range(len(nets)), key=lambda i: (-abs(nets[i]), i))
    for index in range(abs(difference)):
        shares[order[index % len(order)]] += step
    return total, shares
