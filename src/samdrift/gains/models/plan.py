"""The improvement and action plan: actions and their milestones."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from samdrift.catalogue.models import FINANCE_ROLES
from samdrift.core.models import ChangeLoggedModel, RelationsLoggedModel
from samdrift.core.money import MoneyField
from samdrift.gains.choices import ActionStatus


class Action(RelationsLoggedModel):
    """One action of the improvement and action plan."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.CharField(
        _("owner"), max_length=150, help_text=_("Who is responsible for carrying it out.")
    )
    all_municipalities = models.BooleanField(_("all municipalities"), default=True)
    municipalities = models.ManyToManyField(
        "organisations.Municipality",
        verbose_name=_("municipalities"),
        blank=True,
        related_name="gain_actions",
        help_text=_("The municipalities concerned, when not all."),
    )
    start = models.DateField(_("start"))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    budget = MoneyField(_("budget"), default=Decimal("0"), validators=[MinValueValidator(0)])
    cost_to_date = MoneyField(
        _("cost so far"), default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    solutions = models.ManyToManyField(
        "solutions.Solution", verbose_name=_("solutions"), blank=True, related_name="gain_actions"
    )
    services = models.ManyToManyField(
        "catalogue.Service", verbose_name=_("services"), blank=True, related_name="gain_actions"
    )
    prerequisites = models.ManyToManyField(
        "self",
        verbose_name=_("requires"),
        symmetrical=False,
        blank=True,
        related_name="enables",
        help_text=_("Actions that must be done first."),
    )

    municipality_path: ClassVar[str | None] = None
    tenant_private: ClassVar[bool] = True
    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES
    # Logged with the row (``gains.services.save_action`` writes them): the change log
    # says who changed which municipalities an action concerns.
    logged_relations: ClassVar[tuple[str, ...]] = (
        "municipalities",
        "solutions",
        "services",
        "prerequisites",
    )

    class Meta:
        verbose_name = pgettext_lazy("improvement plan", "action")
        verbose_name_plural = pgettext_lazy("improvement plan", "actions")
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("start")), name="action_deadline_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def concerning(cls, municipality_id: int) -> Q:
        """The actions that concern a municipality: those of all, and its own."""
        own = cls.municipalities.through.objects.filter(
            action_id=OuterRef("pk"), municipality_id=municipality_id
        )
        return Q(all_municipalities=True) | Q(Exists(own))

    @classmethod
    def visible_to_municipality(cls, queryset, municipality_id: int):
        return queryset.filter(cls.concerning(municipality_id))

    def concerns(self, municipality_id: int) -> bool:
        """Does the action concern the municipality? (One query when not all.)"""
        if self.all_municipalities:
            return True
        return self.municipalities.filter(pk=municipality_id).exists()

    def clean(self) -> None:
        super().clean()
        if self.start and self.deadline and self.deadline < self.start:
            raise ValidationError({"deadline": _("The deadline is before the start.")})


def through_action(path: str):
    """``visible_to_municipality`` of a model that hangs off an action by ``path``."""

    def visible(cls, queryset, municipality_id: int):
        actions = Action.objects.filter(Action.concerning(municipality_id)).values("pk")
        return queryset.filter(**{f"{path}__in": actions})

    return classmethod(visible)


class Milestone(ChangeLoggedModel):
    action = models.ForeignKey(
        Action,
        verbose_name=pgettext_lazy("improvement plan", "action"),
        on_delete=models.CASCADE,
        related_name="milestones",
    )
    title = models.CharField(_("title"), max_length=200)
    due = models.DateField(_("due"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    municipality_path: ClassVar[str | None] = None
    tenant_private: ClassVar[bool] = True
    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES
    visible_to_municipality = through_action("action")

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return self.title
