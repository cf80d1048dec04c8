"""Writing an asset import: referenced objects first, then assets and their
assignments in bulk, then the changed stored assets."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from samdrift.catalogue.models import Product
from samdrift.core.importing.references import fetch_in
from samdrift.core.importing.writing import InstanceFactory
from samdrift.inventory.importers.values import HOLDER_FIELDS, holder_ids
from samdrift.inventory.models import Asset, Assignment
from samdrift.organisations.models import Location, Person


class AssetWriting:
    """The writing side of ``AssetImporter``."""

    def apply(self) -> None:
        new_products = list(self.catalogue.new_products.values())
        new_locations = list(self.lookups.new_locations.values())
        new_persons = list(self.new_persons.values())
        self.write_total = (
            len(new_products)
            + len(new_locations)
            + len(new_persons)
            + 2 * len(self.new_assets)
            + len(self.closed_assignments)
            + len(self.new_holdings)
            + len(self.changes)
        )
        # Referenced objects first, so that they have their ids when rows name them.
        self.create(Product, new_products)
        self.create(Location, new_locations)
        self.create(Person, new_persons)
        assets = self.build_new_assets()
        self.create(Asset, assets)
        holdings = [
            (asset.pk, holder, when)
            for asset, (_wanted, _product, holder, when) in zip(
                assets, self.new_assets, strict=True
            )
            if holder is not None
        ]
        holdings.extend(self.new_holdings)
        if self.closed_assignments:
            self.update(Assignment, self.closed_assignments, ["valid_to"], self.closed_befores)
        self.create(Assignment, self.build_assignments(holdings))
        if self.changes:
            self.update_assets()

    def build_new_assets(self) -> list[Asset]:
        factory = InstanceFactory(Asset)
        assets = []
        for wanted, product, holder, when in self.new_assets:
            values = dict(wanted)
            values["product_id"] = product.pk
            # The asset mirrors the holder in force today; one from a later date takes
            # effect on that day (inventory.holders), as through assign_asset.
            if holder is not None and when <= self.today:
                values.update(holder_ids(holder))
            assets.append(factory.make(values))
        return assets

    def build_assignments(self, holdings: list[tuple[int, tuple, datetime.date]]) -> list:
        factory = InstanceFactory(Assignment)
        note = (_("Imported from %(file)s") % {"file": self.context.filename or "-"})[:200]
        assignments = []
        for asset_id, holder, when in holdings:
            values = holder_ids(holder)
            values.update(asset_id=asset_id, valid_from=when, note=note)
            assignments.append(factory.make(values))
        return assignments

    def update_assets(self) -> None:
        """Changed stored assets: loaded as objects now (only these), changed, written."""
        found = {
            a.pk: a
            for a in fetch_in(Asset.objects.all(), "pk", (s["id"] for s, *_ in self.changes))
        }
        assets, befores, fields = [], [], set()
        for stored, changed, holder, when in self.changes:
            asset = found[stored["id"]]
            before = asset.changelog_data()
            touched = False
            for name, value in changed.items():
                if name in HOLDER_FIELDS:
                    continue
                setattr(asset, name, value)
                fields.add(name)
                touched = True
            # A new holder from a later date takes effect on that day (inventory.holders).
            if any(name in changed for name in HOLDER_FIELDS) and when <= self.today:
                for name, value in holder_ids(holder).items():
                    setattr(asset, name, value)
                fields.update(HOLDER_FIELDS)
                touched = True
            if touched:
                assets.append(asset)
                befores.append(before)
        if assets:
            self.update(Asset, assets, sorted(fields), befores)
