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
from samdrift.demo.gains_data import (
    ACTIONS,
    CANCELLED_NOTES,
    CATEGORIES,
    CHEAPER_RATIOS,
    COST_PER_FTE_2017,
    DEFLATOR_GROWTH,
    HOURLY_RATE,
    INDEX_BASE_YEAR,
    INDEX_SOURCE,
    INDICATORS,
    PAYS_MORE_RATIO,
)
from samdrift.demo.names import FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES, ascii_slug
from samdrift.finance.depreciation import add_months
from samdrift.finance.money import round_to_ore
from samdrift.gains import services
from samdrift.gains.choices import ActionStatus, CostCategory, GainType
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
