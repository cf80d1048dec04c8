"""What moving every member to one solution would save a year (the standardisation report).

With the candidate's licence cost ``C*`` for ``U*`` users, its cost per user is
``c* = C* / U*``. If all ``U`` users of the function (on every solution) were on the
candidate at that price, the function would cost ``U × c*`` a year instead of ``C``, the
sum of what every member pays today for whichever solution it runs:

    saving = C − U × c*

A negative saving means the candidate is dearer per user than the mix used today. The
figures keep full precision; the saving is rounded to the øre once, at the end.
"""

from __future__ import annotations

from decimal import Decimal

from samdrift.finance._checks import require_finite, require_non_negative
from samdrift.finance.money import round_to_ore


def cost_per_user(*, cost: Decimal, users: int) -> Decimal | None:
    """``cost / users`` at full precision; None when nobody uses it (no price per user)."""
    require_finite("cost", cost)
    require_non_negative("cost", cost)
    require_non_negative("users", users)
    if users == 0:
        return None
    return cost / Decimal(users)


def harmonisation_saving(
    *, current_cost: Decimal, users: int, candidate_cost: Decimal, candidate_users: int
) -> Decimal | None:
    """``C − U × C*/U*`` rounded to the øre; None when the candidate has no users."""
    require_finite("current_cost", current_cost)
    require_non_negative("users", users)
    per_user = cost_per_user(cost=candidate_cost, users=candidate_users)
    if per_user is None:
        return None
    return round_to_ore(current_cost - Decimal(users) * per_user)
