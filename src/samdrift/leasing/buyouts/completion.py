"""Completing an agreed buyout: the assets become the collaboration's and are priced, and
the agreed sum is owed to the municipality (and later settled)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.catalogue.models import Product
from samdrift.core.actor import current_actor
from samdrift.core.bulk import insert_objects
from samdrift.core.changelog import record_bulk_changes
from samdrift.core.choices import ChangeAction
from samdrift.core.invoice_language import in_invoice_language
from samdrift.core.services import save_object
from samdrift.finance.annuity import annuity_payment
from samdrift.finance.depreciation import add_months
from samdrift.finance.money import ZERO, round_to_ore
from samdrift.inventory.choices import AssetOrigin
from samdrift.inventory.figures import holdings_changed
from samdrift.inventory.models import Asset, Assignment
from samdrift.leasing.buyouts.state import locked_error, today
from samdrift.leasing.buyouts.valuation import (
    buyout_items,
)
from samdrift.leasing.choices import BuyoutStatus, PaymentTiming
from samdrift.leasing.models import AmountOwed, AssetPrice, Buyout, BuyoutItem


def bought_out_price_rows(
    *,
    item: BuyoutItem,
    lease_model,
    start: datetime.date,
    held_since: datetime.date | None = None,
) -> list[AssetPrice]:
    """The ``AssetPrice`` rows of one bought-out asset from ``start`` (not saved).

    While the asset has remaining life: the annuity of its buyout value down to its
    residual value over the remaining months at the lease model's rate, plus the service
    fee. After that (or at once, if nothing remains to recover): the service fee alone,
    open-ended.

    Before ``start``, from ``held_since`` (when the municipality first held the asset),
    a row of nothing: the municipality owned it then. The asset's origin is its current
    state, so without that row billing would see, for those days, an asset of the
    collaboration without a price of its own and charge its list price — re-rating
    closed months as adjustments, and the days of the takeover month before completion.
    """
    fee = lease_model.monthly_service_fee
    remaining = max((item.useful_life_months or 0) - (item.age_months or 0), 0)
    value = item.book_value or ZERO
    residual = min(item.residual_value, value)
    rows = []
    if held_since is not None and held_since < start:
        rows.append(
            _price_row(
                item,
                valid_from=held_since,
                valid_to=start,
                note=_("Owned by the municipality until the buyout: not charged"),
            )
        )
    fee_from = start
    if remaining > 0 and value > residual:
        capital = round_to_ore(
            annuity_payment(
                present_value=value,
                annual_rate=lease_model.annual_rate,
                months=remaining,
                residual_value=residual,
                in_advance=lease_model.payment_timing == PaymentTiming.ADVANCE,
            )
        )
        fee_from = add_months(start, remaining)
        rows.append(
            _price_row(
                item,
                valid_from=start,
                valid_to=fee_from,
                capital_part=capital,
                service_fee=fee,
                financed_value=value,
                residual_value=residual,
                term_months=remaining,
                annual_rate=lease_model.annual_rate,
                note=_("Bought out: %(value)s over %(months)s months")
                % {"value": value, "months": remaining},
            )
        )
    rows.append(
        _price_row(
            item,
            valid_from=fee_from,
            valid_to=None,
            service_fee=fee,
            annual_rate=lease_model.annual_rate,
            note=_("Bought out, paid for: service fee only"),
        )
    )
    return rows


def _price_row(
    item: BuyoutItem,
    *,
    valid_from: datetime.date,
    valid_to: datetime.date | None,
    note: str,
    capital_part: Decimal = ZERO,
    service_fee: Decimal = ZERO,
    financed_value: Decimal = ZERO,
    residual_value: Decimal = ZERO,
    term_months: int | None = None,
    annual_rate: Decimal = ZERO,
) -> AssetPrice:
    """One price row of a bought-out asset: what is charged is the capital part and the fee."""
    return AssetPrice(
        asset=item.asset,
        valid_from=valid_from,
        valid_to=valid_to,
        capital_part=capital_part,
        service_fee=service_fee,
        amount=capital_part + service_fee,
        financed_value=financed_value,
        residual_value=residual_value,
        term_months=term_months,
        annual_rate=annual_rate,
        buyout_item=item,
        note=note,
    )


def _categories_of_products(buyout: Buyout) -> dict:
    """Product id → category (with its lease model) of the products in ``buyout``: the
    few products with their category in one query (joined to every item, they were a
    model instance per row and table)."""
    products = Product.objects.filter(
        pk__in=BuyoutItem.objects.filter(buyout=buyout).values("asset__product_id")
    ).select_related("category__lease_model")
    return {product.pk: product.category for product in products}


def complete_refusals(
    *, buyout: Buyout, completed_on: datetime.date, category_of: dict | None = None
) -> dict[str, list[str]]:
    """Why ``buyout`` cannot be completed on ``completed_on`` (by field; empty: it can).
    ``complete_buyout`` refuses with these; its confirmation shows them."""
    if buyout.status == BuyoutStatus.DRAFT:
        return {"status": [_("Agree the valuation with the municipality before completing.")]}
    if buyout.status == BuyoutStatus.COMPLETED:
        return locked_error(buyout).message_dict
    if completed_on < buyout.agreed_on:
        return {
            "completed_on": [
                _("The buyout cannot complete before it was agreed (%(date)s).")
                % {"date": buyout.agreed_on.isoformat()}
            ]
        }
    if category_of is None:
        category_of = _categories_of_products(buyout)
    missing = sorted(
        {category.name for category in category_of.values() if category.lease_model is None}
    )
    if missing:
        return {
            "lease_model": [
                _(
                    "These categories have no lease model, so their assets cannot be priced: "
                    "%(categories)s."
                )
                % {"categories": ", ".join(missing)}
            ]
        }
    return {}


def complete_buyout(*, buyout: Buyout, completed_on: datetime.date | None = None) -> Buyout:
    """Complete an agreed buyout on ``completed_on``.

    The assets become the collaboration's (origin "bought out"), each gets its own
    ``AssetPrice`` from ``completed_on`` and a price of nothing for the time the
    municipality held it before (see ``bought_out_price_rows``), and the agreed
    total is recorded as ``AmountOwed`` to the municipality for the month of completion,
    which billing credits. Refused unless agreed, or when an asset's category has no
    lease model (each named). Completed by the current actor's user. A handful of queries
    and bulk writes.
    """
    completed_on = completed_on or today()
    with transaction.atomic():
        locked = (
            Buyout.objects.select_for_update(of=("self",))
            .select_related("agreed_by", "municipality")
            .get(pk=buyout.pk)
        )
        category_of = _categories_of_products(locked)
        refusals = complete_refusals(
            buyout=locked, completed_on=completed_on, category_of=category_of
        )
        if refusals:
            raise ValidationError(refusals)
        items = list(buyout_items(locked))
        _mark_bought_out(locked, items)
        _price_assets(locked, items, category_of=category_of, completed_on=completed_on)
        _record_amount_owed(locked, completed_on)
        # Own prices and origins changed without an asset service: the kept holdings
        # (planning.holdings) of whoever holds these assets are counted again.
        holdings_changed(
            municipality_ids={locked.municipality_id}
            | {item.asset.municipality_id for item in items}
        )
        locked.status = BuyoutStatus.COMPLETED
        locked.completed_on = completed_on
        locked.completed_by = current_actor().resolved_user()
        locked.save()
    return locked


def _mark_bought_out(locked: Buyout, items: list[BuyoutItem]) -> None:
    """Every asset of the buyout becomes the collaboration's (origin "bought out")."""
    # Only assets that change are written and logged (an asset recorded as bought out
    # when it was registered keeps its origin and gets no empty change row).
    assets = [item.asset for item in items if item.asset.origin != AssetOrigin.BOUGHT_OUT]
    before = [asset.changelog_data() for asset in assets]
    # One value for every asset: a single UPDATE rather than a CASE per row.
    now = timezone.now()
    Asset.objects.filter(buyout_item__buyout=locked).exclude(origin=AssetOrigin.BOUGHT_OUT).update(
        origin=AssetOrigin.BOUGHT_OUT, last_updated=now
    )
    for asset in assets:
        asset.origin = AssetOrigin.BOUGHT_OUT
        asset.last_updated = now
    record_bulk_changes(assets, action=ChangeAction.UPDATE, before=before)


