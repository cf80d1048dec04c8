"""Write operations on buyouts: taking over a municipality's existing equipment.

A buyout is drafted (equipment registered or added, valuation basis corrected), agreed
with the municipality (valuation frozen, signed-off XLSX kept with its SHA-256, nothing
can change any more) and completed (assets owned by the collaboration, priced, and the
agreed sum owed to the municipality). Every operation is one transaction with the buyout
row locked; bad input raises ValidationError naming the field (and the row), and
changes nothing.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.catalogue.models import Product
from samdrift.core.changelog import record_bulk_changes, record_summary
from samdrift.core.choices import ChangeAction
from samdrift.core.membership import foreign_member_errors
from samdrift.core.services import save_object
from samdrift.finance.annuity import annuity_payment
from samdrift.finance.depreciation import add_months
from samdrift.finance.money import ZERO, round_to_ore
from samdrift.inventory.choices import OUT_OF_SERVICE, AssetOrigin, AssetStatus
from samdrift.inventory.models import Asset, Assignment
from samdrift.leasing.buyout_bulk import delete_where, insert_objects, update_fields
from samdrift.leasing.buyout_selectors import (
    MAX_USEFUL_LIFE_MONTHS,
    buyout_items,
    buyout_valuation,
    default_useful_life,
)
from samdrift.leasing.choices import BuyoutStatus, PaymentTiming
from samdrift.leasing.models import AmountOwed, AssetPrice, Buyout, BuyoutItem, SignedValuation
from samdrift.organisations.models import Municipality

ITEM_FIELDS = (
    "acquisition_date",
    "acquisition_cost",
    "residual_value",
    "useful_life_months",
    "life_override_reason",
)


def _locked_error(buyout: Buyout) -> ValidationError:
    if buyout.status == BuyoutStatus.COMPLETED:
        reason = _(
            "This buyout was completed on %(date)s; a completed buyout cannot be changed."
        ) % {"date": buyout.completed_on.isoformat() if buyout.completed_on else "?"}
    else:
        reason = _(
            "This buyout was agreed on %(date)s by %(user)s; an agreed buyout cannot be "
            "changed (its signed-off valuation is final)."
        ) % {
            "date": buyout.agreed_on.isoformat() if buyout.agreed_on else "?",
            "user": buyout.agreed_by.get_username() if buyout.agreed_by else "?",
        }
    return ValidationError({"status": reason}, code="locked")


def _lock_draft(buyout: Buyout) -> Buyout:
    """Re-read ``buyout`` under a row lock; refuse if it is no longer a draft."""
    locked = (
        Buyout.objects.select_for_update(of=("self",))
        .select_related("agreed_by", "municipality")
        .get(pk=buyout.pk)
    )
    if locked.is_locked:
        raise _locked_error(locked)
    return locked


def _today() -> datetime.date:
    return datetime.date.today()


def item_errors(
    *, values: Mapping[str, Any], default_life: int, valuation_date: datetime.date
) -> dict[str, str]:
    """What is wrong with one item's valuation basis, by field (empty when nothing is)."""
    errors: dict[str, str] = {}
    acquired = values.get("acquisition_date")
    cost = values.get("acquisition_cost")
    residual = values.get("residual_value") or ZERO
    life = values.get("useful_life_months")
    reason = (values.get("life_override_reason") or "").strip()
    if acquired is None:
        errors["acquisition_date"] = _("The acquisition date is required.")
    elif acquired > _today():
        errors["acquisition_date"] = _("The acquisition date %(date)s is in the future.") % {
            "date": acquired.isoformat()
        }
    elif acquired > valuation_date:
        errors["acquisition_date"] = _(
            "The acquisition date %(date)s is after the valuation date %(valuation)s."
        ) % {"date": acquired.isoformat(), "valuation": valuation_date.isoformat()}
    if cost is None:
        errors["acquisition_cost"] = _("The acquisition cost is required.")
    elif cost < 0:
        errors["acquisition_cost"] = _("The acquisition cost cannot be negative (%(cost)s).") % {
            "cost": cost
        }
    if residual < 0:
        errors["residual_value"] = _("The residual value cannot be negative (%(value)s).") % {
            "value": residual
        }
    elif cost is not None and cost >= 0 and residual > cost:
        errors["residual_value"] = _(
            "The residual value %(residual)s is above the acquisition cost %(cost)s."
        ) % {"residual": residual, "cost": cost}
    if life is not None:
        if life < 1 or life > 60:
            errors["useful_life_months"] = _(
                "The useful life must be between 1 and 60 months (got %(life)s): ICT equipment "
                "is depreciated over at most five years."
            ) % {"life": life}
        elif life != default_life and not reason:
            errors["life_override_reason"] = _(
                "Give the reason for a useful life of %(life)s months instead of %(default)s."
            ) % {"life": life, "default": default_life}
    return errors


