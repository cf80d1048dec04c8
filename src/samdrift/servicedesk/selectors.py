"""Reads of the service desk that other apps share.

``credits_for_billing`` is what billing reads when it rates a month: the service credits
of approved SLA reports for months before it. Billing runs as the system, not as a user,
so this read is not restricted to a user's rows (pages and the API restrict theirs).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from samdrift.servicedesk.models import ReportStatus, ServiceCredit


@dataclass(frozen=True, slots=True)
class CreditToBill:
    """One service credit as billing needs it: what, whose, which month, and why."""

    pk: int
    municipality_id: int
    municipality_name: str
    service_id: int
    month: datetime.date
    availability: Decimal
    target: Decimal
    percent: Decimal

    def as_tuple(self) -> tuple:
        return (
            self.pk,
            self.municipality_id,
            self.municipality_name,
            self.service_id,
            self.month,
            self.availability,
            self.target,
            self.percent,
        )


def credits_for_billing(
    *, before: datetime.date, exclude_ids: QuerySet | list[int] | None = None
) -> list[CreditToBill]:
    """The credits of approved reports for months before ``before`` (the month billing
    rates), leaving out ``exclude_ids`` (billing passes the ids it has billed on issued
    invoices, as a subquery of its own tables). Ordered by month, municipality number,
    service and id, so that the same credits always come in the same order."""
    queryset = ServiceCredit.objects.filter(
        month__lt=before, report__status=ReportStatus.APPROVED, percent__gt=0
    )
    if exclude_ids is not None:
        queryset = queryset.exclude(pk__in=exclude_ids)
    rows = queryset.order_by("month", "municipality__number", "service_id", "pk").values_list(
        "pk",
        "municipality_id",
        "municipality__name",
        "service_id",
        "month",
        "availability",
        "target",
        "percent",
    )
    return [CreditToBill(*row) for row in rows]
