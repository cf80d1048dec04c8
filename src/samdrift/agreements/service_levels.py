"""Service levels: what the collaboration promises a municipality for a service.

A **service-hours calendar** says when the clock runs (Monday–Friday 07:30–16:00
Europe/Oslo with Norway's public holidays closed, or around the clock), with the
operator's own closed or shortened days. A **service level** of an agreement names, for
one service, the availability target within its calendar's hours, the response and
resolution targets per priority (each in business time of a calendar: P1 may run 24/7),
and the **credit rules**: how much of the service's monthly charge is credited when the
availability falls short. The time arithmetic itself is ``samdrift.businesstime``; the
measuring is the service desk's.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from samdrift.catalogue.models import FINANCE_ROLES
from samdrift.core.models import ChangeLoggedModel
from samdrift.ui.formatting import format_day

MIDNIGHT = datetime.time(0, 0)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Priority(models.IntegerChoices):
    """The priority of an incident, as the service desks number it."""

    P1 = 1, _("P1 – critical")
    P2 = 2, _("P2 – high")
    P3 = 3, _("P3 – moderate")
    P4 = 4, _("P4 – low")


def minute_of_day(value: datetime.time, *, closing: bool = False) -> int:
    """Minutes since midnight; a closing time of 00:00 means midnight at the day's end."""
    minutes = value.hour * 60 + value.minute
    return 1440 if closing and minutes == 0 else minutes


def hours_errors(opens, closes, *, field: str = "closes") -> dict[str, str]:
    """The error of a day's hours that end before (or when) they start, or {}."""
    if opens is None or closes is None:
        return {}
    if minute_of_day(closes, closing=True) <= minute_of_day(opens):
        return {
            field: _("The day ends (%(closes)s) before it starts (%(opens)s).")
            % {"closes": closes.strftime("%H:%M"), "opens": opens.strftime("%H:%M")}
        }
    return {}


