"""Effective dating: every history row covers the half-open period [valid_from, valid_to).

These query helpers are the one place that spells out what "in force" and "overlaps"
mean, so that inventory, catalogue, agreements and billing all agree.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q


def active_on(day: datetime.date, prefix: str = "") -> Q:
    """Rows in force on ``day``."""
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": day})
    )


def overlapping(start: datetime.date, end: datetime.date | None, prefix: str = "") -> Q:
    """Rows whose period overlaps ``[start, end)``; ``end`` None means open-ended."""
    condition = Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": start})
    if end is not None:
        condition &= Q(**{f"{prefix}valid_from__lt": end})
    return condition


def period_constraint(name: str) -> models.CheckConstraint:
    """A database check that a period ends after it starts."""
    return models.CheckConstraint(
        condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
        name=name,
    )
