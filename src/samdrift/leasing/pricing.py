"""Lease prices, the yearly price-list calculation and the indexation of service prices.

A product's standard monthly price is the annuity of its standard acquisition cost under
its category's lease model, plus the model's monthly service fee (DESIGN.md, "Lease
price"). Once a year the price list is recalculated from current costs, rates and fees;
service prices are indexed by an index (e.g. the municipal deflator). Both are shown old
vs new first (``calculate_*``, read-only) and then published as new ``PriceVersion`` rows
from a date (``publish_*``): the version in force is closed the day the new one starts;
no existing version is ever edited otherwise, so past invoices re-rate the same.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.catalogue.models import PriceVersion, Product, Service
from samdrift.core.changelog import record_bulk_changes
from samdrift.core.choices import ChangeAction
from samdrift.core.dating import active_on
from samdrift.core.importing.writing import TableWriter
from samdrift.core.money import UNIT_PRICE_QUANTUM, round_to_ore
from samdrift.finance.annuity import annuity_payment
from samdrift.finance.indexation import index_adjust
from samdrift.finance.money import ORE, ZERO
from samdrift.leasing.choices import PaymentTiming, PublicationKind
from samdrift.leasing.models import LeaseModel, PriceListPublication

HUNDRED = Decimal(100)


# --- One product's lease price ------------------------------------------------------------


@dataclass(frozen=True)
class LeasePrice:
    """A monthly lease price: the capital part (annuity, rounded to the øre) and the fee."""

    capital: Decimal
    service_fee: Decimal

    @property
    def amount(self) -> Decimal:
        return self.capital + self.service_fee


def lease_price(*, cost: Decimal, lease_model: LeaseModel) -> LeasePrice:
    """The monthly price of equipment costing ``cost`` under ``lease_model``.

    The residual value is ``cost × residual_percent / 100``; payments in advance are the
    arrears annuity discounted one month (``finance.annuity``). Raises ValidationError
    naming the field for a negative cost, a negative rate or a term below one month.
    """
    errors = {}
    if cost is None or cost < 0:
        errors["standard_cost"] = _("The acquisition cost cannot be negative (%(cost)s).") % {
            "cost": cost
        }
    if lease_model.annual_rate < 0:
        errors["annual_rate"] = _("The interest rate cannot be negative.")
    if lease_model.term_months is None or lease_model.term_months < 1:
        errors["term_months"] = _("The lease term must be at least one month.")
    if not (ZERO <= lease_model.residual_percent <= HUNDRED):
        errors["residual_percent"] = _("The residual value must be between 0 and 100 %.")
    if lease_model.monthly_service_fee < 0:
        errors["monthly_service_fee"] = _("The service fee cannot be negative.")
    if errors:
        raise ValidationError(errors)
    payment = annuity_payment(
        present_value=cost,
        annual_rate=lease_model.annual_rate,
        months=lease_model.term_months,
        residual_value=cost * lease_model.residual_percent / HUNDRED,
        in_advance=lease_model.payment_timing == PaymentTiming.ADVANCE,
    )
    return LeasePrice(capital=round_to_ore(payment), service_fee=lease_model.monthly_service_fee)


def change_percent(old: Decimal | None, new: Decimal | None) -> Decimal | None:
    """The change from ``old`` to ``new`` in per cent (two decimals); None without a base."""
    if old is None or new is None or old == 0:
        return None
    return ((new - old) * HUNDRED / old).quantize(ORE)


def _check_year(year: int, valid_from: datetime.date | None) -> datetime.date:
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Give a year between 2000 and 2100 (got %s).") % year})
    valid_from = valid_from or datetime.date(year, 1, 1)
    if valid_from.year != year:
        raise ValidationError(
            {
                "valid_from": _("The prices for %(year)s must start in %(year)s, not %(date)s.")
                % {"year": year, "date": valid_from.isoformat()}
            }
        )
    return valid_from


def _versions_in_force(*, day: datetime.date, field_name: str, ids: Iterable[int] | None = None):
    """item id → the version of that item in force on ``day`` (one query)."""
    queryset = PriceVersion.objects.filter(active_on(day), **{f"{field_name}__isnull": False})
    if ids is not None:
        queryset = queryset.filter(**{f"{field_name}__in": list(ids)})
    return {getattr(v, f"{field_name}_id"): v for v in queryset}


def _later_versions(*, day: datetime.date, field_name: str) -> dict[int, datetime.date]:
    """item id → the latest start of a version starting on or after ``day`` (one query)."""
    later: dict[int, datetime.date] = {}
    queryset = PriceVersion.objects.filter(
        valid_from__gte=day, **{f"{field_name}__isnull": False}
    ).values_list(f"{field_name}_id", "valid_from")
    for item_id, start in queryset:
        if item_id not in later or start > later[item_id]:
            later[item_id] = start
    return later


# --- The price-list calculation -----------------------------------------------------------


class PriceChange:
    """An old and a new price of one item, and whether the new one can be published;
    the rows of the price list and of the indexation share it."""

    old_amount: Decimal | None
    new_amount: Decimal | None
    problem: str

    @property
    def change(self) -> Decimal | None:
        if self.old_amount is None or self.new_amount is None:
            return None
        return self.new_amount - self.old_amount

    @property
    def change_percent(self) -> Decimal | None:
        return change_percent(self.old_amount, self.new_amount)

    @property
    def publishable(self) -> bool:
        """Has a new price that differs from the one in force (and nothing blocks it)."""
        return not self.problem and self.new_amount is not None and self.change != 0


@dataclass
class PriceListRow(PriceChange):
    """Old vs new monthly price of one product."""

    product_id: int
    product: str
    category: str
    lease_model: str | None
    standard_cost: Decimal
    old_amount: Decimal | None
    new_amount: Decimal | None
    capital: Decimal | None
    service_fee: Decimal | None
    problem: str = ""


@dataclass
class MunicipalityEffect:
    """What a municipality's current fleet of list-priced devices costs a month, old vs new."""

    municipality_id: int
    number: str
    name: str
    devices: int = 0
    old_monthly: Decimal = ZERO
    new_monthly: Decimal = ZERO
    unpriced_devices: int = 0

    @property
    def change(self) -> Decimal:
        return self.new_monthly - self.old_monthly

    @property
    def change_percent(self) -> Decimal | None:
        return change_percent(self.old_monthly, self.new_monthly)


