"""Demo step "gains": what each member cost alone, the improvement and action plan, and the
gains its actions bring — so that planned vs realised, the common-versus-separate
comparison, the benefit map and the board report all have something to show.

- A cost index for every year from 2017 to this year, modelled on the municipal deflator
  ("kommunal deflator"; 2017 = 100, later years at 3 %).
- Baselines ("nullpunkt") for every member, for the two years before it joined, in every
  category: staff as FTEs × cost per FTE, licences, investments as yearly depreciation,
  support and operations contracts, other. Their size follows what the member is invoiced
  (the issued invoices of the latest billed month, credit notes deducted), so the
  comparison tells the same story at every demo size: the larger members are clearly
  cheaper together; the smallest one — the third of the common pool it pays in equal
  shares weighs heavily on it — is honestly NOT yet cheaper (its running baseline is 80 %
  of what it is invoiced; with the devices it would have to renew alone it stays below).
- Indicators (incidents per 100 users, availability, user satisfaction, hours per new
  employee) with every member's value before joining.
- 15 actions in all four statuses (5 done, 4 in progress, 4 planned, 2 cancelled), for all
  members or some, with milestones, prerequisites, and links to the demo's solutions and
  services.
- Gains of every type (budget saving, avoided cost, time saved, quality) with a share and
  a gains owner per member (the municipality's demo login where the owner is its contact),
  some shares taken out of the budget; measurements every quarter since each gain began,
  ramping up towards what was expected, each with its source (a few shares are not
  measured yet).
- A few costs of the collaboration that no invoice carries (the board, the audit, a
  project paid from reserves), in the year of the billed month.

The actions (with their relations and prerequisites) and the gains go through
``gains.services``, validated and logged as any user's write; the reference rows,
baselines, milestones and gains per municipality in bulk, each checked by its model's
rules (a share's action must concern its member; time saved is hours × the hourly rate)
and logged row by row; the measurements (hundreds) in one insert with one summary row in
the log. Runs after billing (the comparison needs issued invoices) and solutions (the
actions link solutions). Everything is drawn from ``ctx.rng("gains", …)``: the same seed
gives the same plan.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Max, Sum

from samdrift.billing.choices import InvoiceStatus
from samdrift.billing.models import CreditNote, Invoice
from samdrift.catalogue.models import Service
from samdrift.core.changelog import record_bulk_changes
from samdrift.core.choices import ChangeAction
from samdrift.core.models import User
from samdrift.demo.context import DemoContext
from samdrift.demo.names import FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES, ascii_slug
from samdrift.finance.depreciation import add_months
from samdrift.finance.money import round_to_ore
from samdrift.gains import services
from samdrift.gains.choices import ActionStatus, CostCategory, GainType, IndicatorUnit
from samdrift.gains.models import (
    Action,
    BaselineCost,
    CollaborationCost,
    CostIndex,
    Gain,
    GainShare,
    Indicator,
    IndicatorBaseline,
    Measurement,
    Milestone,
)
from samdrift.solutions.models import Solution

D = Decimal
ZERO = D("0")

# Yearly growth of the municipal deflator in per cent (2017 = 100); later years 3 %.
DEFLATOR_GROWTH = {
    2018: D("2.8"),
    2019: D("3.1"),
    2020: D("2.6"),
    2021: D("3.9"),
    2022: D("5.6"),
    2023: D("5.4"),
    2024: D("4.6"),
    2025: D("4.0"),
    2026: D("3.4"),
}
INDEX_BASE_YEAR = 2017
INDEX_SOURCE = "Demo: modelled on the municipal deflator (kommunal deflator), 2017 = 100"

# What the member's running costs alone were, as a share of what it is invoiced now (with
# the cost index carried forward): the smallest member's 0.80 makes it pay more together.
PAYS_MORE_RATIO = D("0.80")
CHEAPER_RATIOS = (D("1.15"), D("1.40"))  # smallest to largest of the others

# A baseline's categories as shares of its total, and their description.
CATEGORIES = (
    (CostCategory.STAFF, D("0.42"), "IT-avdelingen (årsverk med sosiale kostnader)"),
    (CostCategory.LICENCES, D("0.20"), "Lisenser: Microsoft, fagsystemer, antivirus"),
    (CostCategory.INVESTMENTS, D("0.16"), "Avskrivning av servere, nettverk og PC-er"),
    (CostCategory.CONTRACTS, D("0.14"), "Drifts- og supportavtaler med lokal leverandør"),
    (CostCategory.OTHER, D("0.08"), "Telefoni, kurs, reiser og forbruksmateriell"),
)
COST_PER_FTE_2017 = D("780000")

# key: (name, unit, higher is better, baseline range, description)
INDICATORS = {
    "incidents": (
        "Hendelser per 100 brukere per måned",
        IndicatorUnit.PER_100_USERS,
        False,
        (D("6.5"), D("12.0")),
        "Henvendelser til brukerstøtte per 100 brukere i en måned (servicedesken).",
    ),
    "availability": (
        "Oppetid for fellestjenestene",
        IndicatorUnit.PERCENT,
        True,
        (D("98.2"), D("99.3")),
        "Andel av avtalt åpningstid der e-post, sak/arkiv og fagsystemer var tilgjengelige.",
    ),
    "satisfaction": (
        "Brukertilfredshet (1–6)",
        IndicatorUnit.SCORE,
        True,
        (D("3.5"), D("4.4")),
        "Snitt i den årlige brukerundersøkelsen, skala 1–6.",
    ),
    "onboarding": (
        "Timer brukt per nyansettelse (tilgang og utstyr)",
        IndicatorUnit.HOURS,
        False,
        (D("5.0"), D("9.0")),
        "Tid IT og leder bruker på å gjøre en nyansatt klar: brukere, tilganger, PC og telefon.",
    ),
}

HOURLY_RATE = D("650")  # an hour of an employee's time, with social costs

# Actions: key → (title, owner title, scope, status, start (months from today), months,
# budget per inhabitant, solution names, service codes, prerequisites, milestones as
# (title, months after start), gains). Scope: "all", "large" (the members from 6,000
# inhabitants), "small" (the three smallest), "not-largest".
# A gain: (effect, type, indicator key or None, target value or None, kroner per inhabitant
# a year (time saved: hours per 1,000 inhabitants), owner ("contact" or a title), source).
ACTIONS = (
    (
        "identity",
        "Felles identitet og selvbetjent passordbytte",
        "driftssjef",
        "all",
        ActionStatus.DONE,
        -44,
        10,
        D("9"),
        ("Felles ID",),
        ("user-workplace",),
        (),
        (("Felles brukerkatalog satt opp", 4), ("Selvbetjent passordbytte i drift", 9)),
        (
            (
                "Færre henvendelser om glemt passord",
                GainType.TIME_SAVED,
                None,
                None,
                D("55"),
                "contact",
                "Servicedesk: henvendelser om passord, per kvartal",
            ),
            (
                "Færre hendelser per bruker",
                GainType.QUALITY,
                "incidents",
                D("5.0"),
                None,
                "contact",
                "Servicedesk: hendelsesrapport",
            ),
        ),
    ),
    (
        "servicedesk",
        "Felles servicedesk med én portal og ett telefonnummer",
        "leder for brukerstøtte",
        "all",
        ActionStatus.DONE,
        -40,
        12,
        D("14"),
        (),
        ("hours",),
        (),
        (("Portal og telefonnummer lansert", 6), ("Lokale brukerstøtteavtaler sagt opp", 12)),
        (
            (
                "Lokale brukerstøtteavtaler sagt opp",
                GainType.AVOIDED_COST,
                None,
                None,
                D("42"),
                "økonomisjef",
                "Regnskap: art 1195 konsulenttjenester",
            ),
            (
                "Mer fornøyde brukere",
                GainType.QUALITY,
                "satisfaction",
                D("4.8"),
                None,
                "contact",
                "Brukerundersøkelsen",
            ),
        ),
    ),
    (
        "email",
        "Felles e-post og samhandling (Fellespost 365)",
        "driftssjef",
        "all",
        ActionStatus.DONE,
        -36,
        8,
        D("6"),
        ("Fellespost 365",),
        ("user-workplace",),
        ("identity",),
        (("Postkasser flyttet", 6),),
        (
            (
                "Egne e-postservere og lisenser avviklet",
                GainType.BUDGET_SAVING,
                None,
                None,
                D("36"),
                "økonomisjef",
                "Regnskap: art 1200 lisenser",
            ),
        ),
    ),
    (
        "print",
        "Skrivere som tjeneste i felles rammeavtale",
        "innkjøpsrådgiver",
        "large",
        ActionStatus.DONE,
        -26,
        9,
        D("3"),
        (),
        ("print-mono", "print-colour"),
        (),
        (("Rammeavtale signert", 3), ("Gamle skrivere samlet inn", 9)),
        (
            (
                "Færre skrivere og lavere pris per side",
                GainType.BUDGET_SAVING,
                None,
                None,
                D("21"),
                "økonomisjef",
                "Faktura fra samarbeidet: utskrift per side",
            ),
        ),
    ),
    (
        "backup",
        "Felles sikkerhetskopi med kopi utenfor huset",
        "sikkerhetsleder",
        "all",
        ActionStatus.DONE,
        -22,
        6,
        D("7"),
        (),
        (),
        (),
        (("Gjenopprettingstest bestått", 6),),
        (
            (
                "Ingen egen backupløsning å fornye",
                GainType.AVOIDED_COST,
                None,
                None,
                D("28"),
                "contact",
                "Investeringsplan: utgått fornyelse av backup",
            ),
        ),
    ),
    (
        "windows11",
        "Windows 11 på hele PC-parken",
        "driftssjef",
        "all",
        ActionStatus.IN_PROGRESS,
        -14,
        18,
        D("11"),
        (),
        ("user-workplace",),
        ("identity",),
        (("Pilot i administrasjonen", 3), ("Skolene ferdige", 10), ("Alle PC-er byttet", 18)),
        (
            (
                "Slipper utvidet støtte for Windows 10",
                GainType.AVOIDED_COST,
                None,
                None,
                D("12"),
                "contact",
                "Leverandørens pris for utvidet støtte",
            ),
        ),
    ),
    (
        "monitoring",
        "Døgnkontinuerlig overvåking av fellestjenestene",
        "driftssjef",
        "all",
        ActionStatus.IN_PROGRESS,
        -11,
        15,
        D("8"),
        (),
        ("network-site",),
        ("backup",),
        (("Overvåking av servere", 4), ("Varsling til vakt", 8), ("Alle lokasjoner", 15)),
        (
            (
                "Høyere oppetid",
                GainType.QUALITY,
                "availability",
                D("99.7"),
                None,
                "contact",
                "Overvåkingssystemet: månedsrapport",
            ),
            (
                "Færre driftsavbrudd i tjenesteområdene",
                GainType.AVOIDED_COST,
                None,
                None,
                D("14"),
                "kommunalsjef helse og omsorg",
                "Avviksregister: timer uten system",
            ),
        ),
    ),
    (
        "case-archive",
        "Felles sak- og arkivløsning (Arkivo Sak)",
        "prosjektleder sak/arkiv",
        "not-largest",
        ActionStatus.IN_PROGRESS,
        -9,
        20,
        D("24"),
        ("Arkivo Sak", "Depotet"),
        ("app-case",),
        ("identity",),
        (
            ("Felles arkivplan vedtatt", 3),
            ("Konvertering fra gamle løsninger", 9),
            ("Alle i drift", 18),
            ("Gamle løsninger avviklet", 20),
        ),
        (
            (
                "Én lisensavtale i stedet for flere",
                GainType.BUDGET_SAVING,
                None,
                None,
                D("26"),
                "arkivleder",
                "Regnskap: art 1200 lisenser",
            ),
            (
                "Mindre dobbeltregistrering i saksbehandlingen",
                GainType.TIME_SAVED,
                None,
                None,
                D("40"),
                "arkivleder",
                "Tidsstudie i postmottaket",
            ),
        ),
    ),
    (
        "datacentre",
        "Lokale servere flyttet til felles datasenter",
        "driftssjef",
        "small",
        ActionStatus.IN_PROGRESS,
        -7,
        12,
        D("18"),
        (),
        (),
        ("backup",),
        (("Flytteplan per kommune", 2), ("Første serverrom tømt", 6), ("Alle serverrom", 12)),
        (
            (
                "Serverrom avviklet: strøm, kjøling og lisenser",
                GainType.BUDGET_SAVING,
                None,
                None,
                D("38"),
                "økonomisjef",
                "Regnskap: strøm og lisenser for serverrom",
            ),
            (
                "Ingen egne serverinvesteringer",
                GainType.AVOIDED_COST,
                None,
                None,
                D("33"),
                "contact",
                "Investeringsplan",
            ),
        ),
    ),
    (
        "onboarding",
        "Tilgang og utstyr automatisk ved nyansettelse (integrasjon med lønn og personal)",
        "prosjektleder HR-integrasjon",
        "all",
        ActionStatus.PLANNED,
        2,
        12,
        D("10"),
        ("Lønnsmester",),
        ("app-hr",),
        ("identity", "case-archive"),
        (("Integrasjon testet", 6), ("I drift", 12)),
        (
            (
                "Nyansatte klare til arbeid første dag",
                GainType.TIME_SAVED,
                "onboarding",
                D("2.0"),
                D("60"),
                "personalsjef",
                "Tidsregistrering i servicedesken",
            ),
        ),
    ),
    (
        "network",
        "Felles nettverk og brannmur på alle lokasjoner",
        "nettverksansvarlig",
        "all",
        ActionStatus.PLANNED,
        4,
        18,
        D("20"),
        (),
        ("network-site",),
        ("monitoring",),
        (("Kartlegging av lokasjoner", 4), ("Halvparten av lokasjonene", 10)),
        (
            (
                "Ingen egne brannmurer å fornye",
                GainType.AVOIDED_COST,
                None,
                None,
                D("22"),
                "contact",
                "Investeringsplan",
            ),
        ),
    ),
    (
        "epr",
        "Felles pasientjournal i helse og omsorg (OmsorgsJournal)",
        "prosjektleder helse",
        "large",
        ActionStatus.PLANNED,
        6,
        24,
        D("30"),
        ("OmsorgsJournal",),
        ("app-ehr",),
        ("identity",),
        (("Anskaffelse avklart", 6), ("Pilot i hjemmetjenesten", 14)),
        (
            (
                "Mindre tid på dokumentasjon",
                GainType.TIME_SAVED,
                None,
                None,
                D("90"),
                "kommunalsjef helse og omsorg",
                "Tidsstudie i hjemmetjenesten",
            ),
            (
                "Én journalavtale i stedet for flere",
                GainType.BUDGET_SAVING,
                None,
                None,
                D("24"),
                "økonomisjef",
                "Regnskap: art 1200 lisenser",
            ),
        ),
    ),
    (
        "learning",
        "Felles læringsplattform for alle skolene (Læringsrommet)",
        "rådgiver oppvekst",
        "all",
        ActionStatus.PLANNED,
        8,
        12,
        D("5"),
        ("Læringsrommet",),
        ("pupil-account",),
        ("identity",),
        (("Opplæring av lærere", 6),),
        (
            (
                "Én plattform i stedet for flere",
                GainType.BUDGET_SAVING,
                None,
                None,
                D("9"),
                "kommunalsjef oppvekst",
                "Regnskap: art 1200 lisenser",
            ),
        ),
    ),
    (
        "payroll-cloud",
        "Egen skyløsning for lønn (Lønn Lokal i sky)",
        "prosjektleder lønn",
        "small",
        ActionStatus.CANCELLED,
        -30,
        12,
        D("6"),
        ("Lønn Lokal",),
        (),
        (),
        (("Forprosjekt", 4),),
        (
            (
                "Lavere driftskostnad for lønn",
                GainType.BUDGET_SAVING,
                None,
                None,
                D("10"),
                "økonomisjef",
                "Forprosjektrapport",
            ),
        ),
    ),
    (
        "telephony",
        "Teams-telefoni i stedet for hussentraler",
        "driftssjef",
        "all",
        ActionStatus.CANCELLED,
        -20,
        10,
        D("4"),
        (),
        (),
        ("email",),
        (("Pilot i én kommune", 4),),
        (
            (
                "Hussentraler sagt opp",
                GainType.BUDGET_SAVING,
                None,
                None,
                D("8"),
                "contact",
                "Regnskap: art 1130 telefoni",
            ),
        ),
    ),
)

CANCELLED_NOTES = {
    "payroll-cloud": "Lagt bort: kommunene går over til felles Lønnsmester i stedet.",
    "telephony": "Lagt bort: for dyrt med dagens avtaler; vurderes på nytt ved neste anbud.",
}


def generate(ctx: DemoContext) -> None:
    members = sorted(ctx.municipalities, key=lambda m: m.number)
    if not members:
        return
    index = _cost_index(ctx)
    indicators = _indicators()
    _baselines(ctx, members, index)
    _indicator_baselines(ctx, members, indicators)
    _collaboration_costs(ctx, members)
    actions = _actions(ctx, members)
    _gains(ctx, members, actions, indicators)


def pays_more_member(municipalities):
    """The member the demo makes pay more together than alone: the smallest."""
    return min(municipalities, key=lambda m: (m.population, m.number))


def _save(save, name: str, instances: list) -> list:
    """Write each through its service (``save(**{name: instance})``): validated as any
    user's write would be, naming the field, and change-logged."""
    for instance in instances:
        save(**{name: instance})
    return instances


