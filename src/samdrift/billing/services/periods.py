"""Billing periods: months as the services take them, which month may be rated, and
closing a month for good."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.billing.choices import (
    InvoiceStatus,
    PeriodStatus,
)
from samdrift.billing.models import (
    BillingPeriod,
)
from samdrift.ui.formatting import format_month


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def previous_month(month: datetime.date) -> datetime.date:
    return (month - datetime.timedelta(days=1)).replace(day=1)


def parse_month(text: str) -> datetime.date:
    """``2026-11`` (or ``2026-11-01``) → 2026-11-01, with an error naming the input."""
    try:
        parts = [int(part) for part in text.strip().split("-")]
        return datetime.date(parts[0], parts[1], 1)
    except (ValueError, IndexError):
        raise ValidationError(
            {
                "month": _("“%(text)s” is not a month; write it as YYYY-MM, e.g. 2026-11.")
                % {"text": text}
            }
        ) from None


def rateable_months(*, today: datetime.date, back: int = 12) -> list[datetime.date]:
    """The months ``period_for_rating`` accepts now, newest first: the latest period while
    it is open (to rate again), else the month after it; before any billing, this month
    and the ``back`` months before it."""
    latest = BillingPeriod.objects.order_by("-month").first()
    if latest is None:
        months = [first_of_month(today)]
        for _n in range(back):
            months.append(previous_month(months[-1]))
        return months
    if not latest.is_closed:
        return [latest.month]
    return [(latest.month + datetime.timedelta(days=32)).replace(day=1)]


def period_for_rating(month: datetime.date) -> BillingPeriod:
    """The period to rate, created when new; refused when closed, when an earlier period is
    still open or was skipped, or when a later period exists already."""
    label = format_month(month)
    period = BillingPeriod.objects.select_for_update().filter(month=month).first()
    if period is not None and period.is_closed:
        raise ValidationError(
            {
                "month": _(
                    "%(month)s is closed and never changes. Changes dated in it are billed as "
                    "adjustments when the next open month is billed."
                )
                % {"month": label}
            }
        )
    earlier = BillingPeriod.objects.filter(month__lt=month).order_by("-month").first()
    if earlier is not None:
        previous = previous_month(month)
        if earlier.month != previous:
            raise ValidationError(
                {
                    "month": _(
                        "%(previous)s has not been billed; bill and close it before %(month)s "
                        "(the last billed month is %(last)s)."
                    )
                    % {"previous": format_month(previous), "month": label, "last": earlier.name}
                }
            )
        if not earlier.is_closed:
            raise ValidationError(
                {
                    "month": _(
                        "%(previous)s is still open; issue its invoices and close it before "
                        "billing %(month)s."
                    )
                    % {"previous": earlier.name, "month": label}
                }
            )
    if period is None:
        later = BillingPeriod.objects.filter(month__gt=month).order_by("month").first()
        if later is not None:
            raise ValidationError(
                {
                    "month": _(
                        "%(later)s has been billed already; a month before it cannot be started "
                        "now. Late changes are billed as adjustments."
                    )
                    % {"later": later.name}
                }
            )
        period = BillingPeriod(month=month)
        period.full_clean()
        period.save()
    return period


def close_refusals(*, period: BillingPeriod) -> list[str]:
    """Why ``period`` cannot be closed now (empty: it can). ``close_period`` refuses with
    these; its confirmation shows them instead of a button."""
    if period.is_closed:
        return [_("%(month)s is closed already.") % {"month": period.name}]
    drafts = list(
        period.invoices.filter(status=InvoiceStatus.DRAFT)
        .order_by("municipality__number")
        .values_list("municipality__name", flat=True)
    )
    if drafts:
        return [
            _("%(month)s still has draft invoices (%(names)s); issue them before closing.")
            % {"month": period.name, "names": ", ".join(drafts)}
        ]
    if not period.runs.exists():
        return [_("%(month)s has never been rated.") % {"month": period.name}]
    return []


def close_period(*, month: datetime.date) -> BillingPeriod:
    """Close ``month`` for good: every invoice must be issued. Later changes dated in it are
    billed as adjustments in the next open month."""
    month = first_of_month(month)
    with transaction.atomic():
        period = BillingPeriod.objects.select_for_update().filter(month=month).first()
        if period is None:
            raise ValidationError(
                {"month": _("%(month)s has not been billed.") % {"month": format_month(month)}}
            )
        refusals = close_refusals(period=period)
        if refusals:
            raise ValidationError({"month": refusals})
        period.status = PeriodStatus.CLOSED
        period.closed_at = timezone.now()
        period.save()
    return period
