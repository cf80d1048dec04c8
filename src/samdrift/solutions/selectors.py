"""Read questions about the portfolio: what the collaboration delivers, and the gaps
between that and what the municipalities require.

Every answer starts from ``restrict``: a municipality's users get their own rows only.
Each is a fixed handful of queries whatever the number of rows (pinned by tests).
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count
from django.utils.translation import gettext as _

from samdrift.agreements.models import ServiceLevel
from samdrift.core.dating import active_on
from samdrift.core.permissions import restrict
from samdrift.core.validators import MAX_ID
from samdrift.finance.depreciation import add_months
from samdrift.organisations.models import Municipality
from samdrift.solutions.choices import (
    PROCESSED_BY_OTHERS,
    SERVICE_HOURS_RANK,
    GapKind,
    ServiceHours,
)
from samdrift.solutions.models import Requirement, SolutionUsage

# A risk assessment older than this is a gap.
RISK_ASSESSMENT_MONTHS = 12


@dataclass(frozen=True)
class DeliveredLevel:
    """What the collaboration has agreed to deliver for a service to a municipality."""

    availability: Decimal | None
    service_hours: str | None


def delivered_levels(
    *, pairs: set[tuple[int, int]], on: datetime.date
) -> dict[tuple[int, int], DeliveredLevel]:
    """The agreed service level per (municipality id, catalogue service id) on ``on``:
    the availability target and service hours of the service level of the agreement in
    force that day (agreements, issue #13). A pair without one is missing (the gap view
    shows "not agreed").

    The calendar becomes the portfolio's service hours: around the clock is ALWAYS, open
    on all seven weekdays EXTENDED, anything else BUSINESS. One query.
    """
    if not pairs:
        return {}
    municipality_ids = {m for m, _s in pairs}
    service_ids = {s for _m, s in pairs}
    rows = (
        ServiceLevel.objects.filter(
            active_on(on, prefix="agreement__"),
            agreement__municipality_id__in=municipality_ids,
            service_id__in=service_ids,
        )
        .order_by()
        .annotate(open_weekdays=Count("calendar__hours__weekday", distinct=True))
        .values_list(
            "agreement__municipality_id",
            "service_id",
            "availability_target",
            "calendar__always_open",
            "open_weekdays",
        )
    )
    levels: dict[tuple[int, int], DeliveredLevel] = {}
    for municipality_id, service_id, target, always_open, open_weekdays in rows:
        pair = (municipality_id, service_id)
        if pair not in pairs:
            continue
        if always_open:
            hours = ServiceHours.ALWAYS
        elif open_weekdays >= 7:
            hours = ServiceHours.EXTENDED
        else:
            hours = ServiceHours.BUSINESS
        levels[pair] = DeliveredLevel(target, hours)
    return levels


def visible_municipality_id(user, text: str | None) -> int | None:
    """The municipality a page or endpoint is asked to narrow to (``?municipality=``):
    None when not asked; LookupError for one that does not exist or the user may not see
    (the same answer for both, so a crafted id reveals nothing)."""
    if not text:
        return None
    if not text.isdigit() or int(text) > MAX_ID:
        raise LookupError(text)
    municipality_id = int(text)
    if not restrict(Municipality.objects.filter(pk=municipality_id), user).exists():
        raise LookupError(text)
    return municipality_id


def usages_in_force(user, on: datetime.date):
    """The usage rows in force on ``on`` that ``user`` may see."""
    return restrict(SolutionUsage.objects.filter(active_on(on)), user)


@dataclass
class RequirementLine:
    """One solution a municipality uses today, its requirement and what is delivered."""

    municipality_id: int
    municipality: str
    solution_id: int
    solution: str
    requirement_id: int | None
    availability_target: Decimal | None
    service_hours: str
    delivered: DeliveredLevel | None
    gaps: list[tuple[str, str]] = field(default_factory=list)  # (kind, detail)

    @property
    def service_hours_text(self) -> str:
        return str(ServiceHours(self.service_hours).label) if self.service_hours else ""

    @property
    def delivered_text(self) -> str:
        if self.delivered is None:
            return _("not agreed")
        parts = []
        if self.delivered.availability is not None:
            parts.append(f"{self.delivered.availability} %")
        if self.delivered.service_hours:
            parts.append(str(ServiceHours(self.delivered.service_hours).label))
        return ", ".join(parts) or _("not agreed")


@dataclass
class GapReport:
    """Every requirement line in force, the gaps among them, counted per municipality."""

    on: datetime.date
    lines: list[RequirementLine]
    municipalities: dict[int, str]
    by_municipality: dict[int, Counter]
    totals: Counter

    @property
    def total(self) -> int:
        return sum(self.totals.values())

    def gap_lines(self, *, municipality_id: int | None = None, kind: str | None = None):
        """(line, kind, detail) per gap, optionally of one municipality or kind."""
        for line in self.lines:
            if municipality_id is not None and line.municipality_id != municipality_id:
                continue
            for gap_kind, detail in line.gaps:
                if kind is None or gap_kind == kind:
                    yield line, gap_kind, detail


class _Messages:
    """The gap texts, translated once per report rather than once per line."""

    def __init__(self) -> None:
        self.end_of_support = _("end of support %(date)s")
        self.no_agreement = _("no data processing agreement")
        self.never_assessed = _("never assessed")
        self.assessed = _("last assessed %(date)s")


def _line_gaps(
    row: dict,
    requirement: dict | None,
    delivered,
    on: datetime.date,
    cutoff: datetime.date,
    texts: _Messages,
) -> list:
    gaps = []
    end = row["solution__end_of_support"]
    if end is not None and end <= on:
        gaps.append((GapKind.END_OF_SUPPORT, texts.end_of_support % {"date": end}))
    if requirement is None:
        requirement = {}
    target = requirement.get("availability_target")
    asked_more = (
        delivered is not None
        and target is not None
        and delivered.availability is not None
        and target > delivered.availability
    )
    if asked_more:
        gaps.append(
            (
                GapKind.AVAILABILITY,
                _("asks %(asked)s %%, %(delivered)s %% delivered")
                % {"asked": target, "delivered": delivered.availability},
            )
        )
    hours = requirement.get("service_hours")
    longer = (
        delivered is not None
        and hours
        and delivered.service_hours
        and SERVICE_HOURS_RANK[hours] > SERVICE_HOURS_RANK[delivered.service_hours]
    )
    if longer:
        gaps.append(
            (
                GapKind.SERVICE_HOURS,
                _("asks %(asked)s, %(delivered)s delivered")
                % {
                    "asked": ServiceHours(hours).label,
                    "delivered": ServiceHours(delivered.service_hours).label,
                },
            )
        )
    if (
        requirement.get("personal_data")
        and row["solution__delivery_form"] in PROCESSED_BY_OTHERS
        and requirement.get("processing_agreement_on") is None
    ):
        gaps.append((GapKind.PROCESSING_AGREEMENT, texts.no_agreement))
    assessed = requirement.get("risk_assessed_on")
    if assessed is None:
        gaps.append((GapKind.RISK_ASSESSMENT, texts.never_assessed))
    elif assessed < cutoff:
        gaps.append((GapKind.RISK_ASSESSMENT, texts.assessed % {"date": assessed}))
    return gaps


USAGE_VALUES = (
    "municipality_id",
    "municipality__name",
    "solution_id",
    "solution__name",
    "solution__end_of_support",
    "solution__delivery_form",
    "solution__service_id",
)
REQUIREMENT_VALUES = (
    "id",
    "municipality_id",
    "solution_id",
    "availability_target",
    "service_hours",
    "personal_data",
    "processing_agreement_on",
    "risk_assessed_on",
)


def gap_report(*, user, on: datetime.date, municipality_id: int | None = None) -> GapReport:
    """Each solution in use on ``on`` against its requirement and what is delivered.

    Two queries (usages, requirements) plus the delivered levels, whatever the size."""
    usages = usages_in_force(user, on)
    requirements = restrict(Requirement.objects.all(), user)
    if municipality_id is not None:
        usages = usages.filter(municipality_id=municipality_id)
        requirements = requirements.filter(municipality_id=municipality_id)
    rows = list(usages.order_by("municipality__name", "solution__name", "pk").values(*USAGE_VALUES))
    by_pair = {
        (r["municipality_id"], r["solution_id"]): r
        for r in requirements.values(*REQUIREMENT_VALUES)
    }
    pairs = {
        (r["municipality_id"], r["solution__service_id"])
        for r in rows
        if r["solution__service_id"] is not None
    }
    delivered = delivered_levels(pairs=pairs, on=on) if pairs else {}
    lines: list[RequirementLine] = []
    municipalities: dict[int, str] = {}
    by_municipality: dict[int, Counter] = {}
    totals: Counter = Counter()
    seen: set[tuple[int, int]] = set()
    cutoff = add_months(on, -RISK_ASSESSMENT_MONTHS)
    texts = _Messages()
    for row in rows:
        pair = (row["municipality_id"], row["solution_id"])
        if pair in seen:  # one line per solution, however its use is split in rows
            continue
        seen.add(pair)
        requirement = by_pair.get(pair)
        level = delivered.get((row["municipality_id"], row["solution__service_id"]))
        line = RequirementLine(
            municipality_id=row["municipality_id"],
            municipality=row["municipality__name"],
            solution_id=row["solution_id"],
            solution=row["solution__name"],
            requirement_id=requirement["id"] if requirement else None,
            availability_target=requirement["availability_target"] if requirement else None,
            service_hours=requirement["service_hours"] if requirement else "",
            delivered=level,
            gaps=_line_gaps(row, requirement, level, on, cutoff, texts),
        )
        lines.append(line)
        municipalities[line.municipality_id] = line.municipality
        counts = by_municipality.get(line.municipality_id)
        if counts is None:  # not setdefault: it would make a Counter for every line
            counts = by_municipality[line.municipality_id] = Counter()
        for kind, _detail in line.gaps:
            counts[kind] += 1
            totals[kind] += 1
    return GapReport(on, lines, municipalities, by_municipality, totals)


def gap_count(*, user, on: datetime.date) -> int:
    """How many gaps ``user`` may see (the overview's card)."""
    return gap_report(user=user, on=on).total
