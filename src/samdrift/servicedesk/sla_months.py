"""Report months: parsing ``yyyy-mm``, the last finished month, month arithmetic, and a
month's first instant in the report time zone (``settings.TIME_ZONE``). The SLA report
(``sla``), its pages and its API read months only through these."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from samdrift.businesstime import to_aware
from samdrift.core.validators import EARLIEST_DATE, LATEST_DATE


def report_zone() -> str:
    return settings.TIME_ZONE


def month_of(text) -> datetime.date:
    """``yyyy-mm`` as the first of that month, for the pages and the API alike. ValueError
    for anything else, and for a month whose report would leave the supported calendar
    (core.validators): a report reaches a year back (its trend) and a month ahead."""
    year, month = (int(part) for part in str(text).split("-"))
    day = datetime.date(year, month, 1)
    if not (
        EARLIEST_DATE.replace(year=EARLIEST_DATE.year + 1) <= day
        and day < LATEST_DATE.replace(day=1)
    ):
        raise ValueError(f"{text}: outside the supported calendar")
    return day


def last_month(today: datetime.date | None = None) -> datetime.date:
    """The last finished month: the one reports open on."""
    today = today or timezone.localdate()
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def months_between(start_month: datetime.date, end_month: datetime.date) -> list[datetime.date]:
    """The first days of the months from ``start_month`` to ``end_month``, both included."""
    months, month = [], first_of_month(start_month)
    while month <= end_month:
        months.append(month)
        month = next_month(month)
    return months


def month_start(month: datetime.date) -> datetime.datetime:
    return to_aware(datetime.datetime(month.year, month.month, 1), report_zone())
