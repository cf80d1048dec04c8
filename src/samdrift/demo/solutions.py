"""Demo step "solutions": a portfolio for every demo municipality.

About 25 functions and 60 fictional solutions (``demo_data``); most functions have two to
four competing systems, a few are already common. Each member runs one solution per
function; some moved to the function's first (common) solution in the last three years,
so the share on it grows by quarter. Contracts end across the next three years, a few
run on with notice only. Requirements are filled in for every use, with a few gaps of
each kind that can be seen today: a missing processing agreement, an old or missing risk
assessment, a solution past its end of support. (Availability and service-hour gaps need
agreed service levels, which do not exist yet: the gap view says "not agreed".)
"""

from __future__ import annotations

from decimal import Decimal

from samdrift.core.changelog import record_bulk_changes
from samdrift.core.choices import ChangeAction
from samdrift.demo.context import DemoContext, random_day
from samdrift.demo.solutions_data import FUNCTIONS, SOLUTIONS
from samdrift.finance.depreciation import add_months
from samdrift.finance.money import round_to_ore
from samdrift.solutions.choices import ServiceHours
from samdrift.solutions.models import Requirement, Solution, SolutionFunction, SolutionUsage

# Solutions whose vendor support has ended (a gap wherever they run).
PAST_END_OF_SUPPORT = {"DokuKommune", "Lønn Lokal", "BV Lokal"}


def generate(ctx: DemoContext) -> None:
    functions, solutions = _catalogue(ctx)
    usages: list[SolutionUsage] = []
    areas: list[list[int]] = []  # the service areas of each usage, by its index
    for municipality in ctx.municipalities:
        for code in FUNCTIONS:
            for usage, area_ids in _usages_of(ctx, municipality, code, solutions[code]):
                usages.append(usage)
                areas.append(area_ids)
    SolutionUsage.objects.bulk_create(usages)
    links = []
    for index, usage in enumerate(usages):
        usage._relation_ids = {"service_areas": areas[index], "integrations": []}
        links += [
            SolutionUsage.service_areas.through(solutionusage_id=usage.pk, servicearea_id=a)
            for a in areas[index]
        ]
    SolutionUsage.service_areas.through.objects.bulk_create(links)
    record_bulk_changes(usages, action=ChangeAction.CREATE)
    requirements = _requirements(ctx, usages)
    Requirement.objects.bulk_create(requirements)
    record_bulk_changes(requirements, action=ChangeAction.CREATE)
    ctx.counts[SolutionFunction._meta.label] += len(functions)
    ctx.counts[Solution._meta.label] += sum(len(s) for s in solutions.values())
    ctx.counts[SolutionUsage._meta.label] += len(usages)
    ctx.counts[Requirement._meta.label] += len(requirements)


def _catalogue(ctx: DemoContext):
    functions = {
        code: SolutionFunction(name=name, code=code) for code, (name, *_rest) in FUNCTIONS.items()
    }
    SolutionFunction.objects.bulk_create(list(functions.values()))
    record_bulk_changes(list(functions.values()), action=ChangeAction.CREATE)
    rng = ctx.rng("solutions", "catalogue")
    made: dict[str, list[tuple[Solution, int]]] = {}
    for code, specs in SOLUTIONS.items():
        for name, vendor, form, service, weight in specs:
            end = None
            if name in PAST_END_OF_SUPPORT:
                end = add_months(ctx.today, -rng.randint(2, 14)).replace(day=1)
            elif rng.random() < 0.3:
                end = add_months(ctx.today, rng.randint(12, 60)).replace(day=1)
            solution = Solution(
                name=name,
                vendor=vendor,
                function=functions[code],
                delivery_form=form,
                version=f"{rng.randint(3, 12)}.{rng.randint(0, 9)}",
                end_of_support=end,
                service=ctx.services.get(service) if service else None,
            )
            made.setdefault(code, []).append((solution, weight))
    every = [s for pairs in made.values() for s, _w in pairs]
    Solution.objects.bulk_create(every)
    record_bulk_changes(every, action=ChangeAction.CREATE)
    return functions, made


