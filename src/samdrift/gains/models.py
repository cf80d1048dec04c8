"""Gains realisation: what each member cost alone, the improvement and action plan, and the
gains its actions are expected to bring and do bring — the way Norwegian municipalities
work with "gevinstrealisering" (baseline, gains owner, indicators, planned vs realised).

- ``CostIndex``: a yearly cost index (e.g. the municipal deflator), to carry a baseline
  forward to a later year.
- ``BaselineCost``: a municipality's ICT cost alone in one year, per category — its
  baseline ("nullpunkt"). Staff is full-time equivalents × cost per FTE (computed).
- ``Indicator`` / ``IndicatorBaseline``: what is measured (incidents per 100 users,
  availability, …) and a municipality's value before the collaboration changed it.
- ``CollaborationCost``: what the collaboration spends in a year that it does not bill
  (the board, a project paid from reserves), for the collaboration's whole account.
- ``Action`` / ``Milestone``: the improvement and action plan; an action concerns all
  members or some, may need other actions done first, and links the solutions and
  services it concerns.
- ``Gain``: an effect of an action and how it is valued; ``GainShare`` its gains owner
  and expected yearly amount in one municipality, and whether that has been taken out of
  the municipality's budget; ``Measurement`` what was realised, when, from which source.

Amounts are kroner excluding VAT, like the invoices' net totals they are compared with.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from samdrift.catalogue.models import FINANCE_ROLES
from samdrift.core.choices import Role
from samdrift.core.models import ChangeLoggedModel
from samdrift.core.money import MoneyField
from samdrift.finance.money import round_to_ore
from samdrift.gains.choices import ActionStatus, CostCategory, GainType, IndicatorUnit
from samdrift.ui.formatting import format_day

FIRST_YEAR = 2000
LAST_YEAR = 2100
# Who records what was realised: the collaboration, and the municipality's own gains owner.
MEASUREMENT_ROLES: frozenset[str] = frozenset({Role.OPERATOR, Role.FINANCE, Role.MUNICIPALITY})


def year_field(verbose_name, **kwargs):
    return models.PositiveSmallIntegerField(
        verbose_name,
        validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)],
        **kwargs,
    )


def value_field(verbose_name, **kwargs):
    """An indicator value: a percentage, a count per 100 users, hours, a score."""
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=4, **kwargs)


def _today() -> datetime.date:
    return timezone.localdate()


def check_percent(indicator: Indicator | None, **values: Decimal | None) -> None:
    """A value of a percentage indicator lies within 0–100 (names the bad field)."""
    if indicator is None or indicator.unit != IndicatorUnit.PERCENT:
        return
    errors = {
        name: _("A percentage lies between 0 and 100, not %(value)s.") % {"value": value}
        for name, value in values.items()
        if value is not None and not Decimal("0") <= value <= Decimal("100")
    }
    if errors:
        raise ValidationError(errors)


# Reference data --------------------------------------------------------------------------


class CostIndex(ChangeLoggedModel):
    """A yearly cost index value (e.g. the municipal deflator, "kommunal deflator"): a
    baseline of year B counts in year Y as amount × index(Y) / index(B)."""

    year = year_field(_("year"), unique=True)
    value = models.DecimalField(
        _("index value"),
        max_digits=12,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0.0001"))],
    )
    source = models.CharField(_("source"), max_length=200, blank=True)

    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("cost index")
        verbose_name_plural = _("cost index")
        ordering = ["year"]
        constraints = [models.CheckConstraint(condition=Q(value__gt=0), name="cost_index_gt_0")]

    def __str__(self) -> str:
        return f"{self.year}: {self.value}"


class Indicator(ChangeLoggedModel):
    """Something measured to show a gain that is not (only) money."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    unit = models.CharField(_("unit"), max_length=20, choices=IndicatorUnit.choices)
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    description = models.TextField(_("description"), blank=True)

    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# Baselines -------------------------------------------------------------------------------


