"""The gains an action brings: how each is valued, its share per municipality with its
gains owner, and what was measured as realised."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from samdrift.catalogue.models import FINANCE_ROLES
from samdrift.core.choices import Role
from samdrift.core.models import ChangeLoggedModel
from samdrift.core.money import MoneyField
from samdrift.finance.money import round_to_ore
from samdrift.gains.choices import GainType
from samdrift.gains.models.baselines import Indicator, check_percent
from samdrift.gains.models.fields import today, value_field, year_field
from samdrift.gains.models.plan import Action, through_action
from samdrift.ui.formatting import format_day

# Who records what was realised: the collaboration, and the municipality's own gains owner.
MEASUREMENT_ROLES: frozenset[str] = frozenset({Role.OPERATOR, Role.FINANCE, Role.MUNICIPALITY})


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
    visible_to_municipality = through_action("action")

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
        if self.measured_on and self.measured_on > today():
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
