"""Index adjustment of a price: ``P_new = P_old * I_new / I_old`` rounded to the øre.

Used for the yearly indexation of service prices, e.g. by the municipal deflator
(kommunal deflator) published in the state budget: a price of 1 000.00 with an index moving
from 100 to 104.3 becomes 1 043.00.
"""

from decimal import ROUND_HALF_UP, Decimal

from samdrift.finance._checks import require_finite, require_non_negative, require_positive
from samdrift.finance.money import ORE


def index_adjust(
    *, price: Decimal, old_index: Decimal, new_index: Decimal, quantum: Decimal = ORE
) -> Decimal:
    """``price`` moved by the ratio ``new_index / old_index``, rounded half up to
    ``quantum`` (the øre by default; a price per page may keep finer units)."""
    require_finite("price", price)
    require_finite("old_index", old_index)
    require_finite("new_index", new_index)
    require_non_negative("price", price)
    require_positive("old_index", old_index)
    require_positive("new_index", new_index)
    return (price * new_index / old_index).quantize(quantum, rounding=ROUND_HALF_UP)
