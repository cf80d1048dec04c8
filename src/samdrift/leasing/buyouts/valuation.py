"""The valuation of a buyout: each item's age and book value on the valuation date, read in
one query whatever the number of items."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from samdrift.finance.depreciation import age_in_months, book_value
from samdrift.finance.money import ZERO, round_to_ore
from samdrift.leasing.models import Buyout, BuyoutItem

ITEM_FIELDS = (
    "acquisition_date",
    "acquisition_cost",
    "residual_value",
    "useful_life_months",
    "life_override_reason",
)

MAX_USEFUL_LIFE_MONTHS = 60  # DESIGN.md: linear depreciation over at most five years.


def default_useful_life(product) -> int:
    """The useful life a bought-out asset is valued over unless overridden: its
    product's (or category's), capped at 60 months."""
    return min(product.effective_useful_life_months, MAX_USEFUL_LIFE_MONTHS)


@dataclass
class ValuationLine:
    """The book value of one asset in a buyout, with the basis it was computed from."""

    item_id: int
    asset_id: int
    asset_tag: str
    serial_number: str
    product_id: int
    product: str
    category: str
    acquisition_date: datetime.date
    acquisition_cost: Decimal
    residual_value: Decimal
    useful_life_months: int
    default_life_months: int
    life_override_reason: str
    age_months: int | None
    book_value: Decimal | None
    problem: str = ""

    @property
    def life_overridden(self) -> bool:
        return bool(self.life_override_reason) or self.useful_life_months != (
            self.default_life_months
        )

    @property
    def remaining_months(self) -> int | None:
        if self.age_months is None:
            return None
        return max(self.useful_life_months - self.age_months, 0)


@dataclass
class Valuation:
    """A buyout's valuation: one line per asset and the total (the sum of the lines'
    book values, each rounded to the øre). ``frozen`` once the buyout is agreed."""

    buyout: Buyout
    valuation_date: datetime.date
    frozen: bool
    lines: list[ValuationLine] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.book_value for line in self.lines if line.book_value is not None), ZERO)

    @property
    def total_cost(self) -> Decimal:
        return sum((line.acquisition_cost for line in self.lines), ZERO)

    @property
    def problems(self) -> list[ValuationLine]:
        return [line for line in self.lines if line.problem]


def value_item(
    *,
    acquisition_date: datetime.date,
    acquisition_cost: Decimal,
    residual_value: Decimal,
    useful_life_months: int,
    valuation_date: datetime.date,
) -> tuple[int, Decimal]:
    """(age in whole months on the valuation date, book value rounded to the øre).

    Straight line (``finance.depreciation``): ``cost - (cost - residual) * min(age, L) / L``.
    The book value is rounded here because it is the amount written on the valuation and
    paid to the municipality.
    """
    age = age_in_months(acquired=acquisition_date, on=valuation_date)
    value = book_value(
        cost=acquisition_cost,
        residual=residual_value,
        useful_life_months=useful_life_months,
        age_months=age,
    )
    return age, round_to_ore(value)


def buyout_items(buyout: Buyout) -> QuerySet[BuyoutItem]:
    """The items of ``buyout`` with their assets, in asset-tag order (one query). The
    change log of a completion reads each asset's holder, so it is joined too; products
    and categories are few and read apart (``complete_buyout``)."""
    return (
        BuyoutItem.objects.filter(buyout=buyout)
        .select_related("asset__municipality", "asset__service_area")
        .order_by("asset__asset_tag")
    )


_LINE_FIELDS = (
    "pk",
    "asset_id",
    "asset__asset_tag",
    "asset__serial_number",
    "asset__product_id",
    "asset__product__name",
    "asset__product__useful_life_months",
    "asset__product__category__name",
    "asset__product__category__useful_life_months",
    *ITEM_FIELDS,
    "age_months",
    "book_value",
)


def buyout_valuation(*, buyout: Buyout) -> Valuation:
    """The valuation of ``buyout``: computed on its valuation date while it is a draft, the
    frozen figures once agreed. One query for the items, whatever their number (plain
    values, no model instances: a valuation of thousands of assets is read often).

    Lines whose basis is invalid (acquisition after the valuation date, residual above
    cost) carry a ``problem`` and no book value instead of failing the whole page.
    """
    frozen = buyout.is_locked
    valuation = Valuation(buyout=buyout, valuation_date=buyout.valuation_date, frozen=frozen)
    rows = (
        BuyoutItem.objects.filter(buyout=buyout)
        .order_by("asset__asset_tag")
        .values_list(*_LINE_FIELDS)
    )
    for (
        item_id,
        asset_id,
        asset_tag,
        serial_number,
        product_id,
        product,
        product_life,
        category,
        category_life,
        acquired,
        cost,
        residual,
        life,
        reason,
        age,
        value,
    ) in rows:
        default_life = min(product_life or category_life, MAX_USEFUL_LIFE_MONTHS)
        line = ValuationLine(
            item_id=item_id,
            asset_id=asset_id,
            asset_tag=asset_tag,
            serial_number=serial_number,
            product_id=product_id,
            product=product,
            category=category,
            acquisition_date=acquired,
            acquisition_cost=cost,
            residual_value=residual,
            useful_life_months=life or default_life,
            default_life_months=default_life,
            life_override_reason=reason,
            age_months=age,
            book_value=value,
        )
        if not frozen:
            try:
                line.age_months, line.book_value = value_item(
                    acquisition_date=acquired,
                    acquisition_cost=cost,
                    residual_value=residual,
                    useful_life_months=line.useful_life_months,
                    valuation_date=buyout.valuation_date,
                )
            except ValueError as error:
                line.problem = str(error)
        valuation.lines.append(line)
    return valuation