def _usages_of(ctx, municipality, code, choices) -> list[tuple[SolutionUsage, list[int]]]:
    """One function's use by one member: one row, or two where it moved to the common
    solution during the last three years."""
    _name, area_key, share, per_user, _personal, _critical = FUNCTIONS[code]
    rng = ctx.rng("solutions", municipality.number, code)
    weights = [w for _s, w in choices]
    solution = rng.choices([s for s, _w in choices], weights=weights)[0]
    users = max(3, round(municipality.population * share * rng.uniform(0.8, 1.2)))
    area = ctx.service_areas[municipality.pk].get(area_key)
    area_ids = [area.pk] if area is not None else []
    start = municipality.joined_on

    def usage(on_solution, valid_from, valid_to, factor=1.0) -> SolutionUsage:
        cost = round_to_ore(per_user * Decimal(users) * Decimal(str(round(factor, 3))))
        term = rng.choice((36, 48, 60))
        contract_start = valid_from
        contract_end = None
        notice = rng.choice((3, 6, 6, 12))
        if rng.random() < 0.85:
            # Contracts end across the next three years (and earlier ones were renewed).
            contract_end = add_months(ctx.today, rng.randint(1, 36)).replace(day=1)
            contract_start = max(valid_from, add_months(contract_end, -term))
        if valid_to is not None:  # the contract of a solution left behind ended with it
            contract_start, contract_end = valid_from, valid_to
        if contract_end is not None and contract_end <= contract_start:
            contract_end = None
        return SolutionUsage(
            municipality=municipality,
            solution=on_solution,
            users=users,
            licence_cost=cost,
            contract_reference=f"{municipality.number}-{code}-{rng.randint(100, 999)}",
            contract_start=contract_start,
            contract_end=contract_end,
            notice_months=notice,
            system_owner_id=_owner(ctx, municipality, rng),
            valid_from=valid_from,
            valid_to=valid_to,
        )

    rows: list[tuple[SolutionUsage, list[int]]] = []
    common = choices[0][0]
    # The system most members share is the cheaper per user (economies of scale).
    factor = rng.uniform(0.7, 0.95) if solution is common else rng.uniform(0.95, 1.4)
    if len(choices) > 1 and solution is common and rng.random() < 0.5:
        # Moved to the common solution: from another, on a day in the last three years.
        before = rng.choice([s for s, _w in choices[1:]])
        moved = random_day(rng, max(start, ctx.history_start), add_months(ctx.today, -1))
        if moved > start:
            rows.append((usage(before, start, moved, factor * 1.15), area_ids))
            start = moved
    rows.append((usage(solution, start, None, factor), area_ids))
    return rows


def _owner(ctx, municipality, rng) -> int | None:
    persons = [p for p in ctx.persons.get(municipality.pk, []) if p.kind == "employee"]
    return rng.choice(persons).id if persons else None


def _requirements(ctx: DemoContext, usages: list[SolutionUsage]) -> list[Requirement]:
    made = {}
    for usage in usages:
        if usage.valid_to is not None:
            continue  # a solution left behind keeps no requirement of its own
        code = usage.solution.function.code
        _name, _area, _share, _cost, personal, critical = FUNCTIONS[code]
        rng = ctx.rng("solutions", "requirement", usage.municipality.number, code)
        assessed = random_day(rng, add_months(ctx.today, -11), ctx.today)
        roll = rng.random()
        if roll < 0.08:
            assessed = None  # never assessed
        elif roll < 0.2:
            assessed = random_day(rng, add_months(ctx.today, -30), add_months(ctx.today, -13))
        agreement = random_day(rng, add_months(ctx.today, -48), add_months(ctx.today, -2))
        if personal and rng.random() < 0.1:
            agreement = None  # a missing processing agreement
        made[(usage.municipality_id, usage.solution_id)] = Requirement(
            municipality=usage.municipality,
            solution=usage.solution,
            availability_target=Decimal(("99.0", "99.5", "99.8", "99.9")[critical]),
            service_hours=(ServiceHours.BUSINESS, ServiceHours.EXTENDED, ServiceHours.ALWAYS)[
                critical - 1
            ],
            rpo_hours=Decimal((24, 8, 4, 1)[critical]),
            rto_hours=Decimal((48, 24, 8, 4)[critical]),
            criticality=critical,
            confidentiality=("low", "medium", "high")[2 if personal else critical - 1],
            integrity=("low", "medium", "high")[critical - 1],
            availability_class=("low", "medium", "high")[critical - 1],
            personal_data=personal,
            special_categories=personal and code in {"epr", "health-station", "child-welfare"},
            processing_agreement_on=agreement if personal else None,
            risk_assessed_on=assessed,
        )
    return list(made.values())