def _bulk(instances: list) -> list:
    """Reference rows and baselines in one statement per table: each checked by its
    model's own rules (``clean``, field validators), though not against the database —
    the related rows were just made and the rows are unique by construction (the
    database's constraints still hold) —, then logged row by row."""
    if not instances:
        return instances
    _check(instances)
    type(instances[0]).objects.bulk_create(instances)
    record_bulk_changes(instances, action=ChangeAction.CREATE)
    return instances


def _check(instances: list) -> None:
    model = type(instances[0])
    related = [f.name for f in model._meta.concrete_fields if f.is_relation]
    for instance in instances:
        instance.full_clean(exclude=related, validate_unique=False, validate_constraints=False)


# Reference data and baselines ------------------------------------------------------------


def _cost_index(ctx: DemoContext) -> dict[int, Decimal]:
    values = {INDEX_BASE_YEAR: D("100.0")}
    for year in range(INDEX_BASE_YEAR + 1, ctx.today.year + 1):
        growth = DEFLATOR_GROWTH.get(year, D("3.0"))
        values[year] = (values[year - 1] * (1 + growth / 100)).quantize(D("0.1"))
    rows = [CostIndex(year=y, value=v, source=INDEX_SOURCE) for y, v in values.items()]
    _bulk(rows)
    ctx.counts[CostIndex._meta.label] += len(values)
    return values


