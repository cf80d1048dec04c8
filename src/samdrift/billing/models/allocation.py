"""Shared costs: allocation keys (their parts and measured weights) and the cost pools
split by them."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from samdrift.billing.choices import (
    AllocationBasis,
)
from samdrift.billing.models.fields import vat_rate_field
from samdrift.catalogue.models import FINANCE_ROLES
from samdrift.core.dating import period_constraint
from samdrift.core.models import ChangeLoggedModel
from samdrift.core.money import MoneyField


class AllocationKey(ChangeLoggedModel):
    """How a shared cost is split between municipalities: one or more weighted parts
    (e.g. 1 part equal shares + 2 parts population), measured on ``measured_on``.

    Measured weights are stored (``AllocationWeight``) the first time the key is used, so a
    past month splits the same way whenever it is re-rated.
    """

    name = models.CharField(_("name"), max_length=150, unique=True)
    description = models.TextField(_("description"), blank=True)
    measured_on = models.DateField(
        _("measured on"), help_text=_("The date the population, persons or devices are counted.")
    )
    measured_at = models.DateTimeField(_("weights stored at"), null=True, blank=True)

    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("allocation key")
        verbose_name_plural = _("allocation keys")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AllocationKeyPart(ChangeLoggedModel):
    """One basis of a key with its relative share: "1/3 equal + 2/3 population" is two
    parts with shares 1 and 2. Shares are normalised, so 1 and 2 mean exactly 1/3 and 2/3."""

    key = models.ForeignKey(
        AllocationKey, verbose_name=_("key"), on_delete=models.CASCADE, related_name="parts"
    )
    basis = models.CharField(_("basis"), max_length=12, choices=AllocationBasis.choices)
    share = models.DecimalField(
        _("share"),
        max_digits=12,
        decimal_places=6,
        validators=[MinValueValidator(Decimal("0.000001"))],
        help_text=_("Relative weight of this part within the key."),
    )

    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("allocation key part")
        verbose_name_plural = _("allocation key parts")
        ordering = ["key_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["key", "basis"], name="allocation_part_unique_basis"),
            models.CheckConstraint(condition=Q(share__gt=0), name="allocation_part_share_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.share} × {self.get_basis_display()}"


class AllocationWeight(ChangeLoggedModel):
    """The weight of one municipality (or one of its service areas) in a key part.

    Entered for fixed percentages and custom weights; stored by measuring for the other
    bases. Rows with a service area and no part are the persons per service area used to
    split a municipality's share on to its service areas.
    """

    key = models.ForeignKey(
        AllocationKey, verbose_name=_("key"), on_delete=models.CASCADE, related_name="weights"
    )
    part = models.ForeignKey(
        AllocationKeyPart,
        verbose_name=_("part"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="weights",
    )
    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    service_area = models.ForeignKey(
        "organisations.ServiceArea",
        verbose_name=_("service area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=20,
        decimal_places=6,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("For fixed percentages: the percentage (0–100)."),
    )

    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("allocation weight")
        verbose_name_plural = _("allocation weights")
        ordering = ["key_id", "part_id", "municipality__number", "service_area_id"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=0), name="allocation_weight_gte_0"),
            models.UniqueConstraint(
                fields=["part", "municipality"],
                condition=Q(part__isnull=False),
                name="allocation_weight_unique_part_municipality",
            ),
            models.UniqueConstraint(
                fields=["key", "service_area"],
                condition=Q(part__isnull=True),
                name="allocation_weight_unique_key_service_area",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} / {self.municipality_id}: {self.weight}"


class CostPool(ChangeLoggedModel):
    """A shared monthly cost no single device or user causes (data centre, licences for
    all, staff), split by an allocation key, first to municipalities and optionally on to
    their service areas by persons. What the key does not cover is shown as unallocated.

    The monthly amount is not edited once billed: end the pool and start a new one.
    """

    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    monthly_amount = MoneyField(_("monthly amount"), validators=[MinValueValidator(Decimal("0"))])
    key = models.ForeignKey(
        AllocationKey,
        verbose_name=_("allocation key"),
        on_delete=models.PROTECT,
        related_name="pools",
    )
    split_to_service_areas = models.BooleanField(
        _("split on to service areas"),
        default=False,
        help_text=_("Split each municipality's share on to its service areas by persons."),
    )
    vat_rate = vat_rate_field()
    vat_exemption_reason = models.CharField(_("VAT exemption reason"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("cost pool")
        verbose_name_plural = _("cost pools")
        ordering = ["name", "valid_from"]
        constraints = [
            period_constraint("cost_pool_valid_to_after_from"),
            models.CheckConstraint(
                condition=Q(monthly_amount__gte=0), name="cost_pool_amount_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.vat_rate == 0 and not self.vat_exemption_reason.strip():
            raise ValidationError(
                {"vat_exemption_reason": _("A cost without VAT needs the exemption reason.")}
            )
