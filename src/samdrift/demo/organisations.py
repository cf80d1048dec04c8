"""Demo step "organisations": the collaboration, its municipalities, their service areas and
locations, and the plan of how many people each municipality gets.

These tables are small (at most a few thousand rows), so they are written with
``bulk_create`` and change-logged row by row, like any other creation.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from stdnum.no import kontonr

from samdrift.core.changelog import record_bulk_changes
from samdrift.core.choices import ChangeAction
from samdrift.core.validators import organisation_number_with_check_digit
from samdrift.demo.context import DemoContext
from samdrift.demo.names import (
    FEMALE_FIRST_NAMES,
    LAST_NAMES,
    MALE_FIRST_NAMES,
    PLACE_NAMES,
    REGION_MEMBERS,
    ascii_slug,
    municipality_names,
)
from samdrift.organisations.choices import ContactFunction, LocationKind, ServiceAreaKind
from samdrift.organisations.models import (
    Collaboration,
    Location,
    Municipality,
    MunicipalityContact,
    ServiceArea,
)

COLLABORATION_NAME = "Fjordregionen IKT"

# Service areas: key, name, kind, cost centre, and the population from which a
# municipality runs it as a separate area (smaller ones fold it into the broader one).
SERVICE_AREAS: tuple[tuple[str, str, str, str, int], ...] = (
    ("administration", "Administrasjon", ServiceAreaKind.ADMINISTRATION, "1000", 0),
    ("education", "Oppvekst og utdanning", ServiceAreaKind.EDUCATION, "2000", 0),
    ("kindergarten", "Barnehage", ServiceAreaKind.EDUCATION, "2100", 10_000),
    ("health", "Helse og omsorg", ServiceAreaKind.HEALTH_CARE, "3000", 0),
    ("nursing", "Sykehjem", ServiceAreaKind.HEALTH_CARE, "3100", 10_000),
    ("culture", "Kultur", ServiceAreaKind.CULTURE, "4000", 0),
    ("technical", "Teknisk drift", ServiceAreaKind.TECHNICAL, "6000", 0),
)
# Where an area is not separate, its people and sites belong to this one.
FOLDS_INTO = {"kindergarten": "education", "nursing": "health"}

# Share of a municipality's employees per service area (roughly as in Norwegian
# municipalities: health and care and education employ most).
EMPLOYEE_SHARES = {
    "administration": 0.10,
    "education": 0.23,
    "kindergarten": 0.12,
    "health": 0.22,
    "nursing": 0.16,
    "technical": 0.12,
    "culture": 0.05,
}


@dataclass
class MunicipalityPlan:
    """How many people of each kind a municipality gets (current ones and leavers)."""

    employees: int
    employee_leavers: int
    pupils: int
    pupil_leavers: int
    politicians: int
    politician_leavers: int

    @property
    def total(self) -> int:
        return (
            self.employees
            + self.employee_leavers
            + self.pupils
            + self.pupil_leavers
            + self.politicians
            + self.politician_leavers
        )


def council_size(population: int) -> int:
    """Minimum members of a municipal council (kommuneloven § 5-5), plus a deputy share
    that also gets an account."""
    if population <= 5_000:
        members = 11
    elif population <= 10_000:
        members = 19
    elif population <= 50_000:
        members = 27
    elif population <= 100_000:
        members = 35
    else:
        members = 43
    return round(members * 1.4)


def natural_plan(population: int) -> MunicipalityPlan:
    """People of a municipality at full scale: employees are 8.5–12 % of the population
    (smaller municipalities employ relatively more), pupils about 12 % (ten school years);
    leavers cover three years of turnover."""
    employee_rate = 0.085 if population >= 20_000 else 0.10 if population >= 5_000 else 0.12
    employees = population * employee_rate
    pupils = population * 0.12
    politicians = council_size(population)
    return MunicipalityPlan(
        employees=round(employees),
        employee_leavers=round(employees * 0.09 * 3),
        pupils=round(pupils),
        pupil_leavers=round(pupils * 0.1 * 3),
        politicians=politicians,
        politician_leavers=round(politicians * 0.4),
    )


def scaled_plan(plan: MunicipalityPlan, factor: float) -> MunicipalityPlan:
    def scale(value: int, floor: int) -> int:
        return max(floor, round(value * factor))

    return MunicipalityPlan(
        employees=scale(plan.employees, 12),
        employee_leavers=scale(plan.employee_leavers, 2),
        pupils=scale(plan.pupils, 8),
        pupil_leavers=scale(plan.pupil_leavers, 2),
        politicians=scale(plan.politicians, 3),
        politician_leavers=scale(plan.politician_leavers, 1),
    )


def populations(ctx: DemoContext) -> list[int]:
    """The members' populations: the six of the region, then (large size) more members
    drawn from a skewed distribution like Norway's, rescaled so the people add up."""
    count = ctx.size.municipalities
    fixed = [population for _name, population, _joined in REGION_MEMBERS[:count]]
    if count <= len(fixed):
        return fixed
    rng = ctx.rng("organisations", "populations")
    extra = [
        min(700_000, max(1_000, round(rng.lognormvariate(math.log(18_000), 1.0))))
        for _ in range(count - len(fixed))
    ]
    wanted = ctx.size.persons - sum(natural_plan(p).total for p in fixed)
    have = sum(natural_plan(p).total for p in extra)
    if wanted > 0 and have > 0:
        factor = wanted / have
        extra = [min(900_000, max(1_000, round(p * factor))) for p in extra]
    return fixed + extra


