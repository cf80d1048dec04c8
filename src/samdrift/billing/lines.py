"""Grouping charges into invoice lines, and the VAT and totals of an invoice.

A line is the sum of an invoice's charges for one service area × item (× VAT rate, and ×
the period an adjustment corrects). VAT follows EN 16931: per VAT category and rate the
tax is the rounded product of the category's taxable amount and the rate (BR-CO-17); each
line gets its exact share of that, so lines, categories and totals all agree to the øre.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from samdrift.billing.choices import ChargeSource, VatCategory
from samdrift.billing.rating.facts import (
    BUYOUT_VAT_REASON,
    DEFAULT_EXEMPTION_REASON,
    Fact,
)
from samdrift.catalogue.choices import UBL_UNIT_CODES
from samdrift.core.invoice_language import in_invoice_language
from samdrift.finance.money import ZERO
from samdrift.finance.vat import distribute_vat

UNITS_QUANTUM = Decimal("0.0001")
# Sources whose charges carry their own text: a line per text (each credit its own line).
TEXT_SOURCES = frozenset({"one_off", "buyout", "sla_credit"})
SOURCE_ORDER = {source.value: index for index, source in enumerate(ChargeSource)}


@dataclass(slots=True)
class LineTotal:
    """Running sums of the charges of one line."""

    net: Decimal = ZERO
    units: Decimal = ZERO
    count: int = 0
    prices: set = field(default_factory=set)
    first_source_id: int | None = None


class LineAggregator:
    """Sums charge facts into lines per invoice while the run streams them."""

    def __init__(self):
        self.lines: dict[int, dict[tuple, LineTotal]] = defaultdict(dict)

    def add(self, fact: Fact, adjusts_period_id: int | None) -> None:
        key = (
            fact.service_area,
            fact.source,
            fact.product,
            fact.service,
            fact.cost_pool,
            fact.description if fact.source in TEXT_SOURCES else "",
            adjusts_period_id,
            fact.vat_rate,
        )
        lines = self.lines[fact.municipality]
        total = lines.get(key)
        if total is None:
            total = lines[key] = LineTotal(first_source_id=fact.source_id)
        amount = fact.amount
        total.net += amount
        days, dim = fact.days_active, fact.days_in_month
        if days is None or dim is None or days == dim:
            total.units += fact.quantity  # a whole month: no division (most charges)
        else:
            total.units += fact.quantity * days / dim
        total.count += 1
        if len(total.prices) < 2:
            total.prices.add(fact.unit_price)


def quantity_and_price(*, net: Decimal, units: Decimal, prices: set) -> tuple[Decimal, Decimal]:
    """The (quantity, unit price) shown for a line, such that quantity × price is the net
    amount exactly (EHF: line amount = quantity × price, at most 2 decimals, price never
    negative). The units used at the one unit price when that multiplies out; otherwise
    one lot (−1 for a credit) at the net amount."""
    if len(prices) == 1:
        (price,) = prices
        units = units.quantize(UNITS_QUANTUM)
        if price >= 0 and units * price == net:
            return units, price
    if net < 0:
        return Decimal("-1"), -net
    return Decimal("1"), net


def vat_category(*, rate: Decimal, vat_registered: bool) -> str:
    if not vat_registered:
        return VatCategory.NOT_SUBJECT
    return VatCategory.STANDARD if rate > 0 else VatCategory.EXEMPT


@dataclass
class LineNames:
    """What the line builder needs to name lines: item, area and period look-ups."""

    products: dict[int, str]
    services: dict[int, tuple[str, str, str]]  # name, unit, exemption reason
    pools: dict[int, tuple[str, str]]  # name, exemption reason
    one_off_reasons: dict[int, str]
    areas: dict[int, tuple[str, str]]  # name, cost centre
    periods: dict[int, str]


def build_lines(
    *, totals: dict[tuple, LineTotal], names: LineNames, vat_registered: bool
) -> list[dict]:
    """Invoice line values for one invoice, numbered in a stable, readable order: by
    service area, then source, item and adjusted period."""
    ordered = sorted(totals, key=lambda key: _line_order(key, names))
    lines = [
        _line_values(number, key, totals[key], names, vat_registered)
        for number, key in enumerate(ordered, start=1)
    ]
    _share_vat(lines)
    return lines


def _item_name(key: tuple, names: LineNames) -> str:
    """A one-off, buyout or service credit's own text, else the product, service or
    pool, else the source."""
    _area, source, product_id, service_id, pool_id, text, _adjusts, _vat = key
    if text:
        return text
    if product_id:
        return names.products[product_id]
    if service_id:
        return names.services[service_id][0]
    if pool_id:
        return names.pools[pool_id][0]
    return str(ChargeSource(source).label)


def _line_order(key: tuple, names: LineNames) -> tuple:
    """Cost centre and area first, so each area's lines stay together on the invoice."""
    area_id = key[0]
    area = names.areas.get(area_id, ("", "")) if area_id else ("", "")
    return (
        area[1],
        area[0],
        SOURCE_ORDER[key[1]],
        _item_name(key, names),
        names.periods.get(key[6], ""),
        key[7],
    )


