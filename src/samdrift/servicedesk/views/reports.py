"""The SLA report pages: a municipality's month (with year to date, the 12-month trend,
the approved copy and its differences, XLSX and print), the list of its months, all
members side by side for a month, and the service credits.

Every page starts from ``restrict``: a municipality's users see their own municipality
only (404 for another's). Approving is for operators, through a confirmation.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import re_path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samdrift.core.exports import XLSX_CONTENT_TYPE
from samdrift.core.permissions import can_write, restrict
from samdrift.organisations.models import Municipality
from samdrift.servicedesk import sla, sla_figures, sla_months
from samdrift.servicedesk.models import ServiceCredit, SlaReport
from samdrift.servicedesk.report_xlsx import report_workbook
from samdrift.servicedesk.services.reports import (
    approve_month,
    credit_warnings,
    month_errors,
)
from samdrift.ui import formatting
from samdrift.ui.charts import Bar, bar_chart
from samdrift.ui.confirm import (
    Confirmation,
    Done,
    Table,
    fingerprint,
    perform_confirmed,
    render_confirmation,
)
from samdrift.ui.permissions import get_restricted_or_404, require_write

MONTH = r"(?P<month>\d{4}-\d{2})"
TREND_MONTHS = 12


def parse_month(text: str | None) -> datetime.date:
    """A yyyy-mm as the first of the month; 404 for anything else."""
    try:
        return sla_months.month_of(text)
    except ValueError:
        raise Http404("Not a month (yyyy-mm).") from None


def months_back(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 - (count - 1)
    return datetime.date(index // 12, index % 12 + 1, 1)


def _trend_chart(points, services) -> list:
    """One small chart per service and one of the incidents resolved within target. A
    service's bars start a little below its lowest month, not at 0 %: 97.9 % against
    100 % must show (each bar is labelled with its figure, the caption with the floor)."""
    charts = []
    for service_id, name in services:
        values = [p.availability[service_id] for p in points if service_id in p.availability]
        if not values:
            continue
        floor = max(Decimal("0"), (min(values) - 1).to_integral_value(rounding="ROUND_FLOOR"))
        bars = [
            Bar(
                label=formatting.format_month(p.month),
                value=float(p.availability[service_id] - floor),
                text=f"{formatting.format_number(p.availability[service_id], 3)} %",
            )
            for p in points
            if service_id in p.availability
        ]
        caption = _("%(service)s: availability per month (bars from %(floor)s %%)") % {
            "service": name,
            "floor": formatting.format_number(floor, 0),
        }
        charts.append((caption, bar_chart(bars, title=caption, chart_id=f"trend-{service_id}")))
    bars = [
        Bar(
            label=formatting.format_month(p.month),
            value=float(p.resolution_percent or 0),
            text=f"{formatting.format_number(p.resolution_percent, 1)} %"
            if p.resolution_percent is not None
            else "–",
        )
        for p in points
    ]
    caption = _("Incidents resolved within target per month")
    charts.append((caption, bar_chart(bars, title=caption, chart_id="trend-resolution")))
    return charts


def report_context(user, municipality: Municipality, month: datetime.date) -> dict:
    first = months_back(month, TREND_MONTHS)
    by_month = sla.compute_range(first, month, municipality_ids=[municipality.pk])
    report = by_month[month][municipality.pk]
    ytd = sla.combine(
        [by_month[m][municipality.pk] for m in sorted(by_month) if m.year == month.year]
    )
    points = sla_figures.trend(by_month, municipality.pk)
    services = sorted(
        {
            (s.service_id, s.service_name)
            for r in by_month.values()
            for s in r[municipality.pk].services
        },
        key=lambda item: item[1],
    )
    frozen = restrict(
        SlaReport.objects.filter(municipality=municipality, month=month), user
    ).first()
    live_figures = sla_figures.figures_of(report)
    return {
        "municipality": municipality,
        "month": month,
        "report": report,
        "ytd": ytd,
        "points": points,
        "trend_services": services,
        "trend_rows": [(p, [p.availability.get(sid) for sid, _name in services]) for p in points],
        "charts": _trend_chart(points, services),
        "frozen": frozen,
        "differences": sla_figures.differences(frozen.figures, live_figures) if frozen else [],
        "warnings": credit_warnings(frozen) if frozen else [],
        "credits": list(
            restrict(
                ServiceCredit.objects.filter(municipality=municipality, month=month), user
            ).select_related("service")
        ),
        "can_approve": can_write(user, SlaReport) and not month_errors(month),
        "previous": months_back(month, 2),
        "next": sla_months.next_month(month),
    }


@login_required
def report_list(request, pk: int):
    """A municipality's SLA reports: the last twelve finished months, approved or not."""
    user = request.user
    municipality = get_restricted_or_404(Municipality.objects.all(), user, pk=pk)
    latest = sla_months.last_month()
    months = [months_back(latest, n) for n in range(1, TREND_MONTHS + 1)]
    approved = {
        r.month: r for r in restrict(SlaReport.objects.filter(municipality=municipality), user)
    }
    credits = list(
        restrict(ServiceCredit.objects.filter(municipality=municipality), user).select_related(
            "service"
        )
    )
    return render(
        request,
        "servicedesk/sla_report_list.html",
        {
            "municipality": municipality,
            "rows": [(m, approved.get(m)) for m in months],
            "credits": credits,
        },
    )