def _indicators() -> dict[str, Indicator]:
    made = {
        key: Indicator(name=name, unit=unit, higher_is_better=higher, description=text)
        for key, (name, unit, higher, _range, text) in INDICATORS.items()
    }
    _bulk(list(made.values()))
    return made


def monthly_actual(municipalities) -> dict[int, tuple[datetime.date, Decimal]]:
    """Per member: the latest month with issued invoices and what it was invoiced for it,
    net of VAT, credit notes deducted."""
    issued = Invoice.objects.filter(
        status=InvoiceStatus.ISSUED, municipality__in=[m.pk for m in municipalities]
    )
    latest = dict(
        issued.values("municipality_id")
        .annotate(month=Max("period__month"))
        .values_list("municipality_id", "month")
    )
    net: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for municipality_id, month, total in issued.values_list(
        "municipality_id", "period__month"
    ).annotate(total=Sum("net_total")):
        if latest.get(municipality_id) == month:
            net[municipality_id] += total
    for municipality_id, month, total in (
        CreditNote.objects.filter(invoice__in=issued)
        .values_list("invoice__municipality_id", "invoice__period__month")
        .annotate(total=Sum("net_total"))
    ):
        if latest.get(municipality_id) == month:
            net[municipality_id] -= total
    return {pk: (month, net[pk]) for pk, month in latest.items()}