def generate(ctx: DemoContext) -> None:
    rng = ctx.rng("organisations")
    ctx.collaboration = Collaboration.objects.create(
        name=COLLABORATION_NAME,
        organisation_number=organisation_number(rng, taken=set()),
        vat_registered=True,
        bank_account=bank_account(rng),
        invoice_series="FRI",
        street="Fjordgata 12",
        postal_code="6800",
        city="Fjordvik",
        email="faktura@fjordregionen-ikt.no",
        payment_terms_days=30,
    )
    ctx.counts[Collaboration._meta.label] += 1
    natural = _generate_municipalities(ctx, rng)
    _generate_service_areas(ctx, natural)
    _generate_locations(ctx)
    _generate_contacts(ctx)


def _generate_municipalities(ctx: DemoContext, rng) -> list[MunicipalityPlan]:
    """The members, their numbers and dates of joining; returns each one's natural plan
    of persons (before scaling to the demo's size)."""
    names = municipality_names(ctx.size.municipalities)
    pops = populations(ctx)
    natural = [natural_plan(p) for p in pops]
    taken_org_numbers = {ctx.collaboration.organisation_number}
    municipalities = []
    for index, (name, population) in enumerate(zip(names, pops, strict=True)):
        joined = (
            datetime.date(*REGION_MEMBERS[index][2])
            if index < len(REGION_MEMBERS)
            else datetime.date(2019 + rng.randrange(6), 1, 1)
        )
        number = f"47{index + 1:02d}"
        org_number = organisation_number(rng, taken=taken_org_numbers)
        municipalities.append(
            Municipality(
                name=name,
                number=number,
                organisation_number=org_number,
                population=population,
                population_date=ctx.this_year,
                peppol_endpoint=f"0192:{org_number}",
                invoice_reference=f"IKT-{number}",
                joined_on=joined,
                street="Rådhusplassen 1",
                postal_code=f"{6800 + index * 10:04d}"[:4],
                city=name,
                contact_email=f"postmottak@{ascii_slug(name)}.kommune.no",
            )
        )
    Municipality.objects.bulk_create(municipalities)
    ctx.municipalities = municipalities
    record_bulk_changes(municipalities, action=ChangeAction.CREATE)
    ctx.counts[Municipality._meta.label] += len(municipalities)
    return natural


def _generate_service_areas(ctx: DemoContext, natural: list[MunicipalityPlan]) -> None:
    """Each member's service areas (the small ones fold into broader areas), and its
    plan of persons scaled to the demo's size."""
    factor = min(1.0, ctx.size.persons / sum(plan.total for plan in natural))
    areas: list[ServiceArea] = []
    for municipality, plan in zip(ctx.municipalities, natural, strict=True):
        by_key: dict[str, ServiceArea] = {}
        for key, area_name, kind, cost_centre, from_population in SERVICE_AREAS:
            if municipality.population < from_population:
                continue
            area = ServiceArea(
                municipality=municipality, name=area_name, kind=kind, cost_centre=cost_centre
            )
            by_key[key] = area
            areas.append(area)
        for key, broader in FOLDS_INTO.items():
            by_key.setdefault(key, by_key[broader])
        ctx.service_areas[municipality.pk] = by_key
        ctx.plans[municipality.pk] = scaled_plan(plan, factor)
    ServiceArea.objects.bulk_create(areas)
    record_bulk_changes(areas, action=ChangeAction.CREATE)
    ctx.counts[ServiceArea._meta.label] += len(areas)


def _generate_locations(ctx: DemoContext) -> None:
    locations: list[Location] = []
    for municipality in ctx.municipalities:
        site_list = sites_for(ctx, municipality)
        ctx.locations[municipality.pk] = site_list
        locations.extend(site_list)
    Location.objects.bulk_create(locations)
    record_bulk_changes(locations, action=ChangeAction.CREATE)
    ctx.counts[Location._meta.label] += len(locations)


