"""The field kinds and bounds the gains models share."""

from __future__ import annotations

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

FIRST_YEAR = 2000
LAST_YEAR = 2100


def year_field(verbose_name, **kwargs):
    return models.PositiveSmallIntegerField(
        verbose_name,
        validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)],
        **kwargs,
    )


def value_field(verbose_name, **kwargs):
    """An indicator value: a percentage, a count per 100 users, hours, a score."""
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=4, **kwargs)


def today() -> datetime.date:
    return timezone.localdate()