def _baselines(ctx: DemoContext, members, index: dict[int, Decimal]) -> None:
    """Two years before joining, per category, sized from what the member is invoiced
    now: baseline × index(now) / index(baseline year) = invoiced × ratio."""
    actual = monthly_actual(members)
    others = sorted((m for m in members if m != pays_more_member(members)), key=_size)
    low, high = CHEAPER_RATIOS
    ratios = {pays_more_member(members).pk: PAYS_MORE_RATIO}
    for rank, member in enumerate(others):
        step = (high - low) * rank / max(len(others) - 1, 1)
        ratios[member.pk] = (low + step).quantize(D("0.01"))
    earliest = min(index)
    rows = []
    for member in members:
        rng = ctx.rng("gains", "baseline", member.number)
        year = min(member.joined_on.year - 1, ctx.today.year)
        month, per_month = actual.get(member.pk, (ctx.today, _fallback_month(member)))
        now_index = index.get(month.year, index[max(index)])
        base_index = index.get(year, index[earliest])
        total = per_month * 12 * ratios[member.pk] * base_index / now_index
        for back in (1, 0):  # the year before too, a few per cent lower
            y = year - back
            scale = D("1") if back == 0 else D(str(round(rng.uniform(0.94, 0.99), 3)))
            rows += _baseline_rows(ctx, member, y, total * scale, index, earliest)
    _bulk(rows)
    ctx.counts[BaselineCost._meta.label] += len(rows)


