"""The financing view for the board: does the leasing model break even?

For the fleet the collaboration owns (purchased and bought-out equipment in use), as it
stands at the end of a month (no new purchases assumed):

- **capital bound** — the book value of the fleet at that month end;
- per calendar year, for five years from the current one: **lease income** (the capital
  part of what the municipalities pay for the devices — list price minus the service
  fee, or a bought-out asset's own capital part — over each asset's lease term), against
  **depreciation** (straight line over the useful life, ``finance.depreciation``) and
  **interest** (the lease model's rate on the book value bound during each month), the
  **margin** between them, and the **outstanding value** at the year end.

``project_purchases`` gives the same figures for devices still to be bought (planning's
investment need), with the same arithmetic.

Set-based: the fleet is grouped in the database by product and acquisition month (and
for bought-out assets by start month, term and rate), five queries in all; the monthly
projection then runs per group, not per asset. Ages are counted in whole months at month
ends: an asset acquired during month ``s`` is ``k`` months old at the end of month ``s+k``.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from samdrift.catalogue.models import PriceVersion, Product
from samdrift.core.dating import active_on
from samdrift.finance.money import ZERO, round_to_ore
from samdrift.finance.proration import month_bounds
from samdrift.inventory.choices import OUT_OF_SERVICE, AssetOrigin
from samdrift.inventory.models import Asset
from samdrift.leasing.models import AssetPrice, LeaseModel
from samdrift.leasing.pricing.lease_price import lease_price

YEARS = 5


@dataclass
class FinancingYear:
    year: int
    lease_income: Decimal = ZERO
    depreciation: Decimal = ZERO
    interest: Decimal = ZERO
    outstanding_at_end: Decimal = ZERO

    @property
    def costs(self) -> Decimal:
        return self.depreciation + self.interest

    @property
    def margin(self) -> Decimal:
        return self.lease_income - self.depreciation - self.interest

    def rounded(self) -> FinancingYear:
        return FinancingYear(
            year=self.year,
            lease_income=round_to_ore(self.lease_income),
            depreciation=round_to_ore(self.depreciation),
            interest=round_to_ore(self.interest),
            outstanding_at_end=round_to_ore(self.outstanding_at_end),
        )


@dataclass
class FinancingView:
    """The board's figures; amounts rounded to the øre for presentation."""

    as_of: datetime.date
    assets: int = 0
    bought_out_assets: int = 0
    capital_bound: Decimal = ZERO
    years: list[FinancingYear] = field(default_factory=list)
    # Owned assets that cannot be projected: no acquisition date or cost, or no lease model.
    without_basis: int = 0

    def _total(self, name: str) -> Decimal:
        return sum((getattr(year, name) for year in self.years), ZERO)

    @property
    def total_income(self) -> Decimal:
        return self._total("lease_income")

    @property
    def total_depreciation(self) -> Decimal:
        return self._total("depreciation")

    @property
    def total_interest(self) -> Decimal:
        return self._total("interest")

    @property
    def total_costs(self) -> Decimal:
        return self._total("costs")

    @property
    def total_margin(self) -> Decimal:
        return self._total("margin")

    @property
    def breaks_even(self) -> bool:
        return self.total_margin >= 0


@dataclass(frozen=True)
class _Group:
    """Assets that share a depreciation and income schedule."""

    start_month: int  # months since year 0: year * 12 + month - 1
    count: int
    cost: Decimal  # total over the group
    residual: Decimal
    life_months: int
    monthly_rate: Decimal
    income_per_month: Decimal  # total over the group
    income_months: int

    def book_value(self, age: int) -> Decimal:
        """Group book value at ``age`` months (never below the residual)."""
        if age <= 0:
            return self.cost
        if age >= self.life_months:
            return self.residual
        return self.cost - (self.cost - self.residual) * age / self.life_months


