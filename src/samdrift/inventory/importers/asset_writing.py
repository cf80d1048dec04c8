"""Writing an asset import: referenced objects first, then assets and their
assignments in bulk, then the changed stored assets."""

from __future__ import annotations

from django.utils.translation import gettext as _

from samdrift.catalogue.models import Product
from samdrift.core.importing.references import fetch_in
from samdrift.inventory.figures import assets_changed
from samdrift.inventory.holders import HOLDER_FIELDS
from samdrift.inventory.importers.values import holder_ids
from samdrift.inventory.models import Asset, Assignment
from samdrift.inventory.services import NewAsset, assignment_instances, create_assets
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
        note = (_("Imported from %(file)s") % {"file": self.context.filename or "-"})[:200]
        create_assets(rows=self.new_asset_rows(), note=note, today=self.today, write=self.create)
        if self.closed_assignments:
            self.update(Assignment, self.closed_assignments, ["valid_to"], self.closed_befores)
        held = [
            (asset_id, holder_ids(holder), when) for asset_id, holder, when in self.new_holdings
        ]
        self.create(Assignment, assignment_instances(held, note=note))
        if self.changes:
            self.update_assets()

    def new_asset_rows(self) -> list[NewAsset]:
        rows = []
        for wanted, product, holder, when in self.new_assets:
            values = dict(wanted)
            values["product_id"] = product.pk
            held = holder_ids(holder) if holder is not None else None
            rows.append(NewAsset(values=values, holder=held, held_from=when))
        return rows

    def update_assets(self) -> None:
        """Changed stored assets: loaded as objects now (only these), changed, written."""
        found = {
            a.pk: a
            for a in fetch_in(Asset.objects.all(), "pk", (s["id"] for s, *_ in self.changes))
        }
        assets, befores, fields = [], [], set()
        touched_municipalities = set()
        for stored, changed, holder, when in self.changes:
            asset = found[stored["id"]]
            touched_municipalities.add(asset.municipality_id)
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
            touched_municipalities.update(asset.municipality_id for asset in assets)
            assets_changed(municipality_ids=touched_municipalities)
