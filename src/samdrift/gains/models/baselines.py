"""Reference data and baselines: the cost index, indicators, what each member cost alone
before joining, its indicator values then, and the collaboration's unbilled costs."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from samdrift.catalogue.models import FINANCE_ROLES
from samdrift.core.models import ChangeLoggedModel
from samdrift.core.money import MoneyField
from samdrift.finance.money import round_to_ore
from samdrift.gains.choices import CostCategory, IndicatorUnit
from samdrift.gains.models.fields import today, value_field, year_field


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
        if self.year and self.year > today().year:
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
        if self.measured_on and self.measured_on > today():
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