def _existing(model, field: str, values: list[str], chunk: int = 900) -> set[str]:
    """Which of ``values`` are already stored in ``field`` (a query per 900 values, so a
    long list stays within SQLite's limit on query parameters)."""
    found: set[str] = set()
    for start in range(0, len(values), chunk):
        found.update(
            model.objects.filter(**{f"{field}__in": values[start : start + chunk]}).values_list(
                field, flat=True
            )
        )
    return found


def _raise_row_errors(row_errors: list[tuple[int, dict[str, str]]]) -> None:
    """Raise one ValidationError: per field, every bad row's message ("Row 3: …")."""
    if not row_errors:
        return
    by_field: dict[str, list[str]] = {}
    for number, errors in row_errors:
        for name, message in errors.items():
            by_field.setdefault(name, []).append(
                _("Row %(row)s: %(message)s") % {"row": number, "message": message}
            )
    raise ValidationError(by_field)


# --- Creating and changing a draft -------------------------------------------------------


def create_buyout(
    *,
    municipality: Municipality,
    name: str,
    valuation_date: datetime.date,
    note: str = "",
) -> Buyout:
    """Start a draft buyout of ``municipality``'s equipment, valued on ``valuation_date``."""
    buyout = Buyout(municipality=municipality, name=name, valuation_date=valuation_date, note=note)
    return save_object(instance=buyout)


def update_buyout(*, buyout: Buyout, changes: Mapping[str, Any]) -> Buyout:
    """Change a draft's name, valuation date or note. Refused once agreed."""
    allowed = {"name", "valuation_date", "note"}
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValidationError({unknown[0]: _("This cannot be changed here.")})
    with transaction.atomic():
        locked = _lock_draft(buyout)
        if "valuation_date" in changes:
            latest = (
                BuyoutItem.objects.filter(buyout=locked)
                .order_by("-acquisition_date")
                .values_list("acquisition_date", flat=True)
                .first()
            )
            if latest is not None and changes["valuation_date"] < latest:
                raise ValidationError(
                    {
                        "valuation_date": _(
                            "An asset in this buyout was acquired on %(date)s, after this date."
                        )
                        % {"date": latest.isoformat()}
                    }
                )
        return save_object(instance=locked, changes=dict(changes))


def discard_refusals(*, buyout: Buyout) -> dict[str, list[str]]:
    """Why ``buyout`` cannot be discarded (empty: it can): only a draft can."""
    return _locked_error(buyout).message_dict if buyout.is_locked else {}


def delete_buyout(*, buyout: Buyout) -> None:
    """Discard a draft buyout and its items (the registered assets stay in the register).

    Each item's deletion is logged with its state before; the items go in one DELETE (a
    cascade from the buyout would send signals and log them one by one)."""
    with transaction.atomic():
        locked = _lock_draft(buyout)
        items = list(BuyoutItem.objects.filter(buyout=locked))
        for item in items:
            item.buyout = locked  # cached: the change log reads its municipality
        record_bulk_changes(
            items, action=ChangeAction.DELETE, before=[item.changelog_data() for item in items]
        )
        delete_where(BuyoutItem, buyout=locked.pk)
        locked.delete()


