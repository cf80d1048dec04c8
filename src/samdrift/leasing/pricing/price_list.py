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
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.catalogue.models import Product
from samdrift.finance.money import ZERO
from samdrift.leasing.choices import PublicationKind
from samdrift.leasing.models import PriceListPublication
from samdrift.leasing.prices import LIST, priced_holdings, whole_month_amount
from samdrift.leasing.pricing.lease_price import lease_price
from samdrift.leasing.pricing.versions import (
    PriceChange,
    already_published,
    change_percent,
    check_year,
    later_versions,
    publish_versions,
    versions_in_force,
)


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
    from samdrift.inventory.models import Assignment, Subscription

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
    valid_from = check_year(year, valid_from)
    day_before = valid_from - datetime.timedelta(days=1)
    products = list(
        Product.objects.filter(active=True)
        .select_related("category__lease_model")
        .order_by("category__name", "name")
    )
    old_versions = versions_in_force(day=day_before, field_name="product")
    later = later_versions(day=valid_from, field_name="product")

    calculation = PriceListCalculation(year=year, valid_from=valid_from)
    for product in products:
        calculation.rows.append(
            _price_list_row(product, old=old_versions.get(product.pk), later=later.get(product.pk))
        )

    if effects:
        calculation.effects = _effects(calculation, municipalities)
    return calculation


def _price_list_row(product, *, old, later: datetime.date | None) -> PriceListRow:
    """One product's old price (``old``: the version in force the day before) and new one;
    ``later``: the start of a version already published on or after the new one's."""
    lease_model = product.category.lease_model
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
        if later is not None:
            row.problem = already_published(later)
    return row


def _effects(calculation: PriceListCalculation, municipalities) -> list[MunicipalityEffect]:
    """What the new prices mean a month for each of ``municipalities``' current fleet."""
    from samdrift.organisations.models import Municipality

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
    return list(effects.values())


def publish_price_list(
    *,
    year: int,
    valid_from: datetime.date | None = None,
    note: str = "",
) -> PriceListPublication:
    """Publish the recalculated product prices as new versions from ``valid_from``.

    Only changed prices get a new version (an unchanged price simply stays in force).
    Refused as a whole, naming the products, when any product to be repriced already has
    a version starting on or after ``valid_from``. One transaction, bulk writes.
    """
    with transaction.atomic():
        calculation = calculate_price_list(year=year, valid_from=valid_from, effects=False)
        return publish_versions(
            calculation=calculation,
            refusals=[
                _("%(product)s: %(problem)s") % {"product": r.product, "problem": r.problem}
                for r in calculation.blocked_rows
            ],
            field_name="product",
            note_of=lambda publication: (
                _("Price list %(year)s (publication %(id)s)") % {"year": year, "id": publication.pk}
            ),
            kind=PublicationKind.LEASE_PRICES,
            note=note,
        )
