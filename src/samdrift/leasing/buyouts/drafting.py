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
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from samdrift.catalogue.models import Product
from samdrift.core.bulk import insert_objects
from samdrift.core.changelog import record_bulk_changes, record_summary
from samdrift.core.choices import ChangeAction
from samdrift.core.membership import foreign_member_errors
from samdrift.core.services import save_object
from samdrift.finance.money import ZERO
from samdrift.inventory.choices import OUT_OF_SERVICE, AssetOrigin, AssetStatus
from samdrift.inventory.models import Asset
from samdrift.inventory.services import NewAsset, create_assets
from samdrift.leasing.buyouts.bulk import delete_where
from samdrift.leasing.buyouts.state import lock_draft, locked_error, today
from samdrift.leasing.buyouts.valuation import (
    ITEM_FIELDS,
    MAX_USEFUL_LIFE_MONTHS,
    default_useful_life,
)
from samdrift.leasing.models import Buyout, BuyoutItem
from samdrift.organisations.models import Municipality
from samdrift.ui.formatting import format_day


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
    elif acquired > today():
        errors["acquisition_date"] = _("The acquisition date %(date)s is in the future.") % {
            "date": format_day(acquired)
        }
    elif acquired > valuation_date:
        errors["acquisition_date"] = _(
            "The acquisition date %(date)s is after the valuation date %(valuation)s."
        ) % {"date": format_day(acquired), "valuation": format_day(valuation_date)}
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
        locked = lock_draft(buyout)
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
                        % {"date": format_day(latest)}
                    }
                )
        return save_object(instance=locked, changes=dict(changes))


def discard_refusals(*, buyout: Buyout) -> dict[str, list[str]]:
    """Why ``buyout`` cannot be discarded (empty: it can): only a draft can."""
    return locked_error(buyout).message_dict if buyout.is_locked else {}


def delete_buyout(*, buyout: Buyout) -> None:
    """Discard a draft buyout and its items (the registered assets stay in the register).

    Each item's deletion is logged with its state before; the items go in one DELETE (a
    cascade from the buyout would send signals and log them one by one)."""
    with transaction.atomic():
        locked = lock_draft(buyout)
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
        locked = lock_draft(buyout)
        municipality_id = locked.municipality_id
        tags = [str(row.get("asset_tag") or "").strip() for row in rows]
        serials = [str(row.get("serial_number") or "").strip() for row in rows]
        _raise_row_errors(_equipment_errors(locked, rows, tags, serials, start_row=start_row))

        assets = _register_assets(locked, rows, tags, serials, changelog=summary is None)
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
        if summary is None:
            insert_objects(items)  # each logged, as the assets and assignments were
        else:  # one summary row stands for the generated batch
            insert_objects(items, changelog=False)
            record_summary(
                model=Buyout,
                action=ChangeAction.UPDATE,
                message=summary,
                object_id=locked.pk,
                municipality_id=municipality_id,
            )
    return items


def _default_lives(rows: Sequence[Mapping[str, Any]]) -> dict[int, int]:
    """Product id → the default useful life of every product named in ``rows``, in one
    query (reading it from each row's product would cost a query per product whose
    category is not loaded)."""
    return {
        pk: min(own or category, MAX_USEFUL_LIFE_MONTHS)
        for pk, own, category in Product.objects.filter(
            pk__in={row["product"].pk for row in rows if isinstance(row.get("product"), Product)}
        ).values_list("pk", "useful_life_months", "category__useful_life_months")
    }


def _equipment_errors(
    locked: Buyout,
    rows: Sequence[Mapping[str, Any]],
    tags: list[str],
    serials: list[str],
    *,
    start_row: int,
) -> list[tuple[int, dict[str, str]]]:
    """Each bad row of equipment to register, by its number, with what is wrong by field."""
    taken_tags = _existing(Asset, "asset_tag", [t for t in tags if t])
    taken_serials = _existing(Asset, "serial_number", [s for s in serials if s])
    default_lives = _default_lives(rows)
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
            errors["serial_number"] = _("Duplicate of row %(row)s.") % {"row": seen_serials[serial]}
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
            item_errors(values=row, default_life=default_life, valuation_date=locked.valuation_date)
        )
        if errors:
            row_errors.append((number, errors))
        seen_tags.setdefault(tag, number)
        if serial:
            seen_serials.setdefault(serial, number)
    return row_errors


def _register_assets(
    locked: Buyout,
    rows: Sequence[Mapping[str, Any]],
    tags: list[str],
    serials: list[str],
    *,
    changelog: bool,
) -> list[Asset]:
    """The equipment's assets, owned by the municipality and deployed to it since their
    acquisition, each with its assignment (and both saved)."""
    new = []
    for row, tag, serial in zip(rows, tags, serials, strict=True):
        area = row.get("service_area")
        holder = {
            "municipality_id": locked.municipality_id,
            "service_area_id": area.pk if area is not None else None,
            "person_id": None,
            "location_id": None,
        }
        values = {
            "product_id": row["product"].pk,
            "asset_tag": tag,
            "serial_number": serial,
            "model_name": str(row.get("model_name") or ""),
            "status": AssetStatus.DEPLOYED,
            "origin": AssetOrigin.MUNICIPALITY_OWNED,
            "acquisition_date": row["acquisition_date"],
            "acquisition_cost": row["acquisition_cost"],
        }
        new.append(NewAsset(values=values, holder=holder, held_from=row["acquisition_date"]))
    note = _("Registered for buyout %(name)s") % {"name": locked.name}
    assets, _assignments = create_assets(rows=new, note=note, changelog=changelog)
    return assets


def add_assets(*, buyout: Buyout, assets: Iterable[Asset]) -> list[BuyoutItem]:
    """Add equipment already in the register to the draft ``buyout``.

    Each asset must be held by the buyout's municipality, still owned by it (origin
    "owned by the municipality"), in use, have an acquisition date and cost, and not be
    in another buyout. The valuation basis is copied from the asset.
    """
    asset_ids = [a.pk for a in assets]
    with transaction.atomic():
        locked = lock_draft(buyout)
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
    return items


def update_item(*, item: BuyoutItem, changes: Mapping[str, Any]) -> BuyoutItem:
    """Correct one item's valuation basis (e.g. override its useful life, with a reason).
    Refused once the buyout is agreed."""
    unknown = sorted(set(changes) - set(ITEM_FIELDS))
    if unknown:
        raise ValidationError({unknown[0]: _("This cannot be changed on a buyout item.")})
    with transaction.atomic():
        buyout = lock_draft(item.buyout)
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
        lock_draft(item.buyout)
        item.delete()


# --- Agreement and completion ------------------------------------------------------------