def register_equipment(
    *,
    buyout: Buyout,
    rows: Sequence[Mapping[str, Any]],
    start_row: int = 1,
    summary: str | None = None,
) -> list[BuyoutItem]:
    """Register a municipality's existing equipment and add it to the draft ``buyout``.

    Each row: ``product`` (Product), ``asset_tag``, ``acquisition_date``,
    ``acquisition_cost``; optional ``serial_number``, ``model_name``, ``service_area``,
    ``residual_value``, ``useful_life_months`` with ``life_override_reason``. The assets
    are created owned by the municipality, deployed to it since their acquisition date.
    All rows or none: every bad row is reported by its number (counted from
    ``start_row``, or its own ``line`` from a file) and field. A few queries and bulk
    writes, whatever the number of rows.

    Each new asset, assignment and item gets its change-log row; for generated batches
    (demo data) ``summary`` logs one row on the buyout standing for the whole batch instead.
    """
    with transaction.atomic():
        locked = _lock_draft(buyout)
        municipality_id = locked.municipality_id
        tags = [str(row.get("asset_tag") or "").strip() for row in rows]
        serials = [str(row.get("serial_number") or "").strip() for row in rows]
        taken_tags = _existing(Asset, "asset_tag", [t for t in tags if t])
        taken_serials = _existing(Asset, "serial_number", [s for s in serials if s])
        # The default useful life of every product named, in one query (reading it from
        # each row's product would cost a query per product whose category is not loaded).
        default_lives = {
            pk: min(own or category, MAX_USEFUL_LIFE_MONTHS)
            for pk, own, category in Product.objects.filter(
                pk__in={
                    row["product"].pk for row in rows if isinstance(row.get("product"), Product)
                }
            ).values_list("pk", "useful_life_months", "category__useful_life_months")
        }
        seen_tags: dict[str, int] = {}
        seen_serials: dict[str, int] = {}
        row_errors: list[tuple[int, dict[str, str]]] = []
        for index, (row, tag, serial) in enumerate(zip(rows, tags, serials, strict=True)):
            number = row.get("line") or start_row + index
            product = row.get("product")
            errors: dict[str, str] = {}
            if not isinstance(product, Product):
                errors["product"] = _("The product is required.")
            if not tag:
                errors["asset_tag"] = _("The asset tag is required.")
            elif tag in taken_tags:
                errors["asset_tag"] = _("Asset tag %(tag)s is already registered.") % {"tag": tag}
            elif tag in seen_tags:
                errors["asset_tag"] = _("Duplicate of row %(row)s.") % {"row": seen_tags[tag]}
            if serial and serial in taken_serials:
                errors["serial_number"] = _("Serial number %(serial)s is already registered.") % {
                    "serial": serial
                }
            elif serial and serial in seen_serials:
                errors["serial_number"] = _("Duplicate of row %(row)s.") % {
                    "row": seen_serials[serial]
                }
            errors.update(
                foreign_member_errors(
                    municipality=locked.municipality, service_area=row.get("service_area")
                )
            )
            default_life = (
                default_lives.get(product.pk, MAX_USEFUL_LIFE_MONTHS)
                if isinstance(product, Product)
                else MAX_USEFUL_LIFE_MONTHS
            )
            errors.update(
                item_errors(
                    values=row, default_life=default_life, valuation_date=locked.valuation_date
                )
            )
            if errors:
                row_errors.append((number, errors))
            seen_tags.setdefault(tag, number)
            if serial:
                seen_serials.setdefault(serial, number)
        _raise_row_errors(row_errors)

        # One INSERT statement per table (ids taken up front), whatever the number of rows.
        assets = [
            Asset(
                product=row["product"],
                asset_tag=tag,
                serial_number=serial,
                model_name=str(row.get("model_name") or ""),
                status=AssetStatus.DEPLOYED,
                origin=AssetOrigin.MUNICIPALITY_OWNED,
                acquisition_date=row["acquisition_date"],
                acquisition_cost=row["acquisition_cost"],
                municipality_id=municipality_id,
                service_area=row.get("service_area"),
            )
            for row, tag, serial in zip(rows, tags, serials, strict=True)
        ]
        insert_objects(assets)
        note = _("Registered for buyout %(name)s") % {"name": locked.name}
        assignments = [
            Assignment(
                asset=asset,
                municipality_id=municipality_id,
                service_area_id=asset.service_area_id,
                valid_from=asset.acquisition_date,
                note=note,
            )
            for asset in assets
        ]
        insert_objects(assignments)
        items = [
            BuyoutItem(
                buyout=locked,
                asset=asset,
                acquisition_date=row["acquisition_date"],
                acquisition_cost=row["acquisition_cost"],
                residual_value=row.get("residual_value") or ZERO,
                useful_life_months=row.get("useful_life_months"),
                life_override_reason=(row.get("life_override_reason") or "").strip(),
            )
            for asset, row in zip(assets, rows, strict=True)
        ]
        insert_objects(items)
        if summary is None:
            for created in (assets, assignments, items):
                record_bulk_changes(created, action=ChangeAction.CREATE)
        else:
            record_summary(
                model=Buyout,
                action=ChangeAction.UPDATE,
                message=summary,
                object_id=locked.pk,
                municipality_id=municipality_id,
            )
    return items


