"""The service desk's notification on the home page (``ui.notifications``): service
levels breached — a service's availability below its agreed target — in the current
month (measured up to now) or the last one.

Who is told: an operator, for every municipality; a municipality contact, for their own.
SLA figures are per municipality and service, with no service area, so a service-area
manager (and everybody else) is told nothing here.

Availability only, computed by the SLA report's own rule (``sla.compute_range`` with
``incidents=False``): a fixed number of queries whatever the number of municipalities,
and no incident is loaded. Without an outage in the two months nothing can be below
its target (availability is 100 %): one query then, and no computation. The link opens
the latest month with a breach: the municipality's report for a contact, all members side
by side for an operator.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import ngettext

from samdrift.core.choices import Role
from samdrift.servicedesk import sla
from samdrift.servicedesk.sla_months import first_of_month, last_month, month_start, next_month
from samdrift.ui.notifications import WARNING, Notification
from samdrift.ui.notifications import register as register_provider


def _municipality_ids(user) -> list[int] | bool | None:
    """None: every municipality; a list: those; False: not told."""
    if user.is_operator:
        return None
    if user.role == Role.MUNICIPALITY and user.municipality_id and not user.sees_all_municipalities:
        return [user.municipality_id]
    return False


def breached_levels(user, today: datetime.date, shared: dict) -> Notification | None:
    ids = _municipality_ids(user)
    if ids is False:
        return None
    first, this = last_month(today), first_of_month(today)
    if sla.outages_overlapping(month_start(first), month_start(next_month(this))).exists():
        reports = sla.compute_range(
            first, this, municipality_ids=ids, detail=False, incidents=False
        )
    else:
        reports = {}
    breached = [
        (month, mid)
        for month, by_municipality in reports.items()
        for mid, report in by_municipality.items()
        for service in report.services
        if not service.met
    ]
    count = len(breached)
    label = ngettext(
        "service level breached this month or last",
        "service levels breached this month or last",
        count,
    )
    if not breached:
        return Notification(label=label, count=0, url="", severity=WARNING)
    month = max(month for month, _mid in breached)
    if ids is None:
        url = reverse("servicedesk:sla_overview") + f"?month={month:%Y-%m}"
    else:
        url = reverse("servicedesk:sla_report", args=[ids[0], f"{month:%Y-%m}"])
    return Notification(label=label, count=count, url=url, severity=WARNING)


def register() -> None:
    register_provider("servicedesk.breached", breached_levels, order=20)
