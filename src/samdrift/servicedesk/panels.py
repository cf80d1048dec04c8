"""What the service desk shows on the municipality page (``ui.panels``): its SLA reports
of recent months, approved or not, with its service credits — the municipality's own
portal to them. Registered from ``ServiceDeskConfig.ready()``."""

from __future__ import annotations

import datetime

from django.utils import timezone

from samdrift.core.permissions import restrict
from samdrift.servicedesk.models import ServiceCredit, SlaReport
from samdrift.ui import panels

RECENT = 6


def sla_reports(request, municipality, shared: dict) -> dict:
    today = timezone.localdate()
    latest = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    approved = {
        r.month: r
        for r in restrict(
            SlaReport.objects.filter(municipality=municipality), request.user
        ).order_by("-month")[:24]
    }
    months, month = [], latest
    for _n in range(RECENT):
        months.append((month, approved.get(month)))
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    credits = list(
        restrict(ServiceCredit.objects.filter(municipality=municipality), request.user)
        .select_related("service")
        .order_by("-month")[:RECENT]
    )
    return {"municipality": municipality, "months": months, "credits": credits}


def register() -> None:
    panels.register_panel(
        "organisations:municipality_detail",
        slots={"beside_facts": "servicedesk/panels/sla_reports.html"},
        context=sla_reports,
        order=150,
    )
