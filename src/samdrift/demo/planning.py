"""Demo step "planning": replacement rules, ends of support, a campaign in progress and
scenarios, so that the plan shows overdue devices and the forecast has something to
compare.

- A replacement rule for every category: laptops after four years, desktops, pupil
  devices and tablets at the end of their lease term, phones after three years, printers
  and copiers after five, network gear after five to seven — each with its standard
  replacement product (tablets and phones by their own model: pupils and staff, basic
  and full smartphones, are not replaced by each other).
- Ends of support: the Windows 10 laptop (14 October 2025), the switches' firmware (2027),
  the copier's spare parts (2028).
- The campaign "Windows 10", created through ``planning.campaigns.create_campaign`` on the
  first of this month, in progress: a third of its laptops replaced since by a new
  standard laptop handed to the same person (``inventory.services.create_assets``:
  registered and held from their day in one bulk write; the old ones taken out of
  service in two bulk statements), a few replacements on order (accepted through the
  ordering services, not yet delivered), then ``refresh_progress``.
- The baseline scenario and two computed ones (``planning.scenarios``): a new member
  joining next year, and a 48-month lease term with the shared operations pool growing.

Warranty ends and planned replacements on the devices are ``demo/inventory.py``'s. Two
steps: ``generate`` (rules, ends of support, the campaign) runs before billing, so the
campaign's replacements, dated in this month, are on its draft invoices (the closed
months stay as billed); ``generate_scenarios`` runs last, as the scenarios need billing's
cost pool and forecast from everything the earlier steps made.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from samdrift.billing.models import CostPool
from samdrift.core.actor import acting_as
from samdrift.core.bulk import InstanceFactory
from samdrift.core.changelog import record_bulk_changes, record_summary
from samdrift.core.choices import ChangeAction
from samdrift.core.models import User
from samdrift.demo.bulk import reset_sequences
from samdrift.demo.context import DEMO_MARKER, DemoContext, random_day
from samdrift.demo.inventory import WINDOWS_10, acquisition_cost, asset_tag, serial_number
from samdrift.demo.inventory import warranty_end as warranty_of
from samdrift.demo.names import ascii_slug
from samdrift.finance.depreciation import add_months
from samdrift.inventory.choices import AssetStatus
from samdrift.inventory.models import Asset, Assignment
from samdrift.inventory.services import NewAsset, create_assets
from samdrift.leasing.buyouts.bulk import update_fields
from samdrift.ordering.choices import LineKind, OrderState
from samdrift.ordering.models import OrderTransition
from samdrift.ordering.notifications import without_mail
from samdrift.ordering.services import (
    accept_order,
    add_line,
    approve_order,
    create_order,
    submit_order,
)
from samdrift.organisations.models import Municipality
from samdrift.planning import figures, holdings
from samdrift.planning.campaigns import create_campaign, refresh_progress
from samdrift.planning.choices import CampaignCriterion, MemberChange, RuleBasis
from samdrift.planning.models import CampaignDevice, ProductSupport, ReplacementRule
from samdrift.planning.scenarios import (
    add_member,
    baseline,
    compute_scenario,
    copy_baseline,
    set_pool_change,
    update_scenario,
)

D = Decimal

# category code: (basis, maximum age in months or None, replacement product key or None,
# note). None as replacement: each device by one of its own product.
RULES = {
    "laptop": (RuleBasis.MAX_AGE, 48, "laptop", "Byttes etter fire år."),
    "desktop": (RuleBasis.LEASE_TERM, None, "desktop", "Byttes når leieperioden er ute."),
    "pupil-device": (
        RuleBasis.LEASE_TERM, None, "pupil-laptop", "Elev-PC byttes når leieperioden er ute.",
    ),
    "tablet": (RuleBasis.LEASE_TERM, None, None, "Hvert nettbrett byttes med sin egen modell."),
    "phone": (RuleBasis.MAX_AGE, 36, None, "Byttes etter tre år, med samme modell."),
    "printer-a4": (RuleBasis.MAX_AGE, 60, "printer-a4", ""),
    "printer-a3": (RuleBasis.MAX_AGE, 60, "printer-a3", ""),
    "copier": (RuleBasis.MAX_AGE, 60, "copier", ""),
    "switch": (RuleBasis.MAX_AGE, 84, "switch", "Nettverk byttes etter sju år."),
    "access-point": (RuleBasis.MAX_AGE, 72, "access-point", ""),
    "firewall": (RuleBasis.MAX_AGE, 60, "firewall", ""),
}  # fmt: skip

# product key: (what ends, released on, end of support)
SUPPORT = {
    WINDOWS_10: ("Windows 10", datetime.date(2015, 7, 29), datetime.date(2025, 10, 14)),
    "switch": ("Fastvare AOS-CX 10.x", datetime.date(2019, 6, 3), datetime.date(2027, 6, 30)),
    "copier": ("Reservedeler og service", datetime.date(2019, 2, 1), datetime.date(2028, 3, 31)),
}


# Share of the campaign's laptops replaced by now, and the note on the new ones.
REPLACED_SHARE = 0.35
REPLACEMENT_NOTE = "Windows 10-utskifting"
HOLDER_IDS = ("municipality_id", "service_area_id", "person_id", "location_id")
# Persons of one member with a replacement laptop on order (accepted, not delivered).
ORDERED = 6
# The member joining in a scenario: its name (the first not taken) and population.
JOINING_NAMES = ("Nyby", "Nyvik", "Nyheim")
JOINING_POPULATION = 8_400
POOL_GROWTH = D("6.00")


def generate(ctx: DemoContext) -> None:
    rules(ctx)
    ends_of_support(ctx)
    # The campaign and the scenarios are the operator's work, done through the services
    # as the demo's admin (the generated rows' summaries stay the command's).
    operator = User.objects.get(username="admin")
    with without_mail():
        campaign(ctx, operator)


def generate_scenarios(ctx: DemoContext) -> None:
    """The baseline and two scenarios, computed: a step of its own after billing, whose
    cost pools and billed months the forecast reads."""
    with acting_as(User.objects.get(username="admin")):
        scenarios(ctx)


def rules(ctx: DemoContext) -> None:
    created = []
    for code, (basis, months, replacement, note) in RULES.items():
        rule = ReplacementRule(
            category=ctx.categories[code],
            basis=basis,
            max_age_months=months,
            replacement_product=ctx.products[replacement] if replacement else None,
            note=note,
        )
        rule.full_clean()
        created.append(rule)
    ReplacementRule.objects.bulk_create(created)
    record_bulk_changes(created, action=ChangeAction.CREATE)
    ctx.counts[ReplacementRule._meta.label] += len(created)


def ends_of_support(ctx: DemoContext) -> None:
    created = []
    for key, (what, released, ends) in SUPPORT.items():
        support = ProductSupport(
            product=ctx.products[key], what=what, released_on=released, end_of_support=ends
        )
        support.full_clean()
        created.append(support)
    ProductSupport.objects.bulk_create(created)
    record_bulk_changes(created, action=ChangeAction.CREATE)
    ctx.counts[ProductSupport._meta.label] += len(created)


# The campaign -------------------------------------------------------------------------------


def campaign(ctx: DemoContext, operator: User) -> None:
    """The Windows 10 campaign, started on the first of this month, with a share of its
    laptops replaced since and a few replacements on order."""
    starts_on = ctx.today.replace(day=1)
    eos = SUPPORT[WINDOWS_10][2]
    with acting_as(operator):
        created = create_campaign(
            name="Windows 10",
            criterion=CampaignCriterion.END_OF_SUPPORT,
            criterion_date=eos,
            starts_on=starts_on,
            target_date=add_months(starts_on, 4),
            description=(
                "Windows 10 fikk siste sikkerhetsoppdatering 14. oktober 2025, og den "
                "utvidede støtten (ESU) tar slutt. Alle bærbare PC-er med Windows 10 byttes "
                "til standard bærbar PC med Windows 11: ny maskin til samme person, den "
                "gamle slettes og leveres til gjenvinning."
            ),
        )
    replaced = replace_laptops(ctx, created, starts_on)
    with acting_as(operator):
        order_replacements(ctx, created, replaced)
        counts = refresh_progress(created)
    ctx.counts[CampaignDevice._meta.label] += sum(counts.values())
    for state, n in sorted(counts.items()):
        ctx.counts[f"planning.CampaignDevice[{state}]"] += n


def replace_laptops(ctx: DemoContext, campaign, starts_on: datetime.date) -> set[int]:
    """New standard laptops handed to a share of the campaign's persons on days since it
    started — registered and held in one bulk write through ``inventory.create_assets`` —
    and each old laptop taken out of service that day, written as ``change_asset_status``
    leaves it (its assignment closed on the day, retired, held by no one) in two bulk
    statements: one at a time it took a minute for the large demo. Returns the persons."""
    rng = ctx.rng("planning", "campaign")
    laptop = ctx.products["laptop"]
    last_day = max(starts_on, ctx.today - datetime.timedelta(days=1))
    by_member = defaultdict(list)
    held = (
        CampaignDevice.objects.filter(campaign=campaign, person__isnull=False)
        .order_by("asset_id")
        .values_list("asset_id", "municipality_id")
    )
    for asset_id, municipality_id in held:
        by_member[municipality_id].append(asset_id)
    chosen = []
    for municipality_id in sorted(by_member):
        devices = by_member[municipality_id]
        chosen += sorted(rng.sample(devices, round(len(devices) * REPLACED_SHARE)))
    # The old laptop's holder now: the new one goes to the same service area and site.
    holders = {
        row[1]: row
        for row in Assignment.objects.filter(
            asset_id__in=chosen, valid_to__isnull=True
        ).values_list(
            "pk",
            "asset_id",
            "municipality_id",
            "service_area_id",
            "person_id",
            "location_id",
            "valid_from",
        )
    }
    reset_sequences([Asset, Assignment])  # rows inserted with explicit ids before
    rows, closed, persons, per_member = [], [], set(), defaultdict(int)
    for asset_id in chosen:
        holder = holders.get(asset_id)
        if holder is None or holder[-1] >= last_day:
            continue  # handed over too lately to have been replaced already
        assignment_id, _, municipality_id, area_id, person_id, location_id, since = holder
        on = random_day(rng, max(starts_on, since + datetime.timedelta(days=1)), last_day)
        acquired = on - datetime.timedelta(days=rng.randrange(3, 10))
        new_id = ctx.ids.take(Asset)
        rows.append(
            NewAsset(
                values={
                    "id": new_id,
                    "product_id": laptop.pk,
                    "asset_tag": asset_tag(new_id),
                    "serial_number": serial_number("PF", rng.randrange(4096), new_id),
                    "model_name": "ThinkPad T14 Gen 5",
                    "status": AssetStatus.DEPLOYED,
                    "acquisition_date": acquired,
                    "acquisition_cost": acquisition_cost("laptop", rng.randrange(92, 107)),
                    "warranty_end": warranty_of("laptop", acquired),
                    "notes": REPLACEMENT_NOTE,
                },
                holder={
                    "municipality_id": municipality_id,
                    "service_area_id": area_id,
                    "person_id": person_id,
                    "location_id": location_id,
                },
                held_from=on,
            )
        )
        closed.append((assignment_id, asset_id, on))
        persons.add(person_id)
        per_member[municipality_id] += 1
    create_assets(rows=rows, note=REPLACEMENT_NOTE, today=ctx.today, changelog=False)
    retire(closed)
    # One change row per member and batch stands for the rows (as for all generated data).
    for member in ctx.municipalities:
        n = per_member.get(member.pk, 0)
        ctx.summary(Asset, n, "Windows 11 laptops handed out in the Windows 10 campaign", member)
        ctx.summary(Assignment, n, "assignments of the Windows 10 campaign's laptops", member)
        if n:
            record_summary(
                model=Asset,
                action=ChangeAction.UPDATE,
                message=f"{DEMO_MARKER} (seed {ctx.seed}): {n:,} Windows 10 laptops retired "
                f"when replaced, for {member.name}",
                municipality_id=member.pk,
            )
    return persons


def retire(closed: list[tuple[int, int, datetime.date]]) -> None:
    """Take the replaced laptops out of service: (assignment id, asset id, day) each."""
    now = timezone.now()
    assignments = InstanceFactory(Assignment)
    assets = InstanceFactory(Asset)
    update_fields(
        [
            assignments.make({"id": pk, "valid_to": on, "last_updated": now})
            for pk, _asset_id, on in closed
        ],
        ["valid_to", "last_updated"],
    )
    update_fields(
        [
            assets.make(
                {
                    "id": asset_id,
                    "status": AssetStatus.RETIRED,
                    **dict.fromkeys(HOLDER_IDS),
                    "last_updated": now,
                }
            )
            for _pk, asset_id, _on in closed
        ],
        ["status", *HOLDER_IDS, "last_updated"],
    )


def order_replacements(ctx: DemoContext, campaign, replaced: set[int]) -> None:
    """A member's contact ordered replacement laptops for a few persons not yet replaced:
    approved and accepted, not yet delivered (the campaign shows them as ordered)."""
    by_size = sorted(ctx.municipalities, key=lambda m: (m.population, m.number))
    member = by_size[-2]  # not the largest (a second approval) nor the smallest
    waiting = list(
        CampaignDevice.objects.filter(campaign=campaign, municipality=member, person__isnull=False)
        .exclude(person_id__in=replaced)
        .select_related("person", "service_area")
        .order_by("asset_id")[:ORDERED]
    )
    if not waiting:
        return
    contact = User.objects.get(username=f"contact-{ascii_slug(member.name)}")
    order = create_order(
        municipality=member,
        service_area=waiting[0].service_area,
        comment="Windows 10-utskifting: ny standard bærbar PC.",
    )
    for device in waiting:
        add_line(
            order=order,
            kind=LineKind.PRODUCT,
            product=ctx.products["laptop"],
            person=device.person,
        )
    submit_order(order=order)
    with acting_as(contact):
        approve_order(order=order)
    accept_order(order=order)
    _date_the_trail(ctx, order)


def _date_the_trail(ctx: DemoContext, order) -> None:
    """The services stamped the order with the current time: date it on the last days
    before the demo's today instead (placed, approved the next day, accepted the day
    after), as the ordering step does for its orders."""
    tz = timezone.get_current_timezone()
    placed = ctx.today - datetime.timedelta(days=3)
    times = {
        OrderState.SUBMITTED: datetime.datetime.combine(placed, datetime.time(9), tzinfo=tz),
        OrderState.APPROVED: datetime.datetime.combine(
            placed + datetime.timedelta(days=1), datetime.time(10), tzinfo=tz
        ),
        OrderState.ACCEPTED: datetime.datetime.combine(
            placed + datetime.timedelta(days=2), datetime.time(8), tzinfo=tz
        ),
    }
    rows = list(OrderTransition.objects.filter(order=order).order_by("pk"))
    for row in rows:
        row.at = times[row.to_state]
    OrderTransition.objects.bulk_update(rows, ["at"])
    type(order).objects.filter(pk=order.pk).update(
        submitted_at=times[OrderState.SUBMITTED], accepted_at=times[OrderState.ACCEPTED]
    )


# The scenarios ------------------------------------------------------------------------------


def scenarios(ctx: DemoContext) -> None:
    """The baseline, a member joining next year, and a 48-month lease term with the
    shared operations pool growing — both computed from next month."""
    start = add_months(ctx.today.replace(day=1), 1)
    baseline()
    next_year = ctx.today.year + 1
    taken = set(Municipality.objects.values_list("name", flat=True))
    name = next(n for n in JOINING_NAMES if n not in taken)
    population = f"{JOINING_POPULATION:,}".replace(",", "\u00a0")
    joins = copy_baseline(
        name=f"{name} kommune blir med {next_year}",
        description=(
            f"{name} kommune ({population} innbyggere) blir med i samarbeidet fra "
            f"1. januar {next_year}. Ansatte, elever og enheter anslås fra innbyggertallet "
            "slik medlemmene har det i dag."
        ),
    )
    add_member(
        joins,
        change=MemberChange.JOINS,
        on=datetime.date(next_year, 1, 1),
        name=name,
        population=JOINING_POPULATION,
    )
    term = copy_baseline(
        name="Leieperiode 48 måneder",
        description=(
            "PC-er og nettbrett som kjøpes fra nå leies ut over 48 måneder i stedet for 36, "
            "og felles drift og lisenser vokser med 6 % i året utover indeksen."
        ),
    )
    update_scenario(term, lease_term_months=48)
    pool = CostPool.objects.order_by("pk").first()
    if pool is not None:
        set_pool_change(term, pool=pool, growth_percent=POOL_GROWTH)
    for scenario in (joins, term):
        compute_scenario(scenario, start=start)
    ctx.counts["planning.Scenario"] += 3


def generate_figures(ctx: DemoContext) -> None:
    """Count the fleet's figures for the overview as of the demo's day: the steps wrote
    assets in bulk, below the services that keep the figures (``planning.figures``)."""
    figures.rebuild(day=ctx.today)
    holdings.rebuild(day=ctx.today)  # and what is held, for the monthly cost
