"""Write operations on service levels: service-hours calendars (weekly hours, special
days), the service level of a service under an agreement, its priority targets and its
credit rules.

Each validates the whole object (errors name the field, nothing is saved then) and writes
it, with its change-log row, in one transaction; the actor is whoever the entry point set
(docs/services.md).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from samdrift.agreements.models import (
    CalendarDay,
    CalendarHours,
    CreditRule,
    PriorityTarget,
    ServiceAgreement,
    ServiceCalendar,
    ServiceLevel,
)
from samdrift.catalogue.models import Service
from samdrift.core.services import save_object

CALENDAR_FIELDS = ("name", "timezone", "always_open", "public_holidays_closed", "description")


def _delete(instance) -> None:
    with transaction.atomic():
        instance.delete()


# --- calendars ------------------------------------------------------------------------


def create_calendar(
    *,
    name: str,
    timezone: str = "Europe/Oslo",
    always_open: bool = False,
    public_holidays_closed: bool = True,
    description: str = "",
) -> ServiceCalendar:
    """A new service-hours calendar (closed every weekday until hours are set)."""
    calendar = ServiceCalendar(
        name=name,
        timezone=timezone,
        always_open=always_open,
        public_holidays_closed=public_holidays_closed,
        description=description,
    )
    return save_object(instance=calendar)


def update_calendar(*, calendar: ServiceCalendar, changes: dict[str, Any]) -> ServiceCalendar:
    """Edit a calendar's name, time zone, 24/7 flag, holiday rule or description."""
    unknown = set(changes) - set(CALENDAR_FIELDS)
    if unknown:
        raise ValidationError({name: _("Cannot be changed here.") for name in sorted(unknown)})
    return save_object(instance=calendar, changes=changes)


def delete_calendar(*, calendar: ServiceCalendar) -> None:
    """Delete a calendar no service level or priority target uses."""
    in_use = (
        ServiceLevel.objects.filter(calendar=calendar).exists()
        or PriorityTarget.objects.filter(calendar=calendar).exists()
    )
    if in_use:
        raise ValidationError(
            {"calendar": _("The calendar is used by a service level and cannot be deleted.")}
        )
    _delete(calendar)


def set_calendar_hours(
    *,
    calendar: ServiceCalendar,
    weekday: int,
    opens: datetime.time,
    closes: datetime.time,
) -> CalendarHours:
    """Open ``calendar`` on ``weekday`` (0 = Monday) from ``opens`` to ``closes`` (00:00 is
    midnight at the day's end), replacing the weekday's earlier hours."""
    with transaction.atomic():
        hours = CalendarHours.objects.filter(calendar=calendar, weekday=weekday).first()
        if hours is None:
            hours = CalendarHours(calendar=calendar, weekday=weekday)
        return save_object(instance=hours, changes={"opens": opens, "closes": closes})


def clear_calendar_hours(*, calendar: ServiceCalendar, weekday: int) -> None:
    """Close ``calendar`` on ``weekday`` (no hours on that weekday)."""
    for hours in CalendarHours.objects.filter(calendar=calendar, weekday=weekday):
        _delete(hours)


def set_calendar_day(
    *,
    calendar: ServiceCalendar,
    date: datetime.date,
    opens: datetime.time | None = None,
    closes: datetime.time | None = None,
    note: str = "",
) -> CalendarDay:
    """One of the operator's own days: closed (no times) or open ``opens``–``closes``;
    replaces an earlier entry for the same date."""
    with transaction.atomic():
        day = CalendarDay.objects.filter(calendar=calendar, date=date).first()
        if day is None:
            day = CalendarDay(calendar=calendar, date=date)
        return save_object(instance=day, changes={"opens": opens, "closes": closes, "note": note})


def update_calendar_day(*, day: CalendarDay, changes: dict[str, Any]) -> CalendarDay:
    """Edit a special day (its date, times or note)."""
    return save_object(instance=day, changes=changes)


def delete_calendar_day(*, day: CalendarDay) -> None:
    _delete(day)