def _size(member) -> tuple:
    return (member.population, member.number)


def _fallback_month(member) -> Decimal:
    """Without issued invoices: about 2,500 kroner per inhabitant a year."""
    return D(member.population) * D("2500") / 12


def _baseline_rows(ctx, member, year, total, index, earliest) -> list[BaselineCost]:
    rng = ctx.rng("gains", "categories", member.number, year)
    cost_per_fte = round_to_ore(
        COST_PER_FTE_2017 * index.get(year, index[earliest]) / index[INDEX_BASE_YEAR]
    ).quantize(D("1000"))
    source = f"Regnskap {year} (KOSTRA funksjon 120); årsverk fra personalsystemet"
    rows = []
    for category, share, description in CATEGORIES:
        amount = (total * share * D(str(round(rng.uniform(0.92, 1.08), 3)))).quantize(D("100"))
        if category == CostCategory.STAFF:
            fte = max(D("0.5"), (amount / cost_per_fte).quantize(D("0.1")))
            rows.append(
                BaselineCost(
                    municipality=member,
                    year=year,
                    category=category,
                    fte=fte,
                    cost_per_fte=cost_per_fte,
                    amount=round_to_ore(fte * cost_per_fte),
                    description=f"{description}: {fte} årsverk",
                    source=source,
                )
            )
        else:
            rows.append(
                BaselineCost(
                    municipality=member,
                    year=year,
                    category=category,
                    amount=amount,
                    description=description,
                    source=source,
                )
            )
    return rows