class ServiceCalendar(ChangeLoggedModel):
    """When the clock runs for a service level: opening hours per weekday, public holidays
    closed or not, and the operator's own days (``CalendarDay``). Shared by agreements."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    timezone = models.CharField(_("time zone"), max_length=50, default="Europe/Oslo")
    always_open = models.BooleanField(
        _("around the clock (24/7)"),
        default=False,
        help_text=_("Every hour of every day counts; opening hours and holidays are ignored."),
    )
    public_holidays_closed = models.BooleanField(
        _("closed on public holidays"),
        default=True,
        help_text=_("Norway's public holidays, moving feasts included."),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)

    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("service-hours calendar")
        verbose_name_plural = _("service-hours calendars")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        import zoneinfo

        try:
            zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValidationError(
                {"timezone": _("Unknown time zone “%(zone)s”.") % {"zone": self.timezone}}
            ) from None


class CalendarHours(ChangeLoggedModel):
    """The hours a calendar is open on one weekday (a weekday without a row is closed)."""

    calendar = models.ForeignKey(
        ServiceCalendar,
        verbose_name=_("calendar"),
        on_delete=models.CASCADE,
        related_name="hours",
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"), help_text=_("00:00 means midnight at the day's end."))

    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["calendar_id", "weekday"]
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "weekday"], name="calendar_hours_one_per_weekday"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self) -> None:
        super().clean()
        errors = hours_errors(self.opens, self.closes)
        if errors:
            raise ValidationError(errors)


class CalendarDay(ChangeLoggedModel):
    """One of the operator's own days: closed (Christmas Eve) or open other hours than the
    weekday's (23 December 07:30–12:00). Overrides the weekday and public holidays."""

    calendar = models.ForeignKey(
        ServiceCalendar,
        verbose_name=_("calendar"),
        on_delete=models.CASCADE,
        related_name="days",
    )
    date = models.DateField(_("date"))
    opens = models.TimeField(_("opens"), null=True, blank=True, help_text=_("Empty: closed."))
    closes = models.TimeField(_("closes"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=100, blank=True)

    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("special day")
        verbose_name_plural = _("special days")
        ordering = ["calendar_id", "date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="calendar_day_one_per_date")
        ]

    def __str__(self) -> str:
        if self.opens is None:
            return f"{format_day(self.date)}: {_('closed')}"
        return f"{format_day(self.date)}: {self.opens:%H:%M}–{self.closes:%H:%M}"

    @property
    def closed(self) -> bool:
        return self.opens is None

    def clean(self) -> None:
        super().clean()
        if (self.opens is None) != (self.closes is None):
            raise ValidationError(
                {"closes": _("Give both opening and closing time, or neither for a closed day.")}
            )
        errors = hours_errors(self.opens, self.closes)
        if errors:
            raise ValidationError(errors)


class ServiceLevel(ChangeLoggedModel):
    """The level agreed for one service under an agreement."""

    agreement = models.ForeignKey(
        "agreements.ServiceAgreement",
        verbose_name=_("agreement"),
        on_delete=models.CASCADE,
        related_name="service_levels",
    )
    service = models.ForeignKey(
        "catalogue.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="service_levels",
    )
    availability_target = models.DecimalField(
        _("availability target (%)"),
        max_digits=6,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Within the service hours, e.g. 99.5."),
    )
    calendar = models.ForeignKey(
        ServiceCalendar,
        verbose_name=_("service hours"),
        on_delete=models.PROTECT,
        related_name="service_levels",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    municipality_path: ClassVar[str | None] = "agreement__municipality"
    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")
        ordering = ["agreement_id", "service__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "service"], name="service_level_one_per_service"
            ),
            models.CheckConstraint(
                condition=Q(availability_target__gte=0, availability_target__lte=100),
                name="service_level_availability_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service}: {self.availability_target} %"

    def clean(self) -> None:
        super().clean()
        target = self.availability_target
        if target is not None and not (0 <= target <= 100):
            raise ValidationError(
                {"availability_target": _("An availability target is between 0 and 100 %.")}
            )


class PriorityTarget(ChangeLoggedModel):
    """Response and resolution targets for incidents of one priority, in business minutes
    of a calendar (the service level's own when none is given)."""

    service_level = models.ForeignKey(
        ServiceLevel,
        verbose_name=_("service level"),
        on_delete=models.CASCADE,
        related_name="targets",
    )
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)
    response_minutes = models.PositiveIntegerField(_("response target (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution target (minutes)"))
    calendar = models.ForeignKey(
        ServiceCalendar,
        verbose_name=_("calendar"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the service level's service hours. P1 may run around the clock."),
    )

    municipality_path: ClassVar[str | None] = "service_level__agreement__municipality"
    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("priority target")
        verbose_name_plural = _("priority targets")
        ordering = ["service_level_id", "priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_level", "priority"], name="priority_target_one_per_priority"
            ),
            models.CheckConstraint(
                condition=Q(resolution_minutes__gte=models.F("response_minutes")),
                name="priority_target_resolution_after_response",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_priority_display()}: {self.response_minutes}/{self.resolution_minutes}"

    def clean(self) -> None:
        super().clean()
        if (
            self.response_minutes is not None
            and self.resolution_minutes is not None
            and self.resolution_minutes < self.response_minutes
        ):
            raise ValidationError(
                {
                    "resolution_minutes": _(
                        "The resolution target (%(resolution)s min) is shorter than the response "
                        "target (%(response)s min)."
                    )
                    % {"resolution": self.resolution_minutes, "response": self.response_minutes}
                }
            )


class CreditRule(ChangeLoggedModel):
    """A step of a service level's credits: when the availability falls short of the
    target by more than the previous step's and at most ``shortfall_up_to`` points (no
    limit when empty), ``percent`` of the service's monthly charge is credited."""

    service_level = models.ForeignKey(
        ServiceLevel,
        verbose_name=_("service level"),
        on_delete=models.CASCADE,
        related_name="credit_rules",
    )
    shortfall_up_to = models.DecimalField(
        _("shortfall up to (points)"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("100"))],
        help_text=_("Empty: any larger shortfall."),
    )
    percent = models.DecimalField(
        _("credit (% of the monthly charge)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )

    municipality_path: ClassVar[str | None] = "service_level__agreement__municipality"
    write_roles: ClassVar[frozenset[str]] = FINANCE_ROLES

    class Meta:
        verbose_name = _("credit rule")
        verbose_name_plural = _("credit rules")
        ordering = ["service_level_id", models.F("shortfall_up_to").asc(nulls_last=True)]
        constraints = [
            models.UniqueConstraint(
                fields=["service_level", "shortfall_up_to"], name="credit_rule_one_per_step"
            ),
            models.CheckConstraint(
                condition=Q(percent__gt=0, percent__lte=100), name="credit_rule_percent_0_100"
            ),
        ]

    def __str__(self) -> str:
        if self.shortfall_up_to is None:
            return _("beyond: %(percent)s %%") % {"percent": self.percent}
        return _("up to %(points)s points: %(percent)s %%") % {
            "points": self.shortfall_up_to,
            "percent": self.percent,
        }


def credit_percent(rules, shortfall: Decimal) -> Decimal:
    """The percent credited for a shortfall (target − measured, in points) by a service
    level's rules: the first step whose limit covers it, the unlimited one beyond all; 0
    when there is no shortfall or no rule covers it."""
    if shortfall <= 0:
        return Decimal("0")
    ordered = sorted(rules, key=lambda r: (r.shortfall_up_to is None, r.shortfall_up_to or 0))
    for rule in ordered:
        if rule.shortfall_up_to is None or shortfall <= rule.shortfall_up_to:
            return rule.percent
    return Decimal("0")