@dataclass
class PriceListCalculation:
    """The result of ``calculate_price_list``: one row per active product and the effect
    per municipality the user may see."""

    year: int
    valid_from: datetime.date
    rows: list[PriceListRow] = field(default_factory=list)
    effects: list[MunicipalityEffect] = field(default_factory=list)

    @property
    def publishable_rows(self) -> list[PriceListRow]:
        return [row for row in self.rows if row.publishable]

    @property
    def problems(self) -> list[PriceListRow]:
        return [row for row in self.rows if row.problem]

    @property
    def blocked_rows(self) -> list[PriceListRow]:
        """Rows that make publishing refuse: a new price, but a later one exists."""
        return [row for row in self.rows if row.problem and row.new_amount is not None]

    @property
    def total_old_monthly(self) -> Decimal:
        return sum((e.old_monthly for e in self.effects), ZERO)

    @property
    def total_new_monthly(self) -> Decimal:
        return sum((e.new_monthly for e in self.effects), ZERO)

    @property
    def total_change_percent(self) -> Decimal | None:
        return change_percent(self.total_old_monthly, self.total_new_monthly)


def list_priced_fleet_counts(
    *, municipalities: QuerySet | None = None, day: datetime.date | None = None
) -> dict[tuple[int, int], int]:
    """(municipality id, product id) → number of devices the municipality holds on ``day``
    (default today) that billing charges their product's list price.

    Asked of billing's own price resolution (``leasing.prices.priced_holdings``), so a
    device with a price of its own (bought out), one under an agreed price, and equipment
    the municipality owns (not charged) are left out, as the invoice leaves them out of
    a list-price change. Four grouped queries.
    """
    # Imported here: billing builds on the catalogue, not the other way round; this one
    # read borrows billing's rule rather than writing a second copy of it.
    from samdrift.inventory.models import Assignment, Subscription
    from samdrift.leasing.prices import LIST, priced_holdings

    assignments = Assignment.objects.all()
    if municipalities is not None:
        assignments = assignments.filter(municipality__in=municipalities.values("pk"))
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for holding in priced_holdings(
        day=day or timezone.localdate(),
        assignments=assignments,
        subscriptions=Subscription.objects.none(),
    ):
        # Unpriced: billing would look for a list price and find none (named as missing).
        if holding.price_source == LIST or holding.unpriced:
            counts[(holding.municipality_id, holding.item_id)] += holding.count
    return dict(counts)


