"""Read questions about organisations."""

from __future__ import annotations

import datetime

from django.db.models import Q


def active_persons_on(day: datetime.date, prefix: str = "") -> Q:
    """Persons active on ``day``: started on or before it and not left by then
    (``[active_from, active_to)``, as every effective-dated row). The person list's
    "active on" filter, the pages' counts and billing's per-user services all use it."""
    return Q(**{f"{prefix}active_from__lte": day}) & (
        Q(**{f"{prefix}active_to__isnull": True}) | Q(**{f"{prefix}active_to__gt": day})
    )
