"""The SLA report: what was delivered against the service levels, per municipality and
month, computed every time from the stored incidents and outages — never a counter.

One computation (``compute_range``) loads, in a fixed number of queries whatever the
number of rows, the municipalities, the service levels in force (``agreements.levels``),
the incidents opened in the period (``values_list``), the outages overlapping it with
their municipalities; everything else is Python over those rows with
``samdrift.businesstime``.

Why this module is only the rules' statement and names: the rules are applied in
``sla_rules`` (one incident, one service's outages, no query) and the computation over
months and municipalities is ``sla_range``; callers import both through ``sla`` as
before (``sla.compute_month``, ``sla.MET``, ``sla.MonthReport``…).

The rules, exactly:

- **Month**: [first day 00:00, next first day 00:00) in the report time zone
  (``settings.TIME_ZONE``, Europe/Oslo). For a month not yet over, everything is measured
  up to *now* (the **cut-off**); for a finished month the cut-off is the month's end.
- **Service hours**: the business seconds of the service level's calendar in [month start,
  cut-off).
- **Downtime**: the union of the service's outages that affect the municipality (all
  municipalities, or it among those named) clipped to the month and to service hours
  (an ongoing outage runs to the cut-off). Overlapping outages count once.
  **Planned maintenance** does not count when it was announced at least
  ``maintenance_notice_days`` × 24 hours before it started (``announced_at ≤ started_at −
  N days``); planned maintenance announced later, or never announced, counts like an
  unplanned outage.
- **Availability** = 100 × (1 − downtime ÷ service hours), a Decimal rounded half up to
  three decimals; a month without service hours is 100 % and says so. **Shortfall** =
  target − availability when positive; the **credit** is the agreement's credit rules'
  percent for it (``service_levels.credit_percent``).
- **Incidents** are those *opened* in the month. One with no service, a service without a
  level in force, a priority without a target, or the state *cancelled* is listed as not
  measured. Each measured incident is measured against the target of its priority, in that
  target's calendar (its own, e.g. 24/7 for P1, or the level's):
  elapsed = business seconds from ``opened_at`` to the end (``responded_at`` for response
  — the resolution when there is no response recorded; ``resolved_at`` for resolution —
  ``closed_at`` when never resolved) **minus the pauses** whose reason the agreement lets
  pause the clock (an open pause runs to the end). Met when elapsed ≤ target. An incident
  without an end is **breached** when its elapsed time up to the cut-off already exceeds
  the target, otherwise **open** (not yet due; not counted in the percentages).
  % within target = met ÷ (met + breached), one decimal, half up.
- **Due** = the instant the target runs out counting business time outside the pauses.
"""

from __future__ import annotations

from samdrift.servicedesk.sla_range import (
    combine,
    compute_month,
    compute_range,
    outages_overlapping,
)
from samdrift.servicedesk.sla_rules import (
    BREACHED,
    CANCELLED,
    HUNDRED,
    INCIDENT_FIELDS,
    MET,
    NO_LEVEL,
    NO_SERVICE,
    NO_TARGET,
    ONE_PLACE,
    OPEN,
    OUTAGE_FIELDS,
    PLANNED_IN_TIME,
    PLANNED_LATE,
    PLANNED_UNANNOUNCED,
    PRIORITIES,
    THREE_PLACES,
    UNPLANNED,
    Breach,
    MonthReport,
    NotMeasured,
    OutageLine,
    PriorityFigures,
    ServiceFigures,
    availability_of,
    hhmm,
    measure,
    measure_availability,
    measure_incident,
    not_measured_label,
    outage_reason,
    outage_reason_label,
    pauses_of,
    percent,
)

__all__ = [
    "BREACHED",
    "CANCELLED",
    "HUNDRED",
    "INCIDENT_FIELDS",
    "MET",
    "NO_LEVEL",
    "NO_SERVICE",
    "NO_TARGET",
    "ONE_PLACE",
    "OPEN",
    "OUTAGE_FIELDS",
    "PLANNED_IN_TIME",
    "PLANNED_LATE",
    "PLANNED_UNANNOUNCED",
    "PRIORITIES",
    "THREE_PLACES",
    "UNPLANNED",
    "Breach",
    "MonthReport",
    "NotMeasured",
    "OutageLine",
    "PriorityFigures",
    "ServiceFigures",
    "availability_of",
    "combine",
    "compute_month",
    "compute_range",
    "hhmm",
    "measure",
    "measure_availability",
    "measure_incident",
    "not_measured_label",
    "outage_reason",
    "outage_reason_label",
    "outages_overlapping",
    "pauses_of",
    "percent",
]
