"""Creating assets (one at a time or in bulk), editing them and moving them along
their lifecycle."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samdrift.catalogue.models import Product
from samdrift.core.bulk import InstanceFactory, insert_objects
from samdrift.core.services import save_object
from samdrift.inventory.choices import ASSET_TRANSITIONS, OUT_OF_SERVICE, AssetStatus
from samdrift.inventory.figures import assets_changed, keeps_figures
from samdrift.inventory.holders import HOLDER_FIELDS
from samdrift.inventory.models import Asset, Assignment
from samdrift.inventory.services.assignments import close_open_assignment, refresh_holder


def create_asset(*, product: Product, asset_tag: str, **fields: Any) -> Asset:
    """Register an asset (in stock unless a status is given): validated field by field
    (``full_clean``), then written as one row of :func:`create_assets`."""
    asset = Asset(product=product, asset_tag=asset_tag)
    for name, value in fields.items():
        setattr(asset, name, value)
    asset.full_clean()
    values = {f.attname: getattr(asset, f.attname) for f in Asset._meta.concrete_fields}
    with transaction.atomic():
        (created,), _assignments = create_assets(rows=[NewAsset(values=values)])
    created.product = product  # as the caller gave it: no query to name it
    return created


@dataclass(frozen=True)
class NewAsset:
    """One asset to create: its fields by attribute name (``product_id``, ``asset_tag``
    …) and, if someone holds it, the holder's ids (``municipality_id``,
    ``service_area_id``, ``person_id``, ``location_id``) and the day it was handed over."""

    values: Mapping[str, Any]
    holder: Mapping[str, int | None] | None = None
    held_from: datetime.date | None = None


def create_assets(
    *,
    rows: Sequence[NewAsset],
    note: str = "",
    today: datetime.date | None = None,
    changelog: bool = True,
    write: Callable[[type[models.Model], list], None] | None = None,
) -> tuple[list[Asset], list[Assignment]]:
    """Create many assets, each held one with its assignment from its day (``note`` on
    each): the one way an asset comes into the register, one INSERT per table whatever
    the number of rows. The asset mirrors the holder in force ``today``; one from a later
    date takes effect on that day (``inventory.holders``), as through ``assign_asset``.

    The caller has checked the rows as a set (a form's ``full_clean``, an import's or a
    buyout's row checks). Every row is change-logged by the writer, unless
    ``changelog=False``: where one summary row stands for a generated batch. ``write``
    (model, objects) replaces the plain insert for a caller that reports progress (an
    import). The caller holds the transaction.
    """
    today = today or timezone.localdate()
    if write is None:

        def write(model: type[models.Model], objects: list) -> None:
            insert_objects(objects, changelog=changelog)

    assets = asset_instances(rows, today=today)
    write(Asset, assets)
    held = [
        (asset.pk, row.holder, row.held_from)
        for asset, row in zip(assets, rows, strict=True)
        if row.holder is not None
    ]
    assignments = assignment_instances(held, note=note)
    write(Assignment, assignments)
    assets_changed(municipality_ids={asset.municipality_id for asset in assets})
    return assets, assignments


def asset_instances(rows: Iterable[NewAsset], *, today: datetime.date) -> list[Asset]:
    """Unsaved assets of ``rows``, each mirroring its holder if held by ``today``."""
    factory = InstanceFactory(Asset)
    assets = []
    for row in rows:
        values = row.values  # make() copies it: no copy here (100,000s of rows)
        if row.holder is not None and row.held_from <= today:
            values = {**values, **row.holder}
        assets.append(factory.make(values))
    return assets


def assignment_instances(
    holdings: Iterable[tuple[int, Mapping[str, int | None], datetime.date]], *, note: str
) -> list[Assignment]:
    """Unsaved assignments: (asset id, holder ids, from) each, open-ended, with ``note``."""
    factory = InstanceFactory(Assignment)
    assignments = []
    for asset_id, holder, when in holdings:
        values = dict(holder)
        values.update(asset_id=asset_id, valid_from=when, note=note)
        assignments.append(factory.make(values))
    return assignments


@keeps_figures
def update_asset(*, asset: Asset, changes: dict[str, Any]) -> Asset:
    """Change an asset's descriptive fields. Status and holder have their own operations."""
    forbidden = set(changes) & {"status", *HOLDER_FIELDS}
    if forbidden:
        field = sorted(forbidden)[0]
        raise ValidationError({field: _("Use the status change or assignment operation for this.")})
    with transaction.atomic():
        saved = save_object(instance=asset, changes=changes)
        assets_changed(municipality_ids={saved.municipality_id})
    return saved


@keeps_figures
def change_asset_status(*, asset: Asset, status: str, on: datetime.date | None = None) -> Asset:
    """Move an asset along its lifecycle. Taking it out of use ends its assignment on ``on``."""
    on = on or datetime.date.today()
    with transaction.atomic():
        asset = Asset.objects.select_for_update().get(pk=asset.pk)
        if status == asset.status:
            return asset
        if status not in ASSET_TRANSITIONS.get(asset.status, frozenset()):
            raise ValidationError(
                {
                    "status": _(
                        "An asset cannot go from %(old)s to %(new)s. Allowed next: %(allowed)s."
                    )
                    % {
                        "old": AssetStatus(asset.status).label,
                        "new": AssetStatus(status).label
                        if status in AssetStatus.values
                        else status,
                        "allowed": ", ".join(
                            str(AssetStatus(s).label)
                            for s in sorted(ASSET_TRANSITIONS[asset.status])
                        )
                        or "–",
                    }
                }
            )
        held_by = asset.municipality_id
        if status in OUT_OF_SERVICE or status == AssetStatus.IN_STOCK:
            close_open_assignment(asset, on)
        asset.status = status
        asset.save()
        refresh_holder(asset)
        assets_changed(municipality_ids={held_by, asset.municipality_id})
    return asset
