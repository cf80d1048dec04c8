"""Field helpers the billing models share."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from samdrift.catalogue.models import STANDARD_VAT_RATE


def vat_rate_field(**kwargs) -> models.DecimalField:
    kwargs.setdefault("default", STANDARD_VAT_RATE)
    return models.DecimalField(
        _("VAT rate (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        **kwargs,
    )


def signed_unit_price_field(verbose_name, **kwargs) -> models.DecimalField:
    """A price per unit that may be negative (a credit), four decimals like list prices."""
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=4, **kwargs)
