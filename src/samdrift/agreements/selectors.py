"""Read questions about agreements, answered in one query each."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samdrift.agreements.models import (
    AgreedPrice,
    PriorityTarget,
    ServiceAgreement,
    ServiceCalendar,
    ServiceLevel,
)
from samdrift.core.dating import overlapping
from samdrift.core.permissions import restrict


@dataclass(frozen=True)
class AgreedPriceSpan:
    """An agreed price of one item for one municipality over ``[valid_from, valid_to)``."""

    municipality_id: int
    product_id: int | None
    service_id: int | None
    amount: Decimal
    valid_from: datetime.date
    valid_to: datetime.date | None
    agreement_id: int


def agreed_prices_between(*, start: datetime.date, end: datetime.date) -> list[AgreedPriceSpan]:
    """Every agreed price whose agreement is in force on some day of ``[start, end)``."""
    rows = (
        AgreedPrice.objects.filter(overlapping(start, end, prefix="agreement__"))
        .order_by("agreement__municipality_id", "agreement__valid_from", "pk")
        .values_list(
            "agreement__municipality_id",
            "product_id",
            "service_id",
            "amount",
            "agreement__valid_from",
            "agreement__valid_to",
            "agreement_id",
        )
    )
    return [AgreedPriceSpan(*row) for row in rows]


WEEKDAY_ABBREVIATIONS = (
    gettext_lazy("Mon"),
    gettext_lazy("Tue"),
    gettext_lazy("Wed"),
    gettext_lazy("Thu"),
    gettext_lazy("Fri"),
    gettext_lazy("Sat"),
    gettext_lazy("Sun"),
)


def _clock(value: datetime.time) -> str:
    return value.strftime("%H:%M")


def hours_in_words(calendar: ServiceCalendar) -> str:
    """A calendar's service hours as a person says them: "Mon–Fri 07:30–16:00, closed on
    public holidays" (consecutive weekdays with the same hours together). Reads
    ``calendar.hours.all()`` (prefetch it for many calendars)."""
    if calendar.always_open:
        return str(_("Around the clock, every day of the year"))
    hours = sorted(calendar.hours.all(), key=lambda h: h.weekday)
    if not hours:
        return str(_("No service hours"))
    groups: list[list] = []  # [first weekday, last weekday, opens, closes]
    for h in hours:
        last = groups[-1] if groups else None
        if last and last[1] == h.weekday - 1 and (last[2], last[3]) == (h.opens, h.closes):
            last[1] = h.weekday
        else:
            groups.append([h.weekday, h.weekday, h.opens, h.closes])
    parts = []
    for first, final, opens, closes in groups:
        days = str(WEEKDAY_ABBREVIATIONS[first])
        if final != first:
            joiner = "–" if final > first + 1 else ", "
            days += joiner + str(WEEKDAY_ABBREVIATIONS[final])
        parts.append(f"{days} {_clock(opens)}–{_clock(closes)}")
    text = ", ".join(parts)
    if calendar.public_holidays_closed:
        text += ", " + str(_("closed on public holidays"))
    return text


_TARGETS = PriorityTarget.objects.select_related("calendar").order_by("priority")


def service_levels_of(agreement: ServiceAgreement, user) -> list[ServiceLevel]:
    """The agreement's service levels with their targets, credit rules and calendars, and
    each calendar's hours in words (``level.hours_text``). Five queries."""
    rows = list(
        restrict(ServiceLevel.objects.filter(agreement=agreement), user)
        .select_related("service", "calendar")
        .prefetch_related(
            "calendar__hours",
            Prefetch(
                "targets",
                queryset=PriorityTarget.objects.select_related("calendar").order_by("priority"),
            ),
            "credit_rules",
        )
        .order_by("service__name")
    )
    for level in rows:
        level.hours_text = hours_in_words(level.calendar)
    return rows