def _indicator_baselines(ctx, members, indicators) -> None:
    rows = []
    for member in members:
        rng = ctx.rng("gains", "indicator-baseline", member.number)
        measured = datetime.date(min(member.joined_on.year - 1, ctx.today.year), 11, 30)
        for key, indicator in indicators.items():
            low, high = INDICATORS[key][3]
            value = D(str(round(rng.uniform(float(low), float(high)), 1)))
            rows.append(
                IndicatorBaseline(
                    municipality=member,
                    indicator=indicator,
                    value=value,
                    measured_on=min(measured, ctx.today),
                    source="Kartlegging før innmelding i samarbeidet",
                )
            )
    _bulk(rows)
    ctx.counts[IndicatorBaseline._meta.label] += len(rows)


def _collaboration_costs(ctx, members) -> None:
    """The board, the audit and a project paid from reserves, in the year the members
    were billed: the demo bills one closed month, so in earlier years the comparison
    has no invoices (nor anything alone) to set such costs against."""
    rng = ctx.rng("gains", "collaboration-costs")
    billed = [month for month, _amount in monthly_actual(members).values()]
    year = max(billed).year if billed else ctx.today.year
    rows = [
        CollaborationCost(
            year=year,
            amount=D(rng.randrange(150, 200) * 1000),
            description="Styret og representantskapet: møtegodtgjørelser og reiser",
        ),
        CollaborationCost(
            year=year,
            amount=D(rng.randrange(80, 110) * 1000),
            description="Revisjon av samarbeidets regnskap",
        ),
        CollaborationCost(
            year=year,
            amount=D("420000"),
            description="Prosjektleder for felles sak/arkiv, dekket av samarbeidets fond",
        ),
    ]
    _bulk(rows)
    ctx.counts[CollaborationCost._meta.label] += len(rows)


# The action plan -------------------------------------------------------------------------


def _scope(members, scope: str) -> list:
    by_size = sorted(members, key=_size)
    if scope == "large":
        return [m for m in by_size if m.population >= 6000] or by_size[-1:]
    if scope == "small":
        return by_size[:3]
    if scope == "not-largest":
        return by_size[:-1] or by_size
    return list(members)


def _person(rng) -> str:
    first = rng.choice(FEMALE_FIRST_NAMES if rng.random() < 0.5 else MALE_FIRST_NAMES)
    return f"{first} {rng.choice(LAST_NAMES)}"