def sites_for(ctx: DemoContext, municipality: Municipality) -> list[Location]:
    """A municipality's sites: one town hall, health centre, depot and library, and as
    many schools, kindergartens and nursing homes as its people need."""
    plan = ctx.plans[municipality.pk]
    areas = ctx.service_areas[municipality.pk]
    rng = ctx.rng("organisations", "sites", municipality.number)
    employees = plan.employees
    counts = {
        LocationKind.SCHOOL: max(1, min(120, round(plan.pupils / 330))),
        LocationKind.KINDERGARTEN: max(
            1, min(200, round(employees * EMPLOYEE_SHARES["kindergarten"] / 14))
        ),
        LocationKind.NURSING_HOME: max(
            1, min(30, round(employees * EMPLOYEE_SHARES["nursing"] / 60))
        ),
    }
    owner = {
        LocationKind.SCHOOL: "education",
        LocationKind.KINDERGARTEN: "kindergarten",
        LocationKind.NURSING_HOME: "nursing",
    }
    suffix = {
        LocationKind.SCHOOL: "skole",
        LocationKind.KINDERGARTEN: "barnehage",
        LocationKind.NURSING_HOME: "sykehjem",
    }
    sites = [
        (f"{municipality.name} rådhus", LocationKind.TOWN_HALL, "administration"),
        (f"{municipality.name} helsesenter", LocationKind.HEALTH_CENTRE, "health"),
        (f"{municipality.name} driftsstasjon", LocationKind.DEPOT, "technical"),
        (f"{municipality.name} bibliotek", LocationKind.LIBRARY, "culture"),
    ]
    for kind, count in counts.items():
        places = place_names(rng, count)
        sites.extend((f"{place} {suffix[kind]}", kind, owner[kind]) for place in places)
    result = []
    for index, (name, kind, area_key) in enumerate(sites):
        location = Location(
            municipality=municipality,
            name=name,
            kind=kind,
            street=f"{STREETS[index % len(STREETS)]} {1 + index // len(STREETS)}",
            postal_code=municipality.postal_code,
            city=municipality.name,
        )
        # Not a model field: which service area runs the site (for devices and people).
        location.demo_service_area = areas[area_key]
        result.append(location)
    return result


STREETS = (
    "Skolevegen",
    "Kyrkjevegen",
    "Storgata",
    "Sjøgata",
    "Fjellvegen",
    "Parkvegen",
    "Elvegata",
)
PLACE_PREFIXES = ("", "Øvre ", "Nedre ", "Nordre ", "Søndre ", "Vestre ", "Østre ")


def place_names(rng, count: int) -> list[str]:
    """``count`` distinct place names, in a random but seeded order."""
    head = list(PLACE_NAMES)
    # Prefixed variants ("Øvre Haugen") for municipalities with many sites; some plain
    # names already carry a prefix ("Østre Lia"), so drop repeats.
    rest = [
        name
        for name in dict.fromkeys(
            prefix + place for prefix in PLACE_PREFIXES[1:] for place in PLACE_NAMES
        )
        if name not in head
    ]
    rng.shuffle(head)
    rng.shuffle(rest)
    return (head + rest)[:count]


def organisation_number(rng, *, taken: set[str]) -> str:
    """A fresh, mod-11-valid organisation number in the 9xx xxx xxx range municipalities use."""
    while True:
        number = organisation_number_with_check_digit(f"9{rng.randrange(10**7):07d}")
        if number is not None and number not in taken:
            taken.add(number)
            return number


def bank_account(rng) -> str:
    """A Norwegian account number (11 digits) whose mod-11 check digit is right."""
    while True:
        number = f"1503{rng.randrange(10**7):07d}"
        if kontonr.is_valid(number):
            return number


# Whom the collaboration deals with at each member: (function, e-mail box or None, note).
CONTACT_FUNCTIONS = (
    (ContactFunction.INVOICE_RECIPIENT, "faktura", "Mottar månedsfakturaen (EHF)."),
    (ContactFunction.ICT_CONTACT, None, ""),
    (ContactFunction.BUDGET_OWNER, None, ""),
    (ContactFunction.AGREEMENT_OWNER, None, "Signerer tjenesteavtalen."),
)


def _generate_contacts(ctx: DemoContext) -> None:
    """Four contact persons per member, by function (their own random stream, so adding
    them changed no other demo row)."""
    rng = ctx.rng("contacts")
    contacts = []
    for municipality in ctx.municipalities:
        domain = f"{ascii_slug(municipality.name)}.kommune.no"
        for function, box, note in CONTACT_FUNCTIONS:
            first = rng.choice(FEMALE_FIRST_NAMES if rng.random() < 0.5 else MALE_FIRST_NAMES)
            last = rng.choice(LAST_NAMES)
            local = box or f"{ascii_slug(first)}.{ascii_slug(last)}"
            contacts.append(
                MunicipalityContact(
                    municipality=municipality,
                    name=f"{first} {last}",
                    function=function,
                    email=f"{local}@{domain}",
                    phone=f"+47 {rng.randrange(40, 99)} {rng.randrange(10, 99)} "
                    f"{rng.randrange(10, 99)} {rng.randrange(10, 99)}",
                    note=note,
                )
            )
    MunicipalityContact.objects.bulk_create(contacts)
    record_bulk_changes(contacts, action=ChangeAction.CREATE)
    ctx.counts[MunicipalityContact._meta.label] += len(contacts)