class BaselineCost(ChangeLoggedModel):
    """What one municipality's ICT cost it alone in ``year``, for one category. The
    baseline is whole-municipality money: a service-area manager does not see it."""

    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="baseline_costs",
    )
    year = year_field(_("year"), help_text=_("The year the figures refer to (before joining)."))
    category = models.CharField(_("category"), max_length=20, choices=CostCategory.choices)
    fte = models.DecimalField(
        _("full-time equivalents"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Staff only."),
    )
    cost_per_fte = MoneyField(
        _("yearly cost per FTE"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Staff only: salary with social costs."),
    )
    amount = MoneyField(
        _("yearly amount"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("For staff computed as FTEs × cost per FTE."),
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    municipality_path: ClassVar[str | None] = "municipality"
    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("baseline cost")
        verbose_name_plural = _("baseline costs")
        ordering = ["municipality__number", "-year", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year", "category"], name="baseline_cost_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="baseline_cost_amount_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.year} {self.get_category_display()}"

    @classmethod
    def restrict_to_service_area(cls, queryset, service_area_id):
        return queryset.none()  # the whole municipality's costs

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.year and self.year > _today().year:
            errors["year"] = _("The baseline year %(year)s is in the future.") % {"year": self.year}
        elif self.year and self.municipality_id and self.year > self.municipality.joined_on.year:
            errors["year"] = _(
                "A baseline is what the municipality cost alone before joining: %(name)s "
                "joined in %(joined)s, so the year can be %(joined)s at the latest."
            ) % {"name": self.municipality, "joined": self.municipality.joined_on.year}
        if self.category == CostCategory.STAFF:
            for name in ("fte", "cost_per_fte"):
                if getattr(self, name) is None:
                    errors[name] = _("Staff costs are FTEs × cost per FTE: give both.")
            if self.fte is not None and self.cost_per_fte is not None:
                self.amount = round_to_ore(self.fte * self.cost_per_fte)
        else:
            self.fte = self.cost_per_fte = None
        if errors:
            raise ValidationError(errors)


class IndicatorBaseline(ChangeLoggedModel):
    """A municipality's value of an indicator before the collaboration changed it."""

    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="indicator_baselines",
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="baselines"
    )
    value = value_field(_("value"))
    measured_on = models.DateField(_("measured on"))
    source = models.CharField(_("source"), max_length=200, blank=True)

    municipality_path: ClassVar[str | None] = "municipality"
    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("indicator baseline")
        verbose_name_plural = _("indicator baselines")
        ordering = ["municipality__number", "indicator__name", "-measured_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "indicator", "measured_on"],
                name="indicator_baseline_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.indicator}: {self.value}"

    @classmethod
    def restrict_to_service_area(cls, queryset, service_area_id):
        return queryset.none()

    def clean(self) -> None:
        super().clean()
        if self.measured_on and self.measured_on > _today():
            raise ValidationError({"measured_on": _("A baseline is measured, not expected.")})
        if self.indicator_id:
            check_percent(self.indicator, value=self.value)


class CollaborationCost(ChangeLoggedModel):
    """A cost of the collaboration in a year that no invoice carries to the members."""

    year = year_field(_("year"))
    amount = MoneyField(_("amount"), validators=[MinValueValidator(Decimal("0"))])
    description = models.CharField(_("description"), max_length=300)

    tenant_private: ClassVar[bool] = True
    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("unbilled collaboration cost")
        verbose_name_plural = _("unbilled collaboration costs")
        ordering = ["-year", "description"]

    def __str__(self) -> str:
        return f"{self.year}: {self.description}"


# The action plan -------------------------------------------------------------------------


class Action(ChangeLoggedModel):
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

    def changelog_data(self) -> dict:
        # Its relations as written (``gains.services.save_action`` sets them), so that one
        # change-log row records the fields and the relations together.
        data = super().changelog_data()
        data.update(getattr(self, "_relation_ids", None) or {})
        return data

    def loaded_changelog_data(self) -> dict | None:
        data = super().loaded_changelog_data()
        if data is not None:
            data.update(getattr(self, "_loaded_relation_ids", None) or {})
        return data

    def concerns(self, municipality_id: int) -> bool:
        """Does the action concern the municipality? (One query when not all.)"""
        if self.all_municipalities:
            return True
        return self.municipalities.filter(pk=municipality_id).exists()

    def clean(self) -> None:
        super().clean()
        if self.start and self.deadline and self.deadline < self.start:
            raise ValidationError({"deadline": _("The deadline is before the start.")})


def _through_action(path: str):
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
    visible_to_municipality = _through_action("action")

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return self.title


class Gain(ChangeLoggedModel):
    """An effect of an action and the gain it brings, valued by ``type``. The indicator
    (optional for money gains) has a baseline and a target value with their dates."""

    action = models.ForeignKey(
        Action,
        verbose_name=pgettext_lazy("improvement plan", "action"),
        on_delete=models.CASCADE,
        related_name="gains",
    )
    effect = models.CharField(
        _("effect"),
        max_length=200,
        help_text=_("The change the action causes, e.g. 'fewer password resets'."),
    )
    type = models.CharField(_("type"), max_length=20, choices=GainType.choices)
    description = models.TextField(_("description"), blank=True)
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="gains",
    )
    baseline_value = value_field(_("baseline value"), null=True, blank=True)
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    target_value = value_field(_("target value"), null=True, blank=True)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    hourly_rate = MoneyField(
        _("hourly rate"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Time saved only: what an hour is worth."),
    )
    first_year = year_field(_("expected from year"))
    last_year = year_field(_("expected until year"))

    municipality_path: ClassVar[str | None] = None
    tenant_private: ClassVar[bool] = True
    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES
    visible_to_municipality = _through_action("action")

    class Meta:
        verbose_name = _("gain")
        verbose_name_plural = _("gains")
        ordering = ["action_id", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hourly_rate__isnull=True) | Q(hourly_rate__gte=0),
                name="gain_hourly_rate_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(last_year__gte=models.F("first_year")), name="gain_years_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action}: {self.effect}"

    @property
    def has_amount(self) -> bool:
        return self.type != GainType.QUALITY

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.hourly_rate is not None and self.hourly_rate < 0:
            errors["hourly_rate"] = _("An hourly rate cannot be negative.")
        elif self.type == GainType.TIME_SAVED and self.hourly_rate is None:
            errors["hourly_rate"] = _("Time saved is valued at an hourly rate: give it.")
        if self.type == GainType.QUALITY and self.indicator_id is None:
            errors["indicator"] = _("A quality gain is shown by an indicator: choose one.")
        if self.baseline_date and self.target_date and self.target_date < self.baseline_date:
            errors["target_date"] = _(
                "The target date %(target)s is before the baseline date %(baseline)s."
            ) % {"target": self.target_date, "baseline": self.baseline_date}
        if self.first_year and self.last_year and self.last_year < self.first_year:
            errors["last_year"] = _("The last year is before the first year.")
        if errors:
            raise ValidationError(errors)
        if self.indicator_id:
            check_percent(
                self.indicator, baseline_value=self.baseline_value, target_value=self.target_value
            )


class GainShare(ChangeLoggedModel):
    """A gain in one municipality: its gains owner there, the yearly amount expected
    (for time saved: hours × the gain's hourly rate), and whether the municipality has
    taken the saving out of its budget."""

    gain = models.ForeignKey(
        Gain, verbose_name=_("gain"), on_delete=models.CASCADE, related_name="shares"
    )
    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="gain_shares",
    )
    owner = models.CharField(
        _("gains owner"),
        max_length=150,
        help_text=_("The person in the municipality who answers for realising the gain."),
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gains owner's login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="gain_shares",
    )
    expected_hours = models.DecimalField(
        _("hours saved per year"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Time saved only."),
    )
    expected_amount = MoneyField(
        _("expected per year"),
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("For time saved computed as hours × hourly rate."),
    )
    taken_out_of_budget = models.BooleanField(_("taken out of the budget"), default=False)
    budget_note = models.CharField(
        _("budget note"),
        max_length=300,
        blank=True,
        help_text=_("Where and when the saving was taken out, e.g. 'budget 2027, ch. 1.2'."),
    )

    municipality_path: ClassVar[str | None] = "municipality"
    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("gain per municipality")
        verbose_name_plural = _("gains per municipality")
        ordering = ["gain_id", "municipality__number"]
        constraints = [
            models.UniqueConstraint(fields=["gain", "municipality"], name="gain_share_unique")
        ]

    def __str__(self) -> str:
        return f"{self.gain} — {self.municipality}"

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.gain_id and self.municipality_id:
            if not self.gain.action.concerns(self.municipality_id):
                errors["municipality"] = _(
                    "The action “%(action)s” does not concern %(municipality)s."
                ) % {"action": self.gain.action, "municipality": self.municipality}
            if self.owner_user_id and self.owner_user.municipality_id != self.municipality_id:
                errors["owner_user"] = _("The gains owner's login belongs to another municipality.")
        if self.gain_id and not errors:
            if self.gain.type == GainType.TIME_SAVED:
                if self.expected_hours is None:
                    errors["expected_hours"] = _("Time saved: give the hours saved per year.")
                else:
                    self.expected_amount = round_to_ore(
                        self.expected_hours * (self.gain.hourly_rate or 0)
                    )
            elif self.gain.type == GainType.QUALITY:
                self.expected_hours, self.expected_amount = None, Decimal("0")
            else:
                self.expected_hours = None
        if errors:
            raise ValidationError(errors)


class Measurement(ChangeLoggedModel):
    """What a gain realised in one municipality, measured on a date: the indicator's
    value, and the amount realised in the period measured (for time saved: hours ×
    the gain's hourly rate). The municipality's gains owner records it."""

    gain = models.ForeignKey(
        Gain, verbose_name=_("gain"), on_delete=models.CASCADE, related_name="measurements"
    )
    municipality = models.ForeignKey(
        "organisations.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="gain_measurements",
    )
    measured_on = models.DateField(_("measured on"))
    value = value_field(_("indicator value"), null=True, blank=True)
    hours = models.DecimalField(
        _("hours saved"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    amount = MoneyField(
        _("amount realised"),
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("For time saved computed as hours × hourly rate."),
    )
    source = models.CharField(
        _("source"), max_length=200, help_text=_("Where the figure comes from.")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    municipality_path: ClassVar[str | None] = "municipality"
    write_roles: ClassVar[frozenset[str]] = MEASUREMENT_ROLES

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["-measured_on", "pk"]
        indexes = [models.Index(fields=["municipality", "measured_on"], name="measurement_when")]

    def __str__(self) -> str:
        return f"{self.gain} — {self.municipality} {format_day(self.measured_on)}"

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.measured_on and self.measured_on > _today():
            errors["measured_on"] = _("A measurement is of what happened: not a future date.")
        if self.gain_id and self.municipality_id:
            gain = self.gain
            if not gain.action.concerns(self.municipality_id):
                errors["municipality"] = _(
                    "The action “%(action)s” does not concern %(municipality)s."
                ) % {"action": gain.action, "municipality": self.municipality}
            elif gain.type == GainType.TIME_SAVED:
                if self.hours is None:
                    errors["hours"] = _("Time saved: give the hours saved.")
                else:
                    self.amount = round_to_ore(self.hours * (gain.hourly_rate or 0))
            elif gain.type == GainType.QUALITY:
                self.hours, self.amount = None, Decimal("0")
                if self.value is None:
                    errors["value"] = _("A quality gain is measured by its indicator's value.")
            else:
                self.hours = None
            if not errors and gain.indicator_id:
                check_percent(gain.indicator, value=self.value)
        if errors:
            raise ValidationError(errors)