def _actions(ctx: DemoContext, members) -> dict[str, tuple[Action, list]]:
    """The 15 actions with their links and milestones; returns key → (action, members)."""
    rng = ctx.rng("gains", "actions")
    solutions = {s.name: s for s in Solution.objects.all()}
    catalogue = {s.code: s for s in Service.objects.all()}
    this_month = ctx.today.replace(day=1)
    made: dict[str, tuple[Action, list]] = {}
    for spec in ACTIONS:
        key, title, owner, scope, status, start_in, months, per_inhabitant = spec[:8]
        concerned = _scope(members, scope)
        start = add_months(this_month, start_in)
        deadline = add_months(start, months) - datetime.timedelta(days=1)
        budget = (per_inhabitant * sum(m.population for m in concerned)).quantize(D("1000"))
        spent = {
            ActionStatus.DONE: D(str(round(rng.uniform(0.9, 1.1), 2))),
            ActionStatus.IN_PROGRESS: D(str(round(rng.uniform(0.3, 0.7), 2))),
            ActionStatus.PLANNED: ZERO,
            ActionStatus.CANCELLED: D(str(round(rng.uniform(0.05, 0.2), 2))),
        }[status]
        description = CANCELLED_NOTES.get(key, "")
        action = Action(
            title=title,
            description=description,
            owner=f"{_person(rng)}, {owner}",
            all_municipalities=scope == "all" or len(concerned) == len(members),
            start=start,
            deadline=deadline,
            status=status,
            budget=budget,
            cost_to_date=(budget * spent).quantize(D("1000")),
        )
        # Through the service: it refuses a prerequisite cycle, and the relations are
        # logged with the action (the prerequisites come earlier in ACTIONS).
        services.save_action(
            action=action,
            municipalities=[] if action.all_municipalities else concerned,
            solutions=[solutions[name] for name in spec[8] if name in solutions],
            services=[catalogue[code] for code in spec[9] if code in catalogue],
            prerequisites=[made[other][0] for other in spec[10]],
        )
        made[key] = (action, concerned)
    ctx.counts[Action._meta.label] += len(made)

    milestones = []
    for spec in ACTIONS:
        action, _concerned = made[spec[0]]
        for title, after in spec[11]:
            due = add_months(action.start, after) - datetime.timedelta(days=1)
            done_on = None
            if action.status == ActionStatus.DONE or (
                action.status == ActionStatus.IN_PROGRESS and due < ctx.today
            ):
                done_on = min(due + datetime.timedelta(days=rng.randint(-10, 12)), ctx.today)
            milestones.append(Milestone(action=action, title=title, due=due, done_on=done_on))
    _bulk(milestones)
    ctx.counts[Milestone._meta.label] += len(milestones)
    return made


# Gains, shares and measurements ----------------------------------------------------------


def _gains(ctx: DemoContext, members, actions, indicators) -> None:
    contacts = {
        user.municipality_id: user
        for user in User.objects.filter(
            username__in=[f"contact-{ascii_slug(m.name)}" for m in members]
        )
    }
    member_baseline = {
        (row.municipality_id, row.indicator_id): row.value
        for row in IndicatorBaseline.objects.all()
    }
    gains: list[tuple[Gain, tuple, list]] = []
    for spec in ACTIONS:
        action, concerned = actions[spec[0]]
        effect_on = _effect_date(action, ctx.today)
        for effect, type_, indicator_key, target, _rate, _owner, _source in spec[12]:
            indicator = indicators.get(indicator_key) if indicator_key else None
            baseline = None
            if indicator is not None:
                values = [member_baseline[(m.pk, indicator.pk)] for m in concerned]
                baseline = (sum(values) / len(values)).quantize(D("0.1"))
            gain = Gain(
                action=action,
                effect=effect,
                type=type_,
                indicator=indicator,
                baseline_value=baseline,
                baseline_date=action.start if indicator else None,
                target_value=target,
                target_date=add_months(effect_on, 24) if indicator else None,
                hourly_rate=HOURLY_RATE if type_ == GainType.TIME_SAVED else None,
                first_year=effect_on.year,
                last_year=effect_on.year + 4,
            )
            gains.append((gain, (_rate, _owner, _source, indicator_key, target), concerned))
    _save(services.save_gain, "gain", [gain for gain, _spec, _members in gains])
    ctx.counts[Gain._meta.label] += len(gains)

    shares = []
    for gain, (rate, owner, _source, _indicator, _target), concerned in gains:
        for member in concerned:
            rng = ctx.rng("gains", "share", gain.action.title, gain.effect, member.number)
            user = contacts.get(member.pk) if owner == "contact" else None
            name = (
                f"{user.get_full_name()} (kontaktperson)"
                if user is not None
                else f"{_person(rng)}, {owner if owner != 'contact' else 'rådgiver IKT'}"
            )
            share = GainShare(gain=gain, municipality=member, owner=name, owner_user=user)
            amount = (
                D(member.population) * (rate or ZERO) / 1000 * _jitter(rng)
                if gain.type == GainType.TIME_SAVED
                else D(member.population) * (rate or ZERO) * _jitter(rng)
            )
            if gain.type == GainType.TIME_SAVED:
                share.expected_hours = max(D("10"), amount.quantize(D("10")))
            elif gain.type != GainType.QUALITY:
                share.expected_amount = max(D("5000"), amount.quantize(D("1000")))
            if (
                gain.type == GainType.BUDGET_SAVING
                and gain.action.status == ActionStatus.DONE
                and rng.random() < 0.6
            ):
                share.taken_out_of_budget = True
                share.budget_note = f"Budsjett {gain.first_year + 1}, rammen til IKT redusert"
            shares.append(share)
    # The model works out each share's amount (hours × rate) and checks that the action
    # concerns the member.
    _bulk(shares)
    ctx.counts[GainShare._meta.label] += len(shares)
    _measurements(ctx, gains, shares, member_baseline)


