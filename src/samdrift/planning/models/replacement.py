"""When devices fall due for replacement and the campaigns that replace them.

Why a module of its own: these are the lifecycle's rules and its campaigns — written by
finance and operators through forms and kept in the change log — apart from the
forecast's scenarios (``scenarios``) and the derived counts (``figures``).

- ``ReplacementRule``: per product category, the age at which its devices are replaced —
  a maximum age in months, or the lease term — and the standard product that replaces them.
- ``ProductSupport``: a product's end of support (an operating system or firmware that
  stops receiving security updates on a date), with its release date where known.
- The device's own dates (warranty end, planned replacement, lease end) live on
  ``inventory.Asset``. ``planning.rules`` turns them into a due date with its reason.
- ``Campaign`` / ``CampaignDevice``: a replacement campaign and the devices it took in
  when created (frozen, so its progress can be followed to the end). Devices of a
  campaign carry their municipality and service area (as they were when the campaign
  took them in): a municipality's users see their own devices of a campaign only.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from samdrift.catalogue.models import FINANCE_ROLES, MAX_USEFUL_LIFE_MONTHS
from samdrift.core.models import ChangeLoggedModel
from samdrift.planning.choices import (
    CampaignCriterion,
    CampaignState,
    DeviceProgress,
    DueReason,
    RuleBasis,
)
from samdrift.ui.formatting import format_day


class ReplacementRule(ChangeLoggedModel):
    """When the devices of a category are replaced, and by what."""

    category = models.OneToOneField(
        "catalogue.ProductCategory",
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        related_name="replacement_rule",
    )
    basis = models.CharField(
        _("replaced after"), max_length=12, choices=RuleBasis.choices, default=RuleBasis.MAX_AGE
    )
    max_age_months = models.PositiveSmallIntegerField(
        _("maximum age (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_USEFUL_LIFE_MONTHS * 2)],
        help_text=_("Counted from the acquisition date. Used when replaced after a maximum age."),
    )
    replacement_product = models.ForeignKey(
        "catalogue.Product",
        verbose_name=_("standard replacement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: a device is replaced by one of its own product."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("replacement rule")
        verbose_name_plural = _("replacement rules")
        ordering = ["category__name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(basis=RuleBasis.MAX_AGE)
                | Q(max_age_months__isnull=False, max_age_months__gt=0),
                name="replacement_rule_max_age_positive",
            ),
        ]

    def __str__(self) -> str:
        return str(self.category)

    def clean(self) -> None:
        super().clean()
        if self.basis == RuleBasis.MAX_AGE and not self.max_age_months:
            raise ValidationError(
                {"max_age_months": _("Give the maximum age in months (at least 1).")}
            )
        product = self.replacement_product if self.replacement_product_id else None
        if product is not None and product.category_id != self.category_id:
            raise ValidationError(
                {"replacement_product": _("The replacement must be a product of this category.")}
            )


class ProductSupport(ChangeLoggedModel):
    """The day a product stops receiving security updates."""

    product = models.OneToOneField(
        "catalogue.Product",
        verbose_name=_("product"),
        on_delete=models.CASCADE,
        related_name="support",
    )
    what = models.CharField(
        _("what ends"),
        max_length=150,
        blank=True,
        help_text=_("E.g. Windows 10, or firmware 4.x."),
    )
    released_on = models.DateField(_("released on"), null=True, blank=True)
    end_of_support = models.DateField(_("end of support"))

    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("end of support")
        verbose_name_plural = _("ends of support")
        ordering = ["end_of_support", "product__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(released_on__isnull=True)
                | Q(end_of_support__gt=models.F("released_on")),
                name="product_support_ends_after_release",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} ({format_day(self.end_of_support)})"

    def clean(self) -> None:
        super().clean()
        if self.released_on and self.end_of_support and self.end_of_support <= self.released_on:
            raise ValidationError(
                {"end_of_support": _("The end of support must come after the release date.")}
            )


class Campaign(ChangeLoggedModel):
    """A replacement campaign: the devices in service that met a criterion when it was
    created, followed until each is replaced."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    description = models.TextField(_("description"), blank=True)
    criterion = models.CharField(_("criterion"), max_length=20, choices=CampaignCriterion.choices)
    criterion_date = models.DateField(
        _("date"),
        null=True,
        blank=True,
        help_text=_("End of support on or before, or due before, this day."),
    )
    products = models.ManyToManyField(
        "catalogue.Product", verbose_name=_("products"), blank=True, related_name="+"
    )
    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: every member."),
    )
    starts_on = models.DateField(_("starts on"))
    target_date = models.DateField(_("target date"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=CampaignState.choices, default=CampaignState.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    progress_checked_at = models.DateTimeField(_("progress checked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_date__isnull=True) | Q(target_date__gte=models.F("starts_on")),
                name="campaign_target_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignDevice(ChangeLoggedModel):
    """A device a campaign took in, and how far its replacement has come."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="devices"
    )
    asset = models.ForeignKey(
        "inventory.Asset", verbose_name=_("device"), on_delete=models.PROTECT, related_name="+"
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
    person = models.ForeignKey(
        "organisations.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    due_reason = models.CharField(_("reason"), max_length=20, choices=DueReason.choices, blank=True)
    progress = models.CharField(
        _("progress"),
        max_length=10,
        choices=DeviceProgress.choices,
        default=DeviceProgress.PENDING,
        db_index=True,
    )
    replaced_by = models.ForeignKey(
        "inventory.Asset",
        verbose_name=_("replaced by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    replaced_on = models.DateField(_("replaced on"), null=True, blank=True)
    order_line = models.ForeignKey(
        "ordering.OrderLine",
        verbose_name=_("order line"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    municipality_path: ClassVar[str | None] = "municipality"
    service_area_path: ClassVar[str | None] = "service_area"
    changelog_exclude: ClassVar[frozenset[str]] = frozenset({"created", "last_updated"})

    class Meta:
        verbose_name = _("campaign device")
        verbose_name_plural = _("campaign devices")
        ordering = ["campaign", "due_on", "asset__asset_tag"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "asset"], name="campaign_device_once"),
        ]
        indexes = [
            models.Index(fields=["campaign", "municipality", "progress"]),
            # The campaign page lists its devices by due date, 50 at a time: read in
            # order from here, not sorted from all of them (38,000 in the large demo's
            # campaign: 1.5 s on SQLite, 11 ms with it).
            models.Index(fields=["campaign", "due_on"], name="campaign_device_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.asset_id}"