def calculate_price_list(
    *,
    year: int,
    valid_from: datetime.date | None = None,
    municipalities: QuerySet | None = None,
    effects: bool = True,
) -> PriceListCalculation:
    """Recompute every active product's monthly price from its current standard cost and
    its category's lease model, next to the price in force the day before ``valid_from``
    (default 1 January of ``year``), and the effect on each municipality's current fleet.

    Pass ``municipalities`` restricted to what the user may see (``core.permissions
    .restrict``); the effect is shown for those only. Seven queries whatever the size;
    three with ``effects=False`` (publishing needs the prices, not the fleet count over
    every asset).
    """
    from samdrift.organisations.models import Municipality

    valid_from = _check_year(year, valid_from)
    day_before = valid_from - datetime.timedelta(days=1)
    products = list(
        Product.objects.filter(active=True)
        .select_related("category__lease_model")
        .order_by("category__name", "name")
    )
    old_versions = _versions_in_force(day=day_before, field_name="product")
    later = _later_versions(day=valid_from, field_name="product")

    calculation = PriceListCalculation(year=year, valid_from=valid_from)
    for product in products:
        lease_model = product.category.lease_model
        old = old_versions.get(product.pk)
        row = PriceListRow(
            product_id=product.pk,
            product=product.name,
            category=product.category.name,
            lease_model=lease_model.name if lease_model else None,
            standard_cost=product.standard_cost,
            old_amount=old.amount if old else None,
            new_amount=None,
            capital=None,
            service_fee=None,
        )
        if lease_model is None:
            row.problem = _("The category %(category)s has no lease model.") % {
                "category": product.category.name
            }
        else:
            price = lease_price(cost=product.standard_cost, lease_model=lease_model)
            row.new_amount, row.capital, row.service_fee = (
                price.amount,
                price.capital,
                price.service_fee,
            )
            if product.pk in later:
                row.problem = _(
                    "A price from %(date)s is already published; prices in force are never "
                    "rewritten."
                ) % {"date": later[product.pk].isoformat()}
        calculation.rows.append(row)

    if not effects:
        return calculation
    from samdrift.leasing.prices import whole_month_amount  # see list_priced_fleet_counts

    if municipalities is None:
        municipalities = Municipality.objects.all()
    by_product = {row.product_id: row for row in calculation.rows}
    effects = {
        m.pk: MunicipalityEffect(municipality_id=m.pk, number=m.number, name=m.name)
        for m in municipalities.order_by("number")
    }
    for (municipality_id, product_id), n in list_priced_fleet_counts(
        municipalities=municipalities
    ).items():
        effect = effects.get(municipality_id)
        row = by_product.get(product_id)
        if effect is None:
            continue
        effect.devices += n
        if row is None or row.old_amount is None or row.new_amount is None:
            # An inactive product, or one with no price on one side: shown, not guessed.
            effect.unpriced_devices += n
            continue
        # Each device's charge is rounded to the øre, as billing writes it.
        effect.old_monthly += whole_month_amount(unit_price=row.old_amount) * n
        effect.new_monthly += whole_month_amount(unit_price=row.new_amount) * n
    calculation.effects = list(effects.values())
    return calculation