def _price_assets(
    locked: Buyout, items: list[BuyoutItem], *, category_of: dict, completed_on: datetime.date
) -> None:
    """Each asset's price rows from ``completed_on`` (see ``bought_out_price_rows``)."""
    # When each asset was first held (by the municipality, which owned it then).
    held_since = dict(
        Assignment.objects.filter(asset__buyout_item__buyout=locked)
        .values("asset_id")
        .annotate(first=Min("valid_from"))
        .values_list("asset_id", "first")
        .order_by()
    )
    prices = [
        row
        for item in items
        for row in bought_out_price_rows(
            item=item,
            lease_model=category_of[item.asset.product_id].lease_model,
            start=completed_on,
            held_since=held_since.get(item.asset_id),
        )
    ]
    insert_objects(prices)  # one INSERT statement, ids taken up front, each logged


def _record_amount_owed(locked: Buyout, completed_on: datetime.date) -> None:
    """The agreed total, owed to the municipality for the month of completion."""
    if locked.agreed_total and locked.agreed_total > 0:
        with in_invoice_language():  # its text goes onto the invoice as it is
            text = _("Buyout of equipment: %(name)s") % {"name": locked.name}
        owed = AmountOwed(
            municipality_id=locked.municipality_id,
            amount=locked.agreed_total,
            due_month=completed_on.replace(day=1),
            description=text,
            buyout=locked,
        )
        owed.full_clean()
        owed.save()


def settle_amount_owed(
    *, amount_owed: AmountOwed, reference: str, settled_on: datetime.date
) -> AmountOwed:
    """Record that an amount owed to a municipality has been settled (credited on an
    invoice, or paid outside Samdrift), by ``reference``. Refused when already settled."""
    if not reference.strip():
        raise ValidationError({"settled_reference": _("Give the reference of the settlement.")})
    with transaction.atomic():
        locked = AmountOwed.objects.select_for_update().get(pk=amount_owed.pk)
        if locked.settled_reference is not None:
            raise ValidationError(
                {
                    "settled_reference": _("Already settled by %(reference)s on %(date)s.")
                    % {
                        "reference": locked.settled_reference,
                        "date": locked.settled_on.isoformat() if locked.settled_on else "?",
                    }
                }
            )
        return save_object(
            instance=locked,
            changes={"settled_reference": reference.strip(), "settled_on": settled_on},
        )
