"""Replacement campaigns: create one from a criterion, follow it, close it.

A campaign takes in the devices in service (held by a municipality) that meet its
criterion when it is created — every device of a product whose end of support falls on or
before a day, every device due for replacement before a day (``planning.rules``), or every
device of chosen products — optionally of one municipality. The membership is frozen
(``CampaignDevice``) with each device's holder and due date then, so the campaign can be
followed to its end whatever happens to the devices later.

Progress (``refresh_progress``) is read from what happened since the campaign started,
in a fixed number of statements whatever the number of devices (three reads, matched in
memory, and one statement writing the rows that changed):

- **replaced** — the holder (the same person; for a device without a person, the same
  municipality and service area, without a person) was assigned another device of the same
  product category from the campaign's start on: a delivery of an order makes exactly
  such an assignment (``ordering.services.deliver_line`` → ``inventory.assign_asset``),
  so a delivered order counts, and so does a replacement handed over by hand. The
  campaign's own devices do not count as replacements (one handed on is not new);
- **ordered** — an open order of the municipality (submitted, approved, accepted or partly
  delivered) created from the start on has a line of a product of that category (or a
  bundle with one) for that person, or for a device without a person, without a person
  and charged to the same service area;
- **retired** — the device was retired or disposed of without a replacement;
- **pending** — none of these.

Several devices of one holder may count the same replacement: progress is a count of
holders served, not a one-to-one pairing of devices.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.catalogue.models import Product
from samdrift.core.actor import current_actor
from samdrift.core.bulk import InstanceFactory, insert_objects
from samdrift.core.changelog import record_summary
from samdrift.core.choices import ChangeAction
from samdrift.inventory.choices import OUT_OF_SERVICE
from samdrift.inventory.models import Asset, Assignment
from samdrift.leasing.buyouts.bulk import update_fields
from samdrift.ordering.models import Delivery, OrderLine
from samdrift.ordering.states import OPEN_STATES
from samdrift.organisations.models import Municipality
from samdrift.planning.choices import CampaignCriterion, CampaignState, DeviceProgress
from samdrift.planning.models import Campaign, CampaignDevice, ProductSupport
from samdrift.planning.rules import DUE_COLUMNS, RuleBook, in_service

DATED_CRITERIA = frozenset({CampaignCriterion.END_OF_SUPPORT, CampaignCriterion.DUE_BEFORE})
DONE = frozenset({DeviceProgress.REPLACED, DeviceProgress.RETIRED})


# Creating -----------------------------------------------------------------------------------


def create_campaign(
    *,
    name: str,
    criterion: str,
    criterion_date: datetime.date | None = None,
    products: Iterable[Product | int] = (),
    municipality: Municipality | None = None,
    starts_on: datetime.date,
    target_date: datetime.date | None = None,
    description: str = "",
) -> Campaign:
    """Create a campaign and take in its devices, each with its holder and due date.

    ``products`` are the chosen products of the "products" criterion; with a dated
    criterion they narrow it. Raises ValidationError naming the field for a missing or
    taken name, a missing date or products, a target before the start, and a criterion
    that no device in service meets (nothing is saved then).
    """
    name = (name or "").strip()
    product_ids = sorted({p.pk if isinstance(p, Product) else int(p) for p in products})
    errors = _campaign_errors(name, criterion, criterion_date, product_ids, starts_on, target_date)
    if errors:
        raise ValidationError(errors)

    rules = RuleBook()
    devices = _devices_meeting(criterion, criterion_date, product_ids, municipality, rules)
    rows = list(
        devices.values_list(
            "pk", *DUE_COLUMNS, "municipality_id", "service_area_id", "person_id"
        ).order_by("pk")
    )
    if not rows:
        raise ValidationError({_empty_field(criterion): _no_devices_message(criterion)})

    width = len(DUE_COLUMNS)
    with transaction.atomic():
        campaign = Campaign(
            name=name,
            description=description,
            criterion=criterion,
            criterion_date=criterion_date,
            municipality=municipality,
            starts_on=starts_on,
            target_date=target_date,
            created_by=current_actor().resolved_user(),
        )
        campaign.full_clean()
        campaign.save()
        if product_ids:
            campaign.products.set(product_ids)
        factory = InstanceFactory(CampaignDevice)  # no Model.__init__ per device
        members = []
        for pk, *columns in rows:
            due = rules.due(*columns[:width])
            municipality_id, area_id, person_id = columns[width:]
            members.append(
                factory.make(
                    {
                        "campaign_id": campaign.pk,
                        "asset_id": pk,
                        "municipality_id": municipality_id,
                        "service_area_id": area_id,
                        "person_id": person_id,
                        "due_on": due.on if due else None,
                        "due_reason": due.reason if due else "",
                    }
                )
            )
        # The membership is generated, not edited: one summary row stands for it.
        insert_objects(members, changelog=False)
        record_summary(
            model=CampaignDevice,
            action=ChangeAction.CREATE,
            object_id=campaign.pk,
            message=_("Campaign %(name)s took in %(n)s devices.")
            % {"name": campaign.name, "n": len(members)},
        )
    return campaign


def _campaign_errors(
    name: str,
    criterion: str,
    criterion_date: datetime.date | None,
    product_ids: list[int],
    starts_on: datetime.date | None,
    target_date: datetime.date | None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Give the campaign a name.")
    elif Campaign.objects.filter(name=name).exists():
        errors["name"] = _("There is a campaign named %(name)s already.") % {"name": name}
    if criterion not in CampaignCriterion.values:
        errors["criterion"] = _("Choose which devices the campaign takes in.")
    elif criterion in DATED_CRITERIA and criterion_date is None:
        errors["criterion_date"] = _("Give the date of the criterion.")
    elif criterion == CampaignCriterion.PRODUCTS and not product_ids:
        errors["products"] = _("Choose at least one product.")
    if product_ids and Product.objects.filter(pk__in=product_ids).count() != len(product_ids):
        errors["products"] = _("Choose products of the catalogue.")
    if starts_on is None:
        errors["starts_on"] = _("Give the day the campaign starts.")
    elif target_date is not None and target_date < starts_on:
        errors["target_date"] = _("The target date cannot come before the start (%(day)s).") % {
            "day": starts_on.isoformat()
        }
    return errors


def _devices_meeting(
    criterion: str,
    criterion_date: datetime.date | None,
    product_ids: list[int],
    municipality: Municipality | None,
    rules: RuleBook,
) -> QuerySet[Asset]:
    devices = Asset.objects.filter(in_service(), municipality__isnull=False)
    if municipality is not None:
        devices = devices.filter(municipality=municipality)
    if product_ids:
        devices = devices.filter(product_id__in=product_ids)
    if criterion == CampaignCriterion.END_OF_SUPPORT:
        ending = ProductSupport.objects.filter(end_of_support__lte=criterion_date)
        devices = devices.filter(product_id__in=ending.values("product_id"))
    elif criterion == CampaignCriterion.DUE_BEFORE:
        devices = devices.filter(rules.due_before(criterion_date))
    return devices


def _empty_field(criterion: str) -> str:
    return "criterion_date" if criterion in DATED_CRITERIA else "products"


def _no_devices_message(criterion: str) -> str:
    if criterion == CampaignCriterion.END_OF_SUPPORT:
        return _(
            "No device in service is of a product whose support ends by this day: the "
            "campaign would be empty."
        )
    if criterion == CampaignCriterion.DUE_BEFORE:
        return _(
            "No device in service is due for replacement before this day: the campaign "
            "would be empty."
        )
    return _("No device in service is of these products: the campaign would be empty.")


# Progress -----------------------------------------------------------------------------------


def refresh_progress(campaign: Campaign) -> dict[str, int]:
    """Read each device's progress again from assignments, orders and statuses; returns
    the number of devices per ``DeviceProgress`` value. A fixed number of statements."""
    if campaign.state == CampaignState.CLOSED:
        raise ValidationError({"state": _("The campaign is closed: its progress is final.")})
    with transaction.atomic():
        counts = _apply_progress(campaign)
        campaign.progress_checked_at = timezone.now()
        campaign.save(update_fields=["progress_checked_at", "last_updated"])
    return counts


def progress_counts(campaign: Campaign) -> dict[str, int]:
    """The campaign's devices per ``DeviceProgress`` value, as last read; one query."""
    counts = dict.fromkeys(DeviceProgress.values, 0)
    counts.update(
        CampaignDevice.objects.filter(campaign_id=campaign.pk)
        .order_by()
        .values_list("progress")
        .annotate(n=Count("id"))
        .values_list("progress", "n")
    )
    return counts


