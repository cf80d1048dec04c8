"""Demo step "people": employees, pupils and politicians of every municipality, including
those who left during the last three years (their devices and subscriptions end then).
"""

from __future__ import annotations

import datetime
import itertools

from samdrift.demo.bulk import insert_rows
from samdrift.demo.context import DemoContext, PersonRow, random_day
from samdrift.demo.names import FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES, ascii_slug
from samdrift.demo.organisations import EMPLOYEE_SHARES
from samdrift.finance.depreciation import add_months
from samdrift.organisations.choices import LocationKind, PersonKind
from samdrift.organisations.models import Person

COLUMNS = (
    "id", "municipality_id", "service_area_id", "location_id", "username", "first_name",
    "last_name", "email", "kind", "employee_number", "active_from", "active_to", "created",
    "last_updated",
)  # fmt: skip

# Which sites the people of a service area work at.
SITES_OF_AREA = {
    "administration": (LocationKind.TOWN_HALL,),
    "education": (LocationKind.SCHOOL,),
    "kindergarten": (LocationKind.KINDERGARTEN,),
    "health": (LocationKind.HEALTH_CENTRE, LocationKind.NURSING_HOME),
    "nursing": (LocationKind.NURSING_HOME,),
    "technical": (LocationKind.DEPOT, LocationKind.TOWN_HALL),
    "culture": (LocationKind.LIBRARY,),
}
SCHOOL_START = (8, 15)  # the school year begins mid-August
SCHOOL_END = (6, 21)  # first day after the school year


def council_term_start(today: datetime.date) -> datetime.date:
    """Municipal councils take office on 1 October after an election (2023, 2027, …)."""
    year = today.year - (today.year - 2023) % 4
    start = datetime.date(year, 10, 1)
    return start if start <= today else datetime.date(year - 4, 10, 1)


def generate(ctx: DemoContext) -> None:
    for municipality in ctx.municipalities:
        rows = list(_people_of(ctx, municipality))
        insert_rows(Person, COLUMNS, rows)
        ctx.persons[municipality.pk] = [
            PersonRow(row[0], row[8], row[2], row[3], row[10], row[11]) for row in rows
        ]
        ctx.summary(Person, len(rows), "persons (employees, pupils, politicians)", municipality)


def _people_of(ctx: DemoContext, municipality):
    rng = ctx.rng("people", municipality.number)
    plan = ctx.plans[municipality.pk]
    make = _PersonMaker(ctx, municipality, rng, first_id=ctx.ids.take(Person, plan.total))
    # Each group draws its dates before the person's names: the order the random
    # numbers are drawn in is what keeps the demo data the same from run to run.
    groups = itertools.chain(
        _employees(rng, plan, ctx.today, ctx.history_start),
        _pupils(rng, plan, ctx.today, ctx.history_start),
        _politicians(plan, ctx.today),
    )
    for seq, (kind, area_key, site_kinds, active_from, active_to) in enumerate(groups):
        yield make(seq, kind, area_key, site_kinds, active_from, active_to)


class _PersonMaker:
    """One person's row: a name, username and e-mail, and a site of their service area."""

    def __init__(self, ctx: DemoContext, municipality, rng, *, first_id: int) -> None:
        self.ctx = ctx
        self.municipality = municipality
        self.rng = rng
        self.first_id = first_id
        self.areas = ctx.service_areas[municipality.pk]
        self.sites_by_kind: dict[str, list] = {}
        for location in ctx.locations[municipality.pk]:
            self.sites_by_kind.setdefault(location.kind, []).append(location)
        self.slug = ascii_slug(municipality.name)

    def __call__(self, seq: int, kind: str, area_key: str, site_kinds, active_from, active_to):
        rng, slug, municipality = self.rng, self.slug, self.municipality
        female = rng.random() < 0.5
        first = rng.choice(FEMALE_FIRST_NAMES if female else MALE_FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        username = f"{ascii_slug(first)[:3]}{ascii_slug(last)[:3]}{seq}"
        if kind == PersonKind.PUPIL:
            email = f"{username}@skole.{slug}.no"
        else:
            email = f"{ascii_slug(first)}.{ascii_slug(last)}{seq}@{slug}.kommune.no"
        candidates = [site for kind_ in site_kinds for site in self.sites_by_kind.get(kind_, ())]
        site = rng.choice(candidates) if candidates else None
        area = self.areas[area_key]
        return (
            self.first_id + seq,
            municipality.pk,
            area.pk,
            site.pk if site is not None else None,
            username,
            first,
            last,
            email,
            kind,
            f"{municipality.number}{seq:06d}" if kind == PersonKind.EMPLOYEE else "",
            active_from,
            active_to,
            self.ctx.stamp,
            self.ctx.stamp,
        )


def _employees(rng, plan, today: datetime.date, start: datetime.date):
    """(kind, area, site kinds, from, to) of employees still working, then of those who
    left within the last three years."""
    area_keys = list(EMPLOYEE_SHARES)
    area_weights = [EMPLOYEE_SHARES[key] for key in area_keys]
    # Employees still working: about a quarter were hired within the last three years.
    for _ in range(plan.employees):
        area_key = rng.choices(area_keys, area_weights)[0]
        if rng.random() < 0.27:
            active_from = random_day(rng, start, today - datetime.timedelta(days=7))
        else:
            active_from = random_day(rng, add_months(today, -12 * 25), start)
        yield PersonKind.EMPLOYEE, area_key, SITES_OF_AREA[area_key], active_from, None
    for _ in range(plan.employee_leavers):
        area_key = rng.choices(area_keys, area_weights)[0]
        active_to = random_day(rng, start + datetime.timedelta(days=1), today)
        active_from = random_day(
            rng, add_months(active_to, -12 * 20), active_to - datetime.timedelta(days=90)
        )
        yield PersonKind.EMPLOYEE, area_key, SITES_OF_AREA[area_key], active_from, active_to


def _pupils(rng, plan, today: datetime.date, start: datetime.date):
    """Pupils with an account from the school start of their first year; then those who
    finished school in one of the last three summers."""
    last_school_start = datetime.date(today.year, *SCHOOL_START)
    if last_school_start > today:
        last_school_start = last_school_start.replace(year=today.year - 1)
    school = (LocationKind.SCHOOL,)
    for _ in range(plan.pupils):
        active_from = last_school_start.replace(year=last_school_start.year - rng.randrange(10))
        yield PersonKind.PUPIL, "education", school, active_from, None
    leaving_years = [
        year
        for year in range(start.year, today.year + 1)
        if start < datetime.date(year, *SCHOOL_END) <= today
    ]
    for _ in range(plan.pupil_leavers):
        year = rng.choice(leaving_years)
        active_to = datetime.date(year, *SCHOOL_END)
        active_from = datetime.date(year - 10, *SCHOOL_START)
        yield PersonKind.PUPIL, "education", school, active_from, active_to


def _politicians(plan, today: datetime.date):
    """The council in office, and members of the previous council only."""
    term_start = council_term_start(today)
    previous_term = datetime.date(term_start.year - 4, 10, 1)
    town_hall = (LocationKind.TOWN_HALL,)
    for _ in range(plan.politicians):
        yield PersonKind.POLITICIAN, "administration", town_hall, term_start, None
    for _ in range(plan.politician_leavers):
        yield PersonKind.POLITICIAN, "administration", town_hall, previous_term, term_start
