"""The solutions portfolio: the systems the municipalities run, who uses which (over
time), and what each municipality requires of them.

- ``SolutionFunction``: what a system is for (case handling and archive, payroll …), a
  list the operator extends; it may name the operator's own harmonisation candidate.
- ``Solution``: one system or application, shared data every login may read.
- ``SolutionUsage``: a municipality uses a solution over ``[valid_from, valid_to)``;
  a change (more users, a new contract) ends one row and starts the next, so the share
  of members on the common solution can be shown for any past quarter.
- ``Requirement``: a municipality's delivery and quality requirements of a solution it
  uses, which its own contact may edit.

A service-area manager sees the usage rows tagged with their service area and those
tagged with none (used by the whole municipality), and the requirements of the solutions
those rows are of (``restrict_to_service_area``, read by ``core.permissions.restrict``).
"""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from samdrift.core.choices import Role
from samdrift.core.dating import overlapping, period_constraint
from samdrift.core.models import ChangeLoggedModel, RelationsLoggedModel
from samdrift.core.money import MoneyField, non_negative
from samdrift.solutions.choices import Criticality, DeliveryForm, Level, ServiceHours
from samdrift.ui.formatting import format_day


class SolutionFunction(ChangeLoggedModel):
    """What a solution does for a municipality; the unit of the standardisation report."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    description = models.TextField(_("description"), blank=True)
    preferred_solution = models.ForeignKey(
        "solutions.Solution",
        verbose_name=_("harmonisation candidate"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The operator's choice; empty: the solution most members use."),
    )

    class Meta:
        verbose_name = _("function")
        verbose_name_plural = _("functions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        preferred = self.preferred_solution if self.preferred_solution_id else None
        if preferred is not None and self.pk and preferred.function_id != self.pk:
            raise ValidationError(
                {"preferred_solution": _("The candidate must be a solution of this function.")}
            )


class Solution(ChangeLoggedModel):
    """A system or application, with the catalogue service it is delivered as (if any)."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    vendor = models.CharField(_("vendor"), max_length=150)
    function = models.ForeignKey(
        SolutionFunction,
        verbose_name=_("function"),
        on_delete=models.PROTECT,
        related_name="solutions",
    )
    delivery_form = models.CharField(
        _("delivery form"), max_length=20, choices=DeliveryForm.choices
    )
    version = models.CharField(_("version"), max_length=50, blank=True)
    end_of_support = models.DateField(
        _("end of support"), null=True, blank=True, help_text=_("The vendor's date.")
    )
    service = models.ForeignKey(
        "catalogue.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="solutions",
        help_text=_("The catalogue service it is delivered and billed as, if any."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("solution")
        verbose_name_plural = _("solutions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SolutionUsage(RelationsLoggedModel):
    """A municipality's use of a solution over ``[valid_from, valid_to)``: users,
    licence cost and contract. One usage of a solution per municipality at a time."""

    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="solution_usages",
    )
    solution = models.ForeignKey(
        Solution, verbose_name=_("solution"), on_delete=models.PROTECT, related_name="usages"
    )
    service_areas = models.ManyToManyField(
        "organisations.ServiceArea",
        verbose_name=_("service areas"),
        blank=True,
        related_name="solution_usages",
    )
    users = models.PositiveIntegerField(_("users"), null=True, blank=True)
    licence_cost = MoneyField(
        _("licence cost per year"),
        null=True,
        blank=True,
        validators=non_negative(),
        help_text=_("Kroner a year, excluding VAT."),
    )
    contract_reference = models.CharField(_("contract reference"), max_length=100, blank=True)
    contract_start = models.DateField(_("contract start"), null=True, blank=True)
    contract_end = models.DateField(_("contract end"), null=True, blank=True)
    notice_months = models.PositiveSmallIntegerField(
        _("notice period (months)"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    system_owner = models.ForeignKey(
        "organisations.Person",
        verbose_name=_("system owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_solutions",
    )
    integrations = models.ManyToManyField(
        Solution,
        verbose_name=_("integrations"),
        blank=True,
        related_name="integrated_usages",
        help_text=_("Other solutions this one exchanges data with here."),
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("First day no longer in use.")
    )

    municipality_path: ClassVar[str | None] = "municipality"
    # The service areas and integrations are logged with the row, so that the change log
    # says who changed them; the services and the importer set them around a save.
    logged_relations: ClassVar[tuple[str, ...]] = ("service_areas", "integrations")

    class Meta:
        verbose_name = _("solution usage")
        verbose_name_plural = _("solution usages")
        ordering = ["municipality__number", "solution__name", "valid_from"]
        constraints = [
            period_constraint("solution_usage_valid_to_after_from"),
            models.CheckConstraint(
                condition=Q(contract_end__isnull=True)
                | Q(contract_start__isnull=True)
                | Q(contract_end__gt=models.F("contract_start")),
                name="solution_usage_contract_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(licence_cost__isnull=True) | Q(licence_cost__gte=0),
                name="solution_usage_licence_cost_gte_0",
            ),
            models.UniqueConstraint(
                fields=["municipality", "solution", "valid_from"],
                name="solution_usage_unique_start",
            ),
        ]
        indexes = [models.Index(fields=["solution", "municipality"])]

    def __str__(self) -> str:
        return f"{self.solution} ({self.municipality})" if self.solution_id else "–"

    @classmethod
    def restrict_to_service_area(cls, queryset: QuerySet, service_area_id: int | None) -> QuerySet:
        """The rows of ``queryset`` a manager of the service area sees: those tagged with
        it, and those tagged with no service area (the whole municipality uses them).
        Subqueries rather than a join, so that a row tagged with several areas comes
        once."""
        links = cls.service_areas.through.objects.filter(solutionusage_id=OuterRef("pk"))
        return queryset.filter(
            Exists(links.filter(servicearea_id=service_area_id)) | ~Exists(links)
        )

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.valid_from and self.valid_to and self.valid_to <= self.valid_from:
            errors["valid_to"] = _("Must be after 'valid from' (%(date)s).") % {
                "date": format_day(self.valid_from)
            }
        if self.contract_start and self.contract_end and self.contract_end <= self.contract_start:
            errors["contract_end"] = _("The contract must end after it starts (%(date)s).") % {
                "date": format_day(self.contract_start)
            }
        if (
            self.system_owner_id
            and self.municipality_id
            and self.system_owner.municipality_id != self.municipality_id
        ):
            errors["system_owner"] = _("The system owner must be a person of %(name)s.") % {
                "name": self.municipality
            }
        if not errors and self.municipality_id and self.solution_id and self.valid_from:
            clash = (
                SolutionUsage.objects.filter(
                    municipality_id=self.municipality_id, solution_id=self.solution_id
                )
                .exclude(pk=self.pk)
                .filter(overlapping(self.valid_from, self.valid_to))
                .order_by("valid_from")
                .first()
            )
            if clash is not None:
                errors["valid_from"] = _(
                    "%(municipality)s already uses %(solution)s from %(start)s; end that "
                    "use first (one use of a solution at a time)."
                ) % {
                    "municipality": self.municipality,
                    "solution": self.solution,
                    "start": format_day(clash.valid_from),
                }
        if errors:
            raise ValidationError(errors)


def _percent_validators() -> list:
    return [MinValueValidator(0), MaxValueValidator(100)]


class Requirement(ChangeLoggedModel):
    """What a municipality requires of a solution it uses: availability, service hours,
    recovery (RPO/RTO), criticality, CIA classification, personal data and the dates of
    its processing agreement and last risk assessment."""

    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="solution_requirements",
    )
    solution = models.ForeignKey(
        Solution,
        verbose_name=_("solution"),
        on_delete=models.PROTECT,
        related_name="requirements",
    )
    availability_target = models.DecimalField(
        _("availability target (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=_percent_validators(),
    )
    service_hours = models.CharField(
        _("service hours"), max_length=10, choices=ServiceHours.choices, blank=True
    )
    rpo_hours = models.DecimalField(
        _("RPO (hours)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=non_negative(),
        help_text=_("Most data that may be lost, in hours."),
    )
    rto_hours = models.DecimalField(
        _("RTO (hours)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=non_negative(),
        help_text=_("Longest time to restore, in hours."),
    )
    criticality = models.PositiveSmallIntegerField(
        _("criticality"), choices=Criticality.choices, null=True, blank=True
    )
    confidentiality = models.CharField(
        _("confidentiality"), max_length=10, choices=Level.choices, blank=True
    )
    integrity = models.CharField(_("integrity"), max_length=10, choices=Level.choices, blank=True)
    availability_class = models.CharField(
        _("availability class"), max_length=10, choices=Level.choices, blank=True
    )
    personal_data = models.BooleanField(_("processes personal data"), default=False)
    special_categories = models.BooleanField(_("special categories (GDPR art. 9)"), default=False)
    processing_agreement_on = models.DateField(
        _("data processing agreement"),
        null=True,
        blank=True,
        help_text=_("Date signed; required when personal data is processed by others."),
    )
    risk_assessed_on = models.DateField(_("last risk assessment"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    municipality_path: ClassVar[str | None] = "municipality"
    # A municipality's contact keeps its own requirements up to date (restrict keeps
    # them to their own municipality); everything else in the portfolio is the operator's.
    write_roles: ClassVar[frozenset[str]] = frozenset({Role.OPERATOR, Role.MUNICIPALITY})

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ["municipality__number", "solution__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "solution"], name="requirement_unique_solution"
            ),
            models.CheckConstraint(
                condition=Q(availability_target__isnull=True)
                | Q(availability_target__gte=0, availability_target__lte=100),
                name="requirement_availability_target_percent",
            ),
            models.CheckConstraint(
                condition=Q(rpo_hours__isnull=True) | Q(rpo_hours__gte=0),
                name="requirement_rpo_hours_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(rto_hours__isnull=True) | Q(rto_hours__gte=0),
                name="requirement_rto_hours_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.solution} ({self.municipality})" if self.solution_id else "–"

    @classmethod
    def restrict_to_service_area(cls, queryset: QuerySet, service_area_id: int | None) -> QuerySet:
        """The requirements a manager of the service area sees: those of a solution their
        municipality uses in a row the manager sees (``SolutionUsage``'s rule, any row of
        the pair, in force or not, as the usage list shows them all)."""
        usages = SolutionUsage.restrict_to_service_area(
            SolutionUsage.objects.filter(
                municipality_id=OuterRef("municipality_id"), solution_id=OuterRef("solution_id")
            ),
            service_area_id,
        )
        return queryset.filter(Exists(usages))

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.special_categories and not self.personal_data:
            errors["special_categories"] = _(
                "Special categories are personal data: tick “processes personal data” too."
            )
        if (
            self.municipality_id
            and self.solution_id
            and not SolutionUsage.objects.filter(
                municipality_id=self.municipality_id, solution_id=self.solution_id
            ).exists()
        ):
            errors["solution"] = _(
                "%(municipality)s does not use %(solution)s; record its use first."
            ) % {"municipality": self.municipality, "solution": self.solution}
        if errors:
            raise ValidationError(errors)
