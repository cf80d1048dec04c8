"""The SLA report as data: the trend over months, the JSON-safe figures an approval freezes
(``figures_of``), and what changed between a frozen copy and a fresh computation
(``differences``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from samdrift.servicedesk.sla import BREACHED, MET, OPEN, MonthReport


@dataclass
class TrendPoint:
    month: datetime.date
    availability: dict[int, Decimal]  # service id → %
    resolution_percent: Decimal | None


def trend(by_month: dict[datetime.date, dict[int, MonthReport]], municipality_id: int):
    """Per month: availability per service and % of incidents resolved within target."""
    points = []
    for month in sorted(by_month):
        report = by_month[month].get(municipality_id)
        if report is None:
            continue
        points.append(
            TrendPoint(
                month=month,
                availability={s.service_id: s.availability for s in report.services},
                resolution_percent=report.resolution_percent,
            )
        )
    return points


# ---------------------------------------------------------------------------------------
# The frozen copy


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _text(value) -> str | None:
    return None if value is None else str(value)


def figures_of(report: MonthReport) -> dict:
    """The report as JSON-safe data (Decimals as strings, instants as ISO): what an
    approval freezes and what ``differences`` compares."""
    return {
        "municipality": report.municipality_id,
        "municipality_name": report.municipality_name,
        "month": report.start_month.isoformat(),
        "agreement": report.agreement_name,
        "services": [
            {
                "service": s.service_id,
                "name": s.service_name,
                "target": _text(s.target),
                "calendar": s.calendar_name,
                "service_seconds": s.service_seconds,
                "downtime_seconds": s.downtime_seconds,
                "availability": _text(s.availability),
                "shortfall": _text(s.shortfall),
                "credit_percent": _text(s.credit_percent),
                "outages": [
                    {
                        "outage": o.outage_id,
                        "description": o.description,
                        "started_at": _iso(o.started_at),
                        "ended_at": _iso(o.ended_at),
                        "reason": o.reason,
                        "downtime_seconds": o.downtime_seconds,
                    }
                    for o in s.outages
                ],
            }
            for s in report.services
        ],
        "priorities": [
            {
                "priority": p.priority,
                "incidents": p.incidents,
                "response": dict(p.response),
                "resolution": dict(p.resolution),
                "response_percent": _text(p.response_percent),
                "resolution_percent": _text(p.resolution_percent),
            }
            for p in report.priorities.values()
        ],
        "breaches": [
            {
                "incident": b.incident_id,
                "number": b.number,
                "service": b.service_name,
                "priority": b.priority,
                "kind": b.kind,
                "opened_at": _iso(b.opened_at),
                "due_at": _iso(b.due_at),
                "actual_at": _iso(b.actual_at),
                "target_seconds": b.target_seconds,
                "over_seconds": b.over_seconds,
            }
            for b in report.breaches
        ],
        "not_measured": [
            {
                "incident": n.incident_id,
                "number": n.number,
                "priority": n.priority,
                "reason": n.reason,
            }
            for n in report.not_measured
        ],
    }


@dataclass(frozen=True)
class Difference:
    label: str
    frozen: str
    live: str


def flat_figures(figures: dict) -> dict[tuple, tuple[str, str]]:
    """(key) → (label, value) of the figures that matter for a difference."""
    flat = {}
    for s in figures.get("services", []):
        name = s.get("name", "")
        for key, label in (
            ("availability", _("availability (%)")),
            ("downtime_seconds", _("downtime inside service hours (s)")),
            ("service_seconds", _("service hours (s)")),
            ("credit_percent", _("credit (%)")),
        ):
            flat[("service", s.get("service"), key)] = (f"{name}: {label}", str(s.get(key)))
    for p in figures.get("priorities", []):
        number = p.get("priority")
        prefix = f"P{number}"
        flat[("priority", number, "incidents")] = (
            f"{prefix}: {_('incidents')}",
            str(p.get("incidents")),
        )
        for part, part_label in (("response", _("response")), ("resolution", _("resolution"))):
            for outcome, outcome_label in (
                (MET, _("met")),
                (BREACHED, _("breached")),
                (OPEN, _("open")),
            ):
                flat[("priority", number, part, outcome)] = (
                    f"{prefix}: {part_label} {outcome_label}",
                    str((p.get(part) or {}).get(outcome)),
                )
    for b in figures.get("breaches", []):
        flat[("breach", b.get("number"), b.get("kind"))] = (
            _("Breach %(number)s (%(kind)s), over by (s)")
            % {"number": b.get("number"), "kind": b.get("kind")},
            str(b.get("over_seconds")),
        )
    return flat


def differences(frozen: dict, live: dict) -> list[Difference]:
    """Every figure whose frozen value differs from the live one (missing: "–")."""
    before, after = flat_figures(frozen), flat_figures(live)
    found = []
    for key in list(before) + [k for k in after if k not in before]:
        label = (before.get(key) or after.get(key))[0]
        old = before[key][1] if key in before else "–"
        new = after[key][1] if key in after else "–"
        if old != new:
            found.append(Difference(label, old, new))
    return found
