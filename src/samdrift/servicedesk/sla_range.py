"""The SLA report's computation: every municipality's ``MonthReport`` for a range of
months in a fixed number of queries (``compute_range``), one month (``compute_month``),
and several months as one period (``combine``, the year to date).

Why a module of its own: this is where the rows are loaded — municipalities, the
service levels in force (``agreements.levels.LevelBook``), the incidents opened in the
range and the outages overlapping it — and handed, month by month, to the rules of
``servicedesk.sla_rules``; the rules themselves need no database.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from samdrift.agreements.levels import LevelBook
from samdrift.organisations.models import Municipality
from samdrift.servicedesk.models import Incident, Outage
from samdrift.servicedesk.sla_months import (
    first_of_month,
    month_start,
    months_between,
    next_month,
)
from samdrift.servicedesk.sla_rules import (
    INCIDENT_FIELDS,
    OUTAGE_FIELDS,
    MonthReport,
    ServiceFigures,
    availability_of,
    measure_availability,
    measure_incident,
)


def outages_overlapping(start: datetime.datetime, end: datetime.datetime):
    """The outages that were (or still are) on at some instant of [start, end)."""
    return Outage.objects.filter(started_at__lt=end).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=start)
    )


def compute_range(
    start_month: datetime.date,
    end_month: datetime.date,
    *,
    municipality_ids: Iterable[int] | None = None,
    now: datetime.datetime | None = None,
    detail: bool = True,
    incidents: bool = True,
    service_ids: Iterable[int] | None = None,
) -> dict[datetime.date, dict[int, MonthReport]]:
    """month → municipality id → MonthReport, for every month from ``start_month`` to
    ``end_month`` (both included), in a fixed number of queries. ``municipality_ids``
    None: every municipality. ``detail`` False leaves out the per-outage lines (a trend
    needs only the figures); ``incidents`` False measures availability only (the home
    page's breach notification: no incident query, no incident measured, no priority
    target loaded). ``service_ids`` measures only those services (None: all)."""
    months = months_between(first_of_month(start_month), first_of_month(end_month))
    if not months:
        return {}
    now = now or timezone.now()
    ids = None if municipality_ids is None else sorted(set(municipality_ids))
    municipalities = Municipality.objects.order_by("name")
    if ids is not None:
        municipalities = municipalities.filter(pk__in=ids)
    names = dict(municipalities.values_list("pk", "name"))
    first_day, after = months[0], next_month(months[-1])
    range_start, range_end = month_start(first_day), month_start(after)
    book = LevelBook(
        start=first_day,
        end=after,
        municipality_ids=ids,
        service_ids=service_ids,
        priorities=incidents,
    )

    rows = Incident.objects.filter(opened_at__gte=range_start, opened_at__lt=range_end)
    if ids is not None:
        rows = rows.filter(municipality_id__in=ids)
    by_month_municipality = defaultdict(list)
    bounds = [(m, month_start(m)) for m in months] + [(after, range_end)]
    rows = rows.order_by("opened_at", "id").values_list(*INCIDENT_FIELDS) if incidents else ()
    for row in rows:
        opened = row[6]
        # months are few: a linear scan from the end is cheap and exact
        for index in range(len(months) - 1, -1, -1):
            if opened >= bounds[index][1]:
                by_month_municipality[(months[index], row[2])].append(row)
                break

    outages = list(
        outages_overlapping(range_start, range_end)
        .order_by("started_at", "id")
        .values_list(*OUTAGE_FIELDS)
    )
    affected = defaultdict(set)
    partial = [row[0] for row in outages if not row[2]]
    if partial:
        through = Outage.municipalities.through.objects.filter(outage_id__in=partial)
        for outage_id, municipality_id in through.values_list("outage_id", "municipality_id"):
            affected[outage_id].add(municipality_id)
    by_service = defaultdict(list)
    for row in outages:
        by_service[row[1]].append(row)

    result: dict[datetime.date, dict[int, MonthReport]] = {}
    for index, month in enumerate(months):
        start, end = bounds[index][1], bounds[index + 1][1]
        cutoff = min(end, max(now, start))
        levels = book.in_force(month, next_month(month))
        per_municipality = defaultdict(list)
        for (mid, _sid), terms in levels.items():
            per_municipality[mid].append(terms)
        reports = {}
        for mid, name in names.items():
            agreement = book.agreement_for(mid, month, next_month(month))
            report = MonthReport(
                municipality_id=mid,
                municipality_name=name,
                start_month=month,
                end_month=month,
                cutoff=cutoff,
                agreement_name=agreement.name if agreement else "",
            )
            for terms in sorted(per_municipality.get(mid, []), key=lambda t: t.service_name):
                concerning = [
                    row
                    for row in by_service.get(terms.service_id, ())
                    if row[3] < cutoff
                    and (row[4] is None or row[4] > start)
                    and (row[2] or mid in affected.get(row[0], ()))
                ]
                report.services.append(
                    measure_availability(terms, concerning, start, cutoff, detail=detail)
                )
            for row in by_month_municipality.get((month, mid), ()):
                measure_incident(report, row, levels.get((mid, row[3])), cutoff)
            report.breaches.sort(key=lambda b: (b.opened_at, b.number, b.kind != "response"))
            reports[mid] = report
        result[month] = reports
    return result


def compute_month(
    *,
    month: datetime.date,
    municipality_ids: Iterable[int] | None = None,
    now: datetime.datetime | None = None,
) -> dict[int, MonthReport]:
    """municipality id → its report for ``month`` (any day of it)."""
    month = first_of_month(month)
    return compute_range(month, month, municipality_ids=municipality_ids, now=now)[month]


def combine(reports: list[MonthReport]) -> MonthReport:
    """Several months of one municipality as one period (year to date): service hours and
    downtime summed per service, availability recomputed from the sums (not an average of
    percentages), incidents and breaches added up. No credits: those are per month."""
    first, last = reports[0], reports[-1]
    period = MonthReport(
        municipality_id=first.municipality_id,
        municipality_name=first.municipality_name,
        start_month=first.start_month,
        end_month=last.end_month,
        cutoff=last.cutoff,
        agreement_name=last.agreement_name,
    )
    services: dict[int, ServiceFigures] = {}
    for report in reports:
        for s in report.services:
            total = services.get(s.service_id)
            if total is None:
                services[s.service_id] = ServiceFigures(
                    s.service_id,
                    s.service_name,
                    s.target,
                    s.calendar_name,
                    0,
                    0,
                    s.availability,
                    None,
                )
                total = services[s.service_id]
            total.target, total.calendar_name = s.target, s.calendar_name
            total.service_seconds += s.service_seconds
            total.downtime_seconds += s.downtime_seconds
            total.outages.extend(s.outages)
        for p, figures in report.priorities.items():
            period.priorities[p].add(figures)
        period.breaches.extend(report.breaches)
        period.not_measured.extend(report.not_measured)
    for total in services.values():
        total.availability = availability_of(total.service_seconds, total.downtime_seconds)
    period.services = sorted(services.values(), key=lambda s: s.service_name)
    return period