def _line_values(
    number: int, key: tuple, total: LineTotal, names: LineNames, vat_registered: bool
) -> dict:
    """One line's values, before its share of the invoice's VAT."""
    area_id, source, product_id, service_id, pool_id, _text, adjusts_id, rate = key
    description = _item_name(key, names)
    if adjusts_id is not None:
        with in_invoice_language():
            description = _("%(item)s – adjustment for %(period)s") % {
                "item": description,
                "period": names.periods[adjusts_id],
            }
    quantity, unit_price = quantity_and_price(net=total.net, units=total.units, prices=total.prices)
    # A lot (quantity ±1) is counted in pieces whatever the service's unit.
    unit_code = "C62"
    if service_id and abs(quantity) != 1:
        unit_code = UBL_UNIT_CODES.get(names.services[service_id][1], "C62")
    category = vat_category(rate=rate, vat_registered=vat_registered)
    reason = ""
    if category != VatCategory.STANDARD:
        reason = _exemption_reason(key, total, names)
    return {
        "line_number": number,
        "service_area_id": area_id,
        "source": source,
        "product_id": product_id,
        "service_id": service_id,
        "cost_pool_id": pool_id,
        "description": description[:250],
        "adjusts_period_id": adjusts_id,
        "units": total.units.quantize(UNITS_QUANTUM),
        "quantity": quantity,
        "unit_code": unit_code,
        "unit_price": unit_price,
        "net_amount": total.net,
        "vat_rate": rate if category != VatCategory.NOT_SUBJECT else ZERO,
        "vat_category": category,
        "vat_exemption_reason": reason[:200],
        "charge_count": total.count,
    }


def _exemption_reason(key: tuple, total: LineTotal, names: LineNames) -> str:
    """Why a line without standard VAT has none: the buyout rule, the one-off charge's,
    the service's or the pool's reason, else a general one."""
    _area, source, _product_id, service_id, pool_id, _text, _adjusts, _vat = key
    reason = ""
    if source == ChargeSource.BUYOUT:
        reason = BUYOUT_VAT_REASON
    elif source == ChargeSource.ONE_OFF:
        reason = names.one_off_reasons.get(total.first_source_id, "")
    elif service_id:
        reason = names.services[service_id][2]
    elif pool_id:
        reason = names.pools[pool_id][1]
    return reason or DEFAULT_EXEMPTION_REASON


def _share_vat(lines: list[dict]) -> None:
    """Set each line's ``vat_amount``: the VAT per category and rate on the invoice,
    shared out over its lines (``finance.vat.distribute_vat``)."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for index, line in enumerate(lines):
        groups[(line["vat_category"], line["vat_rate"])].append(index)
    for (_category, rate), indexes in groups.items():
        _total, shares = distribute_vat(nets=[lines[i]["net_amount"] for i in indexes], rate=rate)
        for index, share in zip(indexes, shares, strict=True):
            lines[index]["vat_amount"] = share


def invoice_totals(lines) -> tuple[Decimal, Decimal, Decimal]:
    """(net, VAT, gross) of lines (dicts or InvoiceLine/CreditNoteLine objects)."""

    def value(line, name):
        return line[name] if isinstance(line, dict) else getattr(line, name)

    net = sum((value(line, "net_amount") for line in lines), ZERO)
    vat = sum((value(line, "vat_amount") for line in lines), ZERO)
    return net, vat, net + vat