def _close_and_create(
    *,
    field_name: str,
    new_amounts: dict[int, Decimal],
    valid_from: datetime.date,
    note: str,
) -> list[PriceVersion]:
    """Close each item's version in force on ``valid_from`` and add the new versions, with
    their change-log rows. The caller holds the transaction.

    A fixed number of queries, whatever the number of items: the open versions are read
    (and locked) with their items, which ``PriceVersion.__str__`` names in the change log
    (read one by one, that was a query per version); closing them is one UPDATE (every
    row gets the same ``valid_to``); the new versions are one INSERT statement (ids
    taken up front, ``core.importing.writing.TableWriter``).
    """
    if not new_amounts:
        return []
    item_model = PriceVersion._meta.get_field(field_name).related_model
    items = item_model.objects.in_bulk(list(new_amounts))
    open_versions = list(
        PriceVersion.objects.select_for_update(of=("self",))
        .select_related(field_name)
        .filter(**{f"{field_name}_id__in": list(new_amounts)})
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=valid_from), valid_from__lt=valid_from)
    )
    if open_versions:
        before = [v.changelog_data() for v in open_versions]
        now = timezone.now()
        PriceVersion.objects.filter(pk__in=[v.pk for v in open_versions]).update(
            valid_to=valid_from, last_updated=now
        )
        for version in open_versions:
            version.valid_to, version.last_updated = valid_from, now
        record_bulk_changes(open_versions, action=ChangeAction.UPDATE, before=before)
    created = [
        PriceVersion(
            amount=amount, valid_from=valid_from, note=note, **{field_name: items[item_id]}
        )
        for item_id, amount in new_amounts.items()
    ]
    TableWriter(PriceVersion).insert(created)
    record_bulk_changes(created, action=ChangeAction.CREATE)
    return created


def publish_price_list(
    *,
    year: int,
    valid_from: datetime.date | None = None,
    published_by=None,
    note: str = "",
) -> PriceListPublication:
    """Publish the recalculated product prices as new versions from ``valid_from``.

    Only changed prices get a new version (an unchanged price simply stays in force).
    Refused as a whole, naming the products, when any product to be repriced already has
    a version starting on or after ``valid_from``. One transaction, bulk writes.
    """
    with transaction.atomic():
        calculation = calculate_price_list(year=year, valid_from=valid_from, effects=False)
        blocked = calculation.blocked_rows
        if blocked:
            raise ValidationError(
                {
                    "valid_from": [
                        _("%(product)s: %(problem)s") % {"product": r.product, "problem": r.problem}
                        for r in blocked
                    ]
                }
            )
        rows = calculation.publishable_rows
        publication = PriceListPublication(
            kind=PublicationKind.LEASE_PRICES,
            year=year,
            valid_from=calculation.valid_from,
            versions_created=len(rows),
            published_by=published_by,
            note=note,
        )
        publication.full_clean()
        publication.save()
        _close_and_create(
            field_name="product",
            new_amounts={row.product_id: row.new_amount for row in rows},
            valid_from=calculation.valid_from,
            note=_("Price list %(year)s (publication %(id)s)")
            % {"year": year, "id": publication.pk},
        )
    return publication


# --- Indexation of service prices ---------------------------------------------------------


@dataclass
class IndexationRow(PriceChange):
    service_id: int
    service: str
    code: str
    unit: str
    old_amount: Decimal | None
    new_amount: Decimal | None
    problem: str = ""


@dataclass
class IndexationCalculation:
    year: int
    valid_from: datetime.date
    old_index: Decimal
    new_index: Decimal
    rows: list[IndexationRow] = field(default_factory=list)

    @property
    def factor(self) -> Decimal:
        return self.new_index / self.old_index

    @property
    def publishable_rows(self) -> list[IndexationRow]:
        return [row for row in self.rows if row.publishable]

    @property
    def blocked_rows(self) -> list[IndexationRow]:
        """Rows that make publishing refuse: a new price, but a later one exists."""
        return [row for row in self.rows if row.problem and row.new_amount is not None]