def _month_index(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def owned_fleet(assets: QuerySet[Asset]) -> QuerySet[Asset]:
    """The equipment the collaboration owns and has in use."""
    return assets.filter(origin__in=[AssetOrigin.PURCHASED, AssetOrigin.BOUGHT_OUT]).exclude(
        status__in=OUT_OF_SERVICE
    )


def _purchased_groups(fleet: QuerySet[Asset], as_of: datetime.date) -> tuple[list[_Group], int]:
    rows = list(
        fleet.filter(
            origin=AssetOrigin.PURCHASED,
            acquisition_date__isnull=False,
            acquisition_cost__isnull=False,
            acquisition_date__lte=as_of,
        )
        .annotate(month=TruncMonth("acquisition_date"))
        .values("product_id", "month")
        .annotate(n=Count("id"), cost=Sum("acquisition_cost"))
        .order_by()
    )
    products = {
        p.pk: p
        for p in Product.objects.filter(pk__in={r["product_id"] for r in rows}).select_related(
            "category__lease_model"
        )
    }
    list_prices = {
        v.product_id: v.amount
        for v in PriceVersion.objects.filter(active_on(as_of), product_id__in=list(products)).only(
            "product_id", "amount"
        )
    }
    groups: list[_Group] = []
    without_basis = 0
    for r in rows:
        product = products[r["product_id"]]
        lease_model = product.category.lease_model
        if lease_model is None:
            without_basis += r["n"]
            continue
        fee = lease_model.monthly_service_fee
        list_price = list_prices.get(product.pk)
        if list_price is None:
            list_price = lease_price(cost=product.standard_cost, lease_model=lease_model).amount
        capital_per_month = max(list_price - fee, ZERO)
        month = r["month"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        groups.append(
            _Group(
                start_month=_month_index(month),
                count=r["n"],
                cost=r["cost"],
                residual=r["cost"] * lease_model.residual_percent / 100,
                life_months=product.effective_useful_life_months,
                monthly_rate=lease_model.annual_rate / 12,
                income_per_month=capital_per_month * r["n"],
                income_months=lease_model.term_months,
            )
        )
    return groups, without_basis


def _bought_out_groups(fleet: QuerySet[Asset], as_of: datetime.date) -> tuple[list[_Group], int]:
    """Bought-out assets by their own price's start month, term and rate; those whose
    price has no term or rate (entered by hand) have no schedule: counted apart."""
    rows = (
        AssetPrice.objects.filter(
            asset__in=fleet.filter(origin=AssetOrigin.BOUGHT_OUT).values("pk"),
            capital_part__gt=0,
            valid_from__lte=as_of,
        )
        .annotate(month=TruncMonth("valid_from"))
        .values("month", "term_months", "annual_rate")
        .annotate(
            n=Count("id"),
            financed=Sum("financed_value"),
            residual=Sum("residual_value"),
            capital=Sum("capital_part"),
        )
        .order_by()
    )
    groups = []
    without_terms = 0
    for r in rows:
        if not r["term_months"] or r["annual_rate"] is None:
            without_terms += r["n"]
            continue
        month = r["month"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        groups.append(
            _Group(
                start_month=_month_index(month),
                count=r["n"],
                cost=r["financed"],
                residual=r["residual"],
                life_months=r["term_months"],
                monthly_rate=r["annual_rate"] / 12,
                income_per_month=r["capital"],
                income_months=r["term_months"],
            )
        )
    return groups, without_terms


def fleet_financing(
    *, assets: QuerySet[Asset], on: datetime.date, years: int = YEARS
) -> FinancingView:
    """The financing view of ``assets`` (pass ``restrict(Asset.objects.all(), user)``) as
    of the end of ``on``'s month, for ``years`` calendar years from ``on``'s year."""
    _first_day, next_month = month_bounds(on)
    as_of = next_month - datetime.timedelta(days=1)
    fleet = owned_fleet(assets)
    counts = fleet.aggregate(
        n=Count("id"),
        bought_out=Count("id", filter=Q(origin=AssetOrigin.BOUGHT_OUT)),
        unprojectable=Count(
            "id",
            filter=Q(origin=AssetOrigin.PURCHASED)
            & (Q(acquisition_date__isnull=True) | Q(acquisition_cost__isnull=True)),
        ),
    )
    purchased, without_lease_model = _purchased_groups(fleet, as_of)
    bought_out, without_terms = _bought_out_groups(fleet, as_of)
    groups = purchased + bought_out

    view = FinancingView(
        as_of=as_of,
        assets=counts["n"],
        bought_out_assets=counts["bought_out"],
        without_basis=counts["unprojectable"] + without_lease_model + without_terms,
    )
    as_of_month = _month_index(as_of)
    view.years = [FinancingYear(year=as_of.year + offset) for offset in range(years)]
    view.capital_bound = round_to_ore(
        sum((group.book_value(as_of_month - group.start_month) for group in groups), ZERO)
    )
    _project(groups, view.years)
    view.years = [year.rounded() for year in view.years]
    return view


def _project(groups: Iterable[_Group], years: list[FinancingYear]) -> None:
    """Add each group's income, depreciation, interest and outstanding value to ``years``
    (unrounded), month by month."""
    for group in groups:
        for year in years:
            for month in range(year.year * 12, year.year * 12 + 12):
                age = month - group.start_month  # age at the end of this month
                if age < 1:
                    continue  # not yet a whole month old: nothing earned or written off
                before = group.book_value(age - 1)
                year.depreciation += before - group.book_value(age)
                year.interest += before * group.monthly_rate
                if age <= group.income_months:
                    year.lease_income += group.income_per_month
            year.outstanding_at_end += group.book_value(year.year * 12 + 11 - group.start_month)


# Purchases to come ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Purchase:
    """``units`` devices of a product bought during the month starting ``month``."""

    product_id: int
    month: datetime.date
    units: int


def project_purchases(
    *,
    purchases: Iterable[Purchase],
    first_year: int,
    years: int = YEARS,
    lease_term_months: int | None = None,
    annual_rate: Decimal | None = None,
) -> tuple[list[FinancingYear], int]:
    """The financing view's yearly figures for devices still to be bought (the
    investment need): each bought at its product's standard cost and leased out on its
    category's lease model — at ``lease_term_months`` and ``annual_rate`` (a fraction:
    0.05 is 5 %) where given, a scenario's terms for purchases from now — for the
    capital part of its lease price (``lease_price``), depreciated over its useful life,
    with the same month-by-month arithmetic as ``fleet_financing``.

    Returns the years (rounded to the øre) and the number of units that cannot be
    projected (their category has no lease model). One query.
    """
    purchases = [p for p in purchases if p.units]
    view_years = [FinancingYear(year=first_year + offset) for offset in range(years)]
    products = {
        p.pk: p
        for p in Product.objects.filter(
            pk__in={purchase.product_id for purchase in purchases}
        ).select_related("category__lease_model")
    }
    groups = []
    without_basis = 0
    terms: dict[int, tuple[LeaseModel, Decimal]] = {}
    for purchase in purchases:
        product = products[purchase.product_id]
        if product.category.lease_model is None:
            without_basis += purchase.units
            continue
        if product.pk not in terms:
            lease_model = copy.copy(product.category.lease_model)  # never saved
            if lease_term_months is not None:
                lease_model.term_months = lease_term_months
            if annual_rate is not None:
                lease_model.annual_rate = annual_rate
            capital = lease_price(cost=product.standard_cost, lease_model=lease_model).capital
            terms[product.pk] = (lease_model, capital)
        lease_model, capital = terms[product.pk]
        cost = product.standard_cost * purchase.units
        groups.append(
            _Group(
                start_month=_month_index(purchase.month),
                count=purchase.units,
                cost=cost,
                residual=cost * lease_model.residual_percent / 100,
                life_months=product.effective_useful_life_months,
                monthly_rate=lease_model.annual_rate / 12,
                income_per_month=capital * purchase.units,
                income_months=lease_model.term_months,
            )
        )
    _project(groups, view_years)
    return [year.rounded() for year in view_years], without_basis