def _jitter(rng) -> Decimal:
    return D(str(round(rng.uniform(0.8, 1.2), 3)))


def _effect_date(action: Action, today: datetime.date) -> datetime.date:
    """When the gains begin: at the deadline of what is done or planned, half-way through
    what is in progress."""
    if action.status == ActionStatus.IN_PROGRESS:
        return min(action.start + (action.deadline - action.start) / 2, today)
    return action.deadline + datetime.timedelta(days=1)


def _quarter_ends(after: datetime.date, today: datetime.date) -> list[datetime.date]:
    """The last days of the quarters that end after ``after`` and by ``today``."""
    start = datetime.date(after.year, 3 * ((after.month - 1) // 3) + 1, 1)
    ends = []
    while True:
        end = add_months(start, 3) - datetime.timedelta(days=1)
        if end > today:
            return ends
        if end > after:
            ends.append(end)
        start = add_months(start, 3)


def _measurements(ctx, gains, shares, member_baseline) -> None:
    """Every quarter since the gain began (and the member joined), ramping up towards
    what was expected; a few shares not measured yet."""
    spec_of = {id(gain): spec for gain, spec, _m in gains}
    rows = []
    for share in shares:
        gain = share.gain
        if gain.action.status not in (ActionStatus.DONE, ActionStatus.IN_PROGRESS):
            continue
        rng = ctx.rng(
            "gains", "measurements", gain.action.title, gain.effect, share.municipality.number
        )
        if rng.random() < 0.12:
            continue  # not measured yet
        _rate, _owner, source, _indicator, target = spec_of[id(gain)]
        began = max(_effect_date(gain.action, ctx.today), share.municipality.joined_on)
        ends = _quarter_ends(began, ctx.today)
        baseline = (
            member_baseline.get((share.municipality_id, gain.indicator_id))
            if gain.indicator_id
            else None
        )
        for number, measured_on in enumerate(ends):
            ramp = min(D("1"), D("0.4") + D("0.15") * number) * D(
                str(round(rng.uniform(0.8, 1.1), 3))
            )
            row = Measurement(
                gain=gain,
                municipality=share.municipality,
                measured_on=measured_on,
                source=f"{source} ({measured_on:%Y}-K{(measured_on.month - 1) // 3 + 1})",
            )
            if gain.type == GainType.TIME_SAVED:
                row.hours = (share.expected_hours / 4 * ramp).quantize(D("0.5"))
            elif gain.type != GainType.QUALITY:
                row.amount = (share.expected_amount / 4 * ramp).quantize(D("1"))
            if baseline is not None and target is not None:
                progress = min(D("1"), D("0.25") * (number + 1)) * ramp
                row.value = (baseline + (target - baseline) * min(progress, D("1"))).quantize(
                    D("0.01")
                )
            rows.append(row)
    # Checked by the model's rules (it values time saved as hours × the gain's hourly
    # rate), written in one statement, logged as one summary row.
    if rows:
        _check(rows)
    Measurement.objects.bulk_create(rows, batch_size=2000)
    ctx.summary(Measurement, len(rows), "gain measurements")