def index_quantum(price: Decimal) -> Decimal:
    """A price in whole øre is indexed to whole øre (DESIGN.md); a finer unit price such
    as 0.0850 kr per page keeps its four decimals rather than jumping to 0.09."""
    return ORE if price == price.quantize(ORE) else UNIT_PRICE_QUANTUM


def _check_indexes(old_index: Decimal | None, new_index: Decimal | None) -> None:
    errors = {}
    for name, value in (("old_index", old_index), ("new_index", new_index)):
        if value is None or value <= 0:
            errors[name] = _("An index value must be greater than zero (got %(value)s).") % {
                "value": value
            }
    if errors:
        raise ValidationError(errors)


def calculate_indexation(
    *,
    year: int,
    old_index: Decimal,
    new_index: Decimal,
    valid_from: datetime.date | None = None,
    services: QuerySet[Service] | None = None,
) -> IndexationCalculation:
    """Every active service's price in force the day before ``valid_from``, moved by
    ``new_index / old_index`` (``finance.indexation.index_adjust``). Two queries."""
    _check_indexes(old_index, new_index)
    valid_from = _check_year(year, valid_from)
    day_before = valid_from - datetime.timedelta(days=1)
    services = (services if services is not None else Service.objects.all()).filter(active=True)
    services = list(services.order_by("name"))
    old_versions = _versions_in_force(day=day_before, field_name="service")
    later = _later_versions(day=valid_from, field_name="service")
    calculation = IndexationCalculation(
        year=year, valid_from=valid_from, old_index=old_index, new_index=new_index
    )
    for service in services:
        old = old_versions.get(service.pk)
        row = IndexationRow(
            service_id=service.pk,
            service=service.name,
            code=service.code,
            unit=service.get_unit_display(),
            old_amount=old.amount if old else None,
            new_amount=None,
        )
        if old is None:
            row.problem = _("No price in force on %(date)s to index.") % {
                "date": day_before.isoformat()
            }
        else:
            row.new_amount = index_adjust(
                price=old.amount,
                old_index=old_index,
                new_index=new_index,
                quantum=index_quantum(old.amount),
            )
            if service.pk in later:
                row.problem = _(
                    "A price from %(date)s is already published; prices in force are never "
                    "rewritten."
                ) % {"date": later[service.pk].isoformat()}
        calculation.rows.append(row)
    return calculation


def publish_indexation(
    *,
    year: int,
    old_index: Decimal,
    new_index: Decimal,
    valid_from: datetime.date | None = None,
    index_name: str = "",
    services: QuerySet[Service] | None = None,
    published_by=None,
    note: str = "",
) -> PriceListPublication:
    """Publish indexed service prices as new versions from ``valid_from``; refused as a
    whole when a service to be indexed already has a later version."""
    with transaction.atomic():
        calculation = calculate_indexation(
            year=year,
            old_index=old_index,
            new_index=new_index,
            valid_from=valid_from,
            services=services,
        )
        blocked = calculation.blocked_rows
        if blocked:
            raise ValidationError(
                {
                    "valid_from": [
                        _("%(service)s: %(problem)s") % {"service": r.service, "problem": r.problem}
                        for r in blocked
                    ]
                }
            )
        rows = calculation.publishable_rows
        publication = PriceListPublication(
            kind=PublicationKind.INDEXATION,
            year=year,
            valid_from=calculation.valid_from,
            index_name=index_name,
            old_index=old_index,
            new_index=new_index,
            versions_created=len(rows),
            published_by=published_by,
            note=note,
        )
        publication.full_clean()
        publication.save()
        _close_and_create(
            field_name="service",
            new_amounts={row.service_id: row.new_amount for row in rows},
            valid_from=calculation.valid_from,
            note=_("Indexed %(name)s %(old)s → %(new)s (publication %(id)s)")
            % {
                "name": index_name or _("index"),
                "old": old_index,
                "new": new_index,
                "id": publication.pk,
            },
        )
    return publication