def _apply_progress(campaign: Campaign) -> dict[str, int]:
    """Work out every device's progress and write the ones that changed. Three reads —
    the devices, the assignments that could replace them, the open order lines that
    could — matched in memory, and one statement that writes the changed rows (a
    correlated subquery per device was tried: 17 s for 3,000 devices without a person
    on SQLite at a million assets, where no index leads from a service area to its
    recent assignments)."""
    devices = list(
        CampaignDevice.objects.filter(campaign_id=campaign.pk)
        .order_by()
        .values_list(
            "pk",
            "municipality_id",
            "service_area_id",
            "person_id",
            "asset__product__category_id",
            "asset__status",
            "progress",
            "replaced_by_id",
            "replaced_on",
            "order_line_id",
        )
    )
    replacements = _replacements(campaign)
    orders = _open_order_lines(campaign)
    counts = dict.fromkeys(DeviceProgress.values, 0)
    now = timezone.now()
    factory = InstanceFactory(CampaignDevice)
    changed = []
    for pk, municipality_id, area_id, person_id, category_id, status, *was in devices:
        holder = (
            ("person", person_id) if person_id is not None else ("area", municipality_id, area_id)
        )
        replaced = replacements.get((*holder, category_id))
        if replaced is not None:
            asset_id, on, line_id = replaced
            state = (DeviceProgress.REPLACED, asset_id, on, line_id)
        else:
            line_id = orders.get((municipality_id, *holder, category_id))
            if line_id is not None:
                state = (DeviceProgress.ORDERED, None, None, line_id)
            elif status in OUT_OF_SERVICE:
                state = (DeviceProgress.RETIRED, None, None, None)
            else:
                state = (DeviceProgress.PENDING, None, None, None)
        counts[state[0]] += 1
        if tuple(was) != state:
            progress, replaced_by_id, replaced_on, order_line_id = state
            changed.append(
                factory.make(
                    {
                        "id": pk,
                        "progress": progress,
                        "replaced_by_id": replaced_by_id,
                        "replaced_on": replaced_on,
                        "order_line_id": order_line_id,
                        "last_updated": now,
                    }
                )
            )
    # Progress is read, not edited: one summary row stands for the changes.
    update_fields(changed, PROGRESS_FIELDS)
    if changed:
        record_summary(
            model=CampaignDevice,
            action=ChangeAction.UPDATE,
            object_id=campaign.pk,
            message=_("Campaign %(name)s: progress of %(n)s devices read again.")
            % {"name": campaign.name, "n": len(changed)},
        )
    return counts


