"""The standardisation report: per function, the solutions the members run, the
harmonisation candidate and what moving everyone to it would save, the contract windows
in which to move, progress by quarter, and the function × municipality matrix.

Built from three queries (functions, municipalities, usage rows since the first quarter
shown) restricted to what the user may see, and worked out in memory: the report's size
is the portfolio's (50 members × 300 solutions), not the database's.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from samdrift.core.permissions import restrict
from samdrift.finance.depreciation import add_months
from samdrift.finance.harmonisation import cost_per_user, harmonisation_saving
from samdrift.finance.money import ZERO
from samdrift.organisations.models import Municipality
from samdrift.solutions.models import SolutionFunction, SolutionUsage
from samdrift.ui.formatting import format_decimal, format_number

WINDOW_MONTHS = 24  # contracts ending or terminable within this are the moment to move
QUARTERS_SHOWN = 12


@dataclass
class SolutionFigures:
    """One solution's place in its function: members, users, licence cost."""

    solution_id: int
    name: str
    vendor: str
    members: set[int] = field(default_factory=set)
    users: int = 0
    cost: Decimal = ZERO
    incomplete: int = 0  # rows without users or cost, left out of users and cost

    @property
    def cost_per_user(self) -> Decimal | None:
        return cost_per_user(cost=self.cost, users=self.users)


@dataclass(frozen=True)
class ContractWindow:
    municipality: str
    solution: str
    contract_end: datetime.date | None
    notice_months: int | None
    free_from: datetime.date  # the first day it can have ended
    notice_by: datetime.date | None  # the last day to give notice for that


@dataclass
class FunctionReport:
    function_id: int
    name: str
    solutions: list[SolutionFigures]
    candidate: SolutionFigures | None
    chosen: bool  # the operator picked the candidate
    windows: list[ContractWindow]
    shares: list[Decimal | None]  # share of members on the candidate per quarter

    @property
    def members(self) -> int:
        return len(set().union(*(s.members for s in self.solutions))) if self.solutions else 0

    @property
    def users(self) -> int:
        return sum(s.users for s in self.solutions)

    @property
    def cost(self) -> Decimal:
        return sum((s.cost for s in self.solutions), ZERO)

    @property
    def saving(self) -> Decimal | None:
        if self.candidate is None:
            return None
        return harmonisation_saving(
            current_cost=self.cost,
            users=self.users,
            candidate_cost=self.candidate.cost,
            candidate_users=self.candidate.users,
        )

    @property
    def formula(self) -> str:
        """The saving's sum, with this function's figures, as shown next to it."""
        if self.candidate is None or self.candidate.cost_per_user is None:
            return _("No candidate with users and cost: no saving to estimate.")
        return _("%(cost)s kr today − %(users)s users × %(per_user)s kr per user on %(name)s") % {
            "cost": format_decimal(self.cost, 2),
            "users": format_number(self.users),
            "per_user": format_decimal(self.candidate.cost_per_user, 2),
            "name": self.candidate.name,
        }

    @property
    def distinct(self) -> int:
        return len(self.solutions)


@dataclass
class StandardisationReport:
    on: datetime.date
    functions: list[FunctionReport]
    municipalities: list[tuple[int, str]]
    matrix: dict[tuple[int, int], list[tuple[str, bool]]]  # (function, municipality)
    quarters: list[datetime.date]

    @property
    def saving(self) -> Decimal:
        return sum((f.saving for f in self.functions if f.saving is not None), ZERO)

    def rows(self):
        """The matrix as rows: (function, [cells per municipality])."""
        for function in self.functions:
            yield (
                function,
                [
                    self.matrix.get((function.function_id, mid), [])
                    for mid, _name in self.municipalities
                ],
            )