# --- service levels -------------------------------------------------------------------


def set_service_level(
    *,
    agreement: ServiceAgreement,
    service: Service,
    availability_target: Decimal,
    calendar: ServiceCalendar,
    note: str = "",
) -> ServiceLevel:
    """Agree the level of ``service`` under ``agreement`` (replacing an earlier one for the
    same service in that agreement)."""
    with transaction.atomic():
        level = ServiceLevel.objects.filter(agreement=agreement, service=service).first()
        if level is None:
            level = ServiceLevel(agreement=agreement, service=service)
        return save_object(
            instance=level,
            changes={
                "availability_target": availability_target,
                "calendar": calendar,
                "note": note,
            },
        )


def update_service_level(*, level: ServiceLevel, changes: dict[str, Any]) -> ServiceLevel:
    """Edit a service level's target, service hours, note or service."""
    if "agreement" in changes and changes["agreement"] != level.agreement:
        raise ValidationError({"agreement": _("A service level cannot move to another agreement.")})
    return save_object(instance=level, changes=changes)


def delete_service_level(*, level: ServiceLevel) -> None:
    """Delete a service level with its targets and credit rules."""
    _delete(level)


def set_priority_target(
    *,
    service_level: ServiceLevel,
    priority: int,
    response_minutes: int,
    resolution_minutes: int,
    calendar: ServiceCalendar | None = None,
) -> PriorityTarget:
    """The response and resolution targets of ``priority`` under ``service_level``, in
    business minutes of ``calendar`` (None: the service level's service hours); replaces
    an earlier target for the same priority."""
    with transaction.atomic():
        target = PriorityTarget.objects.filter(
            service_level=service_level, priority=priority
        ).first()
        if target is None:
            target = PriorityTarget(service_level=service_level, priority=priority)
        return save_object(
            instance=target,
            changes={
                "response_minutes": response_minutes,
                "resolution_minutes": resolution_minutes,
                "calendar": calendar,
            },
        )


def update_priority_target(*, target: PriorityTarget, changes: dict[str, Any]) -> PriorityTarget:
    if "service_level" in changes and changes["service_level"] != target.service_level:
        raise ValidationError(
            {"service_level": _("A target cannot move to another service level.")}
        )
    return save_object(instance=target, changes=changes)


def delete_priority_target(*, target: PriorityTarget) -> None:
    _delete(target)


def _percent_errors(percent) -> dict[str, str]:
    if percent is None or not (Decimal("0") < Decimal(percent) <= Decimal("100")):
        return {"percent": _("A credit is more than 0 and at most 100 % of the monthly charge.")}
    return {}


def set_credit_rule(
    *,
    service_level: ServiceLevel,
    percent: Decimal,
    shortfall_up_to: Decimal | None = None,
) -> CreditRule:
    """Credit ``percent`` of the monthly charge when the availability falls short by at
    most ``shortfall_up_to`` points (None: any larger shortfall); replaces an earlier rule
    of the same step."""
    errors = _percent_errors(percent)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rule = CreditRule.objects.filter(
            service_level=service_level, shortfall_up_to=shortfall_up_to
        ).first()
        if shortfall_up_to is None:
            rule = CreditRule.objects.filter(
                service_level=service_level, shortfall_up_to__isnull=True
            ).first()
        if rule is None:
            rule = CreditRule(service_level=service_level, shortfall_up_to=shortfall_up_to)
        return save_object(instance=rule, changes={"percent": percent})


def update_credit_rule(*, rule: CreditRule, changes: dict[str, Any]) -> CreditRule:
    if "percent" in changes:
        errors = _percent_errors(changes["percent"])
        if errors:
            raise ValidationError(errors)
    if "service_level" in changes and changes["service_level"] != rule.service_level:
        raise ValidationError({"service_level": _("A rule cannot move to another service level.")})
    return save_object(instance=rule, changes=changes)


def delete_credit_rule(*, rule: CreditRule) -> None:
    _delete(rule)