def add_assets(*, buyout: Buyout, assets: Iterable[Asset]) -> list[BuyoutItem]:
    """Add equipment already in the register to the draft ``buyout``.

    Each asset must be held by the buyout's municipality, still owned by it (origin
    "owned by the municipality"), in use, have an acquisition date and cost, and not be
    in another buyout. The valuation basis is copied from the asset.
    """
    asset_ids = [a.pk for a in assets]
    with transaction.atomic():
        locked = _lock_draft(buyout)
        found = {
            a.pk: a
            for a in Asset.objects.filter(pk__in=asset_ids).select_related("product__category")
        }
        in_buyouts = set(
            BuyoutItem.objects.filter(asset_id__in=asset_ids).values_list("asset_id", flat=True)
        )
        row_errors: list[tuple[int, dict[str, str]]] = []
        for number, asset_id in enumerate(asset_ids, start=1):
            asset = found.get(asset_id)
            errors: dict[str, str] = {}
            if asset is None:
                errors["assets"] = _("No asset with id %(id)s.") % {"id": asset_id}
            elif asset.municipality_id != locked.municipality_id:
                errors["assets"] = _("%(asset)s is not held by %(municipality)s.") % {
                    "asset": asset,
                    "municipality": locked.municipality,
                }
            elif asset.origin != AssetOrigin.MUNICIPALITY_OWNED:
                errors["assets"] = _(
                    "%(asset)s is not owned by the municipality (origin: %(origin)s)."
                ) % {"asset": asset, "origin": asset.get_origin_display()}
            elif asset.status in OUT_OF_SERVICE:
                errors["assets"] = _("%(asset)s is out of service.") % {"asset": asset}
            elif asset_id in in_buyouts:
                errors["assets"] = _("%(asset)s is already in a buyout.") % {"asset": asset}
            else:
                errors.update(
                    item_errors(
                        values={
                            "acquisition_date": asset.acquisition_date,
                            "acquisition_cost": asset.acquisition_cost,
                        },
                        default_life=default_useful_life(asset.product),
                        valuation_date=locked.valuation_date,
                    )
                )
            if errors:
                row_errors.append((number, errors))
        _raise_row_errors(row_errors)
        items = [
            BuyoutItem(
                buyout=locked,
                asset=found[asset_id],
                acquisition_date=found[asset_id].acquisition_date,
                acquisition_cost=found[asset_id].acquisition_cost,
            )
            for asset_id in dict.fromkeys(asset_ids)
        ]
        insert_objects(items)
        record_bulk_changes(items, action=ChangeAction.CREATE)
    return items


