"""What the service desk shows on the municipality page (``ui.panels``): links to its
SLA reports of recent months and to the list with approvals and credits — the municipality's own
portal to them. Registered from ``ServiceDeskConfig.ready()``."""

from __future__ import annotations

import datetime

from django.utils import timezone

from samdrift.ui import panels

RECENT = 6


def sla_reports(request, municipality, shared: dict) -> dict:
    """Links only (no query: the page's query budget is spent); the list page shows
    which months are approved and the credits."""
    month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    months = []
    for _n in range(RECENT):
        months.append(month)
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return {"municipality": municipality, "months": months}


def register() -> None:
    panels.register_panel(
        "organisations:municipality_detail",
        slots={"beside_facts": "servicedesk/panels/sla_reports.html"},
        context=sla_reports,
        order=150,
    )