PROGRESS_FIELDS = ("progress", "replaced_by", "replaced_on", "order_line", "last_updated")


def _start(campaign: Campaign) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(campaign.starts_on, datetime.time.min))


def _replacements(campaign: Campaign) -> dict[tuple, tuple[int, datetime.date, int | None]]:
    """The first assignment from the campaign's start on of a device that is not the
    campaign's own, per (holder, category): holder ``("person", id)``, or without a
    person ``("area", municipality id, service area id or None)``. With the order line
    that delivered it, if an order did. One query."""
    members = CampaignDevice.objects.filter(campaign_id=campaign.pk)
    delivered = Delivery.objects.filter(asset_id=OuterRef("asset_id")).order_by(
        "-delivered_on", "-pk"
    )
    rows = (
        Assignment.objects.filter(
            Q(person_id__in=members.filter(person__isnull=False).values("person_id"))
            | Q(person__isnull=True, municipality_id__in=members.values("municipality_id")),
            valid_from__gte=campaign.starts_on,
            asset__product__category_id__in=members.values("asset__product__category_id"),
        )
        .exclude(asset_id__in=members.values("asset_id"))
        .annotate(line_id=Subquery(delivered.values("line_id")[:1]))
        .order_by("valid_from", "pk")
        .values_list(
            "person_id",
            "municipality_id",
            "service_area_id",
            "asset__product__category_id",
            "asset_id",
            "valid_from",
            "line_id",
        )
    )
    found: dict[tuple, tuple[int, datetime.date, int | None]] = {}
    for person_id, municipality_id, area_id, category_id, asset_id, on, line_id in rows:
        holder = (
            ("person", person_id) if person_id is not None else ("area", municipality_id, area_id)
        )
        found.setdefault((*holder, category_id), (asset_id, on, line_id))
    return found