def update_item(*, item: BuyoutItem, changes: Mapping[str, Any]) -> BuyoutItem:
    """Correct one item's valuation basis (e.g. override its useful life, with a reason).
    Refused once the buyout is agreed."""
    unknown = sorted(set(changes) - set(ITEM_FIELDS))
    if unknown:
        raise ValidationError({unknown[0]: _("This cannot be changed on a buyout item.")})
    with transaction.atomic():
        buyout = _lock_draft(item.buyout)
        item = BuyoutItem.objects.select_related("asset__product__category").get(pk=item.pk)
        values = {name: getattr(item, name) for name in ITEM_FIELDS}
        values.update(changes)
        errors = item_errors(
            values=values,
            default_life=default_useful_life(item.asset.product),
            valuation_date=buyout.valuation_date,
        )
        if errors:
            raise ValidationError(errors)
        changes = dict(changes)
        if "life_override_reason" in changes:
            changes["life_override_reason"] = (changes["life_override_reason"] or "").strip()
        return save_object(instance=item, changes=changes)


def remove_item(*, item: BuyoutItem) -> None:
    """Take an asset out of a draft buyout (the asset stays in the register)."""
    with transaction.atomic():
        _lock_draft(item.buyout)
        item.delete()


# --- Agreement and completion ------------------------------------------------------------


def agree_refusals(*, valuation, agreed_on: datetime.date) -> dict[str, list[str]]:
    """Why the draft whose ``valuation`` is given cannot be agreed on ``agreed_on`` (by
    field; empty: it can). ``agree_buyout`` refuses with these; its confirmation shows
    them instead of a button."""
    if valuation.buyout.is_locked:
        return _locked_error(valuation.buyout).message_dict
    refusals: dict[str, list[str]] = {}
    if not valuation.lines:
        refusals["items"] = [_("A buyout needs at least one asset to agree on.")]
    elif valuation.problems:
        refusals["items"] = [
            _("%(asset)s: %(problem)s") % {"asset": line.asset_tag, "problem": line.problem}
            for line in valuation.problems
        ]
    if agreed_on > _today():
        refusals["agreed_on"] = [
            _("The agreement date %(date)s is in the future.") % {"date": agreed_on.isoformat()}
        ]
    return refusals


def agree_buyout(*, buyout: Buyout, agreed_by, agreed_on: datetime.date | None = None) -> Buyout:
    """Agree the valuation with the municipality: freeze every item's age and book value,
    record the total, who agreed and when, and keep the signed-off XLSX with its SHA-256.
    From then on the buyout cannot be changed. Refused when it has no items or any item's
    basis is invalid (each named)."""
    from samdrift.leasing.buyout_xlsx import valuation_workbook

    agreed_on = agreed_on or _today()
    with transaction.atomic():
        locked = _lock_draft(buyout)
        valuation = buyout_valuation(buyout=locked)
        refusals = agree_refusals(valuation=valuation, agreed_on=agreed_on)
        if refusals:
            raise ValidationError(refusals)
        items = {item.pk: item for item in BuyoutItem.objects.filter(buyout=locked)}
        before = []
        changed = []
        now = timezone.now()
        for line in valuation.lines:
            item = items[line.item_id]
            item.buyout = locked  # cached: the change log reads its municipality
            before.append(item.changelog_data())
            item.age_months = line.age_months
            item.book_value = line.book_value
            # Items valued over their product's default life get that life written, so a
            # later change of the category's life cannot move the agreed figures.
            item.useful_life_months = line.useful_life_months
            item.last_updated = now
            changed.append(item)
        # One UPDATE statement for every item's own figures (executemany).
        update_fields(changed, ["age_months", "book_value", "useful_life_months", "last_updated"])
        record_bulk_changes(changed, action=ChangeAction.UPDATE, before=before)

        locked.status = BuyoutStatus.AGREED
        locked.agreed_on = agreed_on
        locked.agreed_by = agreed_by
        locked.agreed_total = valuation.total
        locked.full_clean()
        locked.save()

        # The figures just frozen are the ones signed: no need to read them back.
        valuation.buyout, valuation.frozen = locked, True
        content = valuation_workbook(valuation)
        SignedValuation.objects.create(
            buyout=locked,
            file_name=f"buyout-{locked.pk}-{locked.municipality.number}-agreed-{agreed_on.isoformat()}.xlsx",
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
        )
    return locked


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
            AssetPrice(
                asset=item.asset,
                valid_from=held_since,
                valid_to=start,
                capital_part=ZERO,
                service_fee=ZERO,
                amount=ZERO,
                financed_value=ZERO,
                residual_value=ZERO,
                term_months=None,
                annual_rate=ZERO,
                buyout_item=item,
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
            AssetPrice(
                asset=item.asset,
                valid_from=start,
                valid_to=fee_from,
                capital_part=capital,
                service_fee=fee,
                amount=capital + fee,
                financed_value=value,
                residual_value=residual,
                term_months=remaining,
                annual_rate=lease_model.annual_rate,
                buyout_item=item,
                note=_("Bought out: %(value)s over %(months)s months")
                % {"value": value, "months": remaining},
            )
        )
    rows.append(
        AssetPrice(
            asset=item.asset,
            valid_from=fee_from,
            valid_to=None,
            capital_part=ZERO,
            service_fee=fee,
            amount=fee,
            financed_value=ZERO,
            residual_value=ZERO,
            term_months=None,
            annual_rate=lease_model.annual_rate,
            buyout_item=item,
            note=_("Bought out, paid for: service fee only"),
        )
    )
    return rows


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
        return _locked_error(buyout).message_dict
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


