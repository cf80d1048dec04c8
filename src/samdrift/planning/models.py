"""Lifecycle planning: when devices fall due for replacement, the campaigns that replace
them, and the assumptions of the cost forecast and its scenarios.

- ``ReplacementRule``: per product category, the age at which its devices are replaced —
  a maximum age in months, or the lease term — and the standard product that replaces them.
- ``ProductSupport``: a product's end of support (an operating system or firmware that
  stops receiving security updates on a date), with its release date where known.
- The device's own dates (warranty end, planned replacement, lease end) live on
  ``inventory.Asset``. ``planning.rules`` turns them into a due date with its reason.
- ``Campaign`` / ``CampaignDevice``: a replacement campaign and the devices it took in
  when created (frozen, so its progress can be followed to the end).
- ``Scenario`` and its ``ScenarioMember`` / ``ScenarioPoolChange``: forecast assumptions.
  The one marked ``is_baseline`` holds the baseline assumptions; a scenario copies them
  and changes some. ``ScenarioResult`` keeps a computed scenario's monthly figures per
  municipality beside the baseline's, so a saved scenario opens without recomputing.

Devices of a campaign carry their municipality and service area (as they were when the
campaign took them in): a municipality's users see their own devices of a campaign only.
Scenarios and their results are the collaboration's: operators and finance only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from samdrift.catalogue.models import FINANCE_ROLES, MAX_USEFUL_LIFE_MONTHS
from samdrift.core.models import ChangeLoggedModel
from samdrift.core.money import MoneyField
from samdrift.planning.choices import (
    CampaignCriterion,
    CampaignState,
    DeviceProgress,
    DueReason,
    MemberChange,
    RuleBasis,
)
from samdrift.ui.formatting import format_day

MAX_YEARS = 5
# A yearly rate in percent: above -100 % (a rate of -100 % or less wipes out the capital).
PERCENT_FLOOR = Decimal("-99.99")


def percent_field(verbose_name, *, default=Decimal("0"), null=False, help_text=""):
    return models.DecimalField(
        verbose_name,
        max_digits=6,
        decimal_places=2,
        default=None if null else default,
        null=null,
        blank=null,
        validators=[MinValueValidator(PERCENT_FLOOR), MaxValueValidator(Decimal("1000"))],
        help_text=help_text,
    )


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


class Scenario(ChangeLoggedModel):
    """Forecast assumptions. One row is the baseline; every other scenario starts as its
    copy and changes some of them."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_baseline = models.BooleanField(_("baseline"), default=False)
    years = models.PositiveSmallIntegerField(
        _("years"),
        default=MAX_YEARS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_YEARS)],
    )
    index_percent = percent_field(
        _("yearly price index (%)"),
        default=Decimal("3.00"),
        help_text=_("Prices and cost pools rise by this much each January."),
    )
    growth_percent = percent_field(
        _("yearly growth in devices (%)"),
        help_text=_("More devices bought each year, as a share of the fleet in service."),
    )
    lease_term_months = models.PositiveSmallIntegerField(
        _("lease term (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_USEFUL_LIFE_MONTHS * 2)],
        help_text=_("Empty: each category's lease model. Applies to devices bought from now."),
    )
    annual_rate_percent = percent_field(
        _("interest rate (% a year)"),
        null=True,
        help_text=_("Empty: each lease model's rate. Applies to devices bought from now."),
    )
    pool_growth_percent = percent_field(
        _("yearly growth of cost pools (%)"),
        help_text=_("On top of the index, for every pool without its own change below."),
    )
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    computed_from = models.DateField(_("first month"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    # The collaboration's assumptions about every member: never a municipality's to read.
    tenant_private: ClassVar[bool] = True
    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        ordering = ["-is_baseline", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_baseline"], condition=Q(is_baseline=True), name="one_baseline"
            ),
            models.CheckConstraint(
                condition=Q(years__gte=1, years__lte=MAX_YEARS), name="scenario_years_1_to_5"
            ),
            models.CheckConstraint(
                condition=Q(lease_term_months__isnull=True) | Q(lease_term_months__gt=0),
                name="scenario_lease_term_positive",
            ),
            models.CheckConstraint(
                condition=Q(annual_rate_percent__isnull=True)
                | Q(annual_rate_percent__gt=Decimal("-100")),
                name="scenario_rate_above_minus_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ScenarioMember(ChangeLoggedModel):
    """A municipality joining or leaving in a scenario."""

    scenario = models.ForeignKey(
        Scenario, verbose_name=_("scenario"), on_delete=models.CASCADE, related_name="members"
    )
    change = models.CharField(_("change"), max_length=10, choices=MemberChange.choices)
    on = models.DateField(_("from"), help_text=_("The first day in or out (a month's first day)."))
    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The member that leaves."),
    )
    name = models.CharField(
        _("name"), max_length=100, blank=True, help_text=_("The municipality that joins.")
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    persons = models.IntegerField(
        _("persons"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Empty: estimated from the population as the members have it."),
    )
    devices = models.IntegerField(
        _("devices"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Empty: estimated from the population as the members have it."),
    )

    # The collaboration's assumptions about every member: never a municipality's to read.
    tenant_private: ClassVar[bool] = True
    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("member change")
        verbose_name_plural = _("member changes")
        ordering = ["scenario", "on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(persons__isnull=True) | Q(persons__gte=0),
                name="scenario_member_persons_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(devices__isnull=True) | Q(devices__gte=0),
                name="scenario_member_devices_not_negative",
            ),
        ]

    def __str__(self) -> str:
        who = self.municipality if self.municipality_id else self.name
        return f"{who} {self.get_change_display().lower()} {format_day(self.on)}"

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.change == MemberChange.LEAVES and not self.municipality_id:
            errors["municipality"] = _("Choose the member that leaves.")
        if self.change == MemberChange.JOINS:
            if not self.name.strip():
                errors["name"] = _("Name the municipality that joins.")
            if self.population is None and (self.persons is None or self.devices is None):
                errors["population"] = _(
                    "Give the population, or both the persons and the devices."
                )
        if self.persons is not None and self.persons < 0:
            errors["persons"] = _("The number of persons cannot be negative.")
        if self.devices is not None and self.devices < 0:
            errors["devices"] = _("The number of devices cannot be negative.")
        if self.on is not None and self.on.day != 1:
            errors["on"] = _("Give the first day of a month.")
        if errors:
            raise ValidationError(errors)


class ScenarioPoolChange(ChangeLoggedModel):
    """A cost pool growing (or shrinking) by a yearly rate in a scenario."""

    scenario = models.ForeignKey(
        Scenario, verbose_name=_("scenario"), on_delete=models.CASCADE, related_name="pool_changes"
    )
    pool = models.ForeignKey(
        "billing.CostPool", verbose_name=_("cost pool"), on_delete=models.CASCADE, related_name="+"
    )
    growth_percent = percent_field(_("yearly growth (%)"))

    # The collaboration's assumptions about every member: never a municipality's to read.
    tenant_private: ClassVar[bool] = True
    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("cost pool change")
        verbose_name_plural = _("cost pool changes")
        constraints = [
            models.UniqueConstraint(fields=["scenario", "pool"], name="scenario_pool_once"),
        ]

    def __str__(self) -> str:
        return f"{self.pool}: {self.growth_percent} %"


class ScenarioResult(models.Model):
    """A computed scenario's monthly cost for one municipality (a joining one by name),
    beside the baseline's for the same month. Amounts excluding VAT."""

    scenario = models.ForeignKey(
        Scenario, verbose_name=_("scenario"), on_delete=models.CASCADE, related_name="results"
    )
    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=100)
    month = models.DateField(_("month"))
    baseline = MoneyField(_("baseline"))
    amount = MoneyField(_("scenario"))
    settlement = MoneyField(
        _("settlement"),
        default=Decimal("0"),
        help_text=_("A leaving member's payment for the book value of its devices."),
    )

    tenant_private: ClassVar[bool] = True

    class Meta:
        verbose_name = _("scenario result")
        verbose_name_plural = _("scenario results")
        ordering = ["scenario", "name", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["scenario", "name", "month"], name="scenario_result_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scenario} {self.name} {self.month:%Y-%m}"


class FleetFigure(models.Model):
    """How many assets one holder (a service area of a municipality, the municipality
    itself, or nobody: the pool) has of one product in one status — with, for those in
    service, their age bucket, their due bucket by the replacement rules and whether
    their lease ends soon — as of ``FleetFigureStamp.as_of``.

    The overview and the home page sum these rows for the user's scope instead of
    scanning the assets (``planning.figures``). Kept by the writers of assets
    (``inventory.figures.assets_changed``), rebuilt whole when the day or the rules
    change. Derived data: not change-logged.
    """

    municipality = models.ForeignKey(
        "organisations.Municipality",
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        db_index=False,  # the (municipality, service area) index serves it
    )
    service_area = models.ForeignKey(
        "organisations.ServiceArea",
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
    )
    product = models.ForeignKey(
        "catalogue.Product", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    status = models.CharField(max_length=20)
    # In service only (else NULL): whole years since acquisition (-1 unknown), and the
    # due bucket of ``planning.figures.due_boundaries`` (-1 overdue, NULL later or never).
    age = models.SmallIntegerField(null=True)
    due = models.SmallIntegerField(null=True)
    lease_ending = models.BooleanField(default=False)
    count = models.PositiveIntegerField()

    municipality_path: ClassVar[str | None] = "municipality"
    service_area_path: ClassVar[str | None] = "service_area"

    class Meta:
        indexes = [models.Index(fields=["municipality", "service_area"])]

    def __str__(self) -> str:
        return f"{self.municipality_id}/{self.service_area_id}/{self.product_id}: {self.count}"


class FleetFigureStamp(models.Model):
    """The day and the replacement rules (a fingerprint) the fleet figures were counted
    for: one row. Another day or other rules and they are counted again."""

    as_of = models.DateField(null=True)
    rules = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.as_of} {self.rules}"


class HoldingFigure(models.Model):
    """How many identical things one holder (a service area of a municipality, or the
    municipality itself) holds in force on ``HoldingFigureStamp.as_of``: devices of one
    product at one own price (bought-out assets), charged or not — or charged monthly
    subscriptions of one service and quantity. The monthly cost prices these rows at
    read time (``planning.holdings``, ``leasing.prices.price_grouped``); prices are not
    kept, so a price published later needs no recount. Derived data: not change-logged.
    """

    municipality = models.ForeignKey(
        "organisations.Municipality",
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        db_index=False,  # the (municipality, service area) index serves it
    )
    service_area = models.ForeignKey(
        "organisations.ServiceArea",
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        db_index=False,
    )
    # A device row has the product, a subscription row the service.
    product = models.ForeignKey(
        "catalogue.Product", on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    service = models.ForeignKey(
        "catalogue.Service", on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    own_price = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    # Defaults in the database: the grouped INSERT … SELECT of subscriptions leaves them out.
    charged = models.BooleanField(db_default=True)
    quantity = models.DecimalField(max_digits=12, decimal_places=3, db_default=Decimal("1"))
    count = models.PositiveIntegerField()

    municipality_path: ClassVar[str | None] = "municipality"
    service_area_path: ClassVar[str | None] = "service_area"

    class Meta:
        indexes = [models.Index(fields=["municipality", "service_area"])]

    def __str__(self) -> str:
        item = f"p{self.product_id}" if self.product_id else f"s{self.service_id}"
        return f"{self.municipality_id}/{self.service_area_id}/{item}: {self.count}"


class HoldingFigureStamp(models.Model):
    """The day the holding figures were counted for: one row. Another day and they are
    counted again."""

    as_of = models.DateField(null=True)

    def __str__(self) -> str:
        return str(self.as_of)


class PersonFigure(models.Model):
    """How many persons of one holder (a service area of a municipality, or the
    municipality itself) are active on ``HoldingFigureStamp.as_of`` — the overview's
    "active persons" card sums these instead of counting 500,000 persons per request.
    Kept with the holding figures, by the same calls (``planning.holdings``): persons
    saved, deleted or imported. Derived data: not change-logged."""

    municipality = models.ForeignKey(
        "organisations.Municipality",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the (municipality, service area) index serves it
    )
    service_area = models.ForeignKey(
        "organisations.ServiceArea",
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        db_index=False,
    )
    count = models.PositiveIntegerField()

    municipality_path: ClassVar[str | None] = "municipality"
    service_area_path: ClassVar[str | None] = "service_area"

    class Meta:
        indexes = [models.Index(fields=["municipality", "service_area"])]

    def __str__(self) -> str:
        return f"{self.municipality_id}/{self.service_area_id}: {self.count}"
