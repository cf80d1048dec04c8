"""A month's SLA report as an XLSX workbook: summary (availability per service, month and
year to date), incidents per priority, breaches, the 12-month trend.

Text is written as text (``core.exports.plain``, never a formula); percentages are the
report's Decimals as numbers with three (availability) or one decimal; instants are local
(Europe/Oslo) without time zone, as spreadsheets want them.
"""

from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook

from samdrift.core.exports import append_sheet
from samdrift.servicedesk import sla

PERCENT3, PERCENT1, MOMENT = "0.000", "0.0", "yyyy-mm-dd hh:mm"


def _sheet(workbook: Workbook, title: str, header, rows) -> None:
    """A sheet whose moments are shown to the minute, as the report counts them."""
    append_sheet(workbook, title, header, rows, moment_format=MOMENT)


def _hours(seconds: int):
    hours = (Decimal(seconds) / 3600).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return (hours, "0.00")


def report_workbook(report: sla.MonthReport, ytd: sla.MonthReport, points) -> bytes:
    workbook = Workbook(write_only=True)
    year_services = {s.service_id: s for s in ytd.services}
    _sheet(
        workbook,
        _("Summary"),
        [
            _("Municipality"),
            _("Month"),
            _("Service"),
            _("Target (%)"),
            _("Service hours (h)"),
            _("Downtime (h)"),
            _("Availability (%)"),
            _("Shortfall (points)"),
            _("Credit (%)"),
            _("Availability year to date (%)"),
        ],
        [
            [
                report.municipality_name,
                report.month,
                s.service_name,
                (s.target, PERCENT3),
                _hours(s.service_seconds),
                _hours(s.downtime_seconds),
                (s.availability, PERCENT3),
                (s.shortfall, PERCENT3),
                (s.credit_percent, "0.00"),
                (year_services[s.service_id].availability, PERCENT3)
                if s.service_id in year_services
                else None,
            ]
            for s in report.services
        ],
    )
    _sheet(
        workbook,
        _("Incidents per priority"),
        [
            _("Priority"),
            _("Incidents"),
            _("Response met"),
            _("Response breached"),
            _("Response open"),
            _("Response within target (%)"),
            _("Resolution met"),
            _("Resolution breached"),
            _("Resolution open"),
            _("Resolution within target (%)"),
        ],
        [
            [
                str(p.label),
                p.incidents,
                p.response[sla.MET],
                p.response[sla.BREACHED],
                p.response[sla.OPEN],
                (p.response_percent, PERCENT1),
                p.resolution[sla.MET],
                p.resolution[sla.BREACHED],
                p.resolution[sla.OPEN],
                (p.resolution_percent, PERCENT1),
            ]
            for p in report.priorities.values()
        ],
    )
    _sheet(
        workbook,
        _("Breaches"),
        [
            _("Number"),
            _("Service"),
            _("Priority"),
            _("Target"),
            _("Opened"),
            _("Due"),
            _("Actual"),
            _("Target (h)"),
            _("Over by (h)"),
        ],
        [
            [
                b.number,
                b.service_name,
                f"P{b.priority}",
                str(b.kind_label),
                b.opened_at,
                b.due_at,
                b.actual_at,
                _hours(b.target_seconds),
                _hours(b.over_seconds),
            ]
            for b in report.breaches
        ],
    )
    services = sorted({sid for p in points for sid in p.availability})
    names = {s.service_id: s.service_name for s in ytd.services}
    _sheet(
        workbook,
        _("Trend"),
        [_("Month")]
        + [names.get(sid, str(sid)) for sid in services]
        + [_("Resolved within target (%)")],
        [
            [p.month]
            + [(p.availability.get(sid), PERCENT3) for sid in services]
            + [(p.resolution_percent, PERCENT1)]
            for p in points
        ],
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