@login_required
def sla_report(request, pk: int, month: str):
    user = request.user
    municipality = get_restricted_or_404(Municipality.objects.all(), user, pk=pk)
    month_date = parse_month(month)
    context = report_context(user, municipality, month_date)
    if request.GET.get("export") == "xlsx":
        response = HttpResponse(
            report_workbook(context["report"], context["ytd"], context["points"]),
            content_type=XLSX_CONTENT_TYPE,
        )
        name = f"sla-{municipality.number or municipality.pk}-{month}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(request, "servicedesk/sla_report.html", context)


@login_required
def sla_overview(request):
    """Every member the user may see, side by side, for a month (default: last month)."""
    user = request.user
    month = (
        parse_month(request.GET["month"]) if request.GET.get("month") else sla_months.last_month()
    )
    visible = list(restrict(Municipality.objects.all(), user).values_list("pk", flat=True))
    reports = sla.compute_month(month=month, municipality_ids=visible)
    approved = {r.municipality_id: r for r in restrict(SlaReport.objects.filter(month=month), user)}
    # One column per service anyone has a level for; a member without one shows "–".
    services = sorted(
        {(s.service_name, s.service_id) for r in reports.values() for s in r.services}
    )
    rows = [
        (r, approved.get(r.municipality_id), _service_cells(r, services))
        for r in sorted(reports.values(), key=lambda r: r.municipality_name)
    ]
    return render(
        request,
        "servicedesk/sla_overview.html",
        {
            "month": month,
            "services": [name for name, _id in services],
            "rows": rows,
            "previous": months_back(month, 2),
            "next": sla_months.next_month(month),
        },
    )


def _service_cells(report, services):
    """The member's figures of each service column, None where it has no level."""
    own = {s.service_id: s for s in report.services}
    return [own.get(service_id) for _name, service_id in services]


@login_required
def credit_list(request):
    credits = (
        restrict(ServiceCredit.objects.all(), request.user)
        .select_related("municipality", "service", "report")
        .order_by("-month", "municipality__name", "service__name")
    )
    return render(request, "servicedesk/credit_list.html", {"credits": credits[:500]})


def _approval(municipality: Municipality, month: datetime.date) -> Confirmation:
    report = sla.compute_month(month=month, municipality_ids=[municipality.pk])[municipality.pk]
    figures = sla_figures.figures_of(report)
    kwargs = {"pk": municipality.pk, "month": month.strftime("%Y-%m")}
    back = reverse("servicedesk:sla_report", kwargs=kwargs)
    problems = list(month_errors(month).values())
    return Confirmation(
        title=_("Approve the SLA report of %(municipality)s for %(month)s")
        % {"municipality": municipality.name, "month": month.strftime("%m.%Y")},
        summary=_(
            "The figures below are frozen as the approved report; later changes to incidents "
            "and outages show as differences. Credits not yet billed are given or updated."
        ),
        button=_("Approve"),
        action_url=reverse("servicedesk:sla_approve", kwargs=kwargs),
        cancel_url=back,
        fingerprint=fingerprint("sla", municipality.pk, month, _stable(figures)),
        facts=[
            (_("Municipality"), municipality.name),
            (_("Month"), month.strftime("%m.%Y")),
            (_("Incidents"), str(report.incidents)),
            (_("Breaches"), str(len(report.breaches))),
        ],
        table=Table(
            headers=[_("Service"), _("Target"), _("Availability"), _("Credit")],
            rows=[
                [s.service_name, f"{s.target} %", f"{s.availability} %", f"{s.credit_percent} %"]
                for s in report.services
            ],
            numeric=frozenset({1, 2, 3}),
        ),
        problems=problems,
    )


def _stable(figures: dict) -> list:
    flat = sla_figures.flat_figures(figures)
    return sorted((repr(k), v[1]) for k, v in flat.items())


def _approvable(request, pk: int, month: str):
    user = request.user
    if not can_write(user, SlaReport):
        raise PermissionDenied
    municipality = get_restricted_or_404(Municipality.objects.all(), user, pk=pk)
    return municipality, parse_month(month)


@login_required
def sla_approve_confirm(request, pk: int, month: str):
    municipality, month_date = _approvable(request, pk, month)
    return render_confirmation(request, _approval(municipality, month_date))


@login_required
@require_POST
def sla_approve(request, pk: int, month: str):
    require_write(request.user, SlaReport)
    municipality, month_date = _approvable(request, pk, month)
    kwargs = {"pk": municipality.pk, "month": month_date.strftime("%Y-%m")}

    def current() -> str:
        return _approval(municipality, month_date).fingerprint

    def act() -> Done:
        approve_month(municipality=municipality, month=month_date)
        return Done(
            _("The SLA report of %(municipality)s for %(month)s is approved.")
            % {"municipality": municipality.name, "month": month_date.strftime("%m.%Y")},
            reverse("servicedesk:sla_report", kwargs=kwargs),
        )

    return perform_confirmed(
        request,
        kind="servicedesk.sla_approve",
        current_fingerprint=current,
        act=act,
        confirm_url=reverse("servicedesk:sla_approve_confirm", kwargs=kwargs),
    )


urlpatterns = [
    re_path(r"^sla/$", sla_overview, name="sla_overview"),
    re_path(r"^sla/credits/$", credit_list, name="credit_list"),
    re_path(r"^sla/(?P<pk>\d+)/$", report_list, name="sla_report_list"),
    re_path(rf"^sla/(?P<pk>\d+)/{MONTH}/$", sla_report, name="sla_report"),
    re_path(
        rf"^sla/(?P<pk>\d+)/{MONTH}/approve/confirm/$",
        sla_approve_confirm,
        name="sla_approve_confirm",
    ),
    re_path(rf"^sla/(?P<pk>\d+)/{MONTH}/approve/$", sla_approve, name="sla_approve"),
]