def _open_order_lines(campaign: Campaign) -> dict[tuple, int]:
    """The first open order line from the campaign's start on, per (municipality, holder,
    category) — holder as in ``_replacements``, the order's service area for a line
    without a person — for a product of the category or a bundle with one. One query."""
    members = CampaignDevice.objects.filter(campaign_id=campaign.pk)
    rows = (
        OrderLine.objects.filter(
            Q(product__isnull=False) | Q(bundle__isnull=False),
            order__state__in=OPEN_STATES,
            order__created__gte=_start(campaign),
            order__municipality_id__in=members.values("municipality_id"),
        )
        .order_by("order__created", "pk")
        .values_list(
            "pk",
            "order__municipality_id",
            "order__service_area_id",
            "person_id",
            "product__category_id",
            "bundle__parts__product__category_id",
        )
    )
    found: dict[tuple, int] = {}
    for pk, municipality_id, area_id, person_id, category_id, part_category_id in rows:
        holder = (
            ("person", person_id) if person_id is not None else ("area", municipality_id, area_id)
        )
        for category in (category_id, part_category_id):
            if category is not None:
                found.setdefault((municipality_id, *holder, category), pk)
    return found


def close_campaign(campaign: Campaign) -> Campaign:
    """Read the progress a last time and close the campaign (its figures stay as they are)."""
    if campaign.state == CampaignState.CLOSED:
        raise ValidationError({"state": _("The campaign is closed already.")})
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        _apply_progress(campaign)
        campaign.progress_checked_at = timezone.now()
        campaign.state = CampaignState.CLOSED
        campaign.full_clean()
        campaign.save()
    return campaign


# Reading ------------------------------------------------------------------------------------


@dataclass
class ProgressRow:
    """One municipality's devices in a campaign, per progress."""

    municipality_id: int | None
    name: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DeviceProgress.values, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        """Replaced, or taken out of service: nothing left to do."""
        return sum(self.counts[state] for state in DONE)

    @property
    def done_percent(self) -> Decimal:
        if not self.total:
            return Decimal("0.0")
        return (Decimal(100 * self.done) / self.total).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


def campaign_progress(
    campaign: Campaign, devices_qs: QuerySet[CampaignDevice]
) -> list[ProgressRow]:
    """The campaign's devices per municipality (by name) and progress, from ``devices_qs``
    (pass ``restrict(CampaignDevice.objects.all(), user)``); one query. ``progress_total``
    adds the rows up."""
    rows: dict[int, ProgressRow] = {}
    grouped = (
        devices_qs.filter(campaign_id=campaign.pk)
        .order_by()
        .values("municipality_id", "municipality__name", "progress")
        .annotate(n=Count("id"))
    )
    for group in grouped:
        row = rows.get(group["municipality_id"])
        if row is None:
            row = rows[group["municipality_id"]] = ProgressRow(
                municipality_id=group["municipality_id"], name=group["municipality__name"]
            )
        row.counts[group["progress"]] += group["n"]
    return sorted(rows.values(), key=lambda row: (row.name, row.municipality_id))


def progress_total(rows: Iterable[ProgressRow]) -> ProgressRow:
    total = ProgressRow(municipality_id=None, name=_("Total"))
    for row in rows:
        for state, n in row.counts.items():
            total.counts[state] += n
    return total