def complete_buyout(
    *, buyout: Buyout, completed_by, completed_on: datetime.date | None = None
) -> Buyout:
    """Complete an agreed buyout on ``completed_on``.

    The assets become the collaboration's (origin "bought out"), each gets its own
    ``AssetPrice`` from ``completed_on`` and a price of nothing for the time the
    municipality held it before (see ``bought_out_price_rows``), and the agreed
    total is recorded as ``AmountOwed`` to the municipality for the month of completion,
    which billing credits. Refused unless agreed, or when an asset's category has no
    lease model (each named). A handful of queries and bulk writes.
    """
    completed_on = completed_on or _today()
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
        # Only assets that change are written and logged (an asset recorded as bought out
        # when it was registered keeps its origin and gets no empty change row).
        assets = [item.asset for item in items if item.asset.origin != AssetOrigin.BOUGHT_OUT]
        before = [asset.changelog_data() for asset in assets]
        # One value for every asset: a single UPDATE rather than a CASE per row.
        now = timezone.now()
        Asset.objects.filter(buyout_item__buyout=locked).exclude(
            origin=AssetOrigin.BOUGHT_OUT
        ).update(origin=AssetOrigin.BOUGHT_OUT, last_updated=now)
        for asset in assets:
            asset.origin = AssetOrigin.BOUGHT_OUT
            asset.last_updated = now
        record_bulk_changes(assets, action=ChangeAction.UPDATE, before=before)

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
        insert_objects(prices)  # one INSERT statement, ids taken up front
        record_bulk_changes(prices, action=ChangeAction.CREATE)

        if locked.agreed_total and locked.agreed_total > 0:
            owed = AmountOwed(
                municipality_id=locked.municipality_id,
                amount=locked.agreed_total,
                due_month=completed_on.replace(day=1),
                description=_("Buyout of equipment: %(name)s") % {"name": locked.name},
                buyout=locked,
            )
            owed.full_clean()
            owed.save()

        locked.status = BuyoutStatus.COMPLETED
        locked.completed_on = completed_on
        locked.completed_by = completed_by
        locked.save()
    return locked


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


def verify_signed_valuation(*, buyout: Buyout) -> bool:
    """Does the kept signed-off copy still match its SHA-256?"""
    signed = SignedValuation.objects.filter(buyout=buyout).first()
    if signed is None:
        return False
    return hashlib.sha256(bytes(signed.content)).hexdigest() == signed.sha256
