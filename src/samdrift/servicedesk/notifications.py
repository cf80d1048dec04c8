"""The service desk's notification on the home page (``ui.notifications``): service
levels breached — a service's availability below its agreed target — in the current
month (measured up to now) or the last one.

Who is told: an operator, for every municipality; a municipality contact, for their own.
SLA figures are per municipality and service, with no service area, so a service-area
manager (and everybody else) is told nothing here.

Availability only, computed by the SLA report's own rule (``sla.compute_range`` with
``incidents=False``): a fixed number of queries whatever the number of municipalities,
and no incident is loaded. A service without an outage in the two months cannot be
below its target (availability is 100 %, and a target is at most 100 %), nor can a
municipality no outage concerned: only the services with an outage, for the
municipalities those outages concerned, are measured — a handful of levels instead of
every level, target and credit rule of every member (thousands of rows on the large
demo). Without an outage: one query, and no computation. The link opens
the latest month with a breach: the municipality's report for a contact, all members side
by side for an operator.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import ngettext

from samdrift.core.choices import Role
from samdrift.servicedesk import sla
from samdrift.servicedesk.models import Outage
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


def _concerned(start, end, ids: list[int] | None):
    """(services, municipalities) the outages in [start, end) concerned, within ``ids``
    (None: every municipality); None when no outage did. Two queries at most."""
    outages = list(
        sla.outages_overlapping(start, end).values_list("pk", "service_id", "all_municipalities")
    )
    if not outages:
        return None
    service_ids = sorted({service_id for _pk, service_id, _all in outages})
    if any(every for _pk, _service, every in outages):
        return service_ids, ids
    named = set(
        Outage.municipalities.through.objects.filter(
            outage_id__in=[pk for pk, _service, _all in outages]
        ).values_list("municipality_id", flat=True)
    )
    named = sorted(named if ids is None else named & set(ids))
    return (service_ids, named) if named else None


def breached_levels(user, today: datetime.date, shared: dict) -> Notification | None:
    ids = _municipality_ids(user)
    if ids is False:
        return None
    first, this = last_month(today), first_of_month(today)
    reports = {}
    concerned = _concerned(month_start(first), month_start(next_month(this)), ids)
    if concerned is not None:
        service_ids, ids = concerned
        reports = sla.compute_range(
            first,
            this,
            municipality_ids=ids,
            service_ids=service_ids,
            detail=False,
            incidents=False,
        )
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