def quarter_starts(on: datetime.date, count: int = QUARTERS_SHOWN) -> list[datetime.date]:
    """The first days of the last ``count`` quarters, this one last."""
    current = datetime.date(on.year, 3 * ((on.month - 1) // 3) + 1, 1)
    return [add_months(current, -3 * back) for back in range(count - 1, -1, -1)]


def _in_force(row: dict, day: datetime.date) -> bool:
    return row["valid_from"] <= day and (row["valid_to"] is None or row["valid_to"] > day)


def _candidate(solutions: list[SolutionFigures], preferred_id: int | None):
    if preferred_id is not None:
        for figures in solutions:
            if figures.solution_id == preferred_id:
                return figures, True
    if not solutions:
        return None, False
    # The most members, then the most users, then the cheapest per user, then by name.
    best = min(
        solutions,
        key=lambda s: (
            -len(s.members),
            -s.users,
            s.cost_per_user if s.cost_per_user is not None else Decimal("Infinity"),
            s.name,
        ),
    )
    return best, False


def _window(row: dict, on: datetime.date) -> ContractWindow | None:
    """When the contract of ``row`` can have ended, if within the window."""
    end, notice = row["contract_end"], row["notice_months"]
    if end is not None and end >= on:
        free_from = end
    elif notice is not None:
        free_from = add_months(on, notice)  # running on: terminable with notice from today
    elif end is not None:
        free_from = on  # ended and no notice period: free now
    else:
        return None
    if free_from > add_months(on, WINDOW_MONTHS):
        return None
    notice_by = add_months(free_from, -notice) if notice is not None else None
    return ContractWindow(
        municipality=row["municipality__name"],
        solution=row["solution__name"],
        contract_end=end,
        notice_months=notice,
        free_from=free_from,
        notice_by=notice_by,
    )


USAGE_VALUES = (
    "municipality_id",
    "municipality__name",
    "solution_id",
    "solution__name",
    "solution__vendor",
    "solution__function_id",
    "users",
    "licence_cost",
    "contract_end",
    "notice_months",
    "valid_from",
    "valid_to",
)


def standardisation_report(*, user, on: datetime.date) -> StandardisationReport:
    """The report on ``on`` over the usage rows ``user`` may see. Three queries."""
    quarters = quarter_starts(on)
    functions = list(
        restrict(SolutionFunction.objects.order_by("name"), user).values_list(
            "id", "name", "preferred_solution_id"
        )
    )
    municipalities = list(
        restrict(Municipality.objects.order_by("name"), user).values_list("id", "name")
    )
    rows = list(
        restrict(SolutionUsage.objects.all(), user)
        .exclude(valid_to__lte=quarters[0])
        .filter(valid_from__lte=on)
        .order_by("solution__name", "municipality__name", "valid_from", "pk")
        .values(*USAGE_VALUES)
    )
    by_function: dict[int, list[dict]] = {}
    for row in rows:
        by_function.setdefault(row["solution__function_id"], []).append(row)
    reports = []
    matrix: dict[tuple[int, int], list[tuple[str, bool]]] = {}
    for function_id, name, preferred_id in functions:
        report = _function_report(
            function_id, name, preferred_id, by_function.get(function_id, []), on, quarters
        )
        reports.append(report)
        candidate_id = report.candidate.solution_id if report.candidate else None
        for row in by_function.get(function_id, []):
            if _in_force(row, on):
                cell = matrix.setdefault((function_id, row["municipality_id"]), [])
                entry = (row["solution__name"], row["solution_id"] == candidate_id)
                if entry not in cell:
                    cell.append(entry)
    return StandardisationReport(on, reports, municipalities, matrix, quarters)


def _function_report(
    function_id: int,
    name: str,
    preferred_id: int | None,
    rows: list[dict],
    on: datetime.date,
    quarters: list[datetime.date],
) -> FunctionReport:
    figures: dict[int, SolutionFigures] = {}
    current = [row for row in rows if _in_force(row, on)]
    for row in current:
        solution = figures.get(row["solution_id"])
        if solution is None:
            solution = figures[row["solution_id"]] = SolutionFigures(
                row["solution_id"], row["solution__name"], row["solution__vendor"]
            )
        solution.members.add(row["municipality_id"])
        # The saving compares costs per user: a row lacking either figure would skew it.
        if row["users"] is None or row["licence_cost"] is None:
            solution.incomplete += 1
            continue
        solution.users += row["users"]
        solution.cost += row["licence_cost"]
    solutions = sorted(figures.values(), key=lambda s: (-len(s.members), -s.users, s.name))
    candidate, chosen = _candidate(solutions, preferred_id)
    candidate_id = candidate.solution_id if candidate else None
    windows = [
        window
        for row in current
        if row["solution_id"] != candidate_id and (window := _window(row, on)) is not None
    ]
    windows.sort(key=lambda w: (w.free_from, w.municipality))
    shares = []
    for day in quarters:
        members, on_candidate = set(), set()
        for row in rows:
            if _in_force(row, day):
                members.add(row["municipality_id"])
                if row["solution_id"] == candidate_id:
                    on_candidate.add(row["municipality_id"])
        shares.append(Decimal(len(on_candidate)) / len(members) if members else None)
    return FunctionReport(function_id, name, solutions, candidate, chosen, windows, shares)
