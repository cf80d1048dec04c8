"""The cost forecast's assumptions and a computed scenario's saved figures.

Why a module of its own: scenarios are the collaboration's planning of every member's
cost (operators and finance only, ``tenant_private``), unlike the rules and campaigns
(``replacement``) that a municipality's users see their part of.

- ``Scenario`` and its ``ScenarioMember`` / ``ScenarioPoolChange``: forecast assumptions.
  The one marked ``is_baseline`` holds the baseline assumptions; a scenario copies them
  and changes some.
- ``ScenarioResult`` keeps a computed scenario's monthly figures per municipality beside
  the baseline's, so a saved scenario opens without recomputing.
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
from samdrift.planning.choices import MemberChange
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
